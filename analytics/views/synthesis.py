"""The coordinator's synthesis workspace for a round: each outline section's unit answers beside
the province's text, and the Word and Excel files made in the background with their progress."""

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from audit.services import ConcurrentEdit
from core import jobs
from core.access import allow
from core.models import Job, JobState
from core.roles import PROVINCE_WIDE, Role
from reports.models import Round, Section, SectionKind

from .. import selectors, services
from ..forms.synthesis import DraftForm, FilterForm, SectionTextForm

COORDINATOR = frozenset({Role.COORDINATOR})
FORMAT_LABELS = {
    services.DOCX: gettext_lazy("Báo cáo Word"),
    services.XLSX: gettext_lazy("Báo cáo Excel"),
}


def _round(request: AuthenticatedRequest, pk: int) -> Round:
    rounds = Round.objects.for_user(request.user).select_related("form", "scope")
    return get_object_or_404(rounds, pk=pk)


def _filters(request: AuthenticatedRequest, round_: Round) -> FilterForm:
    data = request.GET.copy()
    data.setdefault("basis", "submitted")
    return FilterForm(data, kinds=selectors.unit_kind_choices(round_))


def _jobs(request: AuthenticatedRequest, round_: Round) -> list[dict]:
    """The user's newest job of each file kind for this round, and whether its file is still
    made from the current data."""
    fingerprint = selectors.synthesis_fingerprint(round_, request.user)
    mine = Job.objects.for_user(request.user).defer("result")
    shown = []
    for kind in (services.DOCX, services.XLSX):
        job = mine.of(kind, services.subject_of(round_)).first()
        if job is not None:
            shown.append(_job_context(round_, job, fingerprint))
    return shown


def _job_context(round_: Round, job: Job, fingerprint: str | None) -> dict:
    return {
        "round": round_,
        "job": job,
        "label": FORMAT_LABELS.get(job.kind, job.kind),
        "fresh": fingerprint is None or job.fingerprint == fingerprint,
        "no_worker": job.waiting_since(jobs.WAITING_TOO_LONG),
    }


