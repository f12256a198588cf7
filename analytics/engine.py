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
sensitive average is always hidden; a computed indicator over a hidden figure is hidden.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Aggregation, CategoryOptionCombo, ComputedIndicator, DataElement
from orgs.models import Unit
from orgs.tree import UnitTree
from reports import disclosure
from reports.models import DataValue, Round, Status

SUPPRESSED = disclosure.LESS
SECONDARY = disclosure.HIDDEN  # hidden so that a suppressed cell cannot be recomputed from it
TOTAL = None  # `Row.co` of a row summing every selected option combo


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
    # (dx, pe, ou, co) → SUPPRESSED ("<5") or SECONDARY ("x").
    hidden: dict = field(default_factory=dict)

    def is_sensitive(self, dx: str) -> bool:
        return bool(getattr(self.dx.get(dx), "sensitive", False))

    def text(self, row: Row) -> str:
        """A row's figure as every page, export and the API show it."""
        marker = self.hidden.get((row.dx, row.pe, row.ou, row.co))
        return marker or display(row.value, self.is_sensitive(row.dx))


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


def _small(value: Decimal | None) -> bool:
    return value is not None and 0 < value < 5


def _resolve_rounds(user, codes) -> dict[str, Round]:
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


def _resolve_units(user, specs, tree: UnitTree) -> list[int]:
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
    visible = set(Unit.objects.for_user(user).order_by().values_list("pk", flat=True))
    by_code = {tree.code[pk]: pk for pk in visible}
    for code in codes:
        if code not in by_code:
            raise AnalyticsError(404, _("Không có đơn vị mã “%(code)s”.") % {"code": code})
    roots = [by_code[c] for c in codes]
    if not levels:
        return roots
    within = set().union(*(tree.closure(pk) for pk in roots)) if roots else visible
    picked = [pk for pk in within & visible if tree.level(pk) in levels]
    return sorted(picked, key=lambda pk: tree.code[pk])


def _sums(values, targets: dict[int, frozenset], parent: dict, element_ids, acc, latest):
    """Add Σ and count per (target, round, element, combo) to `acc`; return the newest time.

    A value counts into every target whose unit set holds its unit. Rather than test each value
    against the targets' unit lists, SQL groups by a plain column: the unit's parent for the units
    that count into the same targets as most of their siblings (a province's communes in a
    national pivot), the unit itself for the others; each group is then added to its targets."""
    into = defaultdict(set)  # unit → the targets it counts into
    for target, members in targets.items():
        for unit in members:
            into[unit].add(target)
    kinds = defaultdict(Counter)  # parent → how many of its children count into each target set
    for unit, found in into.items():
        if parent[unit] is not None:
            kinds[parent[unit]][frozenset(found)] += 1
    shared = {pk: counter.most_common(1)[0][0] for pk, counter in kinds.items()}
    by_parent = {
        u for u, found in into.items() if parent[u] is not None and found == shared[parent[u]]
    }
    for units, bucket, counts_into in (
        (by_parent, "unit__parent_id", shared),
        (set(into) - by_parent, "unit_id", into),
    ):
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
            latest = last if latest is None or last > latest else latest
    return latest


