"""Disclosure control: the one place that decides what a sensitive number looks like, to whom
(docs/security.md, "Disclosure control across outputs").

Who sees exact values. A sensitive value (a data element marked `sensitive`: GBV counts, and every
report cell filled from the GBV cases) is exact only to the staff of the unit that produced it,
the unit's GBV staff included (`sees_exact`). Everyone else — coordinators, leaders, admins, other
units — sees the *release*.

The release of one (round, sensitive element) is computed from every saved value of every unit
whatever its status (so an `acceptedOnly` answer cannot be subtracted from the default one), and
is the same for every reader. It publishes:

- the element's total T(S) for every set S of reporting units that counts into some unit (its
  closure, orgs.tree) — one figure per distinct set — and for each reporting unit alone;
- the breakdown by option combo (sex…) only for the top of each hierarchy (the province).
  Sub-province breakdowns are never published to other units: that is where the smallest counts
  are, and it keeps the published figures a tree of sums, which can be audited exactly.

Every output a non-entitled reader gets is a published figure, a sum of shown published figures,
or hidden; nothing else leaves this module. Protection (`protect`):

1. Primary: a figure of 1–4 shows "<5".
2. Complementary: while some reader could pin a figure of 1–4 — the public, or a unit's own staff
   who also know their unit's exact values — the smallest non-zero published figure in an
   equation around it is hidden too, as "x" (it is then ≥ 5). The audit is exact: on sums that
   form a tree, interval propagation gives each figure's exact range (`propagate`).
3. A province breakdown is audited the same way against every unit's staff: a combo that would
   leave 1–4 for the other units once one unit subtracts its own part is hidden.
4. Sets of units that do not nest (a future reform splitting old units across parents) publish
   only the top totals; a table that cannot be protected is withheld (all "x").

Rounds are separate data; the windows of case statistics are fixed by cases.stats. Raw exports
(dataValueSets, ADX) leave out the sensitive values the reader may not see exactly
(`exact_values`); the ministry takes the province's protected figures from the analytics API.
"""

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from django.db.models import Q, Sum

SMALL = 5  # figures 1..SMALL-1 are never published
LESS = "<5"
HIDDEN = "x"
INF = math.inf


def sees_exact(user, unit_id) -> bool:
    """Whether `user` may see the exact sensitive values of the unit `unit_id` (their own)."""
    return bool(user.is_authenticated and user.unit_id is not None and user.unit_id == unit_id)


def exact_values(user, values):
    """The DataValue rows `user` may receive raw: every non-sensitive one, and the sensitive ones
    of the user's own unit."""
    return values.filter(Q(data_element__sensitive=False) | Q(unit_id=user.unit_id))


# --- exact ranges on sums (pure) -------------------------------------------------------------


def propagate(equations: list, bounds: dict) -> dict:
    """Narrow `bounds` ({key: [low, high]}) by the equations [(total key, [part keys])] to the
    fixed point. Where the equations' unknowns form a tree (every key in at most two equations,
    no cycle but through exactly known keys) the result is each key's exact range over the
    integer solutions: a sum of integer intervals is an integer interval, so bound consistency
    is global consistency on a tree."""
    changed, sweeps = True, 0
    while changed and sweeps < 500:
        changed, sweeps = False, sweeps + 1
        for total, parts in equations:
            lows = [bounds[p][0] for p in parts]
            highs = [bounds[p][1] for p in parts]
            low, finite_high = sum(lows), sum(h for h in highs if h != INF)
            infinite = sum(1 for h in highs if h == INF)
            box = bounds[total]
            high = finite_high if not infinite else INF
            new = [max(box[0], low), min(box[1], high)]
            if new != box:
                bounds[total], changed = new, True
            total_low, total_high = bounds[total]
            for part, part_low, part_high in zip(parts, lows, highs, strict=True):
                if part_high == INF:
                    rest_high = finite_high if infinite == 1 else INF
                else:
                    rest_high = INF if infinite else finite_high - part_high
                box = bounds[part]
                new = [
                    max(box[0], total_low - rest_high),
                    min(box[1], total_high - (low - part_low)),
                ]
                if new != box:
                    bounds[part], changed = new, True
    return bounds


def _bounds(value: int, marker: str | None) -> list:
    """What a reader knows of a published figure: exact when shown; "<5" is 1–4; "x" is ≥ 5
    (only non-zero figures, never small ones, are hidden to protect others)."""
    if marker is None:
        return [value, value]
    return [1, SMALL - 1] if marker == LESS else [SMALL, INF]


