"""Writes of the referral service directory (who gives which service), and the one check that a
referral goes to a unit the directory lists for the service asked.

The directory holds no survivor data: its events are ordinary audit events of the coordinator."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import ConcurrentEdit, diff, record_event, snapshot
from orgs.models import COMMUNE_KINDS, Unit

from ..models import ServiceProvider, ServiceType

PROVIDER_FIELDS = ["unit", "service_type", "active", "note"]

# The providers a new directory starts with, by unit code (orgs/data/agencies.csv). After the
# 2025 reform the social protection work of the former Sở LĐTBXH (its social work centre:
# counselling, emergency shelter) sits with Sở Y tế, employment with Sở Nội vụ.
DEFAULT_PROVIDERS = {
    "CAT": [ServiceType.POLICE],
    "SYT": [ServiceType.HEALTH, ServiceType.PSYCHOSOCIAL, ServiceType.SHELTER],
    "STP": [ServiceType.LEGAL],
    "HLHPN": [ServiceType.PSYCHOSOCIAL, ServiceType.SHELTER, ServiceType.LIVELIHOOD],
    "SNV": [ServiceType.LIVELIHOOD],
}
# Every commune, ward and special zone of today: its People's Committee arranges trusted addresses
# (Law 13/2022, art. 22) and counsels through its officials and reconciliation groups.
COMMUNE_SERVICES = [ServiceType.SHELTER, ServiceType.PSYCHOSOCIAL]


def default_pairs(unit_model) -> list[tuple]:
    """(unit, service type) of the default directory, for the units present."""
    pairs = []
    for unit in unit_model.objects.filter(code__in=DEFAULT_PROVIDERS):
        pairs += [(unit, service) for service in DEFAULT_PROVIDERS[unit.code]]
    communes = unit_model.objects.filter(kind__in=COMMUNE_KINDS, valid_to__isnull=True)
    for unit in communes:
        pairs += [(unit, service) for service in COMMUNE_SERVICES]
    return pairs


def seed(unit_model, provider_model) -> list:
    """Add the default entries that are missing; never touches an existing one (an entry the
    coordinator stopped stays stopped). Works on the historical models of a migration too."""
    existing = set(provider_model.objects.values_list("unit_id", "service_type"))
    missing = [
        provider_model(unit=unit, service_type=str(service))
        for unit, service in default_pairs(unit_model)
        if (unit.pk, str(service)) not in existing
    ]
    return provider_model.objects.bulk_create(missing)


@transaction.atomic
def seed_default_providers() -> int:
    """The default directory for the units loaded (orgs.signals.units_loaded), audited."""
    created = seed(Unit, ServiceProvider)
    for provider in ServiceProvider.objects.filter(
        pk__in=[p.pk for p in created if p.pk]
    ).select_related("unit"):
        record_event(actor=None, action=Action.CREATE, obj=provider, label=str(provider))
    return len(created)


def check_provider(unit: Unit, service_type: str) -> None:
    """ValidationError unless the directory lists `unit`, active, for `service_type`."""
    if not ServiceProvider.objects.offering(service_type).filter(unit=unit).exists():
        raise ValidationError(
            _(
                "%(unit)s không có trong danh bạ dịch vụ với dịch vụ “%(service)s”: hãy chọn "
                "một cơ quan, đơn vị cung cấp dịch vụ này."
            )
            % {"unit": unit, "service": ServiceType(service_type).label},
            code="not_a_provider",
        )


@transaction.atomic
def add_provider(
    *,
    actor: User | None,
    unit: Unit,
    service_type: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ServiceProvider:
    """A new entry of the directory; a unit already listed for the service is refused."""
    if ServiceProvider.objects.filter(unit=unit, service_type=service_type).exists():
        raise ValidationError(
            _("%(unit)s đã có trong danh bạ với dịch vụ “%(service)s”.")
            % {"unit": unit, "service": ServiceType(service_type).label}
        )
    provider = ServiceProvider.objects.create(
        unit=unit, service_type=service_type, note=note.strip()
    )
    record_event(
        actor=actor,
        action=Action.CREATE,
        obj=provider,
        request=request,
        changes=diff({}, snapshot(provider, PROVIDER_FIELDS)),
    )
    return provider


@transaction.atomic
def set_provider_active(
    *,
    actor: User | None,
    provider: ServiceProvider,
    active: bool,
    expected_version: int,
    request: HttpRequest | None = None,
) -> ServiceProvider:
    """Stop or resume an entry (kept for the referrals that named it); a stale page is refused."""
    current = ServiceProvider.objects.select_for_update().get(pk=provider.pk)
    if current.version != expected_version:
        raise ConcurrentEdit(current)
    if current.active == active:
        return current
    current.active = active
    current.version += 1
    current.save(update_fields=["active", "version"])
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=current,
        request=request,
        changes={"active": [not active, active]},
    )
    return current
