"""The documents stay true: every project name they cite in backticks (`app.module.name`) exists,
and the README links the documents."""

import importlib
import re

import pytest

from core import layers

DOCUMENTS = ["README.md", "docs/architecture.md", "docs/security.md"]
APPS = "|".join(layers.LAYERS)
NAME = re.compile(rf"`((?:{APPS})(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
NOT_CODE = {"binhdang.quangngai.gov.vn", "cases.E001"}  # an address, a system check id


def _exists(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_cited_name_exists(document):
    text = (layers.ROOT / document).read_text(encoding="utf-8")
    cited = sorted(set(NAME.findall(text)))
    assert cited, document
    assert [name for name in cited if name not in NOT_CODE and not _exists(name)] == []


def test_the_readme_links_the_documents():
    readme = (layers.ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme and "docs/security.md" in readme
