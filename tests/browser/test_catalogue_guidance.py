"""Revision 2 of the 2024 catalogue on a 360 px phone: the indicator page gives the evidence guidance in
Indonesian, and the English wording the catalogue keeps beside it is not shown."""

import pytest
from django.core.management import call_command

from scoring.models import Edition
from tests.browser.conftest import sign_in, start_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_innovator_reads_the_indonesian_evidence_guidance_on_a_phone(live_server, phone, shot):
    call_command("seed_demo")
    base = live_server.url
    sign_in(phone, base, "inovator.dinkes@parepare.demo")
    entry = start_entry(phone, "Posyandu Digital Parepare")
    indicator = entry.cycle.edition.indicators.get(code="SID-25")
    assert entry.cycle.edition == Edition.objects.latest_for_year(2024)
    assert indicator.evidence_description_en  # revision 2: both texts are stored

    phone.goto(f"{base}/entries/{entry.pk}/indicators/SID-25/")
    guidance = phone.get_by_test_id("evidence-guidance")
    text = guidance.inner_text()
    assert text.startswith("Data dukung yang diperlukan:")
    assert (
        "Foto kegiatan/pameran, tangkapan layar konten media sosial atau situs web, atau pemberitaan media, "
        "2 tahun terakhir"
    ) in text
    assert indicator.evidence_description in text
    assert indicator.evidence_description_en not in phone.content()
    # The long guidance wraps inside the phone's width.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    guidance.scroll_into_view_if_needed()
    shot(phone, "catalogue-guidance-phone")
