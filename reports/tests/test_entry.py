import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import Event
from reports.models import DataValue, Status, Submission
from reports.tests.factories import fill, make_form, open_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def form():
    return make_form(rows=3)


@pytest.fixture
def submission(form):
    open_round(form)
    return Submission.objects.get(round__code="R-TEST", unit__code="SYT")


def cell(client, submission, row, combo, value, version=0, **extra):
    return client.post(
        reverse("reports:save_cell", args=[submission.pk]),
        {"row": row.pk, "combo": combo.pk, "value": value, "version": version, **extra},
        HTTP_HX_REQUEST="true",
    )


def rows(form):
    table = form.sections.get(kind="table")
    return list(table.rows.select_related("data_element__category_combo"))


def combos(row):
    return list(row.data_element.category_combo.option_combos.all())


def test_a_typed_value_is_saved_audited_and_totalled(client, reporter, form, submission):
    client.force_login(reporter)
    total, part, _ = rows(form)
    male, female = combos(total)
    response = cell(client, submission, total, male, "1.234")
    body = response.content.decode()
    assert response.status_code == 200 and 'value="1.234"' in body  # shown the Vietnamese way
    cell(client, submission, total, female, "6")
    body = cell(client, submission, total, female, "7", version=1).content.decode()
    assert f'id="t-{total.pk}"' in body and ">1.241<" in body
    value = DataValue.objects.get(
        submission=submission, data_element=total.data_element, option_combo=female
    )
    assert (value.value, value.version) == ("7", 2)
    changes = [e.changes["value"] for e in Event.objects.for_object(value).order_by("id")]
    assert changes == [["", "6"], ["6", "7"]]


@pytest.mark.parametrize(
    "typed,message",
    [("abc", "không phải là số"), ("-3", "Không nhập số âm"), ("2,5", "số nguyên")],
)
def test_bad_values_get_a_vietnamese_message_and_are_not_stored(
    client, reporter, form, submission, typed, message
):
    client.force_login(reporter)
    total = rows(form)[0]
    body = cell(client, submission, total, combos(total)[0], typed).content.decode()
    assert message in body and f'value="{typed}"' in body
    assert not DataValue.objects.filter(submission=submission).exists()


def test_a_part_greater_than_its_total_is_refused_naming_the_cell(
    client, reporter, form, submission
):
    client.force_login(reporter)
    total, part, _ = rows(form)
    male = combos(total)[0]
    cell(client, submission, total, male, "10")
    body = cell(client, submission, part, male, "11").content.decode()
    assert "“Chỉ tiêu 2” (Nam) = 11 lớn hơn dòng tổng “Chỉ tiêu 1” = 10" in body
    assert not DataValue.objects.filter(data_element=part.data_element).exists()
    # And from the other side: lowering the total below a saved part.
    cell(client, submission, part, male, "8")
    body = cell(client, submission, total, male, "5", version=1).content.decode()
    assert "nhỏ hơn dòng thành phần" in body
    assert DataValue.objects.get(data_element=total.data_element, option_combo=male).value == "10"


def test_two_people_on_one_value_the_second_is_told(client, reporter, approver, form, submission):
    total = rows(form)[0]
    male = combos(total)[0]
    client.force_login(reporter)
    cell(client, submission, total, male, "10")  # both opened the page at version 0 …
    client.force_login(approver)
    body = cell(client, submission, total, male, "20", version=0).content.decode()
    assert "đã lưu “10”" in body and 'value="20"' in body and 'data-outcome="conflict"' in body
    # Both values, and the choice: keep mine (sent again over version 1) or take theirs.
    assert "Giữ “20”" in body and 'data-choice="theirs" data-value="10"' in body
    assert 'data-version="1"' in body
    assert DataValue.objects.get(data_element=total.data_element, option_combo=male).value == "10"
    # … the approver saw it; the next save is deliberate and goes through.
    cell(client, submission, total, male, "20", version=1)
    assert DataValue.objects.get(data_element=total.data_element, option_combo=male).value == "20"


