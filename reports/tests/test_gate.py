"""The submit gate and who may write what (issue 12): every table cell filled or marked "no
data" with a reason unless its row is optional; a returned report is the unit's alone; Sở Nội vụ
submits for a unit only explicitly, and never accepts what it submitted; each step tells the
people concerned."""

import random
import re

import pytest
from django.urls import reverse

from audit.models import Event
from conftest import make_user
from core.models import Notification
from core.roles import Role
from reports.models import DataValue, Row, Status, Submission
from reports.services import submissions
from reports.tests.factories import answer_everything, fill, make_form, open_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def form():
    return make_form(rows=4, code="GATE")


@pytest.fixture
def submission(form):
    open_round(form, code="R-GATE")
    return Submission.objects.get(round__code="R-GATE", unit__code="SYT")


def cells_of(submission):
    return [
        (row, combo)
        for row in submission.round.form.rows().order_by("order")
        for combo in row.data_element.category_combo.option_combos.all()
    ]


def submit_url(submission, action="submit"):
    return reverse("reports:transition", args=[submission.pk, action])


@pytest.mark.parametrize("seed", range(6))
def test_the_gate_lists_exactly_the_cells_neither_filled_nor_marked_no_data(
    client, reporter, approver, submission, seed
):
    """Whatever the unit leaves empty, the gate names those cells (with a link to each) and
    nothing else; a "no data" cell with its reason counts as given; the submit is refused and
    changes nothing."""
    rng = random.Random(seed)
    everything = cells_of(submission)
    empty = set(rng.sample(everything, rng.randint(1, len(everything))))
    no_data = {c for c in everything if c not in empty and rng.random() < 0.4}
    fill(submission, reporter, skip=empty | no_data)
    cells = [
        submissions.CellInput(row=row, option_combo=combo, raw="", no_data=True, comment="Chưa có")
        for row, combo in no_data
    ]
    submissions.save_values(submission=submission, cells=cells, actor=reporter)
    answer_everything(submission, reporter)

    problems = submissions.submission_problems(submission, viewer=approver)
    assert problems.missing == len(empty)
    assert {i.anchor for i in problems.errors} == {f"c-{r.pk}-{c.pk}" for r, c in empty}
    client.force_login(approver)
    response = client.post(submit_url(submission), {"warning_comment": "x"}, follow=True)
    body = response.content.decode()
    for row, combo in empty:
        assert f'href="#c-{row.pk}-{combo.pk}"' in body  # a link to the cell …
        assert f'id="c-{row.pk}-{combo.pk}"' in body  # … that is on the page
    assert Submission.objects.get(pk=submission.pk).status == Status.DRAFT
    assert not submission.snapshots.exists()

    # Marking the rest "no data" with a reason lets the report through.
    cells = [
        submissions.CellInput(row=row, option_combo=combo, raw="", no_data=True, comment="Không")
        for row, combo in empty
    ]
    submissions.save_values(submission=submission, cells=cells, actor=reporter)
    client.post(submit_url(submission), {"warning_comment": "x"})
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED


def test_optional_rows_may_stay_empty(client, reporter, approver, form, submission):
    optional = form.rows().order_by("order").last()
    Row.objects.filter(pk=optional.pk).update(optional=True)
    skip = {(row, combo) for row, combo in cells_of(submission) if row.pk == optional.pk}
    fill(submission, reporter, skip=skip)
    answer_everything(submission, reporter)
    assert submissions.submission_problems(submission, viewer=approver).errors == []
    client.force_login(approver)
    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert "(không bắt buộc)" in page
    client.post(submit_url(submission))
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED


def returned(submission, reporter, approver, coordinator):
    fill(submission, reporter)
    answer_everything(submission, reporter)
    submissions.submit(submission=submission, actor=approver)
    return submissions.review(
        submission=submission, actor=coordinator, accept=False, comment="Sửa dòng 1."
    )


