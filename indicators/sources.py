"""Sources that fill data elements of a unit's report from what the unit recorded elsewhere (its
GBV cases, its activities): which elements each source fills, who may use it, and how it counts.

An app registers its `Source` when it starts (AppConfig.ready). The catalogue reads the registry
(an element a sensitive source fills must stay marked sensitive); reports.prefill previews and
fills a report from a source, the same way for every source.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.roles import UNIT_STAFF

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # titles are lazy translations


@dataclass(frozen=True)
class Source:
    """What an app tells the registry. `compute(submission)` returns the values by
    (element code, option combo code), or (values, [warnings in Vietnamese]). `note` explains
    what is counted; it may name %(unit)s, %(start)s and %(end)s (the round's data window).
    A `sensitive` source (GBV cases) fills only elements marked sensitive."""

    key: str
    title: "StrOrPromise"
    elements: tuple[str, ...]
    compute: Callable
    roles: frozenset = UNIT_STAFF
    sensitive: bool = False
    note: "StrOrPromise" = ""


_sources: dict[str, Source] = {}


def register(source: Source) -> None:
    """Add a source (once per key). Its roles must be unit staff: a source fills a unit's own
    report, never another's."""
    if not source.roles or not source.roles <= UNIT_STAFF:
        raise ValueError(f"prefill source {source.key}: roles must be unit staff")
    known = _sources.get(source.key)
    if known is not None and known != source:
        raise ValueError(f"prefill source {source.key} registered twice")
    _sources[source.key] = source


def sources() -> list[Source]:
    return list(_sources.values())


def get(key: str) -> Source | None:
    return _sources.get(key)


def sensitive_source(codes: Iterable[str]) -> Source | None:
    """The sensitive source that fills one of these element codes, if any: such an element must
    stay marked sensitive."""
    wanted = set(codes)
    return next((s for s in _sources.values() if s.sensitive and wanted & set(s.elements)), None)
