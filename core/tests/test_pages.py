"""What every page shares (core.templatetags.pages): links in users' text, made safely, and
breadcrumbs on every page below the top level."""

import pytest
from django.template import Context, Template

from core import layers
from core.templatetags.pages import linked

REL = 'rel="noopener noreferrer nofollow"'


def test_addresses_in_text_become_links():
    html = linked("Xem https://baocao.quangngai.gov.vn/bao-cao?nam=2026&ky=1 nhé.")
    assert (
        '<a href="https://baocao.quangngai.gov.vn/bao-cao?nam=2026&amp;ky=1" '
        f"{REL}>https://baocao.quangngai.gov.vn/bao-cao?nam=2026&amp;ky=1</a> nhé."
    ) in html
    assert str(linked("Thư gửi snv@quangngai.gov.vn")).endswith(
        '<a href="mailto:snv@quangngai.gov.vn">snv@quangngai.gov.vn</a>'
    )


def test_an_address_in_angle_brackets_is_a_link_not_text():
    """The plan's own text writes "<https://…>" (item IV.1): no brackets, no "&lt;" shown."""
    html = str(linked("địa chỉ: <https://baocao.quangngai.gov.vn>; đồng thời"))
    assert html == (
        f'địa chỉ: <a href="https://baocao.quangngai.gov.vn" {REL}>'
        "https://baocao.quangngai.gov.vn</a>; đồng thời"
    )
    assert "&lt;" not in str(linked("xem<https://a.gov.vn>ngay"))


@pytest.mark.parametrize(
    "text",
    [
        '<script>alert("x")</script> https://a.gov.vn',
        'https://a.gov.vn/"onmouseover="alert(1)',
        '<a href="javascript:alert(1)">bấm</a> javascript:alert(1)',
        "<img src=x onerror=alert(1)>",
        "<https://a.gov.vn/<script>>",
    ],
)
def test_what_users_write_never_becomes_markup(text):
    html = str(linked(text))
    assert "<script" not in html and "<img" not in html and "javascript:alert(1)</a>" not in html
    assert 'href="javascript' not in html and '"onmouseover' not in html
    assert html.count("<a ") == html.count("</a>") <= 1


def test_empty_and_plain_text():
    assert linked(None) == "" and linked("") == ""
    assert linked("Không có địa chỉ & không có thẻ <b>") == (
        "Không có địa chỉ &amp; không có thẻ &lt;b&gt;"
    )


def test_breadcrumbs_start_at_home_and_end_at_the_page(rf):
    template = Template(
        '{% breadcrumbs %}<li><a href="/plans/1/">{{ plan }}</a></li><li>Mục {{ code }}</li>'
        "{% endbreadcrumbs %}"
    )
    html = template.render(Context({"plan": "Kế hoạch <2025>", "code": "IV.13"}))
    assert html == (
        '<nav class="breadcrumbs" aria-label="Đường dẫn"><ol><li><a href="/">Trang chủ</a></li>'
        '<li><a href="/plans/1/">Kế hoạch &lt;2025&gt;</a></li>'
        '<li aria-current="page">Mục IV.13</li></ol></nav>'
    )


# Pages of the top level (the menu's, the header's) and of signing in: no breadcrumbs.
TOP_LEVEL = {
    "analytics/templates/analytics/home.html",
    "search/templates/search/results.html",  # the header's search box
    "plans/templates/plans/my_tasks.html",
    "analytics/templates/analytics/dashboard.html",
    "analytics/templates/analytics/unit_dashboard.html",
    "reports/templates/reports/index.html",
    "reports/templates/reports/notifications.html",
    "activities/templates/activities/activity/list.html",
    "indicators/templates/indicators/target_list.html",
    "cases/templates/cases/case/list.html",
    "orgs/templates/orgs/unit_list.html",
    "accounts/templates/accounts/users.html",
    "accounts/templates/accounts/account.html",
    "accounts/templates/accounts/gbv_access.html",
    "accounts/templates/accounts/login.html",
    "accounts/templates/accounts/locked.html",
    "accounts/templates/accounts/second_factor.html",
    "accounts/templates/accounts/second_factor_gbv.html",
    "accounts/templates/accounts/gbv_pending.html",
    "accounts/templates/accounts/enrol.html",
    "binhdang/templates/errors/403.html",
    "binhdang/templates/errors/404.html",
    "binhdang/templates/errors/500.html",
}


def _pages() -> dict[str, str]:
    found = {}
    for app in layers.LAYERS:
        for path in sorted((layers.ROOT / app).rglob("templates/**/*.html")):
            text = path.read_text(encoding="utf-8")
            if '{% extends "base.html" %}' in text:
                found[str(path.relative_to(layers.ROOT))] = text
    return found


def test_every_page_below_the_top_level_has_breadcrumbs():
    pages = _pages()
    assert len(pages) > 100 and TOP_LEVEL <= pages.keys()
    without = [p for p, text in pages.items() if "{% breadcrumbs %}" not in text]
    assert sorted(without) == sorted(TOP_LEVEL)
    # The lone "←" links they replace are gone (paging links keep their arrows).
    paging = ("Trang trước", "Mới hơn")
    back = [
        p
        for p, text in pages.items()
        if '">← {%' in text and not any(word in text for word in paging)
    ]
    assert back == []


@pytest.mark.django_db
def test_a_task_page_shows_where_it_is(client, reporter):
    from plans.models import Task

    task = Task.objects.filter(unit__code="SYT").select_related("item__plan").first()
    client.force_login(reporter)
    html = client.get(f"/plans/tasks/{task.pk}/").content.decode()
    crumbs = html.split('<nav class="breadcrumbs"')[1].split("</nav>")[0]
    assert f"Kế hoạch {task.item.plan.year}</a>" in crumbs
    assert f'>Mục {task.item.code}</a></li><li aria-current="page">Sở Y tế</li>' in crumbs
