"""The pivot's choices (analytics.pivot): the axes, each dimension's items, the options — all GET
parameters, so that the page's address is the layout (bookmarked, shared, reloaded)."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from indicators.models import ComputedIndicator, DataElement

from .. import pivot

AXIS_LIMIT = 2  # dimensions on the rows, and on the columns
CHARTS = [
    ("bar", gettext_lazy("Cột")),
    ("line", gettext_lazy("Đường")),
    ("none", gettext_lazy("Không vẽ")),
]


class AxisField(forms.MultipleChoiceField):
    """Dimensions in the order given (two selects of one name); "—" (empty) left out."""

    def __init__(self, **kwargs):
        super().__init__(choices=list(pivot.DIMENSIONS.items()), required=False, **kwargs)

    def to_python(self, value):
        return [item for item in super().to_python(value) if item]

    def validate(self, value):
        super().validate(value)
        if len(value) > AXIS_LIMIT:
            raise ValidationError(_("Tối đa %(n)s chiều mỗi phía.") % {"n": AXIS_LIMIT})
        if len(set(value)) < len(value):
            raise ValidationError(_("Một chiều chỉ đặt một lần."))


def _boxes(label, **kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, widget=forms.CheckboxSelectMultiple, **kwargs
    )


@dataclass
class Option:
    value: str
    label: str
    checked: bool


@dataclass
class Picker:
    """A checkbox list as the page draws it (a filter box added by the script)."""

    name: str
    label: str
    groups: list[tuple[str, list[Option]]]
    none: str  # what no box ticked means
    filterable: bool = True

    @property
    def options(self) -> list[Option]:
        return [option for _label, options in self.groups for option in options]

    @property
    def summary(self) -> str:
        ticked = [o.label for o in self.options if o.checked]
        if not ticked:
            return self.none
        if len(ticked) <= 2:
            return ", ".join(ticked)
        return _("đã chọn %(n)s/%(total)s") % {"n": len(ticked), "total": len(self.options)}


class PivotForm(forms.Form):
    row = AxisField(label=gettext_lazy("Dòng"))
    col = AxisField(label=gettext_lazy("Cột"))
    dx = _boxes(gettext_lazy("Chỉ tiêu"))
    pe = _boxes(gettext_lazy("Đợt báo cáo"))
    level = forms.ChoiceField(
        label=gettext_lazy("Xem đơn vị"),
        choices=list(pivot.LEVELS.items()),
        required=False,
        widget=forms.RadioSelect,
    )
    kind = _boxes(gettext_lazy("Loại đơn vị"))
    unit = _boxes(gettext_lazy("Đơn vị"))
    sex = _boxes(gettext_lazy("Giới tính"), choices=list(pivot.SEX.items()))
    accepted_only = forms.BooleanField(label=gettext_lazy("Chỉ báo cáo đã duyệt"), required=False)
    show_empty = forms.BooleanField(
        label=gettext_lazy("Hiện cả dòng, cột không có số liệu"), required=False
    )
    chart = forms.ChoiceField(
        label=gettext_lazy("Biểu đồ"), choices=CHARTS, required=False, widget=forms.RadioSelect
    )

    def __init__(self, data: QueryDict, *, user: User):
        super().__init__(data)
        self.params = data  # the page's GET parameters (the layout), in their order
        indicators = [(i.code, i.name) for i in ComputedIndicator.objects.order_by("code")]
        in_forms = DataElement.objects.filter(rows__isnull=False).distinct().order_by("code")
        elements = [(e.code, e.name) for e in in_forms if e.is_numeric]
        self.dx_groups = [
            (_("Chỉ tiêu tính toán (tỷ lệ, tỷ số)"), indicators),
            (_("Chỉ tiêu số liệu"), elements),
        ]
        self._choose("dx", indicators + elements)
        self._choose("pe", [(r.code, r.name) for r in pivot.round_choices(user)])
        self.whole_province = user.sees_whole_province
        if self.whole_province:
            units = pivot.unit_rows(user)
            kinds = dict.fromkeys(u.kind for u in units)
            self._choose("kind", [(k, pivot.kind_label(k)) for k in pivot.KINDS if k in kinds])
            self.unit_groups = [
                (pivot.kind_label(k), [(u.code, u.name) for u in units if u.kind == k])
                for k in kinds
            ]
            self._choose("unit", [(u.code, u.name) for u in units])
        else:
            self.unit_groups = []
            for name in ("level", "kind", "unit"):
                del self.fields[name]

    def _choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def _choices(self, name: str) -> list[tuple[str, str]]:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return list(field.choices)  # type: ignore[arg-type]

    @classmethod
    def defaults(cls, user: User) -> QueryDict:
        """The first page: the strategy's computed indicators over the latest rounds."""
        data = QueryDict(mutable=True)
        data.setlist("row", ["dx"])
        data.setlist("col", ["pe"])
        data.setlist(
            "dx", list(ComputedIndicator.objects.order_by("code").values_list("code", flat=True))
        )
        data.setlist("pe", [r.code for r in pivot.round_choices(user)][-4:])
        data["chart"] = "bar"
        return data

    def clean(self):
        data = super().clean()
        rows, columns = data.get("row") or [], data.get("col") or []
        both = set(rows) & set(columns)
        if both:
            raise ValidationError(
                _("“%(name)s” vừa ở dòng vừa ở cột: hãy chọn một chỗ.")
                % {"name": pivot.DIMENSIONS[min(both)]}
            )
        return data

    def layout(self) -> pivot.Layout:
        data = self.cleaned_data
        return pivot.Layout(
            rows=data["row"],
            columns=data["col"],
            dx=data["dx"],
            pe=data["pe"],
            level=data.get("level") or "province",
            kinds=data.get("kind") or [],
            units=data.get("unit") or [],
            sex=data["sex"],
            accepted_only=data["accepted_only"],
            show_empty=data["show_empty"],
        )

    def axis(self, name: str) -> list[str]:
        """The dimensions chosen for an axis, two places ("" for "—")."""
        chosen = self.params.getlist(name)
        chosen = [c for c in chosen if c in pivot.DIMENSIONS]
        return (chosen + ["", ""])[:AXIS_LIMIT]

    def _ticked(self, name: str) -> set[str]:
        return set(self.params.getlist(name))

    def _picker(self, name: str, groups, none: str, filterable: bool = True) -> Picker:
        ticked = self._ticked(name)
        return Picker(
            name=name,
            label=str(self.fields[name].label),
            groups=[
                (label, [Option(value, str(text), value in ticked) for value, text in options])
                for label, options in groups
                if options
            ],
            none=none,
            filterable=filterable,
        )

    def pickers(self) -> dict[str, Picker]:
        found = {
            "dx": self._picker("dx", self.dx_groups, _("chưa chọn")),
            "pe": self._picker("pe", [("", self._choices("pe"))], _("chưa chọn"), False),
            "sex": self._picker("sex", [("", self._choices("sex"))], _("mặc định"), False),
        }
        if self.whole_province:
            found["kind"] = self._picker("kind", [("", self._choices("kind"))], _("tất cả"), False)
            found["unit"] = self._picker("unit", self.unit_groups, _("tất cả"))
        return found

    def query(self) -> str:
        """The layout as a query string (without `format`): the table's own address."""
        data = self.params.copy()
        data.pop("format", None)
        return data.urlencode()
