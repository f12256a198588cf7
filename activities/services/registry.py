"""Writes of the registers beyond a form's save: removing a model type."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record_event

from ..models import ModelType


@transaction.atomic
def delete_model_type(*, actor, model_type: ModelType, request=None) -> None:
    """Remove a model type, its name kept in the audit; raises ProtectedError (recording
    nothing) while a model uses it."""
    name = model_type.name
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=model_type,
        changes={"name": [name, None]},
        request=request,
        label=_("Xóa loại mô hình: %(name)s") % {"name": name},
    )
    model_type.delete()
