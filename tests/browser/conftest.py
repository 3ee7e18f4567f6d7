"""Playwright driving Debian's chromium (Playwright cannot download its own browser here)."""

import datetime
import os
import shutil
from pathlib import Path

import pytest

from registry.models import Innovation
from reports.management.commands.seed_demo import DEMO_PASSWORD

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium).")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, base_url: str, email: str, password: str | None = None) -> None:
    """Sign in through the login form (as a person would), starting from a signed-out browser context."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Alamat e-mail").fill(email)
    page.get_by_label("Kata sandi").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base_url}/")


def start_entry(page, name: str) -> Innovation:
    """Start the signed-in innovator's entry from the home page and wait for its profile page."""
    page.get_by_test_id("start-entry-link").click()
    page.get_by_label("Nama inovasi").fill(name)
    page.get_by_test_id("start-entry").click()
    page.wait_for_url("**/profile/")
    return Innovation.objects.get(name=name)


def add_last_year(cycle, admin, entries: int = 8):
    """A 2023 cycle beside the demo's with a few synthetic entries, so the trend has two years."""
    from registry.models import Cycle
    from registry.synthetic import create_synthetic_entries

    older = Cycle.objects.create(
        region=cycle.region,
        year=2023,
        edition=cycle.edition,
        submission_opens=datetime.date(2023, 6, 13),
        submission_closes=datetime.date(2023, 8, 22),
        review_opens=datetime.date(2023, 6, 13),
        review_closes=datetime.date(2023, 9, 30),
    )
    create_synthetic_entries(older, entries, created_by=admin)
    return older


def showcased_posyandu(cycle):
    """Dinas Kesehatan's approved "Posyandu Digital" with a public PDF: what the showcase pages show."""
    from agencies.models import Agency
    from tests.browser.test_showcase import add_pdf, approved

    posyandu = approved(
        Agency.objects.get(code="PD-DINKES"),
        cycle,
        "Posyandu Digital",
        "Kesehatan",
        goals="Menurunkan angka stunting.",
        implementation_date=datetime.date(2023, 2, 1),
    )
    add_pdf(posyandu, "SID-16", "perwali-posyandu.pdf", public=True)
    return posyandu
