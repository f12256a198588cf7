"""The round page as a worklist, and urging from it: what a coordinator sees and does.

The counts, filters, late marks and the units offered for urging are checked against a world
whose truth is known (each unit put in a stage drawn at random, late or not), never against the
code's own helpers."""

import datetime
import random
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from core.models import Notification
from core.roles import Role
from reports.models import (
    DataValue,
    NarrativeAnswer,
    Reminder,
    ReminderKind,
    Round,
    Status,
    Submission,
)
from reports.tests.factories import make_form, open_round

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
STAGES = ["not_started", "draft", "returned", "submitted", "accepted"]
PICKED = re.compile(r'name="submission" value="(\d+)"')


@pytest.fixture
def form(db):
    return make_form(code="WL")


@pytest.fixture
def round_(form):
    return open_round(form, code="R-WL")


def put(submission: Submission, stage: str, *, late: bool, form, answer_only=False) -> None:
    """Make `submission` be at `stage`, its own due date passed or not (as a unit and the
    coordinator would have left it)."""
    today, now = timezone.localdate(), timezone.now()
    submission.due_on = today - 3 * DAY if late else today + 4 * DAY
    if stage != "not_started":
        if answer_only:
            question = form.sections.get(kind="narrative").questions.first()
            NarrativeAnswer.objects.create(submission=submission, question=question, text="Có")
        else:
            row = form.sections.get(kind="table").rows.first()
            combo = row.data_element.category_combo.option_combos.first()
            DataValue.objects.create(
                submission=submission, data_element=row.data_element, option_combo=combo, value="2"
            )
    submission.status = Status.DRAFT if stage == "not_started" else stage
    if stage in ("submitted", "accepted", "returned"):
        submission.first_submitted_at = submission.submitted_at = now - DAY
    submission.save()


def shape(round_, form, seed: int) -> dict[int, tuple[str, bool]]:
    """Each unit in a random stage, half of them past their own due date: pk → (stage, late),
    where late means never submitted although the due date has passed."""
    rng = random.Random(seed)
    truth = {}
    for submission in round_.submissions.all():
        stage, past = rng.choice(STAGES), rng.random() < 0.5
        put(submission, stage, late=past, form=form, answer_only=rng.random() < 0.3)
        truth[submission.pk] = (stage, past and stage in ("not_started", "draft"))
    return truth


def page(client, round_, **params):
    return client.get(reverse("reports:round", args=[round_.pk]), params)


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_counts_filters_and_late_marks_follow_the_units_state(
    client, coordinator, round_, form, seed
):
    truth = shape(round_, form, seed)
    client.force_login(coordinator)
    response = page(client, round_)
    counts = response.context["worklist"].counts
    for stage in STAGES:
        assert counts[stage] == sum(s == stage for s, _late in truth.values()), stage
    late = {pk for pk, (_s, is_late) in truth.items() if is_late}
    not_submitted = {
        pk for pk, (s, _l) in truth.items() if s in ("not_started", "draft", "returned")
    }
    assert counts["late"] == len(late)
    assert counts["not_submitted"] == len(not_submitted)
    # The model's own rule for "late" agrees with the page.
    assert set(Submission.objects.for_round(round_).late().values_list("pk", flat=True)) == late

    # Every unit not submitted, and only they, can be ticked: the count and the action agree.
    assert {int(pk) for pk in PICKED.findall(response.content.decode())} == not_submitted
    rows = {row.pk: row for row in response.context["worklist"].rows}
    assert {pk for pk, row in rows.items() if row.is_late} == late
    body = response.content.decode()
    assert body.count('<tr class="is-late">') == len(late)

    for status, expected in [
        ("not_submitted", not_submitted),
        ("late", late),
        *[(stage, {pk for pk, (s, _l) in truth.items() if s == stage}) for stage in STAGES],
    ]:
        shown = page(client, round_, status=status).context["worklist"].rows
        assert {row.pk for row in shown} == expected, status


