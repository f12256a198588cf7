"""The house rules of docs/architecture.md, checked on the source (core.layers)."""

from pathlib import Path

import pytest

from core import layers


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_no_app_imports_a_higher_app():
    found = [f"{i.source}:{i.line} imports {i.target}" for i in layers.upward(layers.imports())]
    assert found == [], "\n".join(found)


def test_no_import_cycle_between_apps_or_modules():
    found = layers.imports()
    assert layers.cycles(layers.app_graph(found)) == []
    assert layers.module_cycles(found) == []


def test_only_services_write():
    assert layers.http_writes() == []


def test_each_once_only_rule_has_one_home():
    assert layers.rule_copies() == []


def test_one_shape_for_every_app():
    assert layers.shape_problems() == []


def test_the_architecture_drawing_is_the_current_import_graph():
    drawing = layers.mermaid(layers.app_graph(layers.imports()))
    document = (layers.ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{drawing}\n```" in document, "run: python -m core.layers"


def _plant(tmp_path: Path, app: str, module: str, source: str) -> Path:
    for name in layers.LAYERS:
        (tmp_path / name).mkdir(exist_ok=True)
    path = tmp_path / app / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return tmp_path


def test_a_planted_violation_of_each_rule_is_caught(tmp_path):
    root = _plant(tmp_path, "orgs", "views.py", "from cases.models import Case\n")
    _plant(tmp_path, "cases", "models.py", "from orgs import views\n")
    found = layers.imports(root)
    assert [i.target for i in layers.upward(found)] == ["cases.models.Case"]
    assert layers.cycles(layers.app_graph(found)) == [["cases", "orgs"]]
    assert layers.module_cycles(found, root) == [["cases.models", "orgs.views"]]

    writer = "def view(request, form):\n    form.save()\n    Unit.objects.filter(a=1).update(b=2)\n"
    root = _plant(tmp_path, "plans", "views/tasks.py", writer)
    _plant(
        tmp_path,
        "plans",
        "forms.py",
        "from django.db import transaction\n"
        "def f():\n    with transaction.atomic():\n        record_event(actor=None)\n"
        "    x = {}\n    x.update(a=1)\n    form.save(commit=False)\n",
    )
    assert sorted(layers.http_writes(root)) == [
        "plans/forms.py:3: atomic",
        "plans/forms.py:4: record_event",
        "plans/views/tasks.py:2: save",
        "plans/views/tasks.py:3: update",
    ]

    _plant(
        tmp_path,
        "analytics",
        "pivot.py",
        'def safe(t):\n    return "\'" + t if t[:1] in ("=", "+", "-", "@") else t\n',
    )
    _plant(tmp_path, "reports", "reminders.py", "Notification(user=u, text='x')\n")
    assert sorted(layers.rule_copies(root)) == [
        "analytics/pivot.py:2: spreadsheet text",
        "reports/reminders.py:1: notification writer",
    ]

    _plant(tmp_path, "cases", "views_stats.py", "")
    _plant(tmp_path, "activities", "common.py", "")
    assert sorted(layers.shape_problems(root)) == ["activities/common.py", "cases/views_stats.py"]