@dataclass
class View:
    """What one reader knows: the equations linking the figures, and keys known exactly."""

    equations: list
    known: set = field(default_factory=set)


def exposed(view: View, values: dict, published: set, markers: dict) -> list:
    """Figures of 1–4 (hidden published ones, and unpublished parts) that the reader pins down."""
    bounds = {}
    for key, value in values.items():
        if key in view.known:
            bounds[key] = [value, value]
        elif key in published:
            bounds[key] = _bounds(value, markers.get(key))
        else:
            bounds[key] = [0, INF]
    propagate(view.equations, bounds)
    return [
        key
        for key, value in values.items()
        if key in bounds
        and key not in view.known
        and (key in markers or key not in published)
        and 0 < value < SMALL
        and bounds[key][0] >= bounds[key][1]
    ]


def _spare(view: View, start, values, published, markers) -> list:
    """Published, shown, non-zero figures the reader does not know, nearest `start` first: those
    sharing an equation with it, else those one equation further, and so on."""
    around: defaultdict[Hashable, set[Hashable]] = defaultdict(set)
    for total, parts in view.equations:
        for key in (total, *parts):
            around[key].update((total, *parts))
    seen, ring = {start}, {start}
    while ring:
        ring = {k for key in ring for k in around[key]} - seen
        seen |= ring
        found = [
            k
            for k in ring
            if k in published and k not in markers and k not in view.known and values[k] > 0
        ]
        if found:
            return found
    return []


def protect(values: dict, published: set, views: Callable[[dict], Iterable[View]]) -> dict | None:
    """Markers ({key: "<5" | "x"}) for the published keys so that no reader pins a figure of 1–4;
    None when nothing can protect them (the caller withholds the table). `views(markers)` gives
    the readers to audit against (their knowledge may depend on what is already hidden)."""
    markers = {k: LESS for k in published if 0 < values[k] < SMALL}
    while True:
        found = None
        for view in views(markers):
            cells = exposed(view, values, published, markers)
            if cells:
                found = view, cells[0]
                break
        if found is None:
            return markers
        view, cell = found
        spare = _spare(view, cell, values, published, markers)
        if not spare:
            return None
        markers[min(spare, key=lambda k: (values[k], str(k)))] = HIDDEN


def protect_table(cells: dict, total: int, owns: Iterable[dict] = ()) -> dict | None:
    """Markers for a breakdown ({key: n}) of a shown total, audited against the public and against
    each contributor who knows its own part of every cell (`owns`: [{key: n}])."""
    values: dict[Hashable, int] = {("cell", k): n for k, n in cells.items()}
    values["total"] = total
    published = set(values)
    base: list[tuple[Hashable, list[Hashable]]] = [("total", [("cell", k) for k in cells])]
    views = [View(base, {"total"})]
    for i, own in enumerate(owns):
        equations = list(base)
        known: set[Hashable] = {"total"}
        for key, n in cells.items():
            mine, rest = ("own", i, key), ("rest", i, key)
            values[mine], values[rest] = own.get(key, 0), n - own.get(key, 0)
            known.add(mine)
            equations.append((("cell", key), [mine, rest]))
        views.append(View(equations, known))
    markers = protect(values, published - {"total"}, lambda _markers: views)
    if markers is None:
        return None
    return {key: markers[("cell", key)] for key in cells if ("cell", key) in markers}


# --- several breakdowns of one total: the GBV case statistics (cases.stats), pure ---------


def primary_cells(cells: dict) -> set:
    """Cells that must not show: 1 to 4. A zero shows as 0 (nobody is in it)."""
    return {key for key, n in cells.items() if 0 < n < SMALL}


def hidden_bounds(cells: dict, hidden: set) -> dict:
    """What the rule tells a reader about each hidden cell: "<5" is 1–4; "x" is a non-zero cell
    of at least 5 hidden to protect another one."""
    return {key: (1, SMALL - 1) if cells[key] < SMALL else (SMALL, math.inf) for key in hidden}


def breakdown_ranges(cells: dict, hidden: set, total: tuple) -> dict:
    """The values each hidden cell can take, as (lowest, highest), for a reader who knows the
    shown cells, the rule and that the table adds up to a total within `total` (low, high).

    Box bounds and one sum: the projection is exactly these intervals."""
    box = hidden_bounds(cells, hidden)
    shown = sum(n for key, n in cells.items() if key not in hidden)
    ranges = {}
    for key, (low, high) in box.items():
        others = [b for other, b in box.items() if other != key]
        ranges[key] = (
            max(low, total[0] - shown - sum(h for _low, h in others)),
            min(high, total[1] - shown - sum(lo for lo, _high in others)),
        )
    return ranges


