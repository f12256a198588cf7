"""The unit tree with the 2025 reform's succession links, read once per call: what counts into what
(analytics.engine, reports.disclosure). See analytics.engine's docstring for the rules."""

from collections import defaultdict

from .models import Succession, Unit


class UnitTree:
    """The unit tree and succession links, read once per call (a few thousand small rows)."""

    def __init__(self):
        self.code, self.parent, self.children = {}, {}, defaultdict(list)
        for pk, code, parent in Unit.objects.order_by().values_list("pk", "code", "parent_id"):
            self.code[pk], self.parent[pk] = code, parent
            if parent is not None:
                self.children[parent].append(pk)
        self.successors = defaultdict(set)
        for old, new in Succession.objects.values_list("predecessor_id", "successor_id"):
            self.successors[old].add(new)
        self._subtrees: dict[int, frozenset] = {}
        self._closures: dict[int, frozenset] = {}
        self._all_closures: dict[int, frozenset] | None = None

    def subtree(self, pk) -> frozenset:
        if pk not in self._subtrees:
            ids, frontier = {pk}, [pk]
            while frontier:
                frontier = [c for p in frontier for c in self.children[p] if c not in ids]
                ids.update(frontier)
            self._subtrees[pk] = frozenset(ids)
        return self._subtrees[pk]

    def closure(self, pk) -> frozenset:
        """The units counted into `pk`: its subtree and every old unit (with its subtree) whose
        successors all lie inside, to a fixed point."""
        if pk not in self._closures:
            members = set(self.subtree(pk))
            changed = True
            while changed:
                changed = False
                for old, new in self.successors.items():
                    if old not in members and new <= members:
                        members |= self.subtree(old)
                        changed = True
            self._closures[pk] = frozenset(members)
        return self._closures[pk]

    def closures(self) -> dict[int, frozenset]:
        """Every unit's closure (see `closure`), worked out once per tree."""
        if self._all_closures is None:
            self._all_closures = {pk: self.closure(pk) for pk in self.code}
        return self._all_closures

    def history(self, pk) -> list[int]:
        """Old units shown beside `pk`: not counted into it, some successor inside."""
        members = self.closure(pk)
        return sorted(
            old for old, new in self.successors.items() if old not in members and new & members
        )

    def breakdown(self, within: frozenset, level: int) -> dict[int, frozenset]:
        """The rows of a level breakdown over `within` (a unit's closure, or every unit a reader
        sees): row → the units counted under it, each unit of `within` at `level` or below
        counted under exactly one row, so that the rows add up to the area's total less the
        values entered above that level (as in DHIS2, a level's rows never hold those).

        A unit goes, in this order: where all its successors go, when they go to one row (the
        old district of Lý Sơn counts into Đặc khu Lý Sơn, never beside it); where its parent
        goes; else, at `level` or below, it is a row of its own (a unit at that level, or an old
        unit whose successors went to several rows and whose parent is outside the area). A
        unit above `level` is counted under no row."""
        owner: dict[int, int | None] = {}
        busy: set[int] = set()

        def find(pk: int) -> int | None:
            if pk in owner:
                return owner[pk]
            if pk in busy or self.level(pk) < level:
                return None  # a cycle through parent and succession links: not this way
            busy.add(pk)
            found = None
            new = self.successors.get(pk)
            if new and new <= within:
                heirs = {find(s) for s in new}
                found = heirs.pop() if len(heirs) == 1 else None
            if found is None and self.parent[pk] in within:
                found = find(self.parent[pk])
            busy.discard(pk)
            owner[pk] = pk if found is None else found
            return owner[pk]

        rows = defaultdict(set)
        for pk in within:
            row = find(pk)
            if row is not None:
                rows[row].add(pk)
        return {row: frozenset(members) for row, members in rows.items()}

    def level(self, pk) -> int:
        depth = 1
        while self.parent[pk] is not None:
            pk, depth = self.parent[pk], depth + 1
        return depth
