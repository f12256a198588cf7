"""Search from every page: the records a user may read, found by the words they type without
diacritics or case (docs/architecture.md, "Search"; docs/security.md, "Access rules").

Each kind of record is searched exactly as its own list reads it: the list's access rule
(`core.access.permits` on the list's URL) and the model's `for_user` scoping, nothing restated
here. The words are compared, folded (`core.text.words`), with the folded columns the models keep
(`core.text.FoldedField`): each word typed must start a word of one of the kind's columns.

GBV records are not a kind and never will be: this app does not import `cases`
(search/tests/test_search.py fails if it does)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, IntegerField, Model, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from core.access import permits
from core.text import words
from indicators.models import ComputedIndicator, DataElement
from orgs.models import Unit
from plans.models import PlanItem, Task
from reports.models import Round, Submission

MAX_LENGTH = 100  # characters typed; a longer text is refused with a message
MIN_LENGTH = 2  # folded characters, spaces left out
SHOWN = 8  # records of each kind on the page of all kinds
PAGE_SIZE = 50  # records a page when one kind is shown
COUNTED = 500  # the page of all kinds counts each kind up to this, then says "more than"


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any  # a lazy translation
    gate: str  # the URL name of the list these records are read in: its rule is the kind's
    model: type[Model]
    fields: tuple[str, ...]  # folded columns: each word typed starts a word of one of them
    order: tuple[Any, ...]
    link: Callable[[Any, Any], str]  # (record, user) → the page the result opens
    shown_with: tuple[str, ...] = ()  # related records a result shows

    def records(self, user) -> QuerySet:
        """The user's records of the kind: the model's own scoping, as its list reads them."""
        return self.model.objects.for_user(user).select_related(*self.shown_with)  # type: ignore[attr-defined]


def _catalogue_link(detail: str, fallback: Callable[[Any], str]):
    """The coordinator edits catalogue entries on their own page; other readers see the list."""

    def link(record, user) -> str:
        if permits(user, detail, record.pk):
            return reverse(detail, args=[record.pk])
        return fallback(record)

    return link


def _page(name: str):
    return lambda record, user: reverse(name, args=[record.pk])


KINDS: tuple[Kind, ...] = (
    Kind(
        key="units",
        label=_("Đơn vị"),
        gate="orgs:list",
        model=Unit,
        fields=("search",),
        order=(F("valid_to").desc(nulls_first=True), "kind", "name"),
        link=_page("orgs:detail"),
    ),
    Kind(
        key="items",
        label=_("Mục kế hoạch"),
        gate="plans:current",
        model=PlanItem,
        shown_with=("plan",),
        fields=("search",),
        order=("-plan__year", "id"),
        link=_page("plans:item"),
    ),
    Kind(
        key="tasks",
        label=_("Nhiệm vụ"),
        gate="plans:current",
        model=Task,
        shown_with=("item__plan", "unit"),
        fields=("unit__search", "item__search"),
        order=("-item__plan__year", "item_id", "unit__name"),
        link=_page("plans:task"),
    ),
    Kind(
        key="rounds",
        label=_("Đợt báo cáo"),
        gate="reports:index",
        model=Round,
        fields=("search",),
        order=("-due_on", "code"),
        link=_page("reports:round"),
    ),
    Kind(
        key="submissions",
        label=_("Báo cáo của đơn vị"),
        gate="reports:index",
        model=Submission,
        shown_with=("round", "unit"),
        fields=("unit__search", "round__search"),
        order=("-round__due_on", "round__code", "unit__name"),
        link=_page("reports:submission"),
    ),
    Kind(
        key="activities",
        label=_("Hoạt động"),
        gate="activities:list",
        model=Activity,
        shown_with=("unit",),
        fields=("search", "unit__search"),
        order=("-starts_on", "-id"),
        link=_page("activities:activity"),
    ),
    Kind(
        key="elements",
        label=_("Chỉ tiêu dữ liệu"),
        gate="indicators:elements",
        model=DataElement,
        fields=("search",),
        order=("code",),
        link=_catalogue_link(
            "indicators:element_edit",
            lambda e: f"{reverse('indicators:elements')}?{urlencode({'q': e.code})}",
        ),
    ),
    Kind(
        key="indicators",
        label=_("Chỉ tiêu tính toán"),
        gate="indicators:indicators",
        model=ComputedIndicator,
        fields=("search",),
        order=("objective", "code"),
        link=_catalogue_link(
            "indicators:indicator_edit",
            lambda i: f"{reverse('indicators:indicators')}#{i.code}",
        ),
    ),
)
BY_KEY = {kind.key: kind for kind in KINDS}


def kinds_for(user) -> list[Kind]:
    """The kinds whose list the user may open."""
    return [kind for kind in KINDS if permits(user, kind.gate)]


def problem(text: str) -> str:
    """Why what was typed is not searched, in Vietnamese, or ""."""
    if len(text) > MAX_LENGTH:
        return str(
            _("Từ khóa quá dài (%(length)s ký tự, tối đa %(max)s). Hãy gõ ngắn gọn hơn.")
            % {"length": len(text), "max": MAX_LENGTH}
        )
    if len("".join(words(text))) < MIN_LENGTH:
        return str(_("Gõ ít nhất %(min)s chữ cái hoặc chữ số để tìm.") % {"min": MIN_LENGTH})
    return ""


class Lookup:
    """The folded-text conditions of one search. A word in a related record's column (a task's
    unit, a submission's round) is looked up once in that small table and becomes a condition on
    the foreign key (indexed), not a join scanned with every row of the large one."""

    def __init__(self) -> None:
        self.related: dict[tuple[type[Model], str, str], list[int]] = {}

    def holding(self, kind: Kind, typed: list[str]) -> Q:
        """Records of `kind` where the words `typed`, in a row, start a word of one of its folded
        columns (`core.text.searchable`)."""
        text = " " + " ".join(typed)
        found = Q()
        for field in kind.fields:
            relation, _, column = field.rpartition("__")
            if not relation:
                found |= Q(**{f"{column}__contains": text})
                continue
            target = cast(type[Model], kind.model._meta.get_field(relation).related_model)
            key = (target, column, text)
            if key not in self.related:
                self.related[key] = list(
                    target._base_manager.filter(**{f"{column}__contains": text}).values_list(
                        "pk", flat=True
                    )
                )
            found |= Q(**{f"{relation}__in": self.related[key]})
        return found


def matching(kind: Kind, user, typed: list[str], lookup: Lookup | None = None) -> QuerySet:
    """The user's records of `kind` with a word starting with each word typed ("an" finds "An
    Phú", not "Ban chỉ đạo"); those with the words in a row first."""
    lookup = lookup or Lookup()
    records = kind.records(user)
    for word in typed:
        records = records.filter(lookup.holding(kind, [word]))
    phrase = lookup.holding(kind, typed)
    rank = Case(When(phrase, then=Value(0)), default=Value(1), output_field=IntegerField())
    return records.annotate(search_rank=rank).order_by("search_rank", *kind.order)