def test_no_data_needs_a_reason(client, reporter, form, submission):
    client.force_login(reporter)
    total = rows(form)[0]
    male = combos(total)[0]
    body = cell(client, submission, total, male, "", no_data="on", editor="1").content.decode()
    assert "phải ghi lý do" in body
    cell(
        client, submission, total, male, "", no_data="on", comment="Chưa thống kê được", editor="1"
    )
    value = DataValue.objects.get(data_element=total.data_element, option_combo=male)
    assert value.no_data and value.comment == "Chưa thống kê được" and value.is_filled


def test_outsiders_get_404_and_leaders_cannot_write(client, outsider, leader, form, submission):
    total = rows(form)[0]
    client.force_login(outsider)
    assert client.get(reverse("reports:submission", args=[submission.pk])).status_code == 404
    assert cell(client, submission, total, combos(total)[0], "1").status_code == 404
    client.force_login(leader)
    assert client.get(reverse("reports:submission", args=[submission.pk])).status_code == 200
    assert cell(client, submission, total, combos(total)[0], "1").status_code == 403


def test_review_cycle_and_what_changed(client, reporter, approver, coordinator, form, submission):
    total = rows(form)[0]
    male = combos(total)[0]
    fill(submission, reporter, skip={(total, male)})
    client.force_login(reporter)
    cell(client, submission, total, male, "10")
    assert (
        client.post(reverse("reports:transition", args=[submission.pk, "submit"])).status_code
        == 403
    )
    assert (
        Submission.objects.get(pk=submission.pk).status == Status.DRAFT
    )  # reporters cannot submit
    client.force_login(approver)
    client.post(
        reverse("reports:transition", args=[submission.pk, "submit"]),
        {"warning_comment": "Chưa có số liệu một số dòng"},
    )
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED and submission.on_time
    client.force_login(coordinator)
    client.post(reverse("reports:transition", args=[submission.pk, "return"]), {"comment": ""})
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED  # needs a comment
    returned = client.post(
        reverse("reports:transition", args=[submission.pk, "return"]), {"comment": "Bổ sung nữ"}
    )
    said = [str(m) for m in get_messages(returned.wsgi_request)]  # the last one is this POST's
    assert said[-1] == (
        f"Đã trả lại báo cáo của Sở Y tế, đợt “{submission.round.name}”, để đơn vị sửa."
    )
    client.force_login(reporter)
    cell(client, submission, total, male, "12", version=1)
    changes = client.get(reverse("reports:compare", args=[submission.pk])).context["changes"]
    assert ("Chỉ tiêu 1 — Nam", "10", "12") in changes
    client.force_login(approver)
    client.post(
        reverse("reports:transition", args=[submission.pk, "submit"]), {"warning_comment": "x"}
    )
    client.force_login(coordinator)
    accepted = client.post(reverse("reports:transition", args=[submission.pk, "accept"]))
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED and submission.snapshots.count() == 2
    # What happened, to which report: not "Đã cập nhật trạng thái báo cáo."
    said = [str(m) for m in get_messages(accepted.wsgi_request)]
    assert said[-1] == f"Đã duyệt báo cáo của Sở Y tế, đợt “{submission.round.name}”."
    client.force_login(reporter)
    body = cell(client, submission, total, male, "99", version=2).content.decode()
    assert "không sửa được" in body
    assert DataValue.objects.get(data_element=total.data_element, option_combo=male).value == "12"


def test_required_answers_block_submission(client, approver):
    form = make_form(rows=1, code="REQ", required_question=True)
    open_round(form, code="R-REQ")
    submission = Submission.objects.get(round__code="R-REQ", unit__code="SYT")
    client.force_login(approver)
    response = client.post(
        reverse("reports:transition", args=[submission.pk, "submit"]), follow=True
    )
    assert "Chưa trả lời" in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == Status.DRAFT


def test_round_page_counts_completeness(client, coordinator, form, submission, reporter):
    client.force_login(reporter)
    total = rows(form)[0]
    cell(client, submission, total, combos(total)[0], "3")
    client.force_login(coordinator)
    response = client.get(reverse("reports:round", args=[submission.round_id]))
    counts = response.context["completeness"]
    assert counts["expected"] == 13 and counts["missing"] == 13 and counts["cells"] == 6
    elements = {e["element"].code: e["units"] for e in response.context["elements"]}
    assert elements[total.data_element.code] == 0  # one column of two


