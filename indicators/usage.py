"""How the rest of the system uses data elements, told to the catalogue without the catalogue
importing its users (docs/architecture.md: apps import only lower apps).

An app whose records use elements (reports' forms) registers a `Use` in its AppConfig.ready:
- `lock`: why a use fixes an element's identity (code, value type, disaggregation), or None;
- `places`: where each of some elements appears, as (label, URL) pairs the user may open.
The catalogue asks every registered use: `lock_reason` for its forms and importer, `places` for the
element list."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import DataElement

Place = tuple[str, str]


@dataclass(frozen=True)
class Use:
    lock: Callable[[DataElement], str | None]
    places: Callable[[Iterable[int], object], dict[int, list[Place]]]


_USES: list[Use] = []


def register(use: Use) -> None:
    if use not in _USES:
        _USES.append(use)


def lock_reason(element: DataElement) -> str | None:
    """Why the element's code, value type and disaggregation are fixed, or None."""
    if element.pk is None:
        return None
    if element.values.exists():
        return _(
            "Chỉ tiêu đã có số liệu: không đổi được mã, kiểu giá trị và phân tổ. "
            "Nếu cần, hãy tạo chỉ tiêu mới."
        )
    for use in _USES:
        reason = use.lock(element)
        if reason:
            return reason
    return None


def places(element_ids: Iterable[int], user) -> dict[int, list[Place]]:
    """{element id: [(label, url), …]} of every place the user may open that uses it."""
    ids = list(element_ids)
    found: dict[int, list[Place]] = defaultdict(list)
    for use in _USES:
        for pk, items in use.places(ids, user).items():
            found[pk].extend(items)
    return found
