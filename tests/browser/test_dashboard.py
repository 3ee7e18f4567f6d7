"""The index dashboard on a phone and a desktop, with several innovations, verdicts and two cycles."""

import pytest
from django.core.management import call_command

from agencies.models import User
from registry.models import Cycle, Innovation
from registry.synthetic import create_synthetic_entries
from scoring.collect import cycle_index
from tests.browser.conftest import add_last_year, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WIDE = """(limit) => [...document.querySelectorAll("body *")]
  .filter((node) => node.getBoundingClientRect().right > limit + 1)
  .slice(0, 5).map((node) => node.tagName + "." + node.className + " " + node.getBoundingClientRect().right)"""


def wide(page):
    """The first elements reaching past the viewport's right edge, to say what scrolls sideways."""
    return page.evaluate(WIDE, page.viewport_size["width"])


def demo_data():
    call_command("seed_demo")
    admin = User.objects.get(email="admin@parepare.demo")
    cycle = Cycle.objects.get(year=2024)
    create_synthetic_entries(cycle, 14, created_by=admin)
    # A long name, to see that it neither overflows the phone nor breaks the chart.
    first = cycle.innovations.order_by("pk").first()
    Innovation.objects.filter(pk=first.pk).update(
        name="Sistem Informasi Pelayanan Administrasi Kependudukan Terpadu Berbasis Kelurahan <Lemoe>"
    )
    add_last_year(cycle, admin)
    return cycle


def test_dashboard_on_phone_and_desktop(live_server, browser, shot):
    cycle = demo_data()
    index = cycle_index(cycle).result
    base = live_server.url
    for name, viewport, mobile in (
        ("phone", {"width": 360, "height": 780}, True),
        ("desktop", {"width": 1280, "height": 900}, False),
    ):
        context = browser.new_context(viewport=viewport, is_mobile=mobile)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, base, "verifikator@parepare.demo")
        page.goto(f"{base}/laporan/")
        assert page.get_by_test_id("iid-claimed").inner_text() == f"{index.self_assessed.iid:.2f}".replace(
            ".", ","
        )
        assert page.get_by_test_id("iid-verified").inner_text() == f"{index.verified.iid:.2f}".replace(
            ".", ","
        )
        assert page.locator("svg.chart").count() == 4
        assert page.get_by_test_id("innovation-row").count() == 14
        # The demo's cycles 2023 and 2024, and Kemendagri's published 2021 and 2022 (2023 has both).
        assert page.get_by_test_id("trend-row").count() == 4
        assert page.get_by_test_id("chart-trend").locator("rect.bar-2").count() == 3
        assert "<Lemoe>" in page.get_by_test_id("innovations").inner_text()
        shot(page, f"dashboard-{name}")
        if mobile:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 1, f"the page scrolls sideways ({width} px): {wide(page)}"
        # Nor does any table scroll inside its own box: every figure is readable without swiping.
        boxes = dict(
            page.evaluate(
                "[...document.querySelectorAll('.table-responsive')].map((box, at) => "
                "[box.querySelector('table')?.dataset.testid || at, box.scrollWidth - box.clientWidth])"
            )
        )
        assert max(boxes.values()) <= 1, f"{name}: a table scrolls sideways: {boxes}"
        if name == "phone":
            # The year picker takes the reviewer to the older cycle.
            picker = page.get_by_test_id("year-picker")
            picker.locator("select").select_option("2023")
            picker.get_by_role("button").click()
            page.wait_for_url(f"{base}/laporan/?tahun=2023")
            assert "2023" in page.locator("h1").inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
        context.close()
