"""What analytics writes: the audit record of a copy taken of the province's figures (the pages
only read; docs/security.md, "Audit log")."""

from django.http import HttpRequest

from accounts.models import User
from audit.models import Action
from audit.services import record_event
from reports.models import Round


def record_synthesis_download(
    *, actor: User, round_: Round, request: HttpRequest | None = None
) -> None:
    """The synthesis files hold every unit's figures: who took a copy is recorded. `request`
    gives the audit log the client's address."""
    record_event(actor=actor, action=Action.DOWNLOAD, obj=round_, request=request)
