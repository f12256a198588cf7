"""Demo accounts, for `make run` only (never in production): the sign-in accounts listed by
`load_demo`, and a reporter and an approver for every other reporting unit, who cannot sign in."""

import datetime
import random
import re
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import GbvGrant, User
from core.roles import CASE_ROLES, Role
from core.text import fold
from orgs.models import Unit, UnitKind

from . import clock
from .places import Place

DEMO_PASSWORD = "hoa-sen-trong-dam"
DEMO_DEVICE = "Thiết bị dùng thử"

# username, full name, role, unit code
DEMO_USERS = [
    ("coordinator", "Nguyễn Thị Thu Hà", Role.COORDINATOR, "SNV"),
    ("leader", "Trần Văn Minh", Role.LEADER, "51"),
    ("admin", "Lê Quốc Bảo", Role.ADMIN, "SNV"),
    ("syt.baocao", "Phạm Thị Lan", Role.REPORTER, "SYT"),
    ("syt.duyet", "Võ Văn Hùng", Role.APPROVER, "SYT"),
    ("cat.baocao", "Đặng Thị Hồng", Role.REPORTER, "CAT"),
    ("cat.duyet", "Huỳnh Văn Tâm", Role.APPROVER, "CAT"),
    ("hlhpn.baocao", "Bùi Thị Mai", Role.REPORTER, "HLHPN"),
    ("hlhpn.duyet", "Ngô Thị Kim Anh", Role.APPROVER, "HLHPN"),
    ("camthanh.baocao", "Đỗ Thị Ngọc", Role.REPORTER, "21025"),
    ("camthanh.duyet", "Trương Văn Phúc", Role.APPROVER, "21025"),
    ("lyson.baocao", "Lương Thị Hoa", Role.REPORTER, "21548"),
    ("lyson.duyet", "Phan Văn Sơn", Role.APPROVER, "21548"),
    ("iachim.baocao", "Y Hơn", Role.REPORTER, "23326"),
    ("iachim.duyet", "A Thuận", Role.APPROVER, "23326"),
    ("canbo.hotro", "Lê Thị Thanh", Role.CASE_WORKER, "CAT"),
    ("syt.hotro", "Nguyễn Thị Bích Ngọc", Role.CASE_WORKER, "SYT"),
    ("syt.giamsat", "Trần Thị Mỹ Dung", Role.CASE_SUPERVISOR, "SYT"),
    ("stp.trogiup", "Võ Thành Nhân", Role.CASE_WORKER, "STP"),
    ("hlhpn.hotro", "Phạm Thị Thu Sương", Role.CASE_WORKER, "HLHPN"),
    ("camthanh.nhatamlanh", "Lê Thị Xuân", Role.CASE_WORKER, "21025"),
]


def _grant_demo_gbv_access(users: dict) -> None:
    """GBV access as in production: `syt.giamsat` through the operator's bootstrap, every other
    demo GBV account through a coordinator's request approved by `syt.giamsat` (the supervisor
    of Sở Y tế; for agencies without a supervisor, a supervisor of another agency). Accounts
    that already hold access are left alone, so a rerun changes nothing."""
    supervisor, coordinator = users["syt.giamsat"], users["coordinator"]
    if not supervisor.has_gbv_access:
        services.grant_first_supervisor(user=supervisor, label="Dữ liệu mẫu (load_demo)")
        supervisor.forget_gbv_access()
    for user in users.values():
        if user.role in CASE_ROLES and not user.has_gbv_access:
            request = services.request_grant(actor=coordinator, subject=user)
            services.approve(actor=supervisor, req=request)
            user.forget_gbv_access()


# When the demo's accounts were opened: before the 2025 plan and its first reporting round.
OPENED = datetime.datetime(2025, 4, 1, 8, 0)


