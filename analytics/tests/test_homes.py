"""Each role's home page (analytics.homes) and the leader's one page (analytics:meeting), through
the test client, over the session's province: the 2025 plan (every task late by now) and its
annual round moved to be open, Sở Y tế's report filled."""

import datetime
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import request_grant
from activities.models import Campaign
from audit.models import Action, Event
from audit.services import record_event
from cases.tests.conftest import NAME, build_gbv
from core.roles import Role
from indicators.services import load_catalogue
from plans.models import Task
from reports.models import Round, Status, Submission
from reports.services.submissions import submission_problems
from reports.tests.test_api import ANNUAL, fill, move_round

pytestmark = pytest.mark.django_db

TASK_LINK = re.compile(r'href="/plans/tasks/(\d+)/"')


@pytest.fixture
def annual(coordinator):
    load_catalogue()
    move_round()
    fill("SYT", coordinator)
    return Round.objects.get(code=ANNUAL)


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_reporter_sees_the_report_due_and_the_units_late_tasks(client, reporter, annual):
    response, body = home(client, reporter)
    [report] = response.context["to_do"]
    due = report.due_on.strftime("%d/%m/%Y")
    assert report.unit.code == "SYT" and report.days_left == 10
    assert "Báo cáo cần nhập" in body and annual.name in body
    assert f"Hạn nộp {due}" in body and "còn 10 ngày" in body
    assert f"{report.filled}/{report.cells} ô đã nhập" in body and 0 < report.filled < report.cells
    late = Task.objects.filter(unit__code="SYT").overdue()
    assert f"{late.count()} nhiệm vụ quá hạn" in body
    shown = Task.objects.filter(pk__in=[int(pk) for pk in TASK_LINK.findall(body)])
    assert shown and set(shown.values_list("unit__code", flat=True)) == {"SYT"}
    assert "Nhiệm vụ quá hạn theo cơ quan" not in body


def test_the_approver_is_told_what_waits_for_them(client, approver, coordinator, annual):
    response, body = home(client, approver)
    [report] = response.context["to_do"]
    errors = len(submission_problems(report, viewer=approver).errors)
    assert report.blocking == errors > 0
    assert "Báo cáo chờ bạn nộp" in body and f"còn {errors} điểm phải xử lý trước khi nộp" in body
    Submission.objects.filter(pk=report.pk).update(
        status=Status.RETURNED, review_comment="Bổ sung số liệu dòng 4."
    )
    _response, body = home(client, approver)
    assert "Sở Nội vụ trả lại: Bổ sung số liệu dòng 4." in body


def test_a_unit_with_nothing_open_is_told_so(client, outsider):
    _response, body = home(client, outsider)  # the 2025 rounds are locked
    assert "Đơn vị không có báo cáo nào đang chờ nhập." in body


def test_the_coordinator_sees_the_round_by_kind_and_late_tasks_by_body(
    client, coordinator, reporter, annual
):
    response, body = home(client, coordinator)
    [summary] = response.context["rounds"]
    assert summary["round"] == annual
    assert sum(line.total for line in summary["kinds"]) == annual.submissions.count()
    assert "Cơ quan, tổ chức cấp tỉnh" in body and "Xã" in body
    assert "?status=not_submitted" in body and f"{summary['work'].counts['not_submitted']}" in body
    # The session's province has no staff but the personas': reminders reach no one there.
    unstaffed = {unit.code for unit in response.context["unstaffed"]}
    assert "CAT" in unstaffed and "SYT" not in unstaffed
    assert "đơn vị phải báo cáo chưa có cán bộ báo cáo" in body
    late = Task.objects.overdue()
    assert response.context["late_total"] == late.count()
    bodies = response.context["late_bodies"]
    assert len(bodies) == 8 and len(response.context["late_more"]) > 100
    first = bodies[0]
    assert f"/plans/{first.plan.pk}/late/?unit={first.unit.pk}" in body
    # Bodies, never a list of other units' tasks: only the recent updates link to tasks.
    assert not TASK_LINK.findall(body)


def test_the_leader_gets_the_headline_and_the_way_to_the_one_page(client, leader, annual):
    response, body = home(client, leader)
    context = response.context
    assert reverse("analytics:meeting") in body and "Xem bức tranh chung trên một trang" in body
    assert f"{context['submitted']}/{annual.submissions.count()}" in body
    assert f"{len(context['met'])}/{context['judged']}" in body
    assert "late_tasks" not in context and "late_bodies" not in context
    assert "Cơ quan thực hiện chậm nhất" in body and not TASK_LINK.findall(body)


