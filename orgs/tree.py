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

    def level(self, pk) -> int:
        depth = 1
        while self.parent[pk] is not None:
            pk, depth = self.parent[pk], depth + 1
        return depth