def test_the_open_round_offers_every_unit_not_submitted_before_the_due_date(
    client, coordinator, round_
):
    """The finding: "(0)" and "Đã đôn đốc 0 đơn vị" while every unit had not submitted."""
    client.force_login(coordinator)
    body = page(client, round_).content.decode()
    assert len(PICKED.findall(body)) == 13
    assert page(client, round_).context["worklist"].counts["not_submitted"] == 13
    assert "Đợt báo cáo đang mở" in body


def test_search_kind_and_sort(client, coordinator, form):
    round_ = open_round(form, code="R-WL-ALL", kinds=("agency", "commune", "ward", "special_zone"))
    client.force_login(coordinator)
    # Without diacritics, as typed on a keyboard without Vietnamese input.
    found = page(client, round_, q="so y te").context["worklist"].rows
    assert [row.unit.code for row in found] == ["SYT"]
    wards = page(client, round_, kind="ward").context["worklist"].rows
    assert wards and {row.unit.kind for row in wards} == {"ward"}
    everyone = page(client, round_).context["worklist"]
    assert len(everyone.rows) == everyone.total > 100
    # The unit that typed last comes first when sorted by last activity.
    recent = round_.submissions.get(unit__code="CAT")
    put(recent, "draft", late=False, form=form)
    first = page(client, round_, sort="activity").context["worklist"].rows[0]
    assert first.unit.code == "CAT" and first.last_activity is not None
    # Sorted by status, the late ones come first.
    recent.due_on = timezone.localdate() - DAY
    recent.save()
    assert page(client, round_, sort="status").context["worklist"].rows[0].unit.code == "CAT"


def test_a_bad_filter_is_named_and_the_whole_list_is_shown(client, coordinator, round_):
    client.force_login(coordinator)
    response = page(client, round_, status="<script>", sort="x")
    assert len(response.context["worklist"].rows) == 13
    body = response.content.decode()
    assert "Hãy chọn một lựa chọn hợp lệ" in body and "<script>" not in body


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_the_page_costs_the_same_queries_for_13_or_110_units(client, coordinator, form):
    small = open_round(form, code="R-WL-13")
    large = open_round(form, code="R-WL-110", kinds=("agency", "commune", "ward", "special_zone"))
    assert large.submissions.count() > 100
    client.force_login(coordinator)
    counted = []
    for round_ in (small, large):
        page(client, round_)  # warm caches (session, content types)
        with CaptureQueriesContext(connection) as queries:
            assert page(client, round_).status_code == 200
        counted.append(len(queries))
    assert counted[0] == counted[1]


def test_a_closed_round_says_so_and_offers_no_urge(client, coordinator, round_):
    today = timezone.localdate()
    Round.objects.filter(pk=round_.pk).update(
        due_on=today - 20 * DAY, lock_on=today - 5 * DAY, opens_on=today - 40 * DAY
    )
    Submission.objects.filter(round=round_).update(due_on=today - 20 * DAY)
    client.force_login(coordinator)
    response = page(client, round_)
    body = response.content.decode()
    lock = (today - 5 * DAY).strftime("%d/%m/%Y")
    assert f"Đợt báo cáo đã khóa sổ ngày {lock}." in body
    assert "duyệt hoặc trả lại các báo cáo đã nộp" in body
    assert "sau ngày khóa sổ được đơn vị sửa và nộp lại trong 7 ngày" in body
    assert not PICKED.findall(body) and "urge-select" not in body
    assert reverse("reports:extend", args=[round_.submissions.first().pk]) not in body
    assert response.context["worklist"].counts["late"] == 13  # still shown as late
    submission = round_.submissions.first()
    preview = client.post(
        reverse("reports:urge_preview", args=[round_.pk]), {"submission": [submission.pk]}
    )
    assert preview.status_code == 302
    assert "đã khóa sổ" in " ".join(str(m) for m in get_messages(preview.wsgi_request))
    assert not Reminder.objects.exists()