def test_attachments_are_checked_stored_and_served_to_the_unit_only(
    client, reporter, outsider, submission
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reports.models import Attachment

    client.force_login(reporter)
    url = reverse("reports:attach", args=[submission.pk])
    client.post(url, {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")})
    assert not Attachment.objects.exists()
    pdf = b"%PDF-1.4\n%%EOF\n"
    client.post(url, {"file": SimpleUploadedFile("bao-cao-ky.pdf", pdf)})
    attachment = Attachment.objects.get()
    download = client.get(reverse("reports:attachment", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == pdf
    client.force_login(outsider)
    assert client.get(reverse("reports:attachment", args=[attachment.pk])).status_code == 404


def test_notifications_are_listed_and_marked_read(client, reporter):
    """Listing them marks nothing; opening one marks it read (reports/tests/test_notifications.py
    tests the rest)."""
    from core.models import Notification

    note = Notification.objects.create(
        user=reporter, text="Sắp đến hạn nộp báo cáo", url="/reports/"
    )
    client.force_login(reporter)
    assert (
        'Thông báo <span class="badge late">1</span>'
        in client.get(reverse("home")).content.decode()
    )
    body = client.get(reverse("reports:notifications")).content.decode()
    assert "Sắp đến hạn nộp báo cáo" in body
    assert Notification.objects.unread().exists()
    assert client.get(reverse("reports:notification", args=[note.pk]))["Location"] == "/reports/"
    assert not Notification.objects.unread().exists()


def test_the_cell_panel_opens_with_the_stored_value(client, reporter, form, submission):
    client.force_login(reporter)
    total = rows(form)[0]
    male = combos(total)[0]
    cell(client, submission, total, male, "", no_data="on", comment="Chưa có", editor="1")
    response = client.get(
        reverse("reports:cell_editor", args=[submission.pk]),
        {"row": total.pk, "combo": male.pk},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Chưa có" in body and "checked" in body
    assert "Content-Security-Policy" not in response  # fragments live under the page's policy


def test_editing_a_value_in_the_grid_keeps_its_note(client, reporter, form, submission):
    client.force_login(reporter)
    total = rows(form)[0]
    male = combos(total)[0]
    cell(client, submission, total, male, "5", comment="Nguồn: điều tra 2025", editor="1")
    cell(client, submission, total, male, "6", version=1)  # the grid sends the value alone
    value = DataValue.objects.get(data_element=total.data_element, option_combo=male)
    assert (value.value, value.comment) == ("6", "Nguồn: điều tra 2025")
    body = cell(
        client, submission, total, male, "7", version=2, no_data="on", comment="x", editor="1"
    ).content.decode()
    assert "để trống giá trị" in body


def test_a_round_not_yet_open_cannot_be_filled_by_units(client, reporter, form, submission):
    import datetime

    from django.utils import timezone

    from reports.models import Round

    Round.objects.filter(pk=submission.round_id).update(
        opens_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    client.force_login(reporter)
    total = rows(form)[0]
    body = cell(client, submission, total, combos(total)[0], "5").content.decode()
    assert "chưa mở" in body and not DataValue.objects.exists()


def test_an_element_counts_as_given_only_when_every_column_is(
    client, reporter, coordinator, form, submission
):
    client.force_login(reporter)
    total = rows(form)[0]
    male, female = combos(total)
    cell(client, submission, total, male, "3")
    client.force_login(coordinator)
    round_url = reverse("reports:round", args=[submission.round_id])
    given = {e["element"].code: e["units"] for e in client.get(round_url).context["elements"]}
    assert given[total.data_element.code] == 0  # Nữ is still empty
    client.force_login(reporter)
    cell(client, submission, total, female, "", no_data="on", comment="Chưa tách được", editor="1")
    client.force_login(coordinator)
    given = {e["element"].code: e["units"] for e in client.get(round_url).context["elements"]}
    assert given[total.data_element.code] == 1


def test_ids_above_999_are_not_written_with_thousands_separators(client, reporter, submission):
    """Vietnamese formats group digits ("1.234"): an id so written in hx-vals would name no row."""
    from reports.models import Row

    row = next(r for r in rows(submission.round.form) if not Row.objects.filter(part_of=r))
    Row.objects.filter(pk=row.pk).update(id=123456)
    client.force_login(reporter)
    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert 'id="c-123456-' in page and '"row": "123456"' in page
    assert "123.456" not in page


def test_a_resent_save_whose_answer_was_lost_is_no_conflict(client, reporter, form, submission):
    """The grid's offline queue sends again a save it got no answer for: when the stored value
    is already the one sent, the stale version changes nothing and refuses nothing."""
    client.force_login(reporter)
    total = rows(form)[0]
    male = combos(total)[0]
    cell(client, submission, total, male, "10")
    body = cell(client, submission, total, male, "10", version=0).content.decode()
    assert "data-outcome" not in body and 'data-version="1"' in body
    value = DataValue.objects.get(data_element=total.data_element, option_combo=male)
    assert value.version == 1 and Event.objects.for_object(value).count() == 1
    # Written the same in another way ("10,0"), it is the same stored value.
    assert "data-outcome" not in cell(client, submission, total, male, "10,0").content.decode()
    # A different value from that stale version is a conflict, as before.
    assert 'data-outcome="conflict"' in cell(client, submission, total, male, "11").content.decode()
    question = submission.round.form.sections.get(kind="narrative").questions.first()
    answer_url = reverse("reports:save_answer", args=[submission.pk])
    answer = {"question": question.pk, "text": "Đã làm.", "version": 0}
    client.post(answer_url, answer, HTTP_HX_REQUEST="true")
    again = client.post(answer_url, answer, HTTP_HX_REQUEST="true").content.decode()
    assert "data-outcome" not in again and 'data-version="1"' in again
    other = client.post(answer_url, {**answer, "text": "Khác."}, HTTP_HX_REQUEST="true")
    assert 'data-outcome="conflict"' in other.content.decode()


def test_the_panels_fields_replayed_by_the_queue_get_the_cell_back(
    client, reporter, form, submission
):
    """Offline, the note panel's fields join the queue and go without `editor`: the note and
    "no data" apply all the same, and the answer is the cell."""
    client.force_login(reporter)
    total = rows(form)[0]
    male = combos(total)[0]
    body = cell(
        client, submission, total, male, "", no_data="on", comment="Chưa thống kê"
    ).content.decode()
    assert body.startswith("<td") and 'class="cell nodata"' in body
    value = DataValue.objects.get(data_element=total.data_element, option_combo=male)
    assert value.no_data and value.comment == "Chưa thống kê"


def test_the_page_counts_the_cells_entered(client, reporter, form, submission):
    client.force_login(reporter)
    total = rows(form)[0]
    male, female = combos(total)
    cell(client, submission, total, male, "3")
    cell(client, submission, total, female, "", no_data="on", comment="Chưa có", editor="1")
    page = client.get(reverse("reports:submission", args=[submission.pk]))
    filled, cells = page.context["filled"], page.context["cells"]
    assert (filled, cells) == (2, sum(len(combos(row)) for row in rows(form)))
    body = page.content.decode()
    assert f"{filled}/{cells} ô đã nhập" in body
    # The queue's key names the user and the report; cells carry their version for it.
    assert f'data-queue="binhdang.entry.{reporter.pk}.{submission.pk}"' in body
    assert 'enterkeyhint="next"' in body and 'data-version="1"' in body
    assert 'data-scope="/reports/submissions/"' in body  # one worker for every report page


def test_the_offline_worker_and_page_hold_no_report_data(client, reporter, outsider, leader):
    """The service worker's script and its offline page: for those who enter data only, the
    page with no name or figure (the same for every user), under the site's CSP."""
    worker = reverse("reports:service_worker")
    offline = reverse("reports:offline")
    assert client.get(worker).status_code == 302  # signed out: the login page
    client.force_login(leader)
    assert client.get(worker).status_code == 403
    client.force_login(reporter)
    script = client.get(worker)
    assert script["Content-Type"].startswith("text/javascript")
    text = script.content.decode()
    assert f'const OFFLINE = "{offline}"' in text and "/static/js/offline.js" in text
    page = client.get(offline)
    body = page.content.decode()
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "không có kết nối mạng" in body and reporter.username not in body
    assert reporter.unit.name not in body and "<script>" not in body