def test_a_returned_report_is_the_units_alone(
    client, reporter, approver, coordinator, form, submission
):
    returned(submission, reporter, approver, coordinator)
    row, combo = cells_of(submission)[0]
    client.force_login(coordinator)
    page = client.get(reverse("reports:submission", args=[submission.pk]))
    body = page.content.decode()
    assert page.context["can_edit"] is False and "Đã trả lại cho đơn vị." in body
    assert 'class="cell-input"' in body and "hx-post" not in body  # every cell read-only
    assert submit_url(submission) not in body  # no "Nộp báo cáo", no "Nộp thay"
    # Forged requests change nothing: a cell, an answer, a file, the submit itself.
    saved = client.post(
        reverse("reports:save_cell", args=[submission.pk]),
        {"row": row.pk, "combo": combo.pk, "value": "99", "version": 1},
    )
    assert "trả lại cho đơn vị" in saved.content.decode()
    question = form.sections.get(kind="narrative").questions.get()
    client.post(
        reverse("reports:save_answer", args=[submission.pk]),
        {"question": question.pk, "text": "Sửa thay", "version": 1},
    )
    client.post(submit_url(submission), {"on_behalf_reason": "Đơn vị gửi giấy"})
    submission.refresh_from_db()
    assert submission.status == Status.RETURNED and submission.submitted_by_id == approver.pk
    value = DataValue.objects.get(
        submission=submission, data_element=row.data_element, option_combo=combo
    )
    assert value.value == "1" and submission.answers.get().text == "Đã làm."
    # The unit corrects and sends it again.
    submissions.save_values(
        submission=submission,
        cells=[submissions.CellInput(row=row, option_combo=combo, raw="2", machine=True)],
        actor=reporter,
    )
    submissions.submit(submission=submission, actor=approver)
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("unit", ["SYT", "SNV"])
def test_no_fragment_of_a_report_refuses_the_coordinator(client, coordinator, form, unit):
    """Neither a draft nor a returned report asks in the background for anything that answers
    403 ("contact Sở Nội vụ"), Sở Nội vụ's own report included."""
    open_round(form, code="R-GATE")
    submission = Submission.objects.get(round__code="R-GATE", unit__code=unit)
    staff = [make_user(f"{unit.lower()}.{r}", r, unit) for r in (Role.REPORTER, Role.APPROVER)]
    client.force_login(coordinator)
    page = reverse("reports:submission", args=[submission.pk])
    fragments = re.findall(r'hx-get="([^"]+)"', client.get(page).content.decode())
    assert fragments  # a draft: the coordinator may correct it, cell by cell
    returned(submission, *staff, coordinator)
    fragments += re.findall(r'hx-get="([^"]+)"', client.get(page).content.decode())
    for url in fragments:
        assert client.get(url.replace("&amp;", "&")).status_code != 403, url


