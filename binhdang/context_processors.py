from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from activities import models as activity_models
from core import roles
from core.models import Notification

# (label, url name, roles that see it); the views enforce the same rules on their own.
NAVIGATION = [
    (_("Trang chủ"), "home", None),
    (_("Tổng quan"), "analytics:dashboard", roles.PROVINCE_WIDE),
    (_("Tóm tắt một trang"), "analytics:meeting", frozenset({roles.Role.LEADER})),
    (_("Kế hoạch"), "plans:current", roles.PLAN_READERS),
    (_("Nhiệm vụ của đơn vị"), "plans:my_tasks", roles.UNIT_STAFF),
    (_("Báo cáo"), "reports:index", roles.PLAN_READERS),
    (_("Số liệu đơn vị"), "analytics:unit", roles.UNIT_STAFF),
    (_("Hoạt động"), "activities:list", activity_models.READERS),
    (_("Chỉ tiêu"), "indicators:targets", roles.PLAN_READERS),
    (_("Hồ sơ hỗ trợ nạn nhân"), "cases:list", roles.CASE_ROLES),
    (
        _("Thống kê bạo lực giới"),
        "cases:stats",
        frozenset({roles.Role.COORDINATOR, roles.Role.LEADER}),
    ),
    (_("Quyền truy cập hỗ trợ nạn nhân"), "accounts:gbv_access", "gbv_access"),
    (_("Đơn vị"), "orgs:list", roles.UNIT_READERS),
    (_("Người dùng"), "accounts:users", roles.USER_MANAGERS),
]

# The menu, by url name: a link, or a group of links (a dropdown on a desktop, a titled block of the
# phone's menu). A group with a single link for the user is that link, so the desktop menu holds
# one line at 1280 px whatever the role. Names not in NAVIGATION are ignored; items of NAVIGATION
# not placed here come last, each on its own.
MENU: list[str | tuple[str | Promise, tuple[str, ...]]] = [
    "home",
    (_("Kế hoạch"), ("plans:current", "plans:my_tasks", "activities:list")),
    "reports:index",
    (
        _("Số liệu"),
        (
            "analytics:dashboard",
            "analytics:meeting",
            "analytics:pivot",
            "analytics:unit",
            "indicators:targets",
        ),
    ),
    (_("Hỗ trợ nạn nhân"), ("cases:list", "cases:stats")),
    (_("Quản trị"), ("orgs:list", "accounts:users", "accounts:gbv_access")),
]


def limits(request):
    """Limits that pages mention, so the text follows the settings."""
    return {
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "upload_max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
    }


def _sees(user, allowed) -> bool:
    if allowed == "gbv_access":  # the managers, and a supervisor who holds GBV access
        return user.role in roles.USER_MANAGERS or (
            user.role == roles.Role.CASE_SUPERVISOR and user.has_gbv_access
        )
    return allowed is None or user.role in allowed


def menu(items: list[dict]) -> list[dict]:
    """The user's links (NAVIGATION's entries they see) laid out as MENU says: each entry a link
    or a group of links (`links`), `active` when it holds the current page."""
    by_name = {item["name"]: item for item in items}
    placed: set[str] = set()
    entries: list[dict] = []
    for entry in MENU:
        label, names = (None, (entry,)) if isinstance(entry, str) else entry
        links = [by_name[name] for name in names if name in by_name]
        placed.update(names)
        if len(links) == 1:
            entries.append(links[0])
        elif links:
            active = any(link["active"] for link in links)
            entries.append({"label": label, "links": links, "active": active})
    return entries + [item for item in items if item["name"] not in placed]


def navigation(request):
    user = request.user
    if not user.is_authenticated or request.headers.get("HX-Request"):
        return {}  # fragments have no navigation
    path = request.path
    items = []
    for label, name, allowed in NAVIGATION:
        if _sees(user, allowed):
            url = reverse(name)
            active = path == url if name == "home" else path.startswith(url)
            items.append({"label": label, "url": url, "active": active, "name": name})
    unread = Notification.objects.for_user(user).unread().count()
    return {"nav_items": menu(items), "unread_notifications": unread}