def test_a_case_worker_sees_follow_ups_and_referrals_by_code_and_the_read_is_logged(
    client, coordinator, leader, admin_user
):
    world = build_gbv(coordinator=coordinator, leader=leader, admin=admin_user)
    owner, recipient = world["people"]["owner"], world["people"]["recipient"]
    code = world["case"].code
    _response, body = home(client, owner)
    assert code in body and "theo dõi hạn 01/04/2025" in body and "quá hạn" in body
    assert "Chuyển gửi đã gửi, chờ cơ quan nhận phản hồi" in body
    assert NAME not in body and "Gọi điện hỏi thăm" not in body  # codes only
    assert Event.objects.filter(actor_id=owner.pk, action=Action.VIEW, object_repr="home").exists()
    _response, body = home(client, recipient)
    assert "Chuyển gửi đến cơ quan bạn" in body and code in body
    for user in (coordinator, leader, admin_user):
        assert code not in home(client, user)[1]


def test_a_case_worker_waiting_for_approval_sees_nothing_and_reads_nothing(client, coordinator):
    waiting = User.objects.create(
        username="cho.duyet", full_name="Chờ Duyệt", role=Role.CASE_WORKER, unit=coordinator.unit
    )
    response, body = home(client, waiting)
    assert response.context["kind"] == "gbv" and response.context["pending"]
    assert "Theo dõi đến hạn" not in body
    assert not Event.objects.filter(actor_id=waiting.pk, action=Action.VIEW).exists()


def test_the_admin_sees_requests_to_decide_failed_sign_ins_and_units_without_staff(
    client, admin_user, coordinator, reporter, annual
):
    subject = User.objects.create(
        username="moi.hotro", full_name="Cán Bộ Mới", role=Role.CASE_WORKER, unit=reporter.unit
    )
    request_grant(actor=coordinator, subject=subject)  # a coordinator's request: an admin decides
    for _ in range(5):
        record_event(actor=None, action=Action.LOGIN_FAILED, label="ai.do.day")
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    with mock.patch.object(timezone, "now", lambda: two_days_ago):
        record_event(actor=None, action=Action.LOGIN_FAILED, label="hom.qua")
    response, body = home(client, admin_user)
    assert [req.subject for req in response.context["gbv_requests"]] == [subject]
    assert "Cán Bộ Mới" in body and "Cấp quyền hỗ trợ nạn nhân" in body
    assert [(r["object_repr"], r["failures"]) for r in response.context["failed_logins"]] == [
        ("ai.do.day", 5)
    ]
    assert "có thể đã bị khóa tạm thời" in body
    unstaffed = {unit.code for unit in response.context["unstaffed"]}
    assert "SYT" not in unstaffed and "CAT" in unstaffed
    # The coordinator made the request: they may not decide it.
    assert home(client, coordinator)[0].context["gbv_requests"] == []


def test_the_leaders_one_page(client, leader, reporter, annual):
    client.force_login(leader)
    response = client.get(reverse("analytics:meeting"))
    assert response.status_code == 200
    context, body = response.context, response.content.decode()
    tasks = Task.objects.filter(item__plan=context["plan"])
    assert sum(bar.progress.total for bar in context["bodies"]) == tasks.count()
    assert body.count('<svg class="bar"') == len(context["bodies"])
    assert 'aria-hidden="true"' in body and "<caption" in body  # the numbers are in the table
    assert {line.kind for line in context["kinds"]} >= {"agency", "commune"}
    agencies = next(line for line in context["kinds"] if line.kind == "agency")
    assert f"{len(agencies.behind)} cơ quan cấp tỉnh chưa nộp" in body
    assert "Dịch vụ hỗ trợ nạn nhân bạo lực trên cơ sở giới" in body
    assert "Chỉ tiêu chưa đạt" in body and "data-print" in body
    assert context["campaign"] is None  # no Action Month in the session's data
    today = timezone.localdate()
    Campaign.objects.create(
        year=today.year,
        name="Tháng hành động",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=20),
        theme="Chủ đề",
    )
    body = client.get(reverse("analytics:meeting")).content.decode()
    assert "Tháng hành động (" in body and "đang diễn ra" in body
    assert "0 hoạt động" in body and "0/" in body
    client.force_login(reporter)
    assert client.get(reverse("analytics:meeting")).status_code == 403


def test_the_leaders_menu_leads_to_the_one_page(client, leader, coordinator):
    url = reverse("analytics:meeting")
    client.force_login(leader)
    assert f'href="{url}"' in client.get(reverse("plans:current"), follow=True).content.decode()
    client.force_login(coordinator)
    assert f'href="{url}"' not in client.get(reverse("reports:index")).content.decode()
