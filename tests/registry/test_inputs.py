"""Issue 15, inputs: dates typed day first, the related urusan as grouped checkboxes, our own file picker.

The browser side (search, count, slashes, photos made smaller) is in tests/browser/test_inputs.py.
"""

import datetime
import io
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation
from PIL import Image

from agencies.forms import AgencyImportForm
from agencies.widgets import DayField, DayInput, FilePicker
from registry.entries import urusan_choices
from registry.evidence_checks import accept_attribute
from registry.forms import CycleForm, EvidenceForm, ProfileForm
from reports.official_forms import OfficialImportForm
from scoring.forms import CatalogueUploadForm
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 1, 10)
AUGUST_17 = datetime.date(2024, 8, 17)


class Edition:
    """A parsed catalogue edition without profile rules."""

    profile_fields = ()

    def profile_field(self, name):
        return None


class Tags(HTMLParser):
    """Every start tag of a piece of HTML with its attributes, and the text of each <legend> and <label>."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.texts, self._open = [], {"legend": [], "label": []}, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.texts:
            self._open = tag
            self.texts[tag].append("")

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None

    def handle_data(self, data):
        if self._open:
            self.texts[self._open][-1] += data

    def find(self, tag, **attrs):
        return [
            found
            for name, found in self.tags
            if name == tag and all(found.get(k) == v for k, v in attrs.items())
        ]


# --- dates ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["17/08/2024", "2024-08-17", "17-08-2024", "17.08.2024", "17082024", " 17/08/2024 ", "17/8/2024"]
)
def test_a_date_is_read_day_first_or_as_iso(typed):
    assert DayField().clean(typed) == AUGUST_17


@pytest.mark.parametrize(
    "typed", ["31/02/2024", "08/17/2024", "17/08/24", "2024/08/17", "kemarin", "1782024"]
)
def test_a_wrong_date_says_how_to_write_it_in_indonesian(typed):
    for language, message in [
        ("id", "Tulis tanggal sebagai hh/bb/tttt, misalnya 17/08/2024."),
        ("en", "Write the date as dd/mm/yyyy, for example 17/08/2024."),
    ]:
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                DayField().clean(typed)
            assert refused.value.messages == [message]


def test_the_date_input_is_a_text_box_with_the_indonesian_format():
    with translation.override("id"):
        html = str(
            ProfileForm(initial={"trial_date": AUGUST_17}, edition=Edition(), today=TODAY)["trial_date"]
        )
    tags = Tags(html)
    (box,) = tags.find("input", name="trial_date")
    assert box["type"] == "text"  # the browser's date input would show mm/dd/yyyy on an English phone
    assert box["value"] == "17/08/2024"
    assert box["placeholder"] == "hh/bb/tttt"
    assert box["inputmode"] == "numeric"
    assert box["aria-describedby"] == "id_trial_date-format"
    assert "Hari/bulan/tahun, misalnya 17/08/2024." in html


def test_every_date_of_every_form_is_typed_day_first(region):
    cycle_form = CycleForm(region=region)
    profile = ProfileForm(edition=Edition(), today=TODAY)
    evidence = EvidenceForm(kinds=["pdf", "metadata"], today=TODAY)
    dates = {
        **{name: field for name, field in cycle_form.fields.items() if "opens" in name or "closes" in name},
        "trial_date": profile.fields["trial_date"],
        "implementation_date": profile.fields["implementation_date"],
        "document_date": evidence.fields["document_date"],
    }
    assert len(dates) == 7
    for name, field in dates.items():
        assert isinstance(field, DayField), name
        assert isinstance(field.widget, DayInput), name


def test_profile_form_takes_both_date_formats():
    data = {"version": 1, "name": "Posyandu", "stage": "penerapan"}
    form = ProfileForm(
        {**data, "trial_date": "01/02/2023", "implementation_date": "2023-03-01"},
        edition=Edition(),
        today=TODAY,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["trial_date"] == datetime.date(2023, 2, 1)
    assert form.cleaned_data["implementation_date"] == datetime.date(2023, 3, 1)


def test_profile_page_saves_a_date_typed_day_first(entry, owner):
    client = client_for(owner)
    data = {
        "version": entry.version,
        "name": entry.name,
        "stage": entry.stage,
        "implementation_date": "17/08/2024",
    }
    response = client.post(reverse("entry_profile", args=[entry.pk]), data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.implementation_date == AUGUST_17
    assert 'value="17/08/2024"' in client.get(reverse("entry_profile", args=[entry.pk])).content.decode()


# --- related urusan ------------------------------------------------------------------------------------------


def test_related_urusan_are_checkboxes_in_their_groups():
    with translation.override("id"):
        form = ProfileForm(
            initial={"related_urusan": ["Kesehatan", "Perencanaan"]}, edition=Edition(), today=TODAY
        )
        html = str(form["related_urusan"])
    tags = Tags(html)
    groups = urusan_choices()
    with translation.override("id"):
        assert tags.texts["legend"] == [str(group) for group, _items in groups]
    boxes = tags.find("input", type="checkbox", name="related_urusan")
    assert [box["value"] for box in boxes] == [value for _group, items in groups for value, _label in items]
    assert len(boxes) == 38
    assert [box["value"] for box in boxes if "checked" in box] == ["Kesehatan", "Perencanaan"]
    # Each checkbox has its label, with the whole name (a select cut long names off).
    long_name = "Ketenteraman, Ketertiban Umum, dan Pelindungan Masyarakat"
    assert long_name in tags.texts["label"]
    assert len(tags.find("label", **{"for": boxes[0]["id"]})) == 1
    # The search box has no name: it is never sent, so it never starts an autosave.
    (search,) = tags.find("input", type="search")
    assert "name" not in search
    assert "2 dipilih" in html and ": Kesehatan, Perencanaan" in html


def test_related_urusan_ticked_several_are_saved_as_a_list(entry, owner):
    data = QueryDict(mutable=True)
    data.update({"version": entry.version, "name": entry.name, "stage": entry.stage})
    data.setlist("related_urusan", ["Kesehatan", "Sosial", "Perencanaan"])
    response = client_for(owner).post(
        reverse("entry_profile", args=[entry.pk]),
        data.urlencode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.related_urusan == ["Kesehatan", "Sosial", "Perencanaan"]


def test_profile_page_names_the_checklist_with_a_legend(entry, owner):
    html = client_for(owner).get(reverse("entry_profile", args=[entry.pk])).content.decode()
    tags = Tags(html)
    assert "Urusan lain yang beririsan" in tags.texts["legend"]
    assert not tags.find("select", name="related_urusan")
    assert len(tags.find("input", type="checkbox", name="related_urusan")) == 38


# --- file picker ---------------------------------------------------------------------------------------------


def picker_of(html):
    tags = Tags(html)
    (native,) = tags.find("input", type="file", **{"data-file-native": "main"})
    return tags, native


@pytest.mark.parametrize(
    "form",
    [
        lambda: EvidenceForm(kinds=["pdf", "metadata"], today=TODAY),
        lambda: AgencyImportForm(),
        lambda: OfficialImportForm(),
        lambda: CatalogueUploadForm(),
    ],
    ids=["evidence", "agency-import", "official-results-import", "catalogue"],
)
def test_every_file_field_has_the_indonesian_picker(form):
    with translation.override("id"):
        bound = form()
        assert isinstance(bound.fields["file"].widget, FilePicker)
        html = str(bound["file"])
    tags, native = picker_of(html)
    (button,) = [label for label in tags.find("label") if label.get("data-file-button") == "main"]
    assert button["for"] == native["id"]  # the button is the input's label: a tap on it opens the picker
    assert "Pilih berkas" in tags.texts["label"][0]
    assert "Belum ada berkas dipilih" in html
    assert native["id"] + "-chosen" in native["aria-describedby"].split()
    assert "clear" not in html  # no "Clear" checkbox of ClearableFileInput


def test_evidence_picker_accepts_what_the_indicator_takes_and_offers_the_camera_for_images():
    with translation.override("id"):
        pdf_only = str(EvidenceForm(kinds=["pdf", "metadata"], today=TODAY)["file"])
        photos = str(EvidenceForm(kinds=["image", "screenshot", "pdf"], today=TODAY)["file"])
    _tags, native = picker_of(pdf_only)
    assert native["accept"] == ".pdf,application/pdf"
    assert "capture" not in pdf_only and "Ambil foto" not in pdf_only
    tags, native = picker_of(photos)
    assert native["accept"] == ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
    (camera,) = tags.find("input", **{"data-file-native": "camera"})
    assert (camera["name"], camera["accept"], camera["capture"]) == ("file", "image/*", "environment")
    assert "Kirim foto asli (ukuran penuh)" in photos
    assert 'data-photo-max="2000"' in photos


def test_accept_attribute_follows_the_kinds():
    assert accept_attribute(["video", "link"]) == ".mp4,video/mp4"
    assert accept_attribute(["screenshot"]) == ".jpg,.jpeg,.png,image/jpeg,image/png"
    assert accept_attribute(["link"]) == ""


def test_profile_documents_use_the_picker(entry, owner):
    html = client_for(owner).get(reverse("entry_profile", args=[entry.pk])).content.decode()
    tags = Tags(html)
    natives = tags.find("input", type="file")
    assert [native["id"] for native in natives] == [
        "attachment-budget_file",
        "attachment-business_profile_file",
    ]
    assert all(
        native["accept"] == "application/pdf,.pdf" and native.get("data-size-limits") for native in natives
    )
    assert html.count("Pilih berkas") == 2
    assert 'src="/static/js/inputs.js" defer' in html


def jpeg(size):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def test_a_photo_made_smaller_in_the_browser_passes_the_checks():
    """inputs.js sends a PNG made smaller as JPEG under the name with .jpg: the content and the name agree."""
    upload = SimpleUploadedFile("tangkapan layar.jpg", jpeg((2000, 1500)), content_type="image/jpeg")
    form = EvidenceForm({}, {"file": upload}, kinds=["image", "screenshot", "pdf"], today=TODAY)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["checked"].kind == "image"
    assert form.cleaned_data["checked"].content_type == "image/jpeg"


def test_two_file_inputs_of_one_name_send_the_one_with_a_file(entry, owner, settings, tmp_path):
    """Without JavaScript the camera input is sent beside the main one; the empty one is left out."""
    from registry.models import Evidence

    settings.MEDIA_ROOT = tmp_path
    url = reverse("entry_evidence_add", args=[entry.pk, "SID-19"])
    boundary = "----registri"
    parts = [
        (b'name="file"; filename=""', b"application/octet-stream", b""),  # the camera input, left empty
        (b'name="file"; filename="IMG_0001.jpg"', b"image/jpeg", jpeg((800, 600))),
    ]
    body = (
        b"".join(
            b"--%s\r\nContent-Disposition: form-data; %s\r\nContent-Type: %s\r\n\r\n%s\r\n"
            % (boundary.encode(), disposition, kind, content)
            for disposition, kind, content in parts
        )
        + b"--%s--\r\n" % boundary.encode()
    )
    response = client_for(owner).generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code in (200, 302), response.content[:500]
    assert Evidence.objects.get().original_name == "IMG_0001.jpg"
