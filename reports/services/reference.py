"""The reference reporting of Quảng Ngãi (reports/data/reporting_2025.json): the catalogue entries
its forms use, the two forms and their 2025 rounds."""

import datetime
import json
from pathlib import Path

from django.db import transaction

from orgs.models import Unit

from ..exchange.formjson import import_forms, load_catalogue
from ..models import Form, Round
from .submissions import create_round

DATA = Path(__file__).resolve().parent.parent / "data"


@transaction.atomic
def load_reporting(*, path: Path | None = None) -> str:
    """The 2025 reporting of Quảng Ngãi: catalogue, the two forms and their rounds (idempotent)."""
    payload = json.loads((path or DATA / "reporting_2025.json").read_text(encoding="utf-8"))
    load_catalogue(payload["catalogue"])
    new_forms = [f for f in payload["forms"] if not Form.objects.filter(code=f["code"]).exists()]
    import_forms({"forms": new_forms})
    created = 0
    for entry in payload["rounds"]:
        if Round.objects.filter(code=entry["code"]).exists():
            continue
        fields = {**entry}
        fields["form"] = Form.objects.filter(code=entry["form"]).order_by("-version").first()
        fields["scope"] = Unit.objects.get(code=entry["scope"])
        for name in ("window_start", "window_end", "opens_on", "due_on", "lock_on"):
            fields[name] = datetime.date.fromisoformat(entry[name])
        create_round(actor=None, **fields)
        created += 1
    return f"Báo cáo: {len(new_forms)} biểu mẫu mới, {created} đợt báo cáo mới"
