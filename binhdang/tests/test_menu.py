"""The header's menu: NAVIGATION's pages the user may open, laid out in MENU's groups."""

from django.urls import reverse

from binhdang.context_processors import menu


def link(name, active=False):
    return {"label": name, "url": f"/{name}/", "active": active, "name": name}


def test_groups_keep_the_menu_order_and_a_lone_link_stands_alone():
    items = [
        link("home", active=True),
        link("analytics:dashboard"),
        link("plans:current"),
        link("reports:index"),
        link("activities:list"),
        link("indicators:targets"),
        link("cases:stats"),
        link("somewhere:new"),  # a page MENU does not place yet
    ]
    laid_out = menu(items)
    assert [entry["label"] for entry in laid_out] == [
        "home",
        "Kế hoạch",
        "reports:index",
        "Số liệu",
        "cases:stats",  # its group has no other page for this user: the link itself
        "somewhere:new",
    ]
    plans = laid_out[1]
    assert [item["name"] for item in plans["links"]] == ["plans:current", "activities:list"]
    assert not plans["active"] and laid_out[0]["active"]
    assert menu([link("home"), link("orgs:list", active=True), link("accounts:users")])[1] == {
        "label": "Quản trị",
        "links": [link("orgs:list", active=True), link("accounts:users")],
        "active": True,
    }


def test_the_header_of_each_role(client, coordinator, reporter, case_worker):
    client.force_login(coordinator)
    page = client.get(reverse("home")).content.decode()
    for group in ("Kế hoạch", "Số liệu", "Quản trị"):
        assert f"<summary>{group}</summary>" in page
    assert reverse("accounts:gbv_access") in page and reverse("accounts:users") in page
    assert 'class="notifications-link"' in page and "Đăng xuất" in page

    client.force_login(reporter)
    page = client.get(reverse("home")).content.decode()
    assert reverse("plans:my_tasks") in page and reverse("analytics:unit") in page
    assert "Quản trị" not in page and reverse("accounts:users") not in page

    client.force_login(case_worker)
    page = client.get(reverse("cases:list")).content.decode()
    assert "menu-group" not in page  # two links: Trang chủ and the cases, no group
    assert reverse("cases:list") in page and reverse("accounts:gbv_access") not in page
