"""The coordinator's synthesis report for a round: edit the draft, download Word or Excel."""

import re

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from core.access import allow
from core.roles import PROVINCE_WIDE
from core.spreadsheet import XLSX_MIME
from reports.models import Round

from .. import selectors, services, synthesis
from ..forms.synthesis import DraftForm


@require_http_methods(["GET", "POST"])
@allow(PROVINCE_WIDE)
def synthesis_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.for_user(request.user).select_related("form"), pk=pk)
    initial = None if request.POST else selectors.synthesis_initial(round_)
    form = DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        return _download(request, round_, form)
    summary = selectors.synthesis_summary(round_, request.user)
    return render(
        request, "analytics/synthesis.html", {"round": round_, "form": form, "summary": summary}
    )


def _download(request: AuthenticatedRequest, round_: Round, form: DraftForm) -> HttpResponse:
    accepted_only = form.cleaned_data["accepted_only"]
    if request.POST.get("format") == "xlsx":
        tables, raw_values = selectors.synthesis_workbook(
            round_=round_, user=request.user, accepted_only=accepted_only
        )
        data, mime, ext = synthesis.build_xlsx(round_, tables, raw_values), XLSX_MIME, "xlsx"
    else:
        tables, narratives = selectors.synthesis_word(
            round_=round_, user=request.user, accepted_only=accepted_only
        )
        data = synthesis.build_docx(form.draft(), narratives, tables)
        mime, ext = synthesis.DOCX_MIME, "docx"
    services.record_synthesis_download(actor=request.user, round_=round_, request=request)
    response = HttpResponse(data, content_type=mime)
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", f"Báo cáo tổng hợp - {round_.name}")
    response["Content-Disposition"] = content_disposition_header(True, f"{name[:150]}.{ext}")
    return response