def opening_day() -> datetime.datetime:
    return min(timezone.make_aware(OPENED), timezone.now())


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo accounts once (passwords never reset on a rerun), as opened on 01/04/2025."""
    opened = opening_day()
    with clock.at(opened):
        accounts = _load_accounts(opened)
    # Model defaults of timezone.now are bound when the model is defined, beyond the clock.
    GbvGrant.objects.filter(user__username__in=[u[0] for u in DEMO_USERS]).filter(
        approved_at__gt=opened
    ).update(approved_at=opened)
    return accounts


def _load_accounts(opened: datetime.datetime) -> list[tuple[str, str, str]]:
    units = {u.code: u for u in Unit.objects.all()}
    accounts = []
    users = []
    for username, full_name, role, unit_code in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "role": role,
                "unit": units[unit_code],
                "date_joined": opened,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users.append(user)
    _grant_demo_gbv_access({user.username: user for user in users})
    for user in users:
        if user.needs_second_factor:
            # A confirmed authenticator, so that `manage.py demo_code USER` can stand in for
            # the phone app during a demo.
            TOTPDevice.objects.get_or_create(
                user=user, defaults={"name": DEMO_DEVICE, "confirmed": True}
            )
        accounts.append((user.username, user.get_role_display(), str(user.unit or "")))
    return accounts


# Names of the generated staff: family names, then (middle, given) names by sex; highland
# communes of the Hrê, Co and Ca Dong take the Kinh pattern with their own family names, and the
# Ba Na, Xơ Đăng, Gia Rai and Giẻ Triêng of the former Kon Tum province "Y" (women) or "A" (men).
FAMILY = "Nguyễn Trần Lê Phạm Huỳnh Võ Phan Trương Bùi Đặng Đỗ Ngô Hồ Dương Đinh Lương Đoàn Hà Tạ"
HIGHLAND_FAMILY = {"Hrê": "Đinh Phạm Đinh Bùi", "Co": "Hồ Hồ Đinh", "Ca Dong": "Đinh Hồ Phạm"}
MIDDLE = {
    "female": "Thị|Thị|Thị|Thị Thu|Thị Minh|Ngọc|Thị Kim|Thị Thanh",
    "male": "Văn|Văn|Minh|Quốc|Thanh|Đức|Hữu|Công",
}
GIVEN = {
    "female": "Hà Lan Hương Hạnh Hoa Mai Trang Thủy Linh Nga Yến Nhung Phương Thảo Vân Hằng Loan "
    "Quyên Tuyết Hiền Diệu Nhàn",
    "male": "Hùng Dũng Tuấn Sơn Hải Long Phúc Trung Khoa Bình Thắng Toàn Nam Quang Tài Vinh Hiếu "
    "Lộc Thành Tâm",
}
HIGHLAND_GIVEN = "Hơn Nhi Lan Blưn Dố Rin Thuận Khoa Hyen Ting Yên Brêu Nghĩa Thương H'Lim"
AGENCY_HEADS = {
    "HLHPN": "Phó Chủ tịch Hội Liên hiệp Phụ nữ tỉnh",
    "MTTQ": "Phó Chủ tịch Ủy ban MTTQ Việt Nam tỉnh",
    "CAT": "Phó Giám đốc Công an tỉnh",
    "VPUBND": "Phó Chánh Văn phòng",
    "BQN": "Phó Tổng Biên tập",
}


class Staff(NamedTuple):
    reporter: User
    approver: User


def _person(rng: random.Random, place: Place, sex: str) -> str:
    if place.language in ("Ba Na", "Xơ Đăng", "Gia Rai", "Giẻ Triêng") and rng.random() < 0.6:
        return f"{'Y' if sex == 'female' else 'A'} {rng.choice(HIGHLAND_GIVEN.split())}"
    family = HIGHLAND_FAMILY.get(place.language, FAMILY)
    middle = rng.choice(MIDDLE[sex].split("|"))
    return f"{rng.choice(family.split())} {middle} {rng.choice(GIVEN[sex].split())}"


def _username(unit: Unit, role: str, taken: set[str]) -> str:
    words = re.sub(r"^(Phường|Xã|Đặc khu|Huyện|Thị xã|Thành phố) ", "", unit.name)
    prefix = {"Huyện": "huyen", "Thị xã": "tx", "Thành phố": "tp"}
    base = (
        unit.code.lower() if unit.kind == UnitKind.AGENCY else re.sub(r"[^a-z0-9]", "", fold(words))
    )
    if unit.kind == UnitKind.DISTRICT:
        base = next(v for k, v in prefix.items() if unit.name.startswith(k)) + base
    name = f"{base}.{'baocao' if role == Role.REPORTER else 'duyet'}"
    return name if name not in taken else f"{base}{unit.code}.{name.rsplit('.', 1)[1]}"


def _position(place: Place, role: str) -> str:
    unit = place.unit
    if role == Role.REPORTER:
        if unit.kind == UnitKind.AGENCY:
            return "Chuyên viên"
        return (
            "Chuyên viên Phòng Nội vụ"
            if unit.kind == UnitKind.DISTRICT
            else ("Công chức Văn hóa – Xã hội")
        )
    if unit.kind == UnitKind.AGENCY:
        return AGENCY_HEADS.get(unit.code, "Phó Giám đốc")
    return f"Phó Chủ tịch UBND {place.kind_word}"


@transaction.atomic
def load_unit_staff(places: dict[str, Place]) -> dict[str, Staff]:
    """A reporter and an approver for every reporting unit, by unit code: the demo's own accounts
    where it has them, else generated ones that cannot sign in (no usable password), inactive
    for the old districts that ceased on 30/06/2025. Made once; a rerun creates nothing."""
    users = User.objects.filter(role__in=(Role.REPORTER, Role.APPROVER), unit__isnull=False)
    existing = {}
    for user in users.select_related("unit").order_by("-pk"):  # the earliest account wins
        if user.unit is not None:
            existing[(user.unit.code, user.role)] = user
    taken = set(User.objects.values_list("username", flat=True))
    new = []
    for code, place in places.items():
        for role in (Role.REPORTER, Role.APPROVER):
            if (code, role) in existing:
                continue
            rng = random.Random(f"cán bộ/{code}/{role}")
            sex = "female" if rng.random() < (0.75 if role == Role.REPORTER else 0.4) else "male"
            user = User(
                username=_username(place.unit, role, taken),
                full_name=_person(rng, place, sex),
                role=role,
                unit=place.unit,
                position=_position(place, role),
                is_active=place.unit.valid_to is None,
                date_joined=opening_day(),
            )
            user.set_unusable_password()
            taken.add(user.username)
            new.append(user)
            existing[(code, role)] = user
    User.objects.bulk_create(new)
    return {
        code: Staff(existing[(code, Role.REPORTER)], existing[(code, Role.APPROVER)])
        for code in places
    }
