"""The search page: what the header's box sends (`?q=`), every kind at once or one kind paged
(`?kind=`)."""

from django.shortcuts import render

from accounts.http import AuthenticatedRequest
from core.access import allow
from core.roles import PLAN_READERS
from core.text import words

from . import selectors


# The roles that read at least one kind's list (search/tests/test_search.py checks the kinds'
# rules lie within it); GBV staff read none, and have no search box.
@allow(PLAN_READERS)
def results(request: AuthenticatedRequest):
    text = " ".join(request.GET.get("q", "").split())
    only = request.GET.get("kind", "")
    kinds = selectors.kinds_for(request.user)
    if only not in {kind.key for kind in kinds}:
        only = ""
    problem = selectors.problem(text) if text else ""
    groups = []
    if text and not problem:
        groups = selectors.search(request.user, text, only=only, page=request.GET.get("page"))
    context = {
        "q": text,
        "only": selectors.BY_KEY.get(only),
        "problem": problem,
        "groups": groups,
        "total": sum(group.total for group in groups),
        "more": any(group.more for group in groups),
        "words": words(text),
        "kinds": kinds,
        "max_length": selectors.MAX_LENGTH,
    }
    return render(request, "search/results.html", context)
