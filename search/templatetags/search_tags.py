"""The header's search box and the marks on what was found."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.access import permits
from core.text import marked

register = template.Library()

EXCERPT = 200  # characters of a long text shown around the first word found


@register.filter
def can_search(user) -> bool:
    """Whether the user may use the search page (the header shows the box only then)."""
    return permits(user, "search:results")


@register.filter
def highlight(text, typed: list[str]) -> SafeString:
    """`text` escaped, the words typed marked where they occur, diacritics or not (the words
    in a row as one mark)."""
    runs = marked(str(text or ""), [" ".join(typed), *typed])
    return format_html_join("", "{}", ((_run(piece, found),) for piece, found in runs))


@register.filter
def excerpt(text, typed: list[str]) -> SafeString:
    """A long text cut to about EXCERPT characters around the first word found, marked."""
    text = str(text or "")
    if len(text) <= EXCERPT:
        return highlight(text, typed)
    runs = marked(text, [" ".join(typed), *typed])
    first = next((sum(len(p) for p, _ in runs[:i]) for i, (_, f) in enumerate(runs) if f), 0)
    start = max(0, min(first - EXCERPT // 4, len(text) - EXCERPT))
    start = text.rfind(" ", 0, start) + 1 if start else 0  # from the start of a word
    end = text.find(" ", start + EXCERPT)
    end = len(text) if end == -1 else end
    head, tail = ("…" if start else ""), ("…" if end < len(text) else "")
    return format_html("{}{}{}", head, highlight(text[start:end], typed), tail)


def _run(piece: str, found: bool) -> SafeString:
    return format_html("<mark>{}</mark>", piece) if found else format_html("{}", piece)
