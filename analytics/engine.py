"""Live aggregation: the one code path behind analytics pages, the analytics API and exports.

Every saved value counts the moment it is saved (no analytics tables, no nightly job);
`accepted_only` restricts to accepted submissions. Values count when `no_data` is false and the
stored text is a plain number: `DataValue.number`, which the database computes on every write.
They are summed in SQL, grouped by round, element, option combo and the unit's parent (or the unit
itself, see `_sums`), so a national pivot is one grouped scan, not millions of rows brought into
Python.

Units and the 2025 reform ("never rewrite history"):

- A unit's value is the sum over its subtree (Unit.parent), PLUS the subtree of every old unit
  whose successors all lie inside it (transitively): Kon Tum (cũ) → Quảng Ngãi counts into the
  province; a district split among several communes counts into the province exactly once
  (membership is a set: a unit is counted once however many of its successors are inside);
  a 1:1 rename (huyện Lý Sơn → đặc khu Lý Sơn) counts into the new unit. These folded old units
  are listed in `Result.includes`, so the figure never silently hides where it came from.
- An old unit only PART of whose successors lie inside (a district split among several
  communes, asked for one commune) is not counted into it: it is shown beside it as a history
  row labelled with the OLD unit's code (`Result.history`: old code → the units it is shown
  beside). Its own value is computed by the same rules.

Levels (`LEVEL-n`): a unit without parent is level 1 (the province, and Kon Tum (cũ)); its
children are level 2 (communes, wards, agencies and the old districts). `["51", "LEVEL-2"]`
means the level-2 units among those counted into 51; `["LEVEL-2"]` alone, every level-2 unit
the user may see.

Aggregation types: `sum`; `average` = mean of every counted value (units × combos) in the cell;
`none` = the unit's own values only, never its subtree or predecessors. Computed indicators are
factor × Σ numerator / Σ denominator over the same units (always sums, never averaged ratios);
no value when the denominator has no values or sums to 0, or the numerator has no values.

Sensitive elements (GBV counts): a reader sees exact figures only where every value counted is
their own unit's; every other figure comes from reports.disclosure's release (the same for every
reader, over every saved value whatever `accepted_only` says), as published there: "<5", "x" or
a number, with the hidden figure's value never leaving the engine (`Row.value` is None). A
sensitive average is always hidden; a computed indicator over a hidden figure is hidden, and a
sensitive one over a count the release would show as "<5" too. The engine holds no suppression
rule of its own (docs/security.md, "Disclosure control across outputs").

Stages (`aggregate`), each below under its own heading:

1. resolve (`resolve` → `Query`): codes, rounds, units and combos checked against the catalogue
   and the caller's scope; the target units and the units counted into each;
2. sum (`sum_values` → `Sums`): Σ and count per target, round, element and combo, in SQL;
3. protect (`Protection`): for each sensitive figure the reader may not see exactly, the
   release's figure or its marker instead of the sum (`element_rows` picks one or the other);
4. ratios (`ratio_rows`): computed indicators over the sums and the published figures.

`aggregate_groups` answers the same, plus groups of the unit rows (the pivot's kinds of unit and
totals), through the same stages (5. groups, below).
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from indicators.models import Aggregation, CategoryOptionCombo, ComputedIndicator, DataElement
from orgs.models import Unit
from orgs.tree import UnitTree
from reports import disclosure
from reports.models import DataValue, Round, Status

TOTAL = None  # `Row.co` of a row summing every selected option combo

# (target unit, round, element, option combo) → (Σ, number of values)
SumCount = tuple[Decimal, int]
Accumulator = dict[tuple[int, int, int, int], SumCount]


class AnalyticsError(Exception):
    """A request the engine cannot answer: `status` 400 (malformed) or 404 (unknown, or outside
    the caller's scope: the two read the same, so another unit's existence is not disclosed)."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


@dataclass(frozen=True)
class Row:
    dx: str
    pe: str
    ou: str
    co: str | None
    value: Decimal | None  # None: hidden from this reader (Result.hidden says how)


@dataclass
class Result:
    rows: list[Row]
    as_of: datetime.datetime
    accepted_only: bool
    by_combo: bool
    dx: dict = field(default_factory=dict)  # code → DataElement | ComputedIndicator
    rounds: dict = field(default_factory=dict)  # code → Round
    units: dict = field(default_factory=dict)  # code → Unit (requested and history units)
    combos: dict = field(default_factory=dict)  # code → CategoryOptionCombo
    requested_units: list = field(default_factory=list)  # codes, in order
    includes: dict = field(default_factory=dict)  # unit code → old unit codes counted into it
    history: dict = field(default_factory=dict)  # old unit code → unit codes it stands beside
    # Suppression decided from every option combo of a cell, whatever the request's shape:
    # (dx, pe, ou, co) → disclosure.LESS ("<5") or disclosure.HIDDEN ("x").
    hidden: dict = field(default_factory=dict)

    def is_sensitive(self, dx: str) -> bool:
        return bool(getattr(self.dx.get(dx), "sensitive", False))

    def marker(self, row: Row) -> str | None:
        """The marker standing for a hidden row's figure ("<5" or "x"); None for a shown one."""
        return self.hidden.get((row.dx, row.pe, row.ou, row.co))

    def text(self, row: Row) -> str:
        """A row's figure as every page, export and the API show it."""
        return self.marker(row) or display(row.value, self.is_sensitive(row.dx))


