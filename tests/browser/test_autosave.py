"""Issue 15: autosave that cannot contradict itself.

The autosave of a field and the Save button used to race with the same version, and the loser said "Belum
tersimpan: isian ini diubah di tab lain…" although nobody else had touched the entry. Here the profile is typed
and saved over and over, in every order (after the autosave, before it, while it is in flight), without a single
false conflict, while a real second tab still gets one. Leaving with unsaved typing asks first; a file over the
size limit is refused in the browser with the server's message.
"""

import time

import pytest

from registry import entry_views
from registry.models import Answer, Evidence, Innovation
from tests.browser.conftest import sign_in as browser_sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFLICT = "diubah di tab lain"
SAVED = "Profil berhasil disimpan."
PAUSE_MS = 1500 + 200  # the profile's autosave pause (data-autosave-delay), and a little more


def sign_in(page, base, email):
    browser_sign_in(page, base, email, PASSWORD)


@pytest.fixture
def profile(live_server, desktop, entry, owner):
    sign_in(desktop, live_server.url, owner.email)
    url = f"{live_server.url}/entries/{entry.pk}/profile/"
    desktop.goto(url)
    return desktop


def save_and_check(page, entry, value):
    with page.expect_navigation():
        page.get_by_test_id("save-profile").click()
    text = page.locator("main").inner_text()
    assert CONFLICT not in text, value
    assert SAVED in text, value
    assert page.get_by_label("Tujuan").input_value() == value
    assert Innovation.objects.get(pk=entry.pk).goals == value


def test_typing_then_saving_after_the_autosave_never_conflicts(profile, entry):
    for number in range(20):
        value = f"Tujuan setelah jeda {number}"
        profile.get_by_label("Tujuan").fill(value)
        profile.wait_for_timeout(PAUSE_MS)
        save_and_check(profile, entry, value)


def test_typing_then_saving_at_once_never_conflicts(profile, entry):
    for number in range(10):
        value = f"Tujuan langsung {number}"
        profile.get_by_label("Tujuan").fill(value)
        profile.get_by_label("Manfaat").fill(f"Manfaat {number}")
        save_and_check(profile, entry, value)
        assert Innovation.objects.get(pk=entry.pk).benefits == f"Manfaat {number}"


def test_saving_while_the_autosave_is_in_flight_never_conflicts(profile, entry, monkeypatch):
    real = entry_views.save_profile
    calls = []

    def slow(*args, **kwargs):
        calls.append(1)
        if len(calls) % 2:  # the autosave: the Save button arrives while it is still on the server
            time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(entry_views, "save_profile", slow)
    for number in range(10):
        value = f"Tujuan saat tersimpan otomatis {number}"
        field = profile.get_by_label("Tujuan")
        with profile.expect_request(lambda request: request.headers.get("hx-request") == "true"):
            field.fill(value)
            field.dispatch_event("change")  # leaving the field saves at once
        save_and_check(profile, entry, value)


def test_choosing_an_answer_then_saving_at_once_never_conflicts(live_server, desktop, entry, owner):
    sign_in(desktop, live_server.url, owner.email)
    desktop.goto(f"{live_server.url}/entries/{entry.pk}/indicators/SID-25/")
    for option in ["1", "2", "3", "2", "1"]:
        desktop.get_by_label("Jawaban Anda").select_option(option)
        with desktop.expect_navigation():
            desktop.get_by_test_id("save-answer").click()
        text = desktop.locator("main").inner_text()
        assert CONFLICT not in text and "Jawaban Anda tersimpan." in text
        assert Answer.objects.get(innovation=entry, indicator__code="SID-25").level == int(option)


def test_a_real_second_tab_still_gets_the_conflict(profile, entry):
    first = profile
    second = first.context.new_page()
    second.goto(first.url)
    first.get_by_label("Tujuan").fill("Dari tab pertama")
    first.get_by_test_id("save-status").filter(has_text="Tersimpan").wait_for()
    second.get_by_label("Tujuan").fill("Dari tab kedua")
    second.get_by_test_id("save-status").filter(has_text=CONFLICT).wait_for()
    assert Innovation.objects.get(pk=entry.pk).goals == "Dari tab pertama"
    # The Save button of the second tab is refused too; what was typed stays on the page.
    with second.expect_navigation():
        second.get_by_test_id("save-profile").click()
    assert CONFLICT in second.locator("main").inner_text()
    assert second.get_by_label("Tujuan").input_value() == "Dari tab kedua"
    assert Innovation.objects.get(pk=entry.pk).goals == "Dari tab pertama"


GUARDED = """() => {
  const event = new Event("beforeunload", {cancelable: true});
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def test_leaving_with_unsaved_typing_asks_first(profile, entry):
    dialogs = []
    profile.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    assert profile.evaluate(GUARDED) is False
    profile.get_by_label("Tujuan").fill("Masih diketik")
    assert profile.evaluate(GUARDED) is True  # the pause before the autosave is running
    profile.get_by_test_id("save-status").filter(has_text="Tersimpan").wait_for()
    assert profile.evaluate(GUARDED) is False
    # A submitted form leaves without asking, however fresh the typing.
    profile.get_by_label("Tujuan").fill("Disimpan dengan tombol")
    save_and_check(profile, entry, "Disimpan dengan tombol")
    assert dialogs == []
    # Closing the tab right after typing brings the browser's own question.
    profile.get_by_label("Hasil").fill("Belum tersimpan")
    with profile.expect_event("dialog") as asked:
        profile.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"


def test_a_file_over_the_limit_is_refused_before_sending(live_server, desktop, entry, owner, settings):
    settings.REGISTRI_EVIDENCE_MAX_BYTES = {"pdf": 100 * 1024, "image": 100 * 1024, "video": 200 * 1024}
    sign_in(desktop, live_server.url, owner.email)
    uploads = []
    desktop.on("request", lambda request: uploads.append(request.url) if request.method == "POST" else None)
    large = {"name": "sk-besar.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 150_000}
    expected = "Berkas sk-besar.pdf lebih besar dari 100,0"

    desktop.goto(f"{live_server.url}/entries/{entry.pk}/indicators/SID-16/")
    form = desktop.get_by_test_id("evidence-form")
    form.get_by_label("Nomor dokumen").fill("45/2023")
    form.get_by_label("Berkas").set_input_files(large)
    assert expected in form.inner_text()  # said as soon as the file is chosen
    form.get_by_test_id("add-evidence").click()
    desktop.wait_for_timeout(300)
    assert expected in form.inner_text()
    assert form.get_by_label("Nomor dokumen").input_value() == "45/2023"

    desktop.goto(f"{live_server.url}/entries/{entry.pk}/profile/")
    document = desktop.get_by_test_id("attachment-budget_file")
    document.locator("input[type=file]").set_input_files(large)
    document.get_by_role("button", name="Unggah").click()
    desktop.wait_for_timeout(300)
    assert expected in document.inner_text()
    assert desktop.url.endswith("/profile/")
    assert uploads == []  # the server never saw either file
    assert not Evidence.objects.exists()
    assert not Innovation.objects.get(pk=entry.pk).budget_file
