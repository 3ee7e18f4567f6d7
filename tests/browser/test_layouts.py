"""The layouts issue 15 found broken, each checked where it broke: the list filters on a phone and a desktop, the
review page's reason box on a phone, the cycles' "dibuka" badges on a phone."""

import pytest

from registry.models import Innovation
from tests.browser.conftest import sign_in
from tests.browser.test_every_page import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each select narrower than the value it shows: (id, value).
CLIPPED = """() => {
  const context = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll("#filter-form select")].filter((select) => {
    const style = getComputedStyle(select);
    context.font = style.font;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return context.measureText(select.options[select.selectedIndex].text).width > room + 1;
  }).map((select) => [select.id, select.options[select.selectedIndex].text]);
}"""


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_filters_fold_on_a_phone_show_as_chips_and_fit_on_a_desktop(live_server, browser, shot):
    build_world()
    base = live_server.url
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    phone.set_default_timeout(15_000)
    sign_in(phone, base, "verifikator@parepare.demo")

    # The queue on a phone: one "Saring" button, then the entries, on the first screen.
    phone.goto(f"{base}/review/?status=submitted")
    form = phone.get_by_test_id("filter-form")
    assert not form.is_visible()
    toggle = phone.get_by_test_id("filter-toggle")
    assert toggle.inner_text().split() == ["Saring", "1"]
    first = phone.get_by_test_id("queue-row").first
    assert first.bounding_box()["y"] < 740, "the first entry is below the first screen"
    chips = phone.get_by_test_id("filter-chip")
    assert chips.all_inner_texts() == ["Status: Diajukan ×"]
    assert chips.first.get_attribute("aria-label") == "Hapus filter Status: Diajukan"
    shot(phone, "layouts-queue-filters-folded-phone")
    # The button opens the fields; a second filter becomes a second chip.
    toggle.click()
    form.wait_for()
    form.get_by_label("Jenis instansi").select_option("kelurahan")
    form.get_by_role("button", name="Filter").click()
    phone.wait_for_url("**/review/?*kind=kelurahan*")
    assert not phone.get_by_test_id("filter-form").is_visible()
    assert phone.get_by_test_id("filter-chip").all_inner_texts() == [
        "Status: Diajukan ×",
        "Jenis instansi: Kelurahan ×",
    ]
    shown = Innovation.objects.filter(cycle__year=2024, status="submitted", agency__kind="kelurahan").count()
    assert phone.get_by_test_id("queue-row").count() == shown
    # A chip drops its filter and only it.
    phone.get_by_test_id("filter-chip").filter(has_text="Status").click()
    phone.wait_for_url(lambda url: "status=" not in url)
    assert "kind=kelurahan" in phone.url
    assert phone.get_by_test_id("filter-chip").all_inner_texts() == ["Jenis instansi: Kelurahan ×"]
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 360

    # The compliance board folds the same way.
    phone.goto(f"{base}/laporan/kepatuhan/")
    assert not phone.get_by_test_id("filter-form").is_visible()
    assert phone.get_by_test_id("filter-toggle").inner_text() == "Saring"
    assert phone.get_by_test_id("filter-chip").count() == 0
    assert phone.get_by_test_id("compliance-row").first.bounding_box()["y"] < 740 * 1.5
    phone.context.close()

    # On a desktop the fields stay in view, whole: no select cuts its value ("Periode berj", "Urutan bawa").
    desktop = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    desktop.set_default_timeout(15_000)
    sign_in(desktop, base, "admin@parepare.demo")
    for path in ("/laporan/kepatuhan/", "/review/", "/agencies/", "/people/"):
        desktop.goto(base + path)
        assert desktop.get_by_test_id("filter-form").is_visible(), path
        assert not desktop.get_by_test_id("filter-toggle").is_visible(), path
        assert desktop.evaluate(CLIPPED) == [], path
    desktop.goto(f"{base}/laporan/kepatuhan/?kind=uptd")
    assert desktop.get_by_test_id("filter-chip").all_inner_texts() == ["Jenis instansi: UPTD ×"]
    shot(desktop, "layouts-compliance-filters-desktop")
    desktop.context.close()


def test_review_reason_box_and_cycle_badges_on_a_phone(live_server, browser, shot):
    build_world()
    base = live_server.url
    page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, "admin@parepare.demo")

    entry = Innovation.objects.filter(status="in_review").order_by("pk").first()
    page.goto(f"{base}/review/{entry.pk}/")
    reason = page.get_by_placeholder("Alasan (wajib untuk Tidak Sesuai)").first
    # Full width of its card (the issue measured 35 px).
    assert reason.bounding_box()["width"] > 260
    shot(page, "layouts-review-reason-phone")

    page.goto(f"{base}/cycles/")
    badges = page.get_by_test_id("cycle-row").locator(".badge")
    assert badges.count() >= 2
    for badge in badges.all():
        # A badge is one line of text, inline with its dates: not a block as tall as the cell.
        assert badge.bounding_box()["height"] < 24, badge.bounding_box()
    shot(page, "layouts-cycles-phone")
