"""Who is who: the roles and the named groups of roles every app's access rules speak
(docs/security.md). A user's role is `accounts.User.role`; the rules are here so that any app,
however low, can name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Điều phối (Sở Nội vụ)")
    REPORTER = "reporter", _("Cán bộ báo cáo")
    APPROVER = "approver", _("Lãnh đạo đơn vị (phê duyệt)")
    LEADER = "leader", _("Lãnh đạo tỉnh")
    CASE_WORKER = "case_worker", _("Cán bộ hỗ trợ nạn nhân")
    CASE_SUPERVISOR = "case_supervisor", _("Phụ trách hỗ trợ nạn nhân (giám sát)")
    ADMIN = "admin", _("Quản trị hệ thống")


# Groups of roles named once, used by views and navigation alike.
PROVINCE_WIDE = frozenset({Role.COORDINATOR, Role.LEADER, Role.ADMIN})
PLAN_READERS = frozenset({Role.COORDINATOR, Role.LEADER, Role.ADMIN, Role.REPORTER, Role.APPROVER})
UNIT_STAFF = frozenset({Role.REPORTER, Role.APPROVER})
UNIT_READERS = frozenset({Role.COORDINATOR, Role.ADMIN, Role.LEADER})
USER_MANAGERS = frozenset({Role.COORDINATOR, Role.ADMIN})
# The GBV module's users; they alone see case records (statistics are for the others).
CASE_ROLES = frozenset({Role.CASE_WORKER, Role.CASE_SUPERVISOR})
# Password alone is not enough for these (security.md): a TOTP second factor is required.
# Leaders too: they read the GBV statistics.
SECOND_FACTOR_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN, Role.LEADER, *CASE_ROLES})
# Which roles each manager may hand out: coordinators staff the units, admins everything.
# Keyed by the stored role string (`User.role`), which a `Role` member equals.
GRANTABLE: dict[str, frozenset[Role]] = {
    Role.COORDINATOR: frozenset(
        {Role.REPORTER, Role.APPROVER, Role.LEADER, Role.CASE_WORKER, Role.CASE_SUPERVISOR}
    ),
    Role.ADMIN: frozenset(Role),
}
