"""The Excel round trip: download a unit's report as .xlsx, upload it back (dry run, then
confirm). The confirm step re-reads the very bytes that were checked
(reports.services.excel_uploads)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.models import User
from audit.services import ConcurrentEdit
from core.access import allow
from core.roles import PLAN_READERS
from core.spreadsheet import xlsx_response

from .. import disclosure, excel, validation
from ..models import EDITABLE, Status, Submission
from ..services import excel_uploads, submissions
from .submissions import submission_for

EDITORS = submissions.EDITORS
TEMPLATE = "reports/excel_upload.html"


@require_GET
@allow(PLAN_READERS)
def download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = submission_for(request, pk)
    masked = not disclosure.sees_exact(request.user, submission.unit_id)
    data = excel.export_submission(submission, masked=masked)
    # The file holds the unit's figures (GBV counts included): who took a copy is recorded.
    submissions.record_download(actor=request.user, obj=submission, request=request)
    return xlsx_response(excel.download_filename(submission), data)


def _refusal(submission: Submission, user: User) -> str | None:
    if submission.status not in EDITABLE:
        return _("Báo cáo đang ở trạng thái “%(s)s”: không nhập số liệu từ tệp được.") % {
            "s": submission.get_status_display()
        }
    if not submission.is_editable_by(user):
        if submission.status == Status.RETURNED:
            return _("Báo cáo đã trả lại cho đơn vị: chỉ đơn vị nhập số liệu từ tệp được.")
        return _("Đợt báo cáo đã khóa sổ: không nhập số liệu từ tệp được.")
    return None


@require_http_methods(["GET", "POST"])
@allow(EDITORS)
def upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = submission_for(request, pk)
    context: dict[str, object] = {"submission": submission}
    refusal = _refusal(submission, request.user)
    if refusal:
        context["refusal"] = refusal
        return render(request, TEMPLATE, context, status=409 if request.method == "POST" else 200)
    if request.method != "POST":
        return render(request, TEMPLATE, context)
    max_bytes = settings.UPLOAD_MAX_BYTES
    if "token" in request.POST:
        return _confirm(request, submission, context, max_bytes)
    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = _("Hãy chọn tệp Excel (.xlsx) để tải lên.")
        return render(request, TEMPLATE, context, status=400)
    data = upload.read(max_bytes + 1)  # one byte over is enough to say it is too large
    result = excel.parse_submission(submission, data, max_bytes)
    context["result"] = result
    if result.ok and result.changes:
        context["token"] = excel_uploads.keep(actor=request.user, submission=submission, data=data)
    return render(request, TEMPLATE, context)


def _confirm(
    request: AuthenticatedRequest,
    submission: Submission,
    context: dict[str, object],
    max_bytes: int,
) -> HttpResponse:
    token = request.POST.get("token", "")
    data = excel_uploads.take(actor=request.user, submission=submission, token=token)
    if data is None:
        context["error"] = _("Phiên nhập tệp đã hết hạn hoặc không hợp lệ; hãy tải tệp lên lại.")
        return render(request, TEMPLATE, context, status=400)
    result = excel.parse_submission(submission, data, max_bytes)
    if not result.ok:
        context["result"] = result
        return render(request, TEMPLATE, context)
    try:
        count = excel.apply_import(
            submission=submission, result=result, actor=request.user, request=request
        )
    except ConcurrentEdit:
        context["error"] = _(
            "Có người vừa sửa số liệu của báo cáo trong lúc bạn xác nhận; chưa có gì được lưu. "
            "Hãy tải tệp lên lại để xem thay đổi mới."
        )
    except submissions.CellErrors as error:
        context["error"] = " ".join(error.cells.values())
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
    else:
        messages.success(
            request,
            _("Đã nhập %(n)s thay đổi từ tệp Excel vào báo cáo của %(unit)s, đợt “%(round)s”.")
            % {"n": count, "unit": submission.unit.name, "round": submission.round.name},
        )
        # The same checks as a cell typed in the grid (reports.validation), said once for all.
        masked = not disclosure.sees_exact(request.user, submission.unit_id)
        findings = validation.check(submission, masked=masked)
        if findings:
            messages.warning(
                request,
                _("Có %(n)s cảnh báo kiểm tra số liệu: xem các ô có dấu ⚠ và danh sách cuối trang.")
                % {"n": len(findings)},
            )
        return redirect("reports:submission", pk=submission.pk)
    return render(request, TEMPLATE, context, status=409)