def breakdown_exposed(cells: dict, hidden: set, total: tuple) -> bool:
    """Whether some hidden cell can be worked out exactly."""
    return any(low >= high for low, high in breakdown_ranges(cells, hidden, total).values())


def total_range(tables: dict, hidden: dict, known: tuple) -> tuple:
    """What the tables (sharing one total) and the total's own label tell about the total."""
    low, high = known
    for name, cells in tables.items():
        shown = sum(n for key, n in cells.items() if key not in hidden[name])
        box = hidden_bounds(cells, hidden[name]).values()
        low = max(low, shown + sum(lo for lo, _h in box))
        high = min(high, shown + sum(h for _lo, h in box))
    return low, high


def shown_label(n: int, hide: bool):
    """A count as displayed: the number, "<5" or "x"."""
    if not hide:
        return n
    return LESS if n < SMALL else HIDDEN


@dataclass
class Protected:
    total: int | str
    cells: dict  # table name → {cell key: shown value}
    withheld: set = field(default_factory=set)


def _protect_breakdowns(tables: dict, total: int, *, hide_total: bool) -> Protected:
    hidden = {name: primary_cells(cells) for name, cells in tables.items()}
    withheld = set()
    known: tuple[int, float] = (total, total)
    if hide_total:
        known = (1, SMALL - 1) if total < SMALL else (SMALL, math.inf)
    while True:
        live = {name: cells for name, cells in tables.items() if name not in withheld}
        within = total_range(live, hidden, known)
        name = next(
            (n for n, cells in live.items() if breakdown_exposed(cells, hidden[n], within)), None
        )
        if name is None:
            break
        spare = [key for key, n in tables[name].items() if n and key not in hidden[name]]
        if spare:
            hidden[name].add(min(spare, key=tables[name].get))
        else:
            withheld.add(name)
    cells = {
        name: {key: shown_label(n, key in hidden[name]) for key, n in table.items()}
        for name, table in tables.items()
        if name not in withheld
    }
    return Protected(shown_label(total, hide_total), cells, withheld)


def protect_breakdowns(tables: dict, total: int) -> Protected:
    """Display values for tables that all add up to `total` (one count, several breakdowns).

    Cells of 1–4 show "<5" (primary suppression). While some hidden cell could be worked out
    from the total, the shown cells and the other hidden cells' bounds, the smallest non-zero
    shown cell of that table is hidden too, as "x" (secondary suppression). A table where even
    that is not enough is withheld. A total under 5 shows "<5" everywhere; hiding a larger total
    ("x" everywhere) is chosen only if it withholds fewer tables."""
    if 0 < total < SMALL:
        return _protect_breakdowns(tables, total, hide_total=True)
    shown = _protect_breakdowns(tables, total, hide_total=False)
    if not shown.withheld:
        return shown
    hidden = _protect_breakdowns(tables, total, hide_total=True)
    return hidden if len(hidden.withheld) < len(shown.withheld) else shown


def coarsen(cells: dict, shown: dict, groups: dict) -> dict:
    """A breakdown whose cells are sums of a protected one's (forms of harm from incident types),
    shown so it tells nothing more: a sum of shown cells shows; a sum with one hidden cell and
    otherwise zeros shows as that cell does; any other sum with a hidden cell is "x"."""
    parts: dict[Hashable, list[tuple[int, int | str]]] = {}
    for key, n in cells.items():
        parts.setdefault(groups.get(key), []).append((n, shown[key]))
    result: dict[Hashable, int | str] = {}
    for group, members in parts.items():
        hidden = [s for _n, s in members if isinstance(s, str)]
        rest = [n for n, s in members if not isinstance(s, str)]
        if not hidden:
            result[group] = sum(rest)
        elif len(hidden) == 1 and not any(rest):
            result[group] = hidden[0]
        else:
            result[group] = HIDDEN
    return result


# --- the release of one (round, sensitive element) -------------------------------------------


