"""Demo accounts and a little progress, for `make run` only (never in production)."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import User
from core.roles import CASE_ROLES, Role
from orgs.models import Unit
from plans.models import Plan, Status, Task
from plans.services import record_progress

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

# (item code, unit code, status, percent, note, username)
DEMO_PROGRESS = [
    (
        "IV.5.a",
        "SYT",
        Status.DONE,
        100,
        "Đã tổ chức 12 buổi truyền thông về mất cân bằng giới tính khi sinh tại 8 xã.",
        "syt.baocao",
    ),
    (
        "IV.9.a",
        "CAT",
        Status.IN_PROGRESS,
        60,
        "Phối hợp xử lý 14 vụ việc; đang hoàn thiện quy chế phối hợp với Hội LHPN.",
        "cat.baocao",
    ),
    (
        "IV.10.b",
        "HLHPN",
        Status.IN_PROGRESS,
        50,
        "Đã triển khai Kế hoạch đến 96 cơ sở Hội; đang tổng hợp kết quả.",
        "hlhpn.baocao",
    ),
    (
        "II.1.a",
        "SNV",
        Status.IN_PROGRESS,
        70,
        "Đã ban hành văn bản hướng dẫn các sở, ngành, địa phương.",
        "coordinator",
    ),
    (
        "IV.1.a",
        "SNV",
        Status.DONE,
        100,
        "Đã xây dựng đề cương, biểu mẫu báo cáo trên Hệ thống báo cáo của tỉnh.",
        "coordinator",
    ),
    (
        "IV.13.b",
        "21025",
        Status.DONE,
        100,
        "Đã ban hành kế hoạch Tháng hành động và tổ chức lễ phát động cấp phường.",
        "camthanh.baocao",
    ),
    (
        "IV.13.a",
        "21548",
        Status.STUCK,
        20,
        "Chưa bố trí được kinh phí riêng; đang lồng ghép với kế hoạch phát triển KT-XH.",
        "lyson.baocao",
    ),
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


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo accounts once (passwords never reset on a rerun) and some progress."""
    units = {u.code: u for u in Unit.objects.all()}
    accounts = []
    users = []
    for username, full_name, role, unit_code in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "role": role, "unit": units[unit_code]},
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
    plan = Plan.objects.filter(year=2025).first()
    for code, unit_code, status, percent, note, username in DEMO_PROGRESS if plan else []:
        task = Task.objects.get(item__plan=plan, item__code=code, unit__code=unit_code)
        if not task.updates.exists():
            record_progress(
                task=task,
                actor=User.objects.get(username=username),
                status=status,
                percent=percent,
                note=note,
                files=[],
                expected_version=task.version,
            )
    return accounts
