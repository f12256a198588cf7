"""The one write of a record entered on one of the area's forms (activity, campaign, model,
review, model type, inspection, commendation, budget line): the audited save."""

from django.db.models import Model
from django.forms import ModelForm

from audit.services import save_audited


def save_record(*, actor, form: ModelForm, request=None) -> Model:
    """Save a valid form with the audit of its AUDITED fields; raises
    audit.services.ConcurrentEdit when someone saved the record since the form was opened."""
    return save_audited(actor=actor, form=form, fields=form.AUDITED, request=request)
