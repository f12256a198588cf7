"""Writes of the safe-place registry: a place (its location and contact are encrypted and never
reach the log, docs/security.md), admitting a case to a place, and a discharge."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import save_audited
from core.notifications import notify

from ..models import Case, Place, Stay

PLACE_FIELDS = [
    "name",
    "kind",
    "commune",
    "host",
    "capacity",
    "contact_name",
    "contact_phone",
    "location",
    "staff",
    "active",
]
STAY_FIELDS = ["place", "case", "admitted_on", "reason"]
DISCHARGE_FIELDS = ["discharged_on", "discharge_reason"]


def save_place(*, actor: User, form: ModelForm, request: HttpRequest | None = None) -> Place:
    """A new or edited place (PlaceForm, staff included), unless someone saved it after the
    user's version (ConcurrentEdit)."""
    return save_audited(actor=actor, form=form, fields=PLACE_FIELDS, request=request)


@transaction.atomic
def admit(
    *,
    actor: User,
    place: Place,
    case: Case,
    admitted_on: datetime.date,
    reason: str,
    request: HttpRequest | None = None,
) -> Stay:
    """A case admitted to a place that is active and has a free place; the place's other staff
    are told the case's code and the place, nothing more."""
    # Lock the place so two admissions cannot both take its last free place.
    place = Place.objects.select_for_update().get(pk=place.pk)
    if not place.active:
        raise ValidationError(_("Nơi này đã ngừng hoạt động, không tiếp nhận được."))
    if place.stays.current().count() >= place.capacity:
        raise ValidationError(
            _("%(place)s đã hết chỗ (sức chứa %(capacity)s người). Hãy chọn nơi khác.")
            % {"place": place, "capacity": place.capacity}
        )
    stay = Stay(place=place, case=case, admitted_on=admitted_on, reason=reason, recorded_by=actor)
    save_audited(actor=actor, obj=stay, fields=STAY_FIELDS, request=request)
    text = _("%(place)s đã tiếp nhận hồ sơ %(code)s tạm lánh.") % {
        "place": place.name,
        "code": case.code,
    }
    notify(
        place.staff.filter(is_active=True).exclude(pk=actor.pk),
        text=text,
        url=reverse("cases:place", kwargs={"pk": place.pk}),
    )
    return stay


@transaction.atomic
def discharge(
    *,
    actor: User,
    stay: Stay,
    discharged_on: datetime.date,
    discharge_reason: str,
    request: HttpRequest | None = None,
) -> Stay:
    """The day a survivor left a place and why, once."""
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    if stay.discharged_on is not None:
        raise ValidationError(_("Lượt tạm lánh này đã được ghi nhận rời đi."))
    stay.discharged_on, stay.discharge_reason = discharged_on, discharge_reason
    return save_audited(actor=actor, obj=stay, fields=DISCHARGE_FIELDS, request=request)