def display(value: Decimal | None, sensitive: bool) -> str:
    """A figure as the API and exports show it: "" for no value, else a plain number (integers
    as such, others to 2 decimals). Sensitive figures reach it only where the reader may see them
    (see the module); `sensitive` is kept for callers' clarity."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.quantize(Decimal("0.01"), ROUND_HALF_UP).normalize(), "f")


def displayed(result: Result) -> list[tuple[Row, str]]:
    """Every row with its displayed text, small-cell suppression applied (see the module)."""
    return [(row, result.text(row)) for row in result.rows]


def aggregate(
    *,
    user: User,
    elements: Iterable[str] = (),
    indicators: Iterable[str] = (),
    rounds: Iterable[str],
    units: Iterable[str],
    combos: list[str] | None = None,
    accepted_only: bool = False,
    by_combo: bool = False,
    statuses: Iterable[str] | None = None,
) -> Result:
    """Values of data elements and computed indicators per round and unit (see the module).

    `units` are unit codes and/or `LEVEL-n`; `combos` filters data elements' option combos (None:
    every combo; with `by_combo`, each combo gets a row and the total a row with `co=None`).
    `statuses` restricts to submissions in those states, as `accepted_only` to accepted ones (the
    synthesis counts submitted and accepted reports by default).
    Raises AnalyticsError (404 for anything unknown or outside the user's scope)."""
    tree = UnitTree()
    query = resolve(
        user=user,
        tree=tree,
        elements=list(elements),
        indicators=list(indicators),
        rounds=list(rounds),
        units=list(units),
        combos=combos,
    )
    sums = sum_values(
        query,
        user=user,
        tree=tree,
        accepted_only=accepted_only,
        statuses=None if statuses is None else list(statuses),
    )
    protection = Protection(user, tree, query.targets)
    return _unit_result(query, tree, sums, protection, accepted_only, by_combo)


def _unit_result(
    query: "Query",
    tree: UnitTree,
    sums: "Sums",
    protection: "Protection",
    accepted_only: bool,
    by_combo: bool,
) -> Result:
    """Stages 3 and 4 over every cell of the query, as a Result."""
    rows = []
    for cell in query.cells(tree):
        rows += element_rows(query, cell, sums, protection, by_combo=by_combo)
        rows += ratio_rows(query, cell, sums, protection)
    requested = set(query.element_codes)
    return Result(
        rows=rows,
        as_of=sums.latest or timezone.now(),
        accepted_only=accepted_only,
        by_combo=by_combo,
        dx={
            **{code: e for code, e in query.elements.items() if code in requested},
            **query.indicators,
        },
        rounds=query.rounds,
        units={u.code: u for u in Unit.objects.filter(pk__in=query.targets)},
        combos=query.combos,
        requested_units=[tree.code[pk] for pk in query.requested],
        includes=query.includes,
        history=query.history,
        hidden=protection.hidden,
    )


# --- 1. resolve: what the request names, in the caller's scope ----------------------------------


@dataclass(frozen=True)
class Cell:
    """One (round, unit) of the answer: its rows are the elements', then the indicators'."""

    pe: str  # the round's code
    round_: Round
    pk: int  # the target unit
    ou: str  # its code


@dataclass
class Query:
    """A request resolved against the catalogue and the caller's scope."""

    element_codes: list[str]  # the data elements asked for, as asked
    indicator_codes: list[str]  # the computed indicators asked for, as asked
    elements: dict[str, DataElement]  # those elements and the indicators' terms, by code
    indicators: dict[str, ComputedIndicator]
    term_codes: set[str]  # the elements the indicators are computed from
    # element code → (pk, [(option combo code, pk)]), read once: the stages run per cell.
    layout: dict[str, tuple[int, list[tuple[str, int]]]]
    combos: dict[str, CategoryOptionCombo]  # every option combo of those elements, by code
    combo_filter: set[str] | None  # the option combos asked for; None: every one
    rounds: dict[str, Round]  # by the round's own code
    requested: list[int]  # the requested units, in order
    targets: dict[int, frozenset]  # requested and history units → the units counted into each
    includes: dict[str, list[str]]  # see Result
    history: dict[str, list[str]]  # see Result

    def keeps(self, combo_code: str) -> bool:
        return self.combo_filter is None or combo_code in self.combo_filter

    def combo_codes(self, element_code: str) -> list[str]:
        return [code for code, _pk in self.layout[element_code][1]]

    def cells(self, tree: UnitTree) -> Iterator[Cell]:
        """Round by round: the requested units, then the old units shown beside them, by code."""
        requested = set(self.requested)
        ordered = sorted(self.targets, key=lambda pk: (pk not in requested, tree.code[pk]))
        for code, round_ in self.rounds.items():
            for pk in ordered:
                yield Cell(code, round_, pk, tree.code[pk])


def resolve(
    *,
    user: User,
    tree: UnitTree,
    elements: list[str],
    indicators: list[str],
    rounds: list[str],
    units: list[str],
    combos: list[str] | None,
) -> Query:
    """Stage 1: check every code (elements, indicators, rounds, units, combos, in that order)
    and find the targets: the requested units and the old units shown beside them."""
    indicator_objs = (
        {i.code: i for i in ComputedIndicator.objects.filter(code__in=indicators)}
        if indicators
        else {}
    )
    term_codes = {
        term["element"]
        for indicator in indicator_objs.values()
        for term in [*indicator.numerator, *indicator.denominator]
    }
    all_elements = {
        e.code: e
        for e in DataElement.objects.filter(code__in={*elements, *term_codes})
        .select_related("category_combo")
        .prefetch_related("category_combo__option_combos")
    }
    _check_known(elements, all_elements)
    _check_known(indicators, indicator_objs)
    round_objs = {r.code: r for r in _resolve_rounds(user, list(dict.fromkeys(rounds))).values()}
    requested, rows = _resolve_units(user, units, tree)
    layout, combo_objs = _layout(all_elements)
    if combos is not None:
        _check_combos(combos)
    targets, includes, history = _targets(tree, requested, rows)
    return Query(
        element_codes=elements,
        indicator_codes=indicators,
        elements=all_elements,
        indicators=indicator_objs,
        term_codes=term_codes,
        layout=layout,
        combos=combo_objs,
        combo_filter=None if combos is None else set(combos),
        rounds=round_objs,
        requested=requested,
        targets=targets,
        includes=includes,
        history=history,
    )


def _check_known(codes: list[str], found: dict) -> None:
    for code in codes:
        if code not in found:
            raise AnalyticsError(404, _("Không có chỉ tiêu mã “%(code)s”.") % {"code": code})


def _check_combos(codes: list[str]) -> None:
    known = CategoryOptionCombo.objects.filter(code__in=codes).values_list("code", flat=True)
    unknown = set(codes) - set(known)
    if unknown:
        raise AnalyticsError(
            404, _("Không có phương án phân tổ mã “%(code)s”.") % {"code": min(unknown)}
        )


def _layout(elements: dict[str, DataElement]) -> tuple[dict, dict[str, CategoryOptionCombo]]:
    """Each element's pk and option combos (see Query.layout), and every combo by code."""
    layout, combos = {}, {}
    for code, element in elements.items():
        options = list(element.category_combo.option_combos.all())
        combos.update({combo.code: combo for combo in options})
        layout[code] = (element.pk, [(combo.code, combo.pk) for combo in options])
    return layout, combos


def _resolve_rounds(user: User, codes: list[str]) -> dict[str, Round]:
    """Round codes, or DHIS2 period codes naming exactly one round the caller sees."""
    visible = list(Round.objects.for_user(user).filter(Q(code__in=codes) | Q(period__in=codes)))
    found = {}
    for code in codes:
        exact = [r for r in visible if r.code == code]
        by_period = [r for r in visible if r.period == code]
        if exact or len(by_period) == 1:
            found[code] = (exact or by_period)[0]
        elif by_period:
            raise AnalyticsError(
                400, _("Kỳ “%(code)s” ứng với nhiều đợt báo cáo: hãy dùng mã đợt.") % {"code": code}
            )
        else:
            raise AnalyticsError(404, _("Không có đợt báo cáo mã “%(code)s”.") % {"code": code})
    return found


def _resolve_units(
    user: User, specs: list[str], tree: UnitTree
) -> tuple[list[int], dict[int, frozenset]]:
    """Unit codes and `LEVEL-n` (see the module) → (unit pks the caller sees, in order; the
    units counted under each level row, `UnitTree.breakdown`: each value under one row)."""
    codes = [s for s in specs if not s.upper().startswith("LEVEL-")]
    levels = []
    for spec in specs:
        if spec.upper().startswith("LEVEL-"):
            try:
                levels.append(int(spec[6:]))
            except ValueError:
                raise AnalyticsError(
                    400, _("Cấp “%(spec)s” không hợp lệ.") % {"spec": spec}
                ) from None
    visible = frozenset(Unit.objects.for_user(user).order_by().values_list("pk", flat=True))
    by_code = {tree.code[pk]: pk for pk in visible}
    for code in codes:
        if code not in by_code:
            raise AnalyticsError(404, _("Không có đơn vị mã “%(code)s”.") % {"code": code})
    roots = [by_code[c] for c in codes]
    if not levels:
        return roots, {}
    within = frozenset().union(*(tree.closure(pk) for pk in roots)) & visible if roots else visible
    rows: dict[int, frozenset] = {}
    for level in dict.fromkeys(levels):
        rows.update(tree.breakdown(within, level))
    return sorted(rows, key=lambda pk: tree.code[pk]), rows


def _targets(tree: UnitTree, requested: list[int], rows: dict[int, frozenset]) -> tuple:
    """(target → units counted into it, includes, history): the requested units, then the old
    units shown beside them (see the module). A level row counts its share of the breakdown
    (`rows`) and has no history beside it: a history unit is outside the
    breakdown's total."""
    targets = {pk: rows.get(pk) or tree.closure(pk) for pk in requested}
    includes, history = {}, defaultdict(list)
    for pk in requested:
        folded = sorted(tree.code[u] for u in targets[pk] - tree.subtree(pk))
        if folded:
            includes[tree.code[pk]] = folded
        if pk in rows:
            continue
        for old in tree.history(pk):
            history[tree.code[old]].append(tree.code[pk])
            targets.setdefault(old, tree.closure(old))
    return targets, includes, dict(history)


# --- 2. sum: every value counted into each target, grouped in SQL --------------------------------


@dataclass
class Sums:
    """Σ and count of the values per (target, round, element, combo)."""

    counted: Accumulator = field(default_factory=dict)  # over the units counted into the target
    own: Accumulator = field(default_factory=dict)  # the target's own values (aggregation `none`)
    latest: datetime.datetime | None = None  # the newest value counted

    def of(self, element: DataElement) -> Accumulator:
        return self.own if element.aggregation == Aggregation.NONE else self.counted


def sum_values(
    query: Query,
    *,
    user: User,
    tree: UnitTree,
    accepted_only: bool,
    statuses: list[str] | None = None,
    own_units: dict[int, frozenset] | None = None,
) -> Sums:
    """Stage 2: the values the caller sees in the query's rounds, summed into every target.

    Elements aggregated `none` are summed over each target's own values only (`own_units`: the
    units whose values are a target's own; by default the target unit alone); the indicators'
    terms are always summed over the target's units."""
    values = DataValue.objects.for_user(user).filter(
        round_id__in=[r.pk for r in query.rounds.values()], number__isnull=False
    )
    if accepted_only:
        values = values.filter(submission__status=Status.ACCEPTED)
    if statuses is not None:
        values = values.filter(submission__status__in=statuses)
    requested = set(query.element_codes)
    summed = [
        e.pk
        for code, e in query.elements.items()
        if code in query.term_codes or (code in requested and e.aggregation != Aggregation.NONE)
    ]
    own = [
        e.pk
        for code, e in query.elements.items()
        if code in requested and e.aggregation == Aggregation.NONE
    ]
    sums = Sums()
    if summed and query.targets:
        sums.latest = _grouped_sums(values, query.targets, tree.parent, summed, sums.counted)
    if own and query.targets:
        own_targets = own_units or {pk: frozenset({pk}) for pk in query.targets}
        newest = _grouped_sums(values, own_targets, tree.parent, own, sums.own)
        sums.latest = _newest(sums.latest, newest)
    return sums


def _newest(*times: datetime.datetime | None) -> datetime.datetime | None:
    found = [t for t in times if t is not None]
    return max(found) if found else None


def _buckets(targets: dict[int, frozenset], parent: dict) -> list[tuple[set, str, dict]]:
    """How SQL groups the values: [(units, column grouped by, group → targets it counts into)].

    A value counts into every target whose unit set holds its unit. Rather than test each value
    against the targets' unit lists, SQL groups by a plain column: the unit's parent for the units
    that count into the same targets as most of their siblings (a province's communes in a
    national pivot), the unit itself for the others; each group is then added to its targets."""
    into = defaultdict(set)  # unit → the targets it counts into
    for target, members in targets.items():
        for unit in members:
            into[unit].add(target)
    # parent → how many of its children count into each target set
    kinds: defaultdict[int, Counter[frozenset]] = defaultdict(Counter)
    for unit, found in into.items():
        if parent[unit] is not None:
            kinds[parent[unit]][frozenset(found)] += 1
    shared = {pk: counter.most_common(1)[0][0] for pk, counter in kinds.items()}
    by_parent = {
        u for u, found in into.items() if parent[u] is not None and found == shared[parent[u]]
    }
    return [(by_parent, "unit__parent_id", shared), (set(into) - by_parent, "unit_id", into)]


def _grouped_sums(
    values: QuerySet,
    targets: dict[int, frozenset],
    parent: dict,
    element_ids: list[int],
    acc: Accumulator,
) -> datetime.datetime | None:
    """Add Σ and count per (target, round, element, combo) to `acc`; return the newest time
    (see `_buckets`)."""
    latest = None
    for units, bucket, counts_into in _buckets(targets, parent):
        if not units:
            continue
        grouped = (
            values.filter(unit_id__in=sorted(units), data_element_id__in=element_ids)
            .values_list(bucket, "round_id", "data_element_id", "option_combo_id")
            .annotate(Sum("number"), Count("id"), Max("updated_at"))
            .order_by()
        )
        for bucket_id, round_id, element_id, combo_id, total, n, last in grouped:
            # .get: a unit moved to another parent since the tree was read counts from the next
            # request on.
            for target in counts_into.get(bucket_id, ()):
                key = (target, round_id, element_id, combo_id)
                before = acc.get(key)
                acc[key] = (total, n) if before is None else (before[0] + total, before[1] + n)
            latest = _newest(latest, last)
    return latest


# --- 3. protect: sensitive figures through reports.disclosure -----------------------------------


class Protection:
    """Disclosure control for one call (docs/security.md, "Disclosure control across outputs").

    A reader sees a sensitive element's exact sum only where every value counted is their own
    unit's (`withholds`); everywhere else reports.disclosure's release of the (round, element),
    built once per call, stands in: a published figure, a sum of shown published figures, or a
    marker. `hidden` collects the markers of every hidden row ((dx, pe, ou, co) → "<5" | "x").
    A level row that counts less than its unit's closure (`UnitTree.breakdown`) has no figure of
    its own in the release: its withheld figures are hidden ("x"), never worked out here."""

    def __init__(self, user: User, tree: UnitTree, targets: dict[int, frozenset] | None = None):
        self.user, self.tree, self.targets = user, tree, targets or {}
        self.releases: dict[tuple[int, int], disclosure.Release] = {}
        self.hidden: dict[tuple, str] = {}

    def release(self, round_: Round, element: DataElement) -> disclosure.Release:
        key = (round_.pk, element.pk)
        if key not in self.releases:
            self.releases[key] = disclosure.release(
                round_id=round_.pk, element=element, tree=self.tree
            )
        return self.releases[key]

    def _members(self, round_: Round, element: DataElement, pk: int) -> frozenset:
        own_only = element.aggregation == Aggregation.NONE
        return self.release(round_, element).members(pk, own_only=own_only)

    def _unpublished(self, round_: Round, element: DataElement, pk: int) -> bool:
        """Whether the units counted into `pk` are not a set the release publishes (a level
        row counting less than its closure)."""
        counted = self.targets.get(pk)
        if counted is None or element.aggregation == Aggregation.NONE:
            return False
        release = self.release(round_, element)
        return counted & release.data != release.members(pk)

    def withholds(self, element: DataElement, round_: Round, pk: int) -> bool:
        """Whether the reader gets the release rather than the sum: a sensitive element where
        some value counted into `pk` is not the reader's own unit's."""
        if not element.sensitive:
            return False
        members = self._members(round_, element, pk)
        return not (members <= {self.user.unit_id} and disclosure.sees_exact(self.user, pk))

    def hide(self, key: tuple, marker: str = disclosure.HIDDEN) -> None:
        self.hidden[key] = marker

    def _set(
        self, element: DataElement, round_: Round, pk: int, members: frozenset | None
    ) -> tuple[frozenset, bool]:
        """(the set of reporting units a figure is the total of, whether the release publishes
        none for it): the target's, or `members` given (a group's, which has no unit)."""
        if members is None:
            return self._members(round_, element, pk), self._unpublished(round_, element, pk)
        return members, members not in self.release(round_, element).totals

    def term(
        self,
        element: DataElement,
        round_: Round,
        pk: int,
        combo: str | None,
        members: frozenset | None = None,
    ) -> tuple[Decimal | None, bool]:
        """(published figure or None, whether it is hidden) of an indicator's term."""
        release = self.release(round_, element)
        members, unpublished = self._set(element, round_, pk, members)
        if not release.combos_present(members):
            return None, False
        if element.aggregation == Aggregation.AVERAGE or unpublished:
            return None, True
        value, marker = release.total(members) if combo is None else release.combo(members, combo)
        return (None, True) if marker or value is None else (Decimal(value), False)

    def rows(
        self,
        element: DataElement,
        cell: Cell,
        *,
        options: list[str],
        combos: set[str] | None,
        by_combo: bool,
        members: frozenset | None = None,
    ) -> list[Row]:
        """An element's rows in a cell from the release: one per combo (and the total) with
        `by_combo`, else the total of the chosen combos (of the cell's unit, or of `members`)."""
        release = self.release(cell.round_, element)
        members, unpublished = self._set(element, cell.round_, cell.pk, members)
        present = release.combos_present(members)
        chosen = [c for c in options if c in present and (combos is None or c in combos)]
        if not chosen:
            return []
        figures: list[tuple[str | None, int | None, str | None]]
        if unpublished:
            hidden = (None, disclosure.HIDDEN)
            figures = [(combo, *hidden) for combo in chosen] if by_combo else [(TOTAL, *hidden)]
        elif by_combo:
            figures = [(combo, *release.combo(members, combo)) for combo in chosen]
            if combos is None and len(options) > 1:
                figures.append((TOTAL, *release.total(members)))
        else:
            figures = [(TOTAL, *_published_total(release, members, chosen, present))]
        return [self._row(element, cell, co, value, marker) for co, value, marker in figures]

    def _row(
        self, element: DataElement, cell: Cell, co: str | None, value, marker: str | None
    ) -> Row:
        if element.aggregation == Aggregation.AVERAGE:
            value, marker = None, disclosure.HIDDEN  # a mean of hidden figures is never shown
        if marker:
            self.hide((element.code, cell.pe, cell.ou, co), marker)
        return Row(element.code, cell.pe, cell.ou, co, None if marker else Decimal(value))

    def guard_rate(self, key: tuple, indicator: ComputedIndicator, counts: tuple) -> None:
        """A sensitive rate over a count the release would show as "<5" is hidden: it would give
        the count away."""
        if gives_count_away(indicator, counts):
            self.hide(key)


def gives_count_away(indicator: ComputedIndicator, counts: tuple) -> bool:
    """Whether a sensitive rate is over a count the release would show as "<5"."""
    counted = {i: n for i, n in enumerate(counts) if n is not None}
    return bool(indicator.sensitive and disclosure.primary_cells(counted))


def _published_total(
    release: disclosure.Release, members: frozenset, chosen: list[str], present: set
) -> tuple[int | None, str | None]:
    """The chosen combos' total as published: the release's total (every combo present), one
    combo's figure, or a sum of shown figures (hidden when any part is)."""
    if set(chosen) == present:
        return release.total(members)
    if len(chosen) == 1:
        return release.combo(members, chosen[0])
    parts = [release.combo(members, combo) for combo in chosen]
    shown = [value for value, marker in parts if not marker and value is not None]
    if len(shown) < len(parts):
        return None, disclosure.HIDDEN
    return sum(shown), None


def element_rows(
    query: Query, cell: Cell, sums: Sums, protection: Protection, *, by_combo: bool
) -> list[Row]:
    """The data elements' rows of a cell: the sums, or the release where it stands in."""
    rows = []
    for code in query.element_codes:
        element = query.elements[code]
        if protection.withholds(element, cell.round_, cell.pk):
            rows += protection.rows(
                element,
                cell,
                options=query.combo_codes(code),
                combos=query.combo_filter,
                by_combo=by_combo,
            )
        else:
            rows += _summed_rows(query, cell, sums.of(element), element, by_combo=by_combo)
    return rows


def _summed_rows(
    query: Query, cell: Cell, source: Accumulator, element: DataElement, *, by_combo: bool
) -> list[Row]:
    """An element's rows in a cell from the sums: per combo (and the total) with `by_combo`,
    else the total; an `average` element's figure is the mean of every value counted."""
    element_id, options = query.layout[element.code]
    cells = {}
    for combo_code, combo_id in options:
        part = source.get((cell.pk, cell.round_.pk, element_id, combo_id))
        if part is not None and query.keeps(combo_code):
            cells[combo_code] = part
    if not cells:
        return []
    value = _mean if element.aggregation == Aggregation.AVERAGE else _total

    def row(co: str | None, parts: Iterable[SumCount]) -> Row:
        return Row(element.code, cell.pe, cell.ou, co, value(parts))

    if not by_combo:
        return [row(TOTAL, cells.values())]
    rows = [row(combo_code, [part]) for combo_code, part in cells.items()]
    if query.combo_filter is None and len(options) > 1:
        rows.append(row(TOTAL, cells.values()))
    return rows


def _total(parts: Iterable[SumCount]) -> Decimal:
    return sum((total for total, _n in parts), Decimal(0))


def _mean(parts: Iterable[SumCount]) -> Decimal:
    parts = list(parts)
    return _total(parts) / sum(n for _total, n in parts)


# --- 4. ratios: computed indicators ------------------------------------------------------------


def ratio_rows(query: Query, cell: Cell, sums: Sums, protection: Protection) -> list[Row]:
    """The computed indicators' rows of a cell: factor × Σ numerator / Σ denominator over the
    sums, or over the published figures where the release stands in; hidden when a term is."""

    def term(code: str, combo: str | None) -> tuple[Decimal | None, bool]:
        element = query.elements[code]
        if protection.withholds(element, cell.round_, cell.pk):
            return protection.term(element, cell.round_, cell.pk, combo)
        return _term_sum(query.layout[code], sums.counted, cell, combo), False

    rows = []
    for code in query.indicator_codes:
        indicator = query.indicators[code]
        ratio, counts, over_hidden = _ratio(indicator, term)
        key = (code, cell.pe, cell.ou, TOTAL)
        if over_hidden:
            rows.append(Row(*key, None))
            protection.hide(key)
        elif ratio is not None:
            rows.append(Row(*key, ratio))
            protection.guard_rate(key, indicator, counts)
    return rows


def _term_sum(layout_entry, acc: Accumulator, cell: Cell, combo: str | None) -> Decimal | None:
    """Σ of an element's values counted into the cell's unit (one combo, or all), None without
    values."""
    element_id, options = layout_entry
    found, result = False, Decimal(0)
    for combo_code, combo_id in options:
        if combo not in (None, combo_code):
            continue
        part = acc.get((cell.pk, cell.round_.pk, element_id, combo_id))
        if part is not None:
            found, result = True, result + part[0]
    return result if found else None


def _ratio(
    indicator: ComputedIndicator, term: Callable[[str, str | None], tuple[Decimal | None, bool]]
) -> tuple[Decimal | None, tuple, bool]:
    """(factor × Σnumerator / Σdenominator or None, (Σnumerator, Σdenominator), whether a term
    is hidden from the reader). `term(element code, combo)` → (Σ or None, hidden)."""

    def total(terms: list[dict]) -> tuple[Decimal | None, bool]:
        found, result, hidden = False, Decimal(0), False
        for item in terms:
            value, secret = term(item["element"], item.get("combo"))
            hidden = hidden or secret
            if value is not None:
                found, result = True, result + value
        return (result if found else None), hidden

    (numerator, hidden_n), (denominator, hidden_d) = (
        total(indicator.numerator),
        total(indicator.denominator),
    )
    if hidden_n or hidden_d:
        return None, (numerator, denominator), True
    if numerator is None or not denominator:
        return None, (numerator, denominator), False
    return indicator.factor * numerator / denominator, (numerator, denominator), False


# --- 5. groups of unit rows: the pivot's kinds of unit and its totals ---------------------------


def aggregate_groups(
    *,
    user: User,
    elements: Iterable[str] = (),
    indicators: Iterable[str] = (),
    rounds: Iterable[str],
    units: Iterable[str],
    group_of: Callable[[Unit], Iterable[str]],
    combos: list[str] | None = None,
    accepted_only: bool = False,
    by_combo: bool = False,
) -> tuple[Result, Result]:
    """`aggregate` over `units`, and one row per group of its requested units: `group_of(unit)`
    names the groups a unit's row belongs to (a kind of unit, the total of the rows shown).

    A group is counted as a unit would be, over the union of its rows' units: the sums (or
    means) of every value counted into them, computed indicators over those sums. A sensitive
    figure withheld from the reader in any of its rows is, for the group, the release's figure
    of the group's reporting units where the release publishes one (every row of a unit's
    breakdown: that unit's own figure), else the sum of the rows' figures as the reader gets
    them — hidden ("x") when any of them is hidden or when the rows overlap — so a group never
    says more than the release does (reports.disclosure: a published figure, or a sum of shown
    published figures). Returns (the units' Result, the groups' Result, whose `ou` are the group
    keys, in the order they were first named)."""
    tree = UnitTree()
    query = resolve(
        user=user,
        tree=tree,
        elements=list(elements),
        indicators=list(indicators),
        rounds=list(rounds),
        units=list(units),
        combos=combos,
    )
    sums = sum_values(query, user=user, tree=tree, accepted_only=accepted_only)
    protection = Protection(user, tree, query.targets)
    by_units = _unit_result(query, tree, sums, protection, accepted_only, by_combo)
    objects = {u.pk: u for u in Unit.objects.filter(pk__in=query.requested)}
    members: dict[str, list[int]] = {}
    for pk in query.requested:
        for key in group_of(objects[pk]):
            members.setdefault(key, []).append(pk)
    groups = [
        Group(key, -(n + 1), pks, frozenset().union(*(query.targets[pk] for pk in pks)))
        for n, (key, pks) in enumerate(members.items())  # a group's id is never a unit's pk
    ]
    group_sums = sum_values(
        replace(query, targets={g.pk: g.units for g in groups}),
        user=user,
        tree=tree,
        accepted_only=accepted_only,
        own_units={g.pk: frozenset(g.rows) for g in groups},
    )
    figures = GroupFigures(query, sums, group_sums, protection, by_combo=by_combo)
    rows = []
    for pe, round_ in query.rounds.items():
        for group in groups:
            cell = Cell(pe, round_, group.pk, group.key)
            parts = [Cell(pe, round_, pk, tree.code[pk]) for pk in group.rows]
            disjoint = sum(len(query.targets[pk]) for pk in group.rows) == len(group.units)
            rows += figures.element_rows(group, cell, parts, disjoint=disjoint)
            rows += figures.ratio_rows(group, cell, parts, disjoint=disjoint)
    latest = _newest(sums.latest, group_sums.latest)
    return by_units, Result(
        rows=rows,
        as_of=latest or by_units.as_of,
        accepted_only=accepted_only,
        by_combo=by_combo,
        dx=by_units.dx,
        rounds=query.rounds,
        combos=query.combos,
        requested_units=list(members),
        hidden=figures.hidden,
    )


@dataclass(frozen=True)
class Group:
    key: str  # the caller's name for it
    pk: int  # its target id in the sums (negative)
    rows: list[int]  # the unit rows it adds up
    units: frozenset  # the units counted into them


class GroupFigures:
    """The rows of groups of unit rows (see `aggregate_groups`): from the groups' own sums where
    the reader sees every row's figure as summed, else from the release."""

    def __init__(
        self, query: Query, sums: Sums, group_sums: Sums, protection: Protection, *, by_combo: bool
    ):
        self.query, self.by_combo = query, by_combo
        self.sums, self.group_sums, self.protection = sums, group_sums, protection
        self.hidden: dict[tuple, str] = {}

    def _withheld(self, element: DataElement, parts: list[Cell]) -> bool:
        return any(self.protection.withholds(element, p.round_, p.pk) for p in parts)

    def _published(self, element: DataElement, group: Group, round_: Round) -> frozenset | None:
        """The group's reporting units when the release publishes a figure of theirs."""
        release = self.protection.release(round_, element)
        own = element.aggregation == Aggregation.NONE
        members = (frozenset(group.rows) if own else group.units) & release.data
        return members if members in release.totals else None

    def _options(self, element: DataElement) -> dict:
        return {
            "options": self.query.combo_codes(element.code),
            "combos": self.query.combo_filter,
            "by_combo": self.by_combo,
        }

    def _part_rows(self, element: DataElement, part: Cell) -> list[Row]:
        if self.protection.withholds(element, part.round_, part.pk):
            return self.protection.rows(element, part, **self._options(element))
        source = self.sums.of(element)
        return _summed_rows(self.query, part, source, element, by_combo=self.by_combo)

    def _from_release(self, element: DataElement, cell: Cell, members: frozenset) -> list[Row]:
        rows = self.protection.rows(element, cell, members=members, **self._options(element))
        for row in rows:
            marker = self.protection.hidden.pop((row.dx, row.pe, row.ou, row.co), None)
            if marker:
                self.hidden[(row.dx, row.pe, row.ou, row.co)] = marker
        return rows

    def _added(self, element: DataElement, cell: Cell, parts: list[Cell], disjoint: bool):
        added: dict[str | None, Decimal | None] = {}
        for part in parts:
            for row in self._part_rows(element, part):
                before = added.get(row.co, Decimal(0))
                if disjoint and before is not None and row.value is not None:
                    added[row.co] = before + row.value
                else:
                    added[row.co] = None
        rows = []
        for co, value in added.items():
            if value is None:
                self.hidden[(element.code, cell.pe, cell.ou, co)] = disclosure.HIDDEN
            rows.append(Row(element.code, cell.pe, cell.ou, co, value))
        return rows

    def element_rows(
        self, group: Group, cell: Cell, parts: list[Cell], *, disjoint: bool
    ) -> list[Row]:
        rows = []
        for code in self.query.element_codes:
            element = self.query.elements[code]
            if not self._withheld(element, parts):
                source = self.group_sums.of(element)
                rows += _summed_rows(self.query, cell, source, element, by_combo=self.by_combo)
                continue
            members = self._published(element, group, cell.round_)
            if members is not None:
                rows += self._from_release(element, cell, members)
            else:
                rows += self._added(element, cell, parts, disjoint)
        return rows

    def _term(
        self, group: Group, cell: Cell, parts: list[Cell], disjoint: bool, code: str, combo
    ) -> tuple[Decimal | None, bool]:
        element = self.query.elements[code]
        layout = self.query.layout[code]
        if not self._withheld(element, parts):
            return _term_sum(layout, self.group_sums.counted, cell, combo), False
        members = self._published(element, group, cell.round_)
        if members is not None:
            return self.protection.term(element, cell.round_, cell.pk, combo, members=members)
        if not disjoint:
            return None, True
        found, total = False, Decimal(0)
        for part in parts:
            if self.protection.withholds(element, part.round_, part.pk):
                value, hidden = self.protection.term(element, part.round_, part.pk, combo)
                if hidden:
                    return None, True
            else:
                value = _term_sum(layout, self.sums.counted, part, combo)
            if value is not None:
                found, total = True, total + value
        return (total if found else None), False

    def ratio_rows(
        self, group: Group, cell: Cell, parts: list[Cell], *, disjoint: bool
    ) -> list[Row]:
        rows = []
        for code in self.query.indicator_codes:
            indicator = self.query.indicators[code]
            ratio, counts, over_hidden = _ratio(
                indicator, lambda term, combo: self._term(group, cell, parts, disjoint, term, combo)
            )
            key = (code, cell.pe, cell.ou, TOTAL)
            if over_hidden or (ratio is not None and gives_count_away(indicator, counts)):
                self.hidden[key] = disclosure.HIDDEN
                rows.append(Row(*key, None))
            elif ratio is not None:
                rows.append(Row(*key, ratio))
        return rows
