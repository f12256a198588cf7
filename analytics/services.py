"""What analytics writes: the province's section texts of a synthesis, the synthesis files made in
the background (core.jobs), and the audit record of a copy taken of the province's figures (the
pages only read; docs/security.md, "Audit log")."""

import datetime
import re

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import User
from audit.models import Action
from audit.services import ConcurrentEdit, record_event, save_audited
from core import jobs
from core.models import Job
from core.roles import PROVINCE_WIDE
from core.spreadsheet import XLSX_MIME
from reports.models import Round, Section, SectionKind

from . import selectors, synthesis
from .models import SectionText

# The kinds of job this app registers (analytics.apps): the two synthesis files of a round.
DOCX, XLSX = "analytics.synthesis_docx", "analytics.synthesis_xlsx"
FORMATS = {"docx": DOCX, "xlsx": XLSX}


def record_synthesis_download(
    *, actor: User, round_: Round, request: HttpRequest | None = None
) -> None:
    """The synthesis files hold every unit's figures: who took a copy is recorded. `request`
    gives the audit log the client's address."""
    record_event(actor=actor, action=Action.DOWNLOAD, obj=round_, request=request)


def save_section_text(
    *,
    actor: User,
    round_: Round,
    section: Section,
    text: str,
    expected_version: int,
    request: HttpRequest | None = None,
) -> SectionText:
    """Save the province's text of one outline section, audited. `expected_version` is the
    version the coordinator started from (0: there was no text yet); a text saved by someone
    else since is never overwritten: ConcurrentEdit carries it."""
    if section.form_id != round_.form_id or section.kind != SectionKind.NARRATIVE:
        raise ValueError("the section is not an outline section of the round's form")
    current = SectionText.objects.filter(round=round_, section=section).first()
    if current is None:
        fresh = SectionText(round=round_, section=section, text=text, updated_by=actor)
        try:
            with transaction.atomic():
                return save_audited(actor=actor, obj=fresh, fields=("text",), request=request)
        except IntegrityError:  # another coordinator saved the first text meanwhile
            raise ConcurrentEdit(SectionText.objects.get(round=round_, section=section)) from None
    current.text, current.updated_by, current.version = text, actor, expected_version
    return save_audited(actor=actor, obj=current, fields=("text",), request=request)


def subject_of(round_: Round) -> str:
    return f"reports.round:{round_.pk}"


def synthesis_page(job: Job) -> str:
    """Where a synthesis job's file is fetched: the round's synthesis page."""
    return reverse("analytics:synthesis", args=[int(job.subject.rpartition(":")[2])])


def start_synthesis(
    *,
    actor: User,
    round_: Round,
    file_format: str,
    basis: synthesis.Basis,
    kinds: list[str],
    draft: dict,
) -> Job:
    """The background job making the round's Word or Excel synthesis for `actor` (core.jobs:
    the same file again while the data and the choices are unchanged). `draft` holds the
    Word report's fields as text (DraftForm.draft_params)."""
    params: dict = {"round": round_.pk, "basis": basis.code}
    if file_format == "docx":
        params.update(kinds=sorted(kinds), draft=draft)
    return jobs.start(
        actor=actor,
        kind=FORMATS[file_format],
        subject=subject_of(round_),
        fingerprint=selectors.synthesis_fingerprint(round_, actor),
        params=params,
    )


def _file_name(round_: Round, ext: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", f"Báo cáo tổng hợp - {round_.name}")
    return f"{name[:150]}.{ext}"


def _round_of(job: Job) -> Round:
    """The job's round, read as its starter reads it now (a starter who lost the role, or the
    round, gets nothing)."""
    user = job.user
    if not user.is_active or user.role not in PROVINCE_WIDE:
        raise jobs.JobRefused("Tài khoản không còn quyền xem báo cáo tổng hợp.")
    round_ = (
        Round.objects.for_user(user)
        .select_related("form", "scope")
        .filter(pk=job.params.get("round"))
        .first()
    )
    if round_ is None:
        raise jobs.JobRefused("Không tìm thấy đợt báo cáo.")
    return round_


def _guess(round_: Round) -> int:
    """Steps before the data is read: two for reading, one per part of the form."""
    return 2 + 2 * round_.form.sections.count()


def build_synthesis_docx(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    """core.jobs handler: the Word report (the province's sections, the tables, the annex)."""
    round_ = _round_of(job)
    user, params = job.user, job.params
    basis = synthesis.basis_of(params.get("basis", ""))
    kinds = list(params.get("kinds", []))
    progress.expect(_guess(round_), "Đang tổng hợp số liệu và ý kiến của các đơn vị")
    tables, sections = selectors.synthesis_word(round_=round_, user=user, basis=basis, kinds=kinds)
    progress.expect(2 + synthesis.docx_steps(sections, tables))
    progress.advance("Đã tổng hợp số liệu và ý kiến của các đơn vị", by=2)
    fields = dict(params.get("draft", {}))
    draft = synthesis.Draft(
        **{**fields, "date": datetime.date.fromisoformat(fields["date"])},
        basis=selectors.synthesis_summary(round_, user, basis)["statement"],
        annex_scope=selectors.annex_scope(round_, kinds),
    )
    content = synthesis.build_docx(draft, sections, tables, step=progress.advance)
    return jobs.Outcome(content, _file_name(round_, "docx"), synthesis.DOCX_MIME)


def build_synthesis_xlsx(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    """core.jobs handler: the Excel workbook (a sheet per table, every unit's values)."""
    round_ = _round_of(job)
    basis = synthesis.basis_of(job.params.get("basis", ""))
    progress.expect(_guess(round_), "Đang tổng hợp số liệu của các đơn vị")
    tables, raw = selectors.synthesis_workbook(round_=round_, user=job.user, basis=basis)
    progress.expect(2 + synthesis.xlsx_steps(tables, raw))
    progress.advance("Đã tổng hợp số liệu của các đơn vị", by=2)
    statement = selectors.synthesis_summary(round_, job.user, basis)["statement"]
    content = synthesis.build_xlsx(round_, tables, raw, basis=statement, step=progress.advance)
    return jobs.Outcome(content, _file_name(round_, "xlsx"), XLSX_MIME)
