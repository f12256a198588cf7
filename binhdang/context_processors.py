from django.conf import settings
from django.urls import reverse
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
    (_("Đơn vị"), "orgs:list", roles.UNIT_READERS),
    (_("Người dùng"), "accounts:users", roles.USER_MANAGERS),
]


def limits(request):
    """Limits that pages mention, so the text follows the settings."""
    return {
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "upload_max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
    }


def navigation(request):
    user = request.user
    if not user.is_authenticated or request.headers.get("HX-Request"):
        return {}  # fragments have no navigation
    path = request.path
    items = []
    for label, name, allowed in NAVIGATION:
        if allowed is None or user.role in allowed:
            url = reverse(name)
            active = path == url if name == "home" else path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    unread = Notification.objects.for_user(user).unread().count()
    return {"nav_items": items, "unread_notifications": unread}
