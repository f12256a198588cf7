"""Data elements and their disaggregations, on DHIS2's model so values can be exchanged.

A value's key is (data element, category option combo, period, unit). A category combo lists the
categories that disaggregate an element (SEX, AGE…); its option combos are their cartesian product
(Nam, Nữ; or Nam 0–11, Nữ 0–11…). The combo `default` has one option combo, `default`.
"""

import itertools
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.text import FoldedField
from core.uids import UidField

DEFAULT = "default"


class CatalogueQuerySet(models.QuerySet):
    """The catalogue is shared reference data: every signed-in user may read it."""

    def for_user(self, user):
        return self if user.is_authenticated else self.none()


class Category(models.Model):
    code = models.CharField(_l("mã"), max_length=50, unique=True)
    name = models.CharField(_l("tên"), max_length=200)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _l("nhóm phân tổ")
        verbose_name_plural = _l("nhóm phân tổ")
        ordering = ["code"]

    def __str__(self):
        return self.name


class CategoryOption(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(_l("mã"), max_length=50)
    name = models.CharField(_l("tên"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _l("phương án phân tổ")
        verbose_name_plural = _l("phương án phân tổ")
        ordering = ["category", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="option_unique_code")
        ]

    def __str__(self):
        return self.name


class CategoryCombo(models.Model):
    code = models.CharField(_l("mã"), max_length=50, unique=True)
    name = models.CharField(_l("tên"), max_length=200)
    categories = models.ManyToManyField(Category, blank=True, related_name="combos")

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _l("tổ hợp phân tổ")
        verbose_name_plural = _l("tổ hợp phân tổ")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def is_default(self) -> bool:
        return self.code == DEFAULT

    def generate_option_combos(self) -> list["CategoryOptionCombo"]:
        """Create the missing option combos: one per element of the options' cartesian product."""
        categories = list(self.categories.order_by("code").prefetch_related("options"))
        products = itertools.product(*[list(c.options.all()) for c in categories])
        existing = {
            frozenset(c.options.values_list("pk", flat=True)): c for c in self.option_combos.all()
        }
        result = []
        for position, options in enumerate(products):
            key = frozenset(o.pk for o in options)
            combo = existing.get(key)
            if combo is None:
                combo = CategoryOptionCombo.objects.create(
                    combo=self,
                    code="_".join(o.code for o in options) or DEFAULT,
                    name=", ".join(o.name for o in options) or _("Tổng số"),
                    sort_order=position,
                )
                combo.options.set(options)
            result.append(combo)
        return result


class CategoryOptionCombo(models.Model):
    combo = models.ForeignKey(CategoryCombo, on_delete=models.CASCADE, related_name="option_combos")
    code = models.CharField(_l("mã"), max_length=100, unique=True)
    uid = UidField()  # DHIS2's categoryOptionCombo id (core.uids; `default` is HllvX50cXC0)
    name = models.CharField(_l("tên"), max_length=300)
    options = models.ManyToManyField(CategoryOption, blank=True, related_name="option_combos")
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _l("phương án tổ hợp")
        verbose_name_plural = _l("phương án tổ hợp")
        ordering = ["combo", "sort_order", "id"]

    def __str__(self):
        return self.name


class ValueType(models.TextChoices):
    INTEGER = "integer", _l("Số nguyên")
    NUMBER = "number", _l("Số")
    PERCENTAGE = "percentage", _l("Tỷ lệ (%)")
    TEXT = "text", _l("Văn bản")
    BOOLEAN = "boolean", _l("Có/Không")


NUMERIC_TYPES = (ValueType.INTEGER, ValueType.NUMBER, ValueType.PERCENTAGE)


class Aggregation(models.TextChoices):
    SUM = "sum", _l("Cộng")
    AVERAGE = "average", _l("Trung bình")
    NONE = "none", _l("Không cộng dồn")


class DataElement(models.Model):
    code = models.CharField(_l("mã"), max_length=50, unique=True)
    uid = UidField()  # DHIS2's dataElement id (core.uids)
    name = models.CharField(_l("tên"), max_length=400)
    short_name = models.CharField(_l("tên ngắn"), max_length=150, blank=True)
    description = models.TextField(_l("mô tả"), blank=True)
    value_type = models.CharField(_l("kiểu giá trị"), max_length=20, choices=ValueType.choices)
    unit_of_measure = models.CharField(_l("đơn vị tính"), max_length=50, blank=True)
    aggregation = models.CharField(
        _l("cách tổng hợp"), max_length=20, choices=Aggregation.choices, default=Aggregation.SUM
    )
    category_combo = models.ForeignKey(
        CategoryCombo, verbose_name=_l("phân tổ"), on_delete=models.PROTECT, related_name="elements"
    )
    # GBV counts are small and identifying: shown as "<5" wherever shown (statistics issue).
    sensitive = models.BooleanField(_l("số liệu nhạy cảm"), default=False)
    # Circular 10/2019/TT-BKHĐT metadata, where the element is a national indicator.
    national_code = models.CharField(_l("mã chỉ tiêu quốc gia (4 số)"), max_length=4, blank=True)
    group = models.CharField(_l("nhóm chỉ tiêu"), max_length=200, blank=True)
    disaggregation = models.CharField(_l("phân tổ chủ yếu"), max_length=300, blank=True)
    periodicity = models.CharField(_l("kỳ công bố"), max_length=100, blank=True)
    agency = models.CharField(_l("cơ quan chịu trách nhiệm"), max_length=200, blank=True)
    search = FoldedField(sources=("code", "name", "short_name", "national_code"))  # search reads

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _l("chỉ tiêu dữ liệu")
        verbose_name_plural = _l("chỉ tiêu dữ liệu")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def is_numeric(self) -> bool:
        return self.value_type in NUMERIC_TYPES

    def clean_value(self, raw: str, *, machine: bool = False) -> str:
        """The canonical stored text of a value, or a ValidationError in Vietnamese.

        Typed values are read the Vietnamese way (1.234,5); `machine` values (API, CSV) are
        plain numbers with a decimal point, as DHIS2 sends them."""
        text = (raw or "").strip()
        if text == "":
            return ""
        if self.value_type == ValueType.TEXT:
            if len(text) > 5000:
                raise ValidationError(_("Nội dung quá dài (tối đa 5.000 ký tự)."))
            return text
        if self.value_type == ValueType.BOOLEAN:
            folded = text.casefold()
            # DHIS2 also sends t / f (its value type rules: true, false, 1, 0, t, f).
            if folded in {"có", "co", "1", "true", "yes", "x"} or (machine and folded == "t"):
                return "true"
            if folded in {"không", "khong", "0", "false", "no"} or (machine and folded == "f"):
                return "false"
            raise ValidationError(_("Chỉ nhập “Có” hoặc “Không”."))
        number = stored_number(text) if machine else parse_number(text)
        if number is None:
            raise ValidationError(_("“%(value)s” không phải là số.") % {"value": text[:30]})
        if number < 0:
            raise ValidationError(_("Không nhập số âm."))
        if self.value_type == ValueType.INTEGER and number != number.to_integral_value():
            raise ValidationError(_("Chỉ nhập số nguyên (không có phần thập phân)."))
        if self.value_type == ValueType.PERCENTAGE and number > 100:
            raise ValidationError(_("Tỷ lệ phải từ 0 đến 100."))
        if number > Decimal("1e12"):
            raise ValidationError(_("Số quá lớn."))
        return format(number.normalize(), "f") if number else "0"


def display_value(element: "DataElement", text: str) -> str:
    """A stored value as users read and type it: 1.234,5 and Có/Không."""
    if text == "" or element is None:
        return text
    if element.value_type == ValueType.BOOLEAN:
        return _("Có") if text == "true" else _("Không")
    number = stored_number(text) if element.is_numeric else None
    return text if number is None else vi_number(number)


def vi_number(number: Decimal) -> str:
    whole, _dot, fraction = format(number, "f").partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = ".".join(digits[max(i - 3, 0) : i] for i in range(len(digits), 0, -3)[::-1])
    return sign + groups + ("," + fraction if fraction else "")


def stored_number(text: str) -> Decimal | None:
    """A stored value as a number: stored text is canonical ("1234.5"), never localised."""
    try:
        number = Decimal(text)
    except (InvalidOperation, TypeError):
        return None
    return number if number.is_finite() else None


def parse_number(text: str) -> Decimal | None:
    """Read a number typed the Vietnamese way (1.234,5) or the machine way (1234.5)."""
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif cleaned.count(".") > 1 or (
        cleaned.count(".") == 1
        and len(cleaned.split(".")[1]) == 3
        and cleaned.split(".")[0] not in {"", "0"}
    ):
        # "1.234" is a thousand separator in Vietnamese, not 1,234 thousandths.
        cleaned = cleaned.replace(".", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class ComputedIndicator(models.Model):
    """A ratio over summed values: factor × Σ numerator / Σ denominator, evaluated after
    aggregation (never an average of ratios). Each term is {"element": code, "combo": code|null};
    a null combo takes every option combo of the element."""

    code = models.CharField(_l("mã"), max_length=50, unique=True)
    uid = UidField()  # DHIS2's indicator id (core.uids)
    name = models.CharField(_l("tên"), max_length=400)
    numerator = models.JSONField(_l("tử số"), default=list)
    denominator = models.JSONField(_l("mẫu số"), default=list)
    factor = models.DecimalField(_l("hệ số"), max_digits=12, decimal_places=4, default=100)
    unit_of_measure = models.CharField(_l("đơn vị tính"), max_length=50, default="%")
    objective = models.PositiveSmallIntegerField(_l("mục tiêu Chiến lược"), null=True, blank=True)
    description = models.TextField(_l("mô tả"), blank=True)
    sensitive = models.BooleanField(_l("số liệu nhạy cảm"), default=False)
    # A result outside [plausible_min, plausible_max] is a data error to check, not a figure to
    # publish (a maternal mortality ratio of 43.356 per 100.000): the dashboards flag it.
    plausible_min = models.DecimalField(
        _l("giá trị hợp lý tối thiểu"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    plausible_max = models.DecimalField(
        _l("giá trị hợp lý tối đa"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    search = FoldedField(sources=("code", "name"))  # what search reads

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _l("chỉ tiêu tính toán")
        verbose_name_plural = _l("chỉ tiêu tính toán")
        ordering = ["objective", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plausible_min__isnull=True)
                | Q(plausible_max__isnull=True)
                | Q(plausible_min__lte=models.F("plausible_max")),
                name="indicator_plausible_range",
            )
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def implausible(self, value: Decimal | None) -> bool:
        """Whether a computed result lies outside the indicator's plausible range."""
        return outside(value, self.plausible_min, self.plausible_max)

    @property
    def plausible_range(self) -> str:
        """The plausible range as people read it ("0–1.000"), or "" when none is set."""
        return range_text(self.plausible_min, self.plausible_max)


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _l("Đạt ít nhất")
    AT_MOST = "at_most", _l("Không vượt quá")
    ABOUT = "about", _l("Khoảng")
    MILESTONE = "milestone", _l("Mốc (có/không)")


class Target(models.Model):
    """A target of the National Strategy 2021–2030 (or a provincial one) for one year."""

    code = models.CharField(_l("mã chỉ tiêu"), max_length=50)
    objective = models.PositiveSmallIntegerField(_l("mục tiêu"), null=True, blank=True)
    description = models.TextField(_l("nội dung"))
    year = models.PositiveSmallIntegerField(_l("năm"))
    value = models.DecimalField(
        _l("giá trị"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    value_text = models.CharField(_l("giá trị (nguyên văn)"), max_length=100, blank=True)
    direction = models.CharField(_l("chiều"), max_length=20, choices=Direction.choices)
    unit_of_measure = models.CharField(_l("đơn vị tính"), max_length=100, blank=True)
    indicator = models.ForeignKey(
        ComputedIndicator,
        verbose_name=_l("chỉ tiêu tính toán"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    source = models.CharField(_l("nguồn"), max_length=500, blank=True)
    verification = models.CharField(_l("mức kiểm chứng"), max_length=300, blank=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _l("chỉ tiêu mục tiêu")
        verbose_name_plural = _l("chỉ tiêu mục tiêu")
        ordering = ["objective", "code", "year"]
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="target_unique_year")]

    def __str__(self):
        return f"{self.code} ({self.year}): {self.value_text}"

    @classmethod
    def for_year(cls, year: int) -> dict:
        """indicator id → the target that applies in `year`: that year's, else the next milestone
        (2025, then 2030), else the last one."""
        options = defaultdict(list)
        for target in cls.objects.filter(indicator__isnull=False).select_related("indicator"):
            options[target.indicator_id].append(target)
        return {
            indicator: min(
                (t for t in targets if t.year >= year),
                key=lambda t: t.year,
                default=max(targets, key=lambda t: t.year),
            )
            for indicator, targets in options.items()
        }

    def assess(self, value: Decimal | None) -> str:
        """Whether a measured value meets the target, read in the target's direction."""
        if value is None:
            return _("Chưa có số liệu")
        if self.value is None or self.direction == Direction.MILESTONE:
            return ""
        if self.direction == Direction.AT_MOST:
            return _("Đạt") if value <= self.value else _("Chưa đạt")
        if self.direction == Direction.ABOUT:
            return (
                _("Đạt")
                if abs(value - self.value) <= abs(self.value) * Decimal("0.05")
                else _("Chưa đạt")
            )
        return _("Đạt") if value >= self.value else _("Chưa đạt")

    @property
    def verified(self) -> bool:
        return self.verification.lower().startswith("verified")


def outside(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> bool:
    """Whether `value` lies below `low` or above `high` (a missing bound does not limit)."""
    if value is None:
        return False
    return (low is not None and value < low) or (high is not None and value > high)


def range_text(low: Decimal | None, high: Decimal | None) -> str:
    """A range as people read it: "0–1.000", "≥ 5", "≤ 100"; "" without bounds."""
    if low is not None and high is not None:
        return f"{vi_number(low.normalize())}–{vi_number(high.normalize())}"
    if low is not None:
        return f"≥ {vi_number(low.normalize())}"
    if high is not None:
        return f"≤ {vi_number(high.normalize())}"
    return ""


# Validation of reported values, on DHIS2's model: rules "left side operator right side" over
# sums of cells, and min–max bounds per element. The arithmetic is indicators.validation (plain
# values); reports.validation applies it to a unit's report.


class Operator(models.TextChoices):
    EQUAL = "==", _l("bằng (=)")
    NOT_EQUAL = "!=", _l("khác (≠)")
    LESS = "<", _l("nhỏ hơn (<)")
    LESS_EQUAL = "<=", _l("không lớn hơn (≤)")
    GREATER = ">", _l("lớn hơn (>)")
    GREATER_EQUAL = ">=", _l("không nhỏ hơn (≥)")


SYMBOLS = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


class Importance(models.TextChoices):
    HIGH = "high", _l("Cao")
    MEDIUM = "medium", _l("Trung bình")
    LOW = "low", _l("Thấp")


class OnSubmit(models.TextChoices):
    BLOCK = "block", _l("Chặn nộp báo cáo cho đến khi sửa")
    EXPLAIN = "explain", _l("Cho nộp khi có giải trình")


class MissingValues(models.TextChoices):
    """DHIS2's missing value strategy, for the rule as a whole."""

    SKIP_IF_ANY = "skip_if_any", _l("Bỏ qua khi còn ô chưa nhập")
    SKIP_IF_ALL = "skip_if_all", _l("Bỏ qua khi mọi ô đều chưa nhập (ô trống tính là 0)")
    NEVER = "never", _l("Luôn kiểm tra (ô trống tính là 0)")


class ValidationRule(models.Model):
    """A check over a unit's report: Σ left side `operator` Σ right side. Each side is a list of
    terms {"element": code, "combo": code | None} (a null combo sums every column of the element)
    or {"constant": "100"}. A rule applies to a report whose form holds every element it names."""

    code = models.CharField(_l("mã"), max_length=50, unique=True)
    name = models.CharField(_l("tên"), max_length=300)
    version = models.PositiveIntegerField(default=1)  # concurrent edits never overwrite
    left = models.JSONField(_l("vế trái"), default=list)
    operator = models.CharField(_l("phép so sánh"), max_length=2, choices=Operator.choices)
    right = models.JSONField(_l("vế phải"), default=list)
    message = models.CharField(
        _l("thông báo khi vi phạm"),
        max_length=500,
        help_text=_l("Đơn vị đọc thông báo này khi số liệu không thỏa quy tắc."),
    )
    importance = models.CharField(
        _l("mức độ quan trọng"),
        max_length=10,
        choices=Importance.choices,
        default=Importance.MEDIUM,
    )
    on_submit = models.CharField(
        _l("khi nộp báo cáo"), max_length=10, choices=OnSubmit.choices, default=OnSubmit.EXPLAIN
    )
    missing = models.CharField(
        _l("ô chưa nhập"),
        max_length=20,
        choices=MissingValues.choices,
        default=MissingValues.SKIP_IF_ANY,
    )
    active = models.BooleanField(_l("đang áp dụng"), default=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _l("quy tắc kiểm tra số liệu")
        verbose_name_plural = _l("quy tắc kiểm tra số liệu")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.operator, self.operator)

    @property
    def blocking(self) -> bool:
        return self.on_submit == OnSubmit.BLOCK

    def element_codes(self) -> set[str]:
        return {t["element"] for t in [*self.left, *self.right] if t.get("element")}


class ValueBound(models.Model):
    """Min–max bounds of an element's values (of one column, or of every column), for every
    unit: a value outside is flagged for review when saved and when the report is submitted."""

    data_element = models.ForeignKey(
        DataElement, verbose_name=_l("chỉ tiêu"), on_delete=models.CASCADE, related_name="bounds"
    )
    version = models.PositiveIntegerField(default=1)  # concurrent edits never overwrite
    option_combo = models.ForeignKey(
        CategoryOptionCombo,
        verbose_name=_l("cột (phương án phân tổ)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_l("Để trống để áp dụng cho mọi cột của chỉ tiêu."),
    )
    minimum = models.DecimalField(
        _l("tối thiểu"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    maximum = models.DecimalField(
        _l("tối đa"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    note = models.CharField(_l("ghi chú"), max_length=300, blank=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _l("giới hạn giá trị (min–max)")
        verbose_name_plural = _l("giới hạn giá trị (min–max)")
        ordering = ["data_element__code", "option_combo__sort_order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum__isnull=False) | Q(maximum__isnull=False),
                name="bound_has_a_limit",
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(minimum__lte=models.F("maximum")),
                name="bound_min_le_max",
            ),
            models.UniqueConstraint(
                fields=["data_element"],
                condition=Q(option_combo__isnull=True),
                name="bound_one_per_element",
            ),
            models.UniqueConstraint(
                fields=["data_element", "option_combo"], name="bound_one_per_column"
            ),
        ]

    def __str__(self):
        column = f" [{self.option_combo.code}]" if self.option_combo_id else ""
        return f"{self.data_element.code}{column}: {self.range}"

    @property
    def range(self) -> str:
        return range_text(self.minimum, self.maximum)
