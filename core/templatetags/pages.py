"""What every page shares, loaded as a template builtin (settings.TEMPLATES): breadcrumbs, and
links in the text users write.

`{% breadcrumbs %}<li><a href="…">Kế hoạch 2025</a></li><li>Mục IV.13</li>{% endbreadcrumbs %}`
in a page's `breadcrumbs` block renders "Trang chủ › Kế hoạch 2025 › Mục IV.13": a navigation
landmark, the home link first, the last item the current page. Top-level pages (the menu's)
have none.

`{{ note|linked }}` escapes the text and makes its web addresses links (Django's urlize), also
those written "<https://…>" as in the plan's own text; a link never sends the page's address
(`noreferrer`) nor vouches for the site (`nofollow`). Never `|safe` on what users write."""

import re

from django import template
from django.template.defaultfilters import urlize
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

REL = "noopener noreferrer nofollow"
# "<https://…>": the angle brackets that delimit an address in text (RFC 3986, appendix C).
_ANGLED = re.compile(r"<((?:https?|ftp)://[^\s<>]+)>", re.IGNORECASE)


def _unbracket(text: str) -> str:
    """ "xem<https://a.vn>." → "xem https://a.vn.": the address stands as a word of its own."""

    def bare(match: re.Match) -> str:
        before = " " if match.start() and not text[match.start() - 1].isspace() else ""
        end = match.end()
        after = " " if end < len(text) and text[end].isalnum() else ""
        return f"{before}{match.group(1)}{after}"

    return _ANGLED.sub(bare, text)


@register.filter
def linked(value) -> SafeString:
    """The text, always escaped (as plain text, even inside `autoescape off`), with its web and
    e-mail addresses as links."""
    if value is None or value == "":
        return mark_safe("")
    text = f"{value}"  # a plain str: urlize escapes it, whatever the value was marked
    html = urlize(_unbracket(text), autoescape=True)
    # urlize writes rel="nofollow" on every link it makes (and only there); the rest of `html`
    # is urlize's escaped output.
    return mark_safe(html.replace('rel="nofollow"', f'rel="{REL}"'))  # noqa: S308


class BreadcrumbsNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context) -> str:
        items = self.nodelist.render(context).strip()
        # The last item is the page itself.
        cut = items.rfind("<li>")
        if cut >= 0:
            items = f'{items[:cut]}<li aria-current="page">{items[cut + 4 :]}'
        return format_html(
            '<nav class="breadcrumbs" aria-label="{}"><ol><li><a href="{}">{}</a></li>{}</ol>'
            "</nav>",
            _("Đường dẫn"),
            reverse("home"),
            _("Trang chủ"),
            mark_safe(items),  # noqa: S308  # the template's own markup, its values escaped
        )


@register.tag
def breadcrumbs(parser, token) -> BreadcrumbsNode:
    nodelist = parser.parse(("endbreadcrumbs",))
    parser.delete_first_token()
    return BreadcrumbsNode(nodelist)
