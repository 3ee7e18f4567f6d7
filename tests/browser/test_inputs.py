"""Issue 15, inputs: on a phone whose browser speaks English, every input still speaks Indonesian.

The related urusan are ticked in a searchable checklist and autosaved; a date is typed as 17/08/2024; the file
picker says "Pilih berkas" and shows the chosen file; a large photo is made smaller in the browser before it is
uploaded, unless the original is asked for, and the server's checks accept the smaller JPEG.
"""

import io

import pytest
from PIL import Image

from registry.entries import urusan_choices
from registry.models import Evidence, Innovation
from tests.browser.conftest import sign_in as browser_sign_in
from tests.browser.test_csp import WATCH
from tests.conftest import PASSWORD
from tests.registry.upload_samples import VALID_PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTO_CODE = "SID-19"  # accepts images, screenshots and PDFs, without document metadata


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english_phone(browser):
    """A 360 px phone whose browser is set to American English: its own file and date inputs would say so."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, base, email):
    browser_sign_in(page, base, email, PASSWORD)


def wait_saved(page):
    page.get_by_test_id("save-status").filter(has_text="Tersimpan").wait_for()


def photo(path, size=(4000, 3000), kind="JPEG"):
    """A camera-sized picture with enough detail to weigh what a phone photo weighs (a few MB)."""
    red = Image.linear_gradient("L").resize(size)
    green = Image.effect_noise(size, 25 if kind == "JPEG" else 6)
    blue = Image.linear_gradient("L").rotate(90).resize(size)
    picture = Image.merge("RGB", (red, green, blue))
    if kind == "JPEG":
        picture.save(path, "JPEG", quality=90)
    else:
        picture.save(path, "PNG", compress_level=1)
    return path


def eventually(page, check, seconds=10):
    """True once `check()` is (an autosave reaches the database a moment after the change)."""
    for _ in range(seconds * 10):
        if check():
            return True
        page.wait_for_timeout(100)
    return check()


def stored_picture(evidence):
    with evidence.file.open("rb") as stored:
        data = stored.read()
    return len(data), Image.open(io.BytesIO(data))


def test_urusan_checklist_searches_counts_and_autosaves(live_server, english_phone, entry, owner, shot):
    page = english_phone
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/entries/{entry.pk}/profile/")
    checklist = page.locator("[data-choice-checklist]")
    boxes = checklist.locator("input[type=checkbox]")
    every = sum(len(items) for _group, items in urusan_choices())
    assert boxes.count() == every == 38  # every urusan and fungsi penunjang
    assert checklist.locator("legend").count() == 4
    assert checklist.get_by_text("0 dipilih").is_visible()

    search = page.get_by_label("Cari urusan pemerintahan")
    search.fill("keseh")
    assert checklist.locator("[data-choice-option]:visible").count() == 1
    assert checklist.locator("legend:visible").all_inner_texts() == ["Wajib, pelayanan dasar"]
    page.get_by_label("Kesehatan", exact=True).check()
    search.press("Enter")  # finds, does not send the form
    search.fill("pemberdayaan")
    assert checklist.locator("[data-choice-option]:visible").count() == 2
    page.get_by_label("Pemberdayaan Masyarakat dan Desa").check()
    search.fill("tidak ada yang begini")
    assert checklist.get_by_text("Tidak ada yang cocok").is_visible()
    search.fill("")
    assert checklist.locator("[data-choice-option]:visible").count() == every
    assert checklist.get_by_text("2 dipilih").is_visible()
    wait_saved(page)
    shot(page, "inputs-urusan-phone")
    assert Innovation.objects.get(pk=entry.pk).related_urusan == [
        "Kesehatan",
        "Pemberdayaan Masyarakat dan Desa",
    ]

    # A date typed on a number pad: the slashes come by themselves; saved day first.
    trial = page.get_by_label("Tanggal uji coba")
    assert trial.get_attribute("placeholder") == "hh/bb/tttt"
    trial.press_sequentially("17082022")
    assert trial.input_value() == "17/08/2022"
    trial.blur()
    assert eventually(page, lambda: str(Innovation.objects.get(pk=entry.pk).trial_date) == "2022-08-17")

    page.reload()
    assert page.get_by_label("Kesehatan", exact=True).is_checked()
    assert page.get_by_label("Pemberdayaan Masyarakat dan Desa").is_checked()
    assert page.get_by_label("Tanggal uji coba").input_value() == "17/08/2022"
    assert checklist.get_by_text("2 dipilih").is_visible()

    # Unticking all saves an empty list, as the multiple select did.
    page.get_by_label("Kesehatan", exact=True).uncheck()
    page.get_by_label("Pemberdayaan Masyarakat dan Desa").uncheck()
    assert checklist.get_by_text("0 dipilih").is_visible()
    assert eventually(page, lambda: Innovation.objects.get(pk=entry.pk).related_urusan == [])


def test_date_typed_day_first_saves_as_iso(live_server, english_phone, entry, owner):
    page = english_phone
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/entries/{entry.pk}/profile/")
    page.get_by_label("Tanggal penerapan").fill("17/08/2024")
    with page.expect_navigation():
        page.get_by_test_id("save-profile").click()
    assert str(Innovation.objects.get(pk=entry.pk).implementation_date) == "2024-08-17"
    assert page.get_by_label("Tanggal penerapan").input_value() == "17/08/2024"
    # The calendar button opens the browser's date picker; the day picked is written day first.
    page.get_by_role("button", name="Pilih di kalender").first.click()
    page.evaluate(
        """() => {
          const picker = document.querySelector("#id_trial_date").parentElement.querySelector("input[type=date]");
          picker.value = "2021-05-04";
          picker.dispatchEvent(new Event("change", { bubbles: true }));
        }"""
    )
    assert page.get_by_label("Tanggal uji coba").input_value() == "04/05/2021"
    with page.expect_navigation():
        page.get_by_test_id("save-profile").click()
    assert str(Innovation.objects.get(pk=entry.pk).trial_date) == "2021-05-04"
    # A date that does not exist is refused in Indonesian, saying how to write it.
    page.get_by_label("Tanggal penerapan").fill("31/02/2024")
    with page.expect_navigation():
        page.get_by_test_id("save-profile").click()
    assert page.get_by_text("Tulis tanggal sebagai hh/bb/tttt, misalnya 17/08/2024.").is_visible()


def test_file_picker_speaks_indonesian_in_an_english_browser(
    live_server, english_phone, entry, owner, shot, tmp_path
):
    page = english_phone
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/entries/{entry.pk}/indicators/{PHOTO_CODE}/")
    form = page.get_by_test_id("evidence-form")
    assert form.get_by_text("Pilih berkas", exact=True).is_visible()
    assert form.get_by_text("Ambil foto", exact=True).is_visible()
    assert form.get_by_text("Belum ada berkas dipilih").is_visible()
    native = form.locator("input[type=file][data-file-native=main]")
    assert native.get_attribute("accept") == ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
    camera = form.locator("input[type=file][data-file-native=camera]")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"
    # Hidden from sight, not from the keyboard: Tab reaches the input and its button shows the focus.
    box = native.bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
    native.focus()
    assert page.evaluate("document.activeElement.dataset.fileNative") == "main"
    # The field's label and the button both name the input.
    assert form.get_by_label("Berkas").first.evaluate("element => element.dataset.fileNative") == "main"

    pdf = tmp_path / "sk-penetapan.pdf"
    pdf.write_bytes(VALID_PDF)
    native.set_input_files(str(pdf))
    chosen = form.locator("[data-file-chosen]")
    assert chosen.inner_text().startswith("sk-penetapan.pdf (")
    assert form.locator("[data-file-full]").is_hidden()  # a PDF is sent as it is
    shot(page, "inputs-file-picker-en-US-phone")
    form.get_by_test_id("add-evidence").click()
    page.get_by_test_id("evidence-item").first.wait_for()
    # After the upload the form is emptied, and so is the name.
    page.wait_for_function(
        "document.querySelector('[data-file-chosen]').textContent.trim() === 'Belum ada berkas dipilih'"
    )
    evidence = Evidence.objects.get()
    assert evidence.original_name == "sk-penetapan.pdf"

    # The profile documents have the same picker.
    page.goto(f"{live_server.url}/entries/{entry.pk}/profile/")
    attachment = page.get_by_test_id("attachment-budget_file")
    assert attachment.get_by_text("Pilih berkas", exact=True).is_visible()
    assert attachment.get_by_text("Belum ada berkas dipilih").is_visible()


def test_large_photo_is_made_smaller_unless_the_original_is_asked_for(
    live_server, english_phone, entry, owner, shot, tmp_path
):
    page = english_phone
    page.add_init_script(WATCH)  # the photo is read through a data: URL, which the policy allows for images
    original = photo(tmp_path / "IMG_20240817_101500.jpg")
    original_size = original.stat().st_size
    assert 3_000_000 < original_size < 10 * 1024 * 1024
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/entries/{entry.pk}/indicators/{PHOTO_CODE}/")
    form = page.get_by_test_id("evidence-form")

    # From the camera control: made smaller, and sent through the main input.
    form.locator("input[data-file-native=camera]").set_input_files(str(original))
    form.get_by_text("Diperkecil agar cepat terkirim").wait_for()
    assert form.get_by_label("Kirim foto asli (ukuran penuh)").is_visible()
    shot(page, "inputs-photo-scaled-phone")
    assert form.locator("input[data-file-native=camera]").evaluate("input => input.files.length") == 0
    assert (
        form.locator("input[data-file-native=main]").evaluate("input => input.files[0].type") == "image/jpeg"
    )
    form.get_by_test_id("add-evidence").click()
    page.get_by_test_id("evidence-item").first.wait_for()
    smaller = Evidence.objects.get()
    size, picture = stored_picture(smaller)
    assert picture.format == "JPEG"
    assert max(picture.size) == 2000 and picture.size == (2000, 1500)
    assert size < original_size / 3
    assert smaller.original_name == "IMG_20240817_101500.jpg"
    assert page.evaluate("window.__violations || []") == []

    # The original, when asked for: sent as it is.
    page.reload()
    form = page.get_by_test_id("evidence-form")
    form.locator("input[data-file-native=main]").set_input_files(str(original))
    form.get_by_text("Diperkecil agar cepat terkirim").wait_for()
    form.get_by_label("Kirim foto asli (ukuran penuh)").check()
    page.wait_for_function("!/Diperkecil/.test(document.querySelector('[data-file-note]').textContent)")
    assert form.locator("[data-file-chosen]").inner_text().startswith("IMG_20240817_101500.jpg (5")
    form.get_by_test_id("add-evidence").click()
    page.get_by_test_id("evidence-item").nth(1).wait_for()
    kept = Evidence.objects.exclude(pk=smaller.pk).get()
    size, picture = stored_picture(kept)
    assert size == original_size and picture.size == (4000, 3000)
    assert page.evaluate("window.__violations || []") == []


def test_png_photo_is_sent_as_a_smaller_jpeg_and_the_server_accepts_it(
    live_server, english_phone, entry, owner, tmp_path
):
    page = english_phone
    screenshot = photo(tmp_path / "tangkapan layar.png", size=(3000, 2250), kind="PNG")
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/entries/{entry.pk}/indicators/{PHOTO_CODE}/")
    form = page.get_by_test_id("evidence-form")
    form.locator("input[data-file-native=main]").set_input_files(str(screenshot))
    # Sent at once: the form waits for the smaller photo before it goes.
    form.get_by_test_id("add-evidence").click()
    page.get_by_test_id("evidence-item").first.wait_for()
    evidence = Evidence.objects.get()
    size, picture = stored_picture(evidence)
    assert picture.format == "JPEG" and picture.size == (2000, 1500)
    assert size < screenshot.stat().st_size
    assert evidence.original_name == "tangkapan layar.jpg"