@require_http_methods(["GET", "POST"])
@allow(PROVINCE_WIDE)
def synthesis_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the workspace. POST: start making the Word or Excel file (its progress shows on the
    page, which it redirects back to)."""
    round_ = _round(request, pk)
    kinds = selectors.unit_kind_choices(round_)
    filters = _filters(request, round_)
    basis, chosen_kinds = filters.chosen()
    initial = {**selectors.synthesis_initial(round_), "basis": basis.code, "kinds": chosen_kinds}
    draft = DraftForm(request.POST or None, initial=initial, kinds=kinds)
    if request.method == "POST" and draft.is_valid():
        basis, chosen_kinds = draft.chosen()
        file_format = "xlsx" if request.POST.get("format") == "xlsx" else "docx"
        services.start_synthesis(
            actor=request.user,
            round_=round_,
            file_format=file_format,
            basis=basis,
            kinds=chosen_kinds,
            draft=draft.draft_params(),
        )
        return redirect(_page_url(round_, basis.code, chosen_kinds) + "#files")
    workspace = selectors.synthesis_workspace(
        round_=round_, user=request.user, basis=basis, kinds=chosen_kinds
    )
    can_write = request.user.role in COORDINATOR
    for item in workspace:
        item["form"] = _section_form(item) if can_write else None
    context = {
        "round": round_,
        "filters": filters,
        "form": draft,
        "summary": selectors.synthesis_summary(round_, request.user, basis),
        "annex_scope": selectors.annex_scope(round_, chosen_kinds),
        "workspace": workspace,
        "jobs": _jobs(request, round_),
        "can_write": can_write,
    }
    return render(
        request, "analytics/synthesis.html", context, status=400 if draft.is_bound else 200
    )


def _page_url(round_: Round, basis: str, kinds: list[str]) -> str:
    query = QueryDict(mutable=True)
    query["basis"] = basis
    query.setlist("kinds", kinds)
    return f"{reverse('analytics:synthesis', args=[round_.pk])}?{query.urlencode()}"


def _section_form(item: dict, data=None) -> SectionTextForm:
    text = item["text"]
    return SectionTextForm(
        data,
        initial={"text": text.text if text else ""},
        version=text.version if text else 0,
        auto_id=f"id_s{item['section'].pk}_%s",
    )


@require_POST
@allow(COORDINATOR)
def synthesis_section(request: AuthenticatedRequest, pk: int, section: int) -> HttpResponse:
    """Save the province's text of one outline section (htmx: the section's form again, with
    "saved" or the text someone else saved meanwhile beside this one)."""
    round_ = _round(request, pk)
    outline = Section.objects.for_user(request.user).filter(
        form=round_.form, kind=SectionKind.NARRATIVE
    )
    part = get_object_or_404(outline, pk=section)
    current = selectors.section_text(round_=round_, section=part, user=request.user)
    item = {"section": part, "text": current}
    form = _section_form(item, request.POST)
    conflict = None
    if form.is_valid():
        try:
            item["text"] = services.save_section_text(
                actor=request.user,
                round_=round_,
                section=part,
                text=form.cleaned_data["text"],
                expected_version=form.expected(),
                request=request,
            )
        except ConcurrentEdit as edit:
            conflict = form.mark_conflict(edit.current, _("bản của %(who)s") % _author(edit))
            item["text"] = edit.current
        else:
            if not request.headers.get("HX-Request"):
                messages.success(
                    request,
                    _("Đã lưu nội dung của tỉnh, mục “%(title)s” (đợt “%(round)s”).")
                    % {**_title(part), "round": round_.name},
                )
                return redirect(reverse("analytics:synthesis", args=[round_.pk]) + f"#s{part.pk}")
            form = _section_form(item)
    context = {"round": round_, "item": item, "form": form, "conflict": conflict}
    context["saved"] = item["text"] if not form.is_bound else None
    if request.headers.get("HX-Request"):  # htmx swaps only 2xx answers
        return render(request, "analytics/_synthesis_section_form.html", context)
    status = 409 if conflict is not None else 400
    return render(request, "analytics/synthesis_section.html", context, status=status)


def _author(edit: ConcurrentEdit) -> dict:
    who = edit.current.updated_by
    return {"who": who.full_name or who.username if who else "?"}


def _title(section: Section) -> dict:
    return {"title": section.title}


def _job(request: AuthenticatedRequest, round_: Round, job: int) -> Job:
    mine = Job.objects.for_user(request.user).filter(subject=services.subject_of(round_))
    return get_object_or_404(mine.filter(kind__in=FORMAT_LABELS).defer("result"), pk=job)


@require_GET
@allow(PROVINCE_WIDE)
def synthesis_job(request: AuthenticatedRequest, pk: int, job: int) -> HttpResponse:
    """The job's progress (htmx polls it every second until it is finished)."""
    round_ = _round(request, pk)
    found = _job(request, round_, job)
    fingerprint = selectors.synthesis_fingerprint(round_, request.user) if found.finished else None
    context = _job_context(round_, found, fingerprint)
    return render(request, "analytics/_synthesis_job.html", context)


@require_GET
@allow(PROVINCE_WIDE)
def synthesis_download(request: AuthenticatedRequest, pk: int, job: int) -> HttpResponse:
    """The finished file, while the data it was made from is unchanged; the copy is audited."""
    round_ = _round(request, pk)
    found = _job(request, round_, job)
    if found.state != JobState.DONE:
        messages.warning(request, _("Tệp báo cáo chưa tạo xong."))
        return redirect(reverse("analytics:synthesis", args=[round_.pk]) + "#files")
    if found.fingerprint != selectors.synthesis_fingerprint(round_, request.user):
        messages.warning(
            request, _("Số liệu đã thay đổi sau khi tạo tệp này: hãy tạo lại tệp báo cáo.")
        )
        return redirect(reverse("analytics:synthesis", args=[round_.pk]) + "#files")
    content = Job.objects.for_user(request.user).values_list("result", flat=True).get(pk=found.pk)
    services.record_synthesis_download(actor=request.user, round_=round_, request=request)
    response = HttpResponse(bytes(content or b""), content_type=found.result_type)
    response["Content-Disposition"] = content_disposition_header(True, found.result_name)
    return response
