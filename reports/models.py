"""The reporting cycle: forms (outline + data tables), rounds, one submission per unit and round,
the values and narratives it holds, and the snapshots taken at each submit."""

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StoredFile, stored_path
from core.roles import PLAN_READERS, UNIT_STAFF, Role
from core.text import FoldedField
from core.uids import UidField
from indicators.models import (
    CategoryCombo,
    CategoryOptionCombo,
    DataElement,
    display_value,
    stored_number,
    vi_number,
)
from orgs.models import Unit, UnitKind


def _unit_scope(user, unit_field: str) -> Q | None:
    """None for province-wide users, else a filter on the user's unit subtree."""
    if user.sees_whole_province:
        return None
    return Q(**{f"{unit_field}__in": user.scope_unit_ids})


class FormStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    PUBLISHED = "published", _("Đã ban hành")
    RETIRED = "retired", _("Ngừng sử dụng")


class FormQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or user.role not in PLAN_READERS:
            return self.none()
        if user.role == Role.COORDINATOR:
            return self
        return self.exclude(status=FormStatus.DRAFT)


class Form(models.Model):
    """A report outline with its data tables. A form in use is never edited: it gets a new
    version."""

    code = models.CharField(_("mã biểu mẫu"), max_length=50)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    # DHIS2's dataSet id (core.uids): one per version, as each version is a set of its own.
    uid = UidField(key_fields=("code", "version"))
    name = models.CharField(_("tên"), max_length=300)
    description = models.TextField(_("hướng dẫn chung"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=FormStatus.choices, default=FormStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_versions"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = FormQuerySet.as_manager()

    class Meta:
        verbose_name = _("biểu mẫu báo cáo")
        verbose_name_plural = _("biểu mẫu báo cáo")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="form_unique_version")
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    @property
    def in_use(self) -> bool:
        return self.rounds.exists()

    def cell_count(self) -> int:
        return sum(row.data_element.category_combo.option_combos.count() for row in self.rows())

    def rows(self):
        return (
            Row.objects.filter(section__form=self)
            .select_related("data_element__category_combo", "section", "part_of__data_element")
            .prefetch_related("parts")
        )


class FormPartQuerySet(models.QuerySet):
    """Sections, questions and rows are readable wherever their form is."""

    form_path = "form"

    def for_user(self, user):
        return self.filter(**{f"{self.form_path}__in": Form.objects.for_user(user)})


class QuestionQuerySet(FormPartQuerySet):
    form_path = "section__form"


class SectionKind(models.TextChoices):
    NARRATIVE = "narrative", _("Đề cương (trả lời bằng văn bản)")
    TABLE = "table", _("Bảng số liệu")


class Section(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    number = models.CharField(_("số thứ tự"), max_length=20, blank=True)
    title = models.CharField(_("tiêu đề"), max_length=500)
    kind = models.CharField(_("loại"), max_length=20, choices=SectionKind.choices)
    guidance = models.TextField(_("hướng dẫn"), blank=True)
    category_combo = models.ForeignKey(
        CategoryCombo,
        verbose_name=_("cột phân tổ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Các cột của bảng (ví dụ Nam/Nữ); để trống nếu chỉ có một cột."),
    )

    objects = FormPartQuerySet.as_manager()

    class Meta:
        ordering = ["form", "order", "id"]

    def __str__(self):
        return f"{self.number} {self.title}".strip()


class Question(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("mã"), max_length=50)
    text = models.TextField(_("câu hỏi"))
    required = models.BooleanField(_("bắt buộc"), default=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["section", "order", "id"]

    def __str__(self):
        return self.text[:80]


class Row(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveSmallIntegerField(default=0)
    data_element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="rows")
    label = models.CharField(_("nhãn hiển thị"), max_length=400, blank=True)
    # Every cell of a table must be filled or marked "no data" with a reason before the report
    # is submitted, unless the form's author made the row optional.
    optional = models.BooleanField(
        _("không bắt buộc"),
        default=False,
        help_text=_("Cho phép nộp báo cáo khi các ô của dòng này còn trống."),
    )
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("là một phần của dòng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
        help_text=_("Giá trị dòng này không được lớn hơn giá trị dòng tổng tương ứng."),
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["section", "order", "id"]

    def __str__(self):
        return self.label or self.data_element.name

    @property
    def title(self) -> str:
        return self.label or self.data_element.name


class RoundKind(models.TextChoices):
    PERIODIC = "periodic", _("Định kỳ")
    ADHOC = "adhoc", _("Đột xuất")


class RoundQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or user.role not in PLAN_READERS:
            return self.none()
        scope = _unit_scope(user, "submissions__unit")
        return self if scope is None else self.filter(scope).distinct()


class Round(models.Model):
    """One reporting exercise: a form, a period, a data window and deadlines, and its units."""

    code = models.CharField(_("mã đợt"), max_length=50, unique=True)
    name = models.CharField(_("tên đợt báo cáo"), max_length=300)
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField(_("loại"), max_length=20, choices=RoundKind.choices)
    period = models.CharField(
        _("kỳ (mã DHIS2)"), max_length=20, help_text=_("Ví dụ 2025S1 (6 tháng), 2025 (năm).")
    )
    window_start = models.DateField(_("số liệu từ ngày"))
    window_end = models.DateField(_("số liệu đến ngày"))
    opens_on = models.DateField(_("mở nhập từ"))
    due_on = models.DateField(_("hạn nộp"))
    lock_on = models.DateField(
        _("khóa sổ"), help_text=_("Sau ngày này đơn vị không sửa được số liệu.")
    )
    unit_kinds = models.JSONField(_("loại đơn vị phải báo cáo"), default=list, blank=True)
    scope = models.ForeignKey(
        Unit,
        verbose_name=_("phạm vi"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Các đơn vị phải báo cáo thuộc đơn vị này (thường là tỉnh)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    search = FoldedField(sources=("code", "name", "period"))  # what search reads

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt báo cáo")
        verbose_name_plural = _("đợt báo cáo")
        ordering = ["-due_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")), name="round_window"
            ),
            models.CheckConstraint(condition=Q(lock_on__gte=models.F("due_on")), name="round_lock"),
        ]

    def __str__(self):
        return self.name

    def is_locked(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.lock_on

    def expected_units(self):
        """Units of the chosen kinds that exist on the due date: the 6-month 2025 round expects
        the old districts, the annual one the new communes."""
        units = Unit.objects.valid_on(self.due_on).filter(
            kind__in=self.unit_kinds or [UnitKind.AGENCY]
        )
        return units.filter(pk__in=Unit.subtree_ids(self.scope_id))


class Status(models.TextChoices):
    DRAFT = "draft", _("Đang nhập")
    SUBMITTED = "submitted", _("Đã nộp")
    RETURNED = "returned", _("Bị trả lại")
    ACCEPTED = "accepted", _("Đã duyệt")


EDITABLE = (Status.DRAFT, Status.RETURNED)
# May be urged: not submitted (being entered, or returned for corrections), whatever the due date.
URGEABLE = Q(status__in=EDITABLE)


def late_q(today: datetime.date) -> Q:
    """Never submitted although the (possibly extended) deadline has passed. A report sent back
    for corrections after an on-time submission is not late."""
    return Q(status__in=EDITABLE, first_submitted_at__isnull=True, due_on__lt=today)


class SubmissionQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or user.role not in PLAN_READERS:
            return self.none()
        scope = _unit_scope(user, "unit")
        return self if scope is None else self.filter(scope)

    def for_round(self, round_):
        return self.filter(round=round_)

    def late(self, today: datetime.date | None = None):
        """The late reports (`late_q`)."""
        return self.filter(late_q(today or timezone.localdate()))

    def urgeable(self):
        """The reports that may be urged (`URGEABLE`): the round page's "not submitted" count
        and its selection follow the same rule, so the count and the action agree."""
        return self.filter(URGEABLE)

    def with_fill(self):
        """Annotate how many cells hold a value or a justified "no data": data completeness."""
        filled = Q(values__no_data=True) | ~Q(values__value="")
        return self.annotate(filled=models.Count("values", filter=filled))

    def completeness(self, round_, today: datetime.date | None = None) -> dict:
        """Form completeness and timeliness of a round: expected, on time, late, missing…"""
        today = today or timezone.localdate()
        counts = dict.fromkeys(
            ["expected", "on_time", "late", "missing", "overdue", "returned", "accepted"], 0
        )
        for submission in self.for_round(round_).only(
            "status", "due_on", "first_submitted_at", "round_id", "unit_id"
        ):
            counts["expected"] += 1
            on_time = submission.on_time
            if on_time is None:
                counts["missing"] += 1
                counts["overdue"] += submission.due_on < today
            else:
                counts["on_time" if on_time else "late"] += 1
            counts["returned"] += submission.status == Status.RETURNED
            counts["accepted"] += submission.status == Status.ACCEPTED
        counts["cells"] = round_.form.cell_count()
        return counts

    def element_completeness(self, round_) -> list[dict]:
        """Per data element: how many of the round's units gave every one of its cells (each
        column filled, or marked "no data" with a reason): data, not form, completeness."""
        filled = Q(no_data=True) | ~Q(value="")
        cells = (
            DataValue.objects.filter(submission__in=self.for_round(round_))
            .filter(filled)
            .values("data_element_id", "submission_id")
            .annotate(cells=models.Count("id"))
        )
        rows = list(
            round_.form.rows()
            .prefetch_related("data_element__category_combo__option_combos")
            .order_by("section__order", "order")
        )
        width = {
            r.data_element_id: len(r.data_element.category_combo.option_combos.all()) for r in rows
        }
        complete = Counter(
            c["data_element_id"] for c in cells if c["cells"] >= width.get(c["data_element_id"], 1)
        )
        expected = self.for_round(round_).count()
        return [
            {"element": r.data_element, "units": complete[r.data_element_id], "expected": expected}
            for r in rows
        ]


class Submission(models.Model):
    """A unit's report for a round: it exists from the moment the unit is assigned."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="submissions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="submissions")
    due_on = models.DateField(_("hạn nộp của đơn vị"))
    extension_reason = models.CharField(_("lý do gia hạn"), max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("ý kiến của Sở Nội vụ"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Sở Nội vụ submitted for the unit (a report sent on paper): an explicit, audited act, and
    # whoever did it may not accept that submission (reports.services.submissions).
    on_behalf = models.BooleanField(_("Sở Nội vụ nộp thay"), default=False)
    on_behalf_reason = models.CharField(_("lý do nộp thay"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo của đơn vị")
        verbose_name_plural = _("báo cáo của đơn vị")
        ordering = ["round", "unit__kind", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="submission_one_per_unit")
        ]

    def __str__(self):
        return f"{self.round} — {self.unit}"

    def is_locked(self, today: datetime.date | None = None) -> bool:
        """Past the round's lock date, unless the unit was given more time: its own due date
        (an extension, or a report returned after the lock) then closes it."""
        return (today or timezone.localdate()) > max(self.round.lock_on, self.due_on)

    def is_editable_by(self, user) -> bool:
        """The unit's own staff, while the report is a draft or returned and the round is open
        for it (`is_locked`). The coordinator corrects drafts (even after the lock) but never a
        returned report: that belongs to the unit again."""
        if user.role == Role.COORDINATOR:
            return self.status == Status.DRAFT
        if user.role not in UNIT_STAFF or user.unit_id != self.unit_id:
            return False
        if self.status not in EDITABLE:
            return False
        return not self.is_locked() and timezone.localdate() >= self.round.opens_on

    def payload(self) -> tuple[dict, dict]:
        """Values and answers keyed by code, as a snapshot stores them."""
        values = {
            f"{v.data_element.code}/{v.option_combo.code}": (
                f"∅ {v.comment}" if v.no_data else v.value
            )
            for v in self.values.select_related("data_element", "option_combo")
        }
        answers = {a.question.code: a.text for a in self.answers.select_related("question")}
        return values, answers

    def changes_since_last_snapshot(self, *, masked: bool = False) -> list[tuple[str, str, str]]:
        """(cell or question, value at the last submission, value now) for every difference,
        labelled and shown as users read them; `masked`: sensitive values read "x"
        (reports.disclosure)."""
        last = self.snapshots.first()
        before = {**(last.values if last else {}), **(last.answers if last else {})}
        before.pop("_warning_comment", None)
        values, answers = self.payload()
        now = {**values, **answers}
        labels = {}
        for row in self.round.form.rows().prefetch_related(
            "data_element__category_combo__option_combos"
        ):
            for combo in row.data_element.category_combo.option_combos.all():
                name = row.title if combo.combo.is_default else f"{row.title} — {combo.name}"
                labels[f"{row.data_element.code}/{combo.code}"] = (name, row.data_element)
        for question in Question.objects.filter(section__form=self.round.form):
            labels[question.code] = (question.text, None)

        def shown(key, text):
            element = labels.get(key, ("", None))[1]
            if masked and element is not None and element.sensitive:
                return "x"
            if text.startswith("∅ "):
                return _("Không có số liệu: %(reason)s") % {"reason": text[2:]}
            return display_value(labels.get(key, ("", None))[1], text)

        return [
            (
                labels.get(key, (key, None))[0],
                shown(key, before.get(key, "")),
                shown(key, now.get(key, "")),
            )
            for key in sorted(set(before) | set(now))
            if before.get(key, "") != now.get(key, "")
        ]

    def entry_sections(self, notes: dict | None = None) -> list[dict]:
        """The form laid out for data entry: narrative sections with their answers, tables with
        rows × option-combo columns holding (option combo, stored value, notes), and live row
        totals. `notes`: (element id, option combo id) → the validation warnings of that cell."""
        notes = notes or {}
        form = self.round.form
        values = {(v.data_element_id, v.option_combo_id): v for v in self.values.all()}
        answers = {a.question_id: a for a in self.answers.all()}
        sections = []
        for section in form.sections.prefetch_related(
            "questions", "rows__data_element__category_combo__option_combos", "rows__part_of"
        ):
            if section.kind == SectionKind.NARRATIVE:
                questions = [(q, answers.get(q.pk)) for q in section.questions.all()]
                sections.append({"section": section, "questions": questions})
                continue
            rows: list[dict[str, Any]] = []
            for row in section.rows.all():
                combos = list(row.data_element.category_combo.option_combos.all())
                cells = [(combo, values.get((row.data_element_id, combo.pk))) for combo in combos]
                noted = [(c, v, notes.get((row.data_element_id, c.pk), ())) for c, v in cells]
                rows.append({"row": row, "cells": noted, "total": row_total(row, cells)})
            columns = [combo for combo, _v, _n in rows[0]["cells"]] if rows else []
            sections.append({"section": section, "rows": rows, "columns": columns})
        return sections

    @property
    def on_time(self) -> bool | None:
        if self.first_submitted_at is None:
            return None
        return timezone.localdate(self.first_submitted_at) <= self.due_on


class DataValueQuerySet(models.QuerySet):
    def for_user(self, user):
        """The values of the submissions the user sees (as SubmissionQuerySet.for_user), on the
        value's own unit: aggregates read values without joining submissions."""
        if not user.is_authenticated or user.role not in PLAN_READERS:
            return self.none()
        scope = _unit_scope(user, "unit")
        return self if scope is None else self.filter(scope)


# Stored text that counts as a number: the whole text is plain decimal digits (\A and \Z mean the
# same in PostgreSQL and in Python's re, which Django's SQLite REGEXP runs), at most 15 before the
# point so that the cast cannot overflow whatever a text element holds.
NUMBER_RE = r"\A-?[0-9]{1,15}(\.[0-9]+)?\Z"


class DataValue(models.Model):
    """(data element, option combo, period, unit) = value, as in DHIS2; period and unit come
    through the submission (round × unit).

    For the analytics engine, whose national aggregates read millions of values, a value also
    holds its submission's unit and round (save() copies them; bulk loads build values with
    `DataValue.of`; a submission never changes either), and `number`: the value as a number, or
    NULL (no data, blank, not a plain number), which the database computes on every insert and
    update whatever the path (grid, Excel, API, ADX, bulk loads). Aggregates thus sum a numeric
    column of one table instead of joining submissions and matching and casting text."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", editable=False, db_index=False
    )
    data_element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="values")
    option_combo = models.ForeignKey(
        CategoryOptionCombo, on_delete=models.PROTECT, related_name="values"
    )
    value = models.CharField(_("giá trị"), max_length=5000, blank=True)
    no_data = models.BooleanField(_("không có số liệu"), default=False)
    comment = models.CharField(_("ghi chú"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    number = models.GeneratedField(
        expression=Case(
            When(
                Q(no_data=False, value__regex=NUMBER_RE),
                then=Cast("value", models.DecimalField(max_digits=24, decimal_places=6)),
            )
        ),
        output_field=models.DecimalField(max_digits=24, decimal_places=6, null=True),
        db_persist=True,
    )

    objects = DataValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("giá trị số liệu")
        verbose_name_plural = _("giá trị số liệu")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "data_element", "option_combo"], name="value_unique_key"
            )
        ]
        indexes = [models.Index(fields=["round", "unit"], name="value_round_unit")]

    def __str__(self):
        return f"{self.data_element.code}/{self.option_combo.code}={self.value}"

    def save(self, *args, **kwargs):
        self.unit_id, self.round_id = self.submission.unit_id, self.submission.round_id
        super().save(*args, **kwargs)

    @classmethod
    def of(cls, submission: Submission, **fields) -> "DataValue":
        """An unsaved value of `submission` with its unit and round, for bulk_create (which
        does not call save())."""
        return cls(
            submission=submission,
            unit_id=submission.unit_id,
            round_id=submission.round_id,
            **fields,
        )

    @property
    def is_filled(self) -> bool:
        return self.value != "" or self.no_data


def row_total(row: Row, cells) -> str | None:
    """Sum of a numeric row over its columns, shown when there are several columns."""
    if len(cells) < 2 or not row.data_element.is_numeric:
        return None
    stored = [stored_number(v.value) for _, v in cells if v is not None and v.value]
    numbers = [n for n in stored if n is not None]
    return vi_number(sum(numbers, Decimal(0))) if numbers else ""


class NarrativeAnswer(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("nội dung"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class NarrativeAnswerQuerySet(models.QuerySet):
        def for_user(self, user):
            return self.filter(submission__in=Submission.objects.for_user(user))

    objects = NarrativeAnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "question"], name="answer_unique")
        ]

    def __str__(self):
        return f"{self.submission} {self.question.code}"


class Snapshot(models.Model):
    """What a submission held when it was submitted: the base of "what changed since"."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveSmallIntegerField()
    taken_at = models.DateTimeField(auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    values = models.JSONField(default=dict)
    answers = models.JSONField(default=dict)

    class SnapshotQuerySet(models.QuerySet):
        def for_user(self, user):
            return self.filter(submission__in=Submission.objects.for_user(user))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="snapshot_unique")
        ]

    def __str__(self):
        return f"{self.submission} #{self.number}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return stored_path(instance, "attachments")


class Attachment(StoredFile):
    """A document attached to a unit's report (the signed report, annexes)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class AttachmentQuerySet(models.QuerySet):
        def for_user(self, user):
            return self.filter(submission__in=Submission.objects.for_user(user))

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Nhắc trước hạn")
    DUE = "due", _("Nhắc đúng hạn")
    AFTER = "after", _("Nhắc quá hạn")
    URGE = "urge", _("Đôn đốc")


class Reminder(models.Model):
    """One reminder sent to one unit for one round. The unique key makes a second run (or a
    second server running at the same time) a no-op for what was already sent."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("loại"), max_length=20, choices=ReminderKind.choices)
    days = models.SmallIntegerField(_("số ngày so với hạn"), default=0)
    sent_on = models.DateField(_("ngày gửi"))
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.JSONField(_("người nhận"), default=list)

    class ReminderQuerySet(models.QuerySet):
        def for_user(self, user):
            return self.filter(submission__in=Submission.objects.for_user(user))

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần nhắc báo cáo")
        verbose_name_plural = _("lần nhắc báo cáo")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "kind", "days", "sent_on"], name="reminder_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.submission} {self.kind} {self.sent_on}"

    @property
    def recipient_names(self) -> str:
        return ", ".join(r.get("name", "") for r in self.recipients)
