"""Reports' use of data elements, registered with the catalogue (indicators.usage) at start-up:
an element in a published form (or one a round uses) keeps its identity, and the catalogue lists
the forms each element appears in."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from indicators.models import DataElement
from indicators.usage import Place, Use

from .models import Form, FormStatus, Row


def lock(element: DataElement) -> str | None:
    published = element.rows.filter(
        ~Q(section__form__status=FormStatus.DRAFT) | Q(section__form__rounds__isnull=False)
    )
    if published.exists():
        return _(
            "Chỉ tiêu có trong biểu mẫu đã ban hành: không đổi được mã, kiểu giá trị và phân tổ. "
            "Nếu cần, hãy tạo chỉ tiêu mới."
        )
    return None


def places(element_ids: Iterable[int], user) -> dict[int, list[Place]]:
    """The forms (that the user may read) each element is a row of, by code and version."""
    rows = (
        Row.objects.filter(
            data_element_id__in=list(element_ids), section__form__in=Form.objects.for_user(user)
        )
        .select_related("section__form")
        .order_by("section__form__code", "section__form__version")
    )
    found: dict[int, list[Place]] = defaultdict(list)
    for row in rows:
        form = row.section.form
        place = (f"{form.code} v{form.version}", reverse("reports:builder_form", args=[form.pk]))
        if place not in found[row.data_element_id]:
            found[row.data_element_id].append(place)
    return found


USE = Use(lock=lock, places=places)