def aggregate(
    *,
    user,
    elements: list[str] = (),
    indicators: list[str] = (),
    rounds: list[str],
    units: list[str],
    combos: list[str] | None = None,
    accepted_only: bool = False,
    by_combo: bool = False,
) -> Result:
    """Values of data elements and computed indicators per round and unit (see the module).

    `units` are unit codes and/or `LEVEL-n`; `combos` filters data elements' option combos (None:
    every combo; with `by_combo`, each combo gets a row and the total a row with `co=None`).
    Raises AnalyticsError (404 for anything unknown or outside the user's scope)."""
    tree = UnitTree()
    element_objs = {e.code: e for e in DataElement.objects.filter(code__in=elements)}
    indicator_objs = {i.code: i for i in ComputedIndicator.objects.filter(code__in=indicators)}
    for code in elements:
        if code not in element_objs:
            raise AnalyticsError(404, _("Không có chỉ tiêu mã “%(code)s”.") % {"code": code})
    for code in indicators:
        if code not in indicator_objs:
            raise AnalyticsError(404, _("Không có chỉ tiêu mã “%(code)s”.") % {"code": code})
    round_objs = {r.code: r for r in _resolve_rounds(user, list(dict.fromkeys(rounds))).values()}
    target_ids = _resolve_units(user, list(units), tree)

    term_codes = {
        term["element"]
        for indicator in indicator_objs.values()
        for term in [*indicator.numerator, *indicator.denominator]
    }
    all_elements = {
        e.code: e
        for e in DataElement.objects.filter(code__in=set(element_objs) | term_codes)
        .select_related("category_combo")
        .prefetch_related("category_combo__option_combos")
    }
    combo_objs = {}
    # element code → (pk, [(option combo code, pk)]), read once: the loops below run per cell.
    layout = {}
    for code, element in all_elements.items():
        options = list(element.category_combo.option_combos.all())
        combo_objs.update({combo.code: combo for combo in options})
        layout[code] = (element.pk, [(combo.code, combo.pk) for combo in options])
    if combos is not None:
        unknown = set(combos) - set(
            CategoryOptionCombo.objects.filter(code__in=combos).values_list("code", flat=True)
        )
        if unknown:
            raise AnalyticsError(
                404, _("Không có phương án phân tổ mã “%(code)s”.") % {"code": min(unknown)}
            )

    # Targets: the requested units, then the old units shown beside them.
    targets = {pk: tree.closure(pk) for pk in target_ids}
    includes, history = {}, defaultdict(list)
    for pk in target_ids:
        folded = sorted(tree.code[u] for u in targets[pk] - tree.subtree(pk))
        if folded:
            includes[tree.code[pk]] = folded
        for old in tree.history(pk):
            history[tree.code[old]].append(tree.code[pk])
            targets.setdefault(old, tree.closure(old))

    values = DataValue.objects.for_user(user).filter(
        round_id__in=[r.pk for r in round_objs.values()], number__isnull=False
    )
    if accepted_only:
        values = values.filter(submission__status=Status.ACCEPTED)
    summed = [
        e.pk
        for code, e in all_elements.items()
        if code in term_codes or (code in element_objs and e.aggregation != Aggregation.NONE)
    ]
    own = [e.pk for e in element_objs.values() if e.aggregation == Aggregation.NONE]
    acc, own_acc, latest = {}, {}, None
    if summed and targets:
        latest = _sums(values, targets, tree.parent, summed, acc, latest)
    if own and targets:
        own_targets = {pk: frozenset({pk}) for pk in targets}
        latest = _sums(values, own_targets, tree.parent, own, own_acc, latest)

    rows = []
    published = _Published(user, tree)
    hidden = published.hidden
    combo_filter = None if combos is None else set(combos)
    ordered_targets = sorted(targets, key=lambda pk: (pk not in target_ids, tree.code[pk]))
    for round_code, round_ in round_objs.items():
        for pk in ordered_targets:
            ou = tree.code[pk]
            for code in elements:
                element = all_elements[code]
                if element.sensitive and not published.exact(round_, element, pk):
                    rows.extend(
                        published.rows(
                            element,
                            round_,
                            pe=round_code,
                            pk=pk,
                            ou=ou,
                            combos=combo_filter,
                            by_combo=by_combo,
                            options=[c for c, _id in layout[code][1]],
                        )
                    )
                    continue
                source = own_acc if element.aggregation == Aggregation.NONE else acc
                element_id, options = layout[code]
                every = {
                    combo_code: source.get((pk, round_.pk, element_id, combo_id))
                    for combo_code, combo_id in options
                }
                cells = {
                    combo_code: part
                    for combo_code, part in every.items()
                    if part is not None and (combo_filter is None or combo_code in combo_filter)
                }
                if not cells:
                    continue
                average = element.aggregation == Aggregation.AVERAGE

                def value(parts, average=average):
                    total = sum((t for t, _n in parts), Decimal(0))
                    return total / sum(n for _t, n in parts) if average else total

                if by_combo:
                    for combo_code, part in cells.items():
                        rows.append(Row(code, round_code, ou, combo_code, value([part])))
                    if combos is None and len(options) > 1:
                        rows.append(Row(code, round_code, ou, TOTAL, value(cells.values())))
                else:
                    rows.append(Row(code, round_code, ou, TOTAL, value(cells.values())))
            for code in indicators:
                indicator = indicator_objs[code]

                def term(code, combo, pk=pk, round_=round_):
                    element = all_elements[code]
                    if element.sensitive and not published.exact(round_, element, pk):
                        return published.term(element, round_, pk, combo)
                    return _acc_term(layout[code], acc, pk, round_.pk, combo), False

                ratio, counts, over_hidden = _ratio(indicator, term)
                if over_hidden:
                    rows.append(Row(code, round_code, ou, TOTAL, None))
                    hidden[(code, round_code, ou, TOTAL)] = SECONDARY
                elif ratio is not None:
                    rows.append(Row(code, round_code, ou, TOTAL, ratio))
                    if indicator.sensitive and any(_small(c) for c in counts):
                        # A rate over a small count would give the count away.
                        hidden[(code, round_code, ou, TOTAL)] = SECONDARY

    unit_objs = {u.code: u for u in Unit.objects.filter(pk__in=targets)}
    return Result(
        rows=rows,
        as_of=latest or timezone.now(),
        accepted_only=accepted_only,
        by_combo=by_combo,
        dx={**element_objs, **indicator_objs},
        rounds=round_objs,
        units=unit_objs,
        combos=combo_objs,
        requested_units=[tree.code[pk] for pk in target_ids],
        includes=includes,
        history=dict(history),
        hidden=hidden,
    )