@dataclass
class Release:
    """Published figures: totals by set of reporting units, breakdowns by combo for the top sets.
    `members(pk)` names the set a unit's figure is the total of."""

    data: set  # reporting units
    sets: dict  # unit pk → frozenset of reporting units counted into it
    totals: dict  # frozenset → int
    markers: dict  # frozenset → "<5" | "x"
    breakdowns: dict  # top frozenset → {combo code: int}
    breakdown_markers: dict  # top frozenset → {combo code: marker}
    present: dict  # frozenset → combo codes with a value

    def members(self, pk: int, *, own_only: bool = False) -> frozenset:
        if own_only:
            return frozenset({pk}) & self.data
        return self.sets.get(pk, frozenset())

    def total(self, members: frozenset) -> tuple[int | None, str | None]:
        if members not in self.totals:
            return None, HIDDEN
        return self.totals[members], self.markers.get(members)

    def combo(self, members: frozenset, code: str) -> tuple[int | None, str | None]:
        if members not in self.breakdowns:
            return None, HIDDEN
        return self.breakdowns[members].get(code, 0), self.breakdown_markers[members].get(code)

    def combos_present(self, members: frozenset) -> set:
        return self.present.get(members, set())


def _nest(family: set) -> dict | None:
    """Each set's smallest strict superset in the family (None at the top), or None when two sets
    overlap without nesting."""
    chains = defaultdict(list)
    for members in family:
        for unit in members:
            chains[unit].append(members)
    parent: dict[frozenset, frozenset | None] = dict.fromkeys(family)
    for chain in chains.values():
        chain.sort(key=len)
        for small, large in zip(chain, chain[1:], strict=False):
            if not small < large:
                return None
            current = parent[small]
            if current is None or len(large) < len(current):
                parent[small] = large
    return parent


def build_release(own: dict, sets: dict) -> Release:
    """own: {reporting unit: {combo code: int}}; sets: {unit pk: units counted into it}."""
    data = set(own)
    sets = {pk: frozenset(members) & data for pk, members in sets.items()}
    sets = {pk: members for pk, members in sets.items() if members}
    family = set(sets.values()) | {frozenset({d}) for d in data}
    totals = {members: sum(sum(own[d].values()) for d in members) for members in family}
    present = {members: {c for d in members for c in own[d]} for members in family}
    parent = _nest(family)
    equations: dict[frozenset, list[tuple[frozenset, list[frozenset]]]]
    if parent is None:
        tops = {m for m in family if not any(m < other for other in family)}
        if any(a & b for a in tops for b in tops if a != b):
            tops = set()
        equations = {top: [] for top in tops}
    else:
        tops = {m for m, p in parent.items() if p is None}
        children = defaultdict(list)
        for members, above in parent.items():
            if above is not None:
                children[above].append(members)
        top_of = {}
        for members in family:
            top = members
            while parent[top] is not None:
                top = parent[top]
            top_of[members] = top
        equations = defaultdict(list)
        for members, parts in children.items():
            equations[top_of[members]].append((members, sorted(parts, key=sorted)))
    markers = {members: HIDDEN for members in family}  # unpublished until protected
    for top in tops:
        markers.update(_protect_tree(top, equations[top], totals))
    markers = {k: m for k, m in markers.items() if m is not None}
    breakdowns, breakdown_markers = {}, {}
    for top in tops:
        cells = {c: sum(own[d].get(c, 0) for d in top) for c in present[top]}
        shown = None
        if top not in markers:
            owns = [own[d] for d in sorted(top)] if len(top) > 1 else []
            shown = protect_table(cells, totals[top], owns)
        breakdowns[top] = cells
        breakdown_markers[top] = shown if shown is not None else dict.fromkeys(cells, HIDDEN)
    return Release(data, sets, totals, markers, breakdowns, breakdown_markers, present)


def _protect_tree(top: frozenset, equations: list, totals: dict) -> dict:
    """Markers for the totals of one hierarchy (None for a shown figure)."""
    keys = {top} | {k for k, _p in equations} | {p for _k, parts in equations for p in parts}
    values = {k: totals[k] for k in keys}
    singles = {k for k in keys if len(k) == 1}

    def views(markers):
        yield View(equations)
        # A unit's staff know their own total: it matters only once it is hidden.
        for single in sorted(singles & set(markers), key=sorted):
            yield View(equations, {single})

    markers = protect(values, keys, views)
    if markers is None:
        return dict.fromkeys(keys, HIDDEN)
    return {k: markers.get(k) for k in keys}


def release(*, round_id: int, element, tree) -> Release:
    """The release of one sensitive element in one round, from every saved value."""
    from .models import DataValue

    rows = (
        DataValue.objects.filter(round_id=round_id, data_element=element, number__isnull=False)
        .values_list("unit_id", "option_combo__code")
        .annotate(total=Sum("number"))
        .order_by()
    )
    own: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for unit, combo, total in rows:
        own[unit][combo] = int(total)
    if not own:
        return build_release({}, {})
    return build_release(dict(own), tree.closures())
