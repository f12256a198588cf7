"""The one write of a record entered on one of the area's forms (activity, campaign, model,
review, model type, inspection, commendation, budget line): the audited save."""

from django.http import HttpRequest

from accounts.models import User
from audit.services import save_audited

from ..forms.unit_records import Record, RecordForm


def save_record(
    *, actor: User, form: RecordForm[Record], request: HttpRequest | None = None
) -> Record:
    """Save a valid form with the audit of its AUDITED fields; raises
    audit.services.ConcurrentEdit when someone saved the record since the form was opened."""
    return save_audited(actor=actor, form=form, fields=form.AUDITED, request=request)