def test_preview_shows_the_message_and_writes_nothing(client, coordinator, round_, form):
    syt = make_user("syt.baocao", Role.REPORTER, "SYT", email="baocao@syt.gov.vn")
    make_user(
        "syt.duyet", Role.APPROVER, "SYT", email="duyet@syt.gov.vn", email_notifications=False
    )
    done = round_.submissions.get(unit__code="CAT")
    put(done, "submitted", late=False, form=form)
    chosen = [round_.submissions.get(unit__code="SYT").pk, done.pk]
    client.force_login(coordinator)
    response = client.post(
        reverse("reports:urge_preview", args=[round_.pk]),
        {"submission": chosen, "note": "Gửi trước ngày 10."},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kính gửi: Sở Y tế," in body and "Lời nhắn của Sở Nội vụ: Gửi trước ngày 10." in body
    assert "baocao@syt.gov.vn" in body and "duyet@syt.gov.vn" not in body  # e-mail off
    assert "Đã nộp, không đôn đốc:" in body and "Công an tỉnh" in body
    assert "Gửi đôn đốc 1 đơn vị" in body
    assert not Reminder.objects.exists() and not Notification.objects.exists()
    assert mail.outbox == []

    sent = client.post(
        reverse("reports:urge", args=[round_.pk]),
        {"submission": chosen, "note": "Gửi trước ngày 10."},
    )
    assert sent.status_code == 302
    said = " ".join(str(m) for m in get_messages(sent.wsgi_request))
    assert (
        f"Đã đôn đốc 1 đơn vị chưa nộp “{round_.name}”: 2 người nhận thông báo trong hệ thống, "
        "1 địa chỉ"
    ) in said
    assert "Đã nộp, không đôn đốc: Công an tỉnh." in said
    (message,) = mail.outbox
    assert message.to == ["baocao@syt.gov.vn"] and "Gửi trước ngày 10." in message.body
    assert Notification.objects.filter(user=syt).count() == 1
    assert Reminder.objects.get().kind == ReminderKind.URGE

    again = client.post(reverse("reports:urge", args=[round_.pk]), {"submission": chosen})
    said = " ".join(str(m) for m in get_messages(again.wsgi_request))
    assert "đã được đôn đốc hôm nay (Sở Y tế)" in said
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1
    # The round page now marks Sở Y tế as urged today.
    assert "đã đôn đốc hôm nay" in page(client, round_).content.decode()


def test_urging_needs_a_choice_and_ids_of_the_round(client, coordinator, round_, form):
    other = open_round(form, code="R-WL-OTHER").submissions.first()
    client.force_login(coordinator)
    for data in ({}, {"submission": ["abc"]}, {"submission": [other.pk]}):
        response = client.post(reverse("reports:urge", args=[round_.pk]), data)
        assert response.status_code == 302
        said = " ".join(str(m) for m in get_messages(response.wsgi_request))
        assert "Hãy chọn" in said or "không hợp lệ" in said or "không còn trong" in said, said
    assert not Reminder.objects.exists()


def test_others_see_the_worklist_without_the_urge(client, leader, reporter, round_):
    client.force_login(leader)
    body = page(client, round_).content.decode()
    assert "13/13 đơn vị" in body and not PICKED.findall(body)
    client.force_login(reporter)
    response = page(client, round_)
    assert [row.unit.code for row in response.context["worklist"].rows] == ["SYT"]
    assert response.context["worklist"].total == 1
    assert not PICKED.findall(response.content.decode())


def test_the_reports_list_counts_each_round(client, coordinator, round_, form):
    truth = shape(round_, form, seed=5)
    client.force_login(coordinator)
    response = client.get(reverse("reports:index"))
    (shown,) = [r for r in response.context["rounds"] if r.pk == round_.pk]
    submitted = sum(s in ("submitted", "accepted") for s, _l in truth.values())
    assert shown.counts["submitted"] + shown.counts["accepted"] == submitted
    assert shown.counts["late"] == sum(late for _s, late in truth.values())
    body = response.content.decode()
    assert f"<strong>{submitted}</strong>/13" in body


def test_the_round_page_leads_to_the_whole_round_check(client, coordinator, round_):
    client.force_login(coordinator)
    body = page(client, round_).content.decode()
    check = reverse("reports:round_check") + f"?round={round_.pk}"
    assert f'href="{check}"' in body
    assert client.get(check).status_code == 200