def test_submitting_on_behalf_is_explicit_audited_told_and_never_self_accepted(
    client, reporter, approver, coordinator, submission
):
    other = make_user("coordinator.2", Role.COORDINATOR, "SNV")
    fill(submission, coordinator)  # the paper report typed in by Sở Nội vụ
    answer_everything(submission, coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert "Nộp thay đơn vị" in page and "Lý do nộp thay đơn vị" in page
    response = client.post(submit_url(submission), follow=True)  # no reason: refused
    assert "phải ghi lý do" in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == Status.DRAFT

    client.post(submit_url(submission), {"on_behalf_reason": "Đơn vị gửi báo cáo giấy ngày 5/12"})
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED and submission.on_behalf
    assert submission.submitted_by_id == coordinator.pk
    event = Event.objects.for_object(submission).latest("id")
    assert event.changes["on_behalf"] == [False, True]
    assert event.changes["on_behalf_reason"][1] == "Đơn vị gửi báo cáo giấy ngày 5/12"
    for user in (reporter, approver):
        assert Notification.objects.filter(user=user, text__contains="nộp thay").exists()

    # The same person cannot accept it; another coordinator can.
    response = client.post(submit_url(submission, "accept"), follow=True)
    assert "không tự duyệt" in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED
    with pytest.raises(submissions.ValidationError):
        submissions.review(submission=submission, actor=coordinator, accept=True)
    assert Notification.objects.filter(user=other, text__contains="cán bộ khác").exists()
    submissions.review(submission=submission, actor=other, accept=True)
    assert Submission.objects.get(pk=submission.pk).status == Status.ACCEPTED


def test_sở_nội_vụ_submits_on_behalf_only_a_draft(reporter, approver, coordinator, submission):
    returned(submission, reporter, approver, coordinator)
    with pytest.raises(submissions.ValidationError, match="trả lại cho đơn vị"):
        submissions.submit(submission=submission, actor=coordinator, on_behalf_reason="Giấy")
    assert Submission.objects.get(pk=submission.pk).status == Status.RETURNED


def test_each_step_tells_the_people_concerned(reporter, approver, coordinator, submission):
    outsider = make_user("cat.duyet", Role.APPROVER, "CAT")

    def told(user):
        return list(Notification.objects.filter(user=user).values_list("text", flat=True))

    returned(submission, reporter, approver, coordinator)
    assert any("đã nộp báo cáo" in t for t in told(coordinator))
    for user in (reporter, approver):
        assert any("trả lại" in t and "Sửa dòng 1." in t for t in told(user))
    submissions.submit(submission=submission, actor=approver)
    submissions.review(submission=submission, actor=coordinator, accept=True)
    for user in (reporter, approver):
        assert any("đã duyệt" in t for t in told(user))
    assert told(outsider) == []
    url = reverse("reports:submission", args=[submission.pk])
    assert set(Notification.objects.values_list("url", flat=True)) == {url}


def test_nobody_accepts_a_report_sent_from_an_account_whose_password_they_set(
    approver, coordinator, submission
):
    """One person behind both the submit and the acceptance: the coordinator reset the unit
    approver's password, so could have submitted as them (accounts.services.controllers)."""
    from accounts.services import reset_password

    reset_password(actor=coordinator, user=approver)
    fill(submission, approver)
    answer_everything(submission, approver)
    submissions.submit(submission=submission, actor=approver, warning_comment="Đủ.")
    with pytest.raises(submissions.ValidationError, match="đặt mật khẩu"):
        submissions.review(submission=submission, actor=coordinator, accept=True)
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED
    other = make_user("coordinator.2", Role.COORDINATOR, "SNV")
    submissions.review(submission=submission, actor=other, accept=True)
    assert Submission.objects.get(pk=submission.pk).status == Status.ACCEPTED


def test_nobody_accepts_a_report_when_one_person_set_both_passwords(
    approver, coordinator, admin_user, submission
):
    """An admin who reset both the coordinator's and the approver's password could sign in as
    either: the approver's submission is not accepted by that coordinator; once the coordinator
    changes their own password, it is."""
    from django.contrib.auth.forms import SetPasswordForm

    from accounts.services import change_own_password, reset_password

    reset_password(actor=admin_user, user=coordinator)
    reset_password(actor=admin_user, user=approver)
    fill(submission, approver)
    answer_everything(submission, approver)
    submissions.submit(submission=submission, actor=approver, warning_comment="Đủ.")
    with pytest.raises(submissions.ValidationError, match="vừa nộp vừa duyệt"):
        submissions.review(submission=submission, actor=coordinator, accept=True)
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED
    new = "gió-nam-thổi-qua-đồng-lúa-chín"
    form = SetPasswordForm(coordinator, {"new_password1": new, "new_password2": new})
    assert form.is_valid(), form.errors
    change_own_password(form=form)
    submissions.review(submission=submission, actor=coordinator, accept=True)
    assert Submission.objects.get(pk=submission.pk).status == Status.ACCEPTED


@pytest.mark.parametrize("how", ["returned", "reopened"])
def test_a_report_handed_back_after_the_lock_date_can_be_corrected_and_sent_again(
    reporter, approver, coordinator, submission, settings, how
):
    """Returned (or reopened) after its round's lock date, a report gets a due date of its own,
    RETURN_DAYS from today: the unit corrects and submits it; other units stay locked."""
    import datetime

    from django.utils import timezone

    from reports.models import Round

    today = timezone.localdate()
    fill(submission, reporter)
    answer_everything(submission, reporter)
    submissions.submit(submission=submission, actor=approver)
    if how == "reopened":
        submissions.review(submission=submission, actor=coordinator, accept=True)
    past = today - datetime.timedelta(days=3)
    Round.objects.filter(pk=submission.round_id).update(due_on=past, lock_on=past)
    Submission.objects.filter(round=submission.round_id).update(due_on=past)
    other = Submission.objects.get(round=submission.round_id, unit__code="CAT")
    submission = Submission.objects.get(pk=submission.pk)
    assert submission.is_locked()
    settings.RETURN_DAYS = 5
    if how == "reopened":
        submissions.reopen(submission=submission, actor=coordinator, reason="Sai số liệu.")
    else:
        submissions.review(submission=submission, actor=coordinator, accept=False, comment="Sửa.")
    submission = Submission.objects.get(pk=submission.pk)
    due = today + datetime.timedelta(days=5)
    assert submission.due_on == due and not submission.is_locked()
    assert submission.is_editable_by(reporter) and other.is_locked()
    told = Notification.objects.get(user=approver, text__contains="đến hết ngày")
    assert due.strftime("%d/%m/%Y") in told.text
    event = Event.objects.for_object(submission).order_by("-id").first()
    assert event.changes["due_on"] == [None, str(due)]
    row, combo = cells_of(submission)[0]
    submissions.save_values(
        submission=submission,
        cells=[submissions.CellInput(row=row, option_combo=combo, raw="9")],
        actor=reporter,
    )
    submissions.submit(submission=submission, actor=approver, warning_comment="Đã sửa.")
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED


def test_a_returned_report_is_told_to_the_unit_by_e_mail_too(
    approver, coordinator, submission, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts.models import User

    User.objects.filter(pk=approver.pk).update(email="duyet@syt.gov.vn")
    fill(submission, approver)
    answer_everything(submission, approver)
    submissions.submit(submission=submission, actor=approver, warning_comment="Đủ.")
    with django_capture_on_commit_callbacks(execute=True):
        submissions.review(
            submission=submission, actor=coordinator, accept=False, comment="Sửa dòng 1."
        )
    mails = [m for m in mailoutbox if m.to == ["duyet@syt.gov.vn"]]
    assert len(mails) == 1 and "Sửa dòng 1." in mails[0].body
    assert f"/reports/submissions/{submission.pk}/" in mails[0].body
