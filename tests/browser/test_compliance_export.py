"""An administrator filters the compliance board by one kecamatan and downloads it: the workbook holds exactly
the rows the board lists."""

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import Q

from agencies.models import Agency, User
from registry.models import Cycle
from registry.synthetic import create_synthetic_entries
from reports.compliance_views import PAGE_SIZE
from reports.models import ExportLog
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def board_codes(page) -> list[str]:
    rows = page.get_by_test_id("compliance-row")
    return [rows.nth(number).get_attribute("data-agency") for number in range(rows.count())]


def test_admin_filters_the_board_by_kecamatan_and_downloads_the_xlsx(live_server, browser, shot, tmp_path):
    call_command("seed_demo")
    cycle = Cycle.objects.get(year=2024)
    # Entries for the first agencies by code: the kecamatan and their kelurahan, in varied states.
    create_synthetic_entries(cycle, 12, created_by=User.objects.get(email="admin@parepare.demo"))
    kecamatan = Agency.objects.get(code="KEC-BACUKIKI")
    expected = sorted(
        Agency.objects.filter(Q(pk=kecamatan.pk) | Q(parent=kecamatan), is_active=True).values_list(
            "code", flat=True
        )
    )
    assert len(expected) > 2

    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, "admin@parepare.demo")
    page.goto(f"{live_server.url}/laporan/kepatuhan/")
    every = Agency.objects.filter(region=cycle.region, is_active=True).count()
    assert page.get_by_test_id("compliance-row").count() == min(every, PAGE_SIZE)
    page.get_by_label("Kecamatan").select_option(label=kecamatan.name)
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**kecamatan=*")
    codes = board_codes(page)
    assert sorted(codes) == expected
    shot(page, "compliance-board-desktop")

    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(openpyxl.load_workbook(path)["Kepatuhan"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == codes
    log = ExportLog.objects.get()
    assert (log.created_by.email, log.row_count, log.filters["kecamatan"]) == (
        "admin@parepare.demo",
        len(codes),
        kecamatan.pk,
    )
    context.close()

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    phone.set_default_timeout(15_000)
    sign_in(phone, live_server.url, "admin@parepare.demo")
    phone.goto(f"{live_server.url}/laporan/kepatuhan/?kecamatan={kecamatan.pk}")
    assert sorted(board_codes(phone)) == expected
    # On 360 px nothing scrolls sideways: the table turns into stacked cards.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "compliance-board-phone")
    phone.context.close()