@dataclass
class Hit:
    record: Any
    url: str


@dataclass
class Group:
    kind: Kind
    hits: list[Hit]
    total: int
    page: Page | None = None  # when the page shows this kind alone
    more: bool = False  # more than `total` (COUNTED) found: the kind's own page counts them


def search(user, text: str, *, only: str = "", page: str | int | None = 1) -> list[Group]:
    """The groups of records found, one per kind the user reads (`only`: that kind, paged)."""
    typed = words(text)
    groups = []
    lookup = Lookup()
    for kind in kinds_for(user):
        if only and kind.key != only:
            continue
        found = matching(kind, user, typed, lookup)
        if only:
            shown = Paginator(found, PAGE_SIZE).get_page(page)
            hits = [Hit(r, kind.link(r, user)) for r in shown]
            groups.append(Group(kind, hits, shown.paginator.count, shown))
            continue
        first = list(found[: SHOWN + 1])
        # Counted unsorted and only so far: common words in a large table stop early.
        total = len(first) if len(first) <= SHOWN else found.order_by()[: COUNTED + 1].count()
        if total:
            hits = [Hit(r, kind.link(r, user)) for r in first[:SHOWN]]
            groups.append(Group(kind, hits, min(total, COUNTED), more=total > COUNTED))
    return groups