def _acc_term(layout_entry, acc, target, round_id, combo) -> Decimal | None:
    """Σ of an element's values counted into `target` (one combo, or all), None without values."""
    element_id, options = layout_entry
    found, result = False, Decimal(0)
    for combo_code, combo_id in options:
        if combo not in (None, combo_code):
            continue
        part = acc.get((target, round_id, element_id, combo_id))
        if part is not None:
            found, result = True, result + part[0]
    return result if found else None


def _ratio(indicator, term) -> tuple[Decimal | None, tuple, bool]:
    """(factor × Σnumerator / Σdenominator or None, (Σnumerator, Σdenominator), whether a term
    is hidden from the reader). `term(element code, combo)` → (Σ or None, hidden)."""

    def total(terms):
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


class _Published:
    """Sensitive figures for a reader who may not see them exactly: reports.disclosure's release
    of each (round, element), built once per call."""

    def __init__(self, user, tree: UnitTree):
        self.user, self.tree = user, tree
        self.releases, self.hidden = {}, {}

    def release(self, round_, element) -> disclosure.Release:
        key = (round_.pk, element.pk)
        if key not in self.releases:
            self.releases[key] = disclosure.release(
                round_id=round_.pk, element=element, tree=self.tree
            )
        return self.releases[key]

    def _members(self, round_, element, pk) -> frozenset:
        own_only = element.aggregation == Aggregation.NONE
        return self.release(round_, element).members(pk, own_only=own_only)

    def exact(self, round_, element, pk) -> bool:
        """Every value counted into `pk` is the reader's own unit's."""
        members = self._members(round_, element, pk)
        return members <= {self.user.unit_id} and disclosure.sees_exact(self.user, pk)

    def term(self, element, round_, pk, combo) -> tuple[Decimal | None, bool]:
        release, members = self.release(round_, element), self._members(round_, element, pk)
        if not release.combos_present(members):
            return None, False
        if element.aggregation == Aggregation.AVERAGE:
            return None, True
        value, marker = release.total(members) if combo is None else release.combo(members, combo)
        return (None, True) if marker else (Decimal(value), False)

    def rows(self, element, round_, *, pe, pk, ou, combos, by_combo, options) -> list[Row]:
        release, members = self.release(round_, element), self._members(round_, element, pk)
        present = release.combos_present(members)
        chosen = [c for c in options if c in present and (combos is None or c in combos)]
        if not chosen:
            return []
        out = []

        def add(co, value, marker):
            if element.aggregation == Aggregation.AVERAGE:
                value, marker = None, SECONDARY
            out.append(Row(element.code, pe, ou, co, None if marker else Decimal(value)))
            if marker:
                self.hidden[(element.code, pe, ou, co)] = marker

        if by_combo:
            for combo in chosen:
                add(combo, *release.combo(members, combo))
            if combos is None and len(options) > 1:
                add(TOTAL, *release.total(members))
        elif set(chosen) == present:
            add(TOTAL, *release.total(members))
        elif len(chosen) == 1:
            add(TOTAL, *release.combo(members, chosen[0]))
        else:
            parts = [release.combo(members, combo) for combo in chosen]
            if any(marker for _value, marker in parts):
                add(TOTAL, None, SECONDARY)
            else:
                add(TOTAL, sum(value for value, _marker in parts), None)
        return out
