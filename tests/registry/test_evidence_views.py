import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import Evidence
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
METADATA = {"document_number": "7/2023", "document_date": "2023-04-02", "subject": "SK Inovasi"}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, entry, code, name, content, **fields):
    data = {"file": SimpleUploadedFile(name, content), **METADATA, **fields}
    return client.post(reverse("entry_evidence_add", args=[entry.pk, code]), data)


def test_pdf_upload_is_stored_privately_and_served_only_to_the_agency(
    entry, owner, member, outsider, reviewer
):
    response = upload(client_for(owner), entry, "SID-16", "sk.pdf", PDF)
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert (item.kind, item.content_type, item.size, item.original_name) == (
        "file",
        "application/pdf",
        len(PDF),
        "sk.pdf",
    )
    url = reverse("evidence_file", args=[item.pk])
    for person in (owner, member, reviewer):
        served = client_for(person).get(url)
        assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(owner).get(f"/media/{item.file.name}").status_code == 404


def test_executable_renamed_pdf_is_refused_and_the_typed_metadata_survives(entry, owner):
    response = upload(client_for(owner), entry, "SID-16", "sk.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    assert response.status_code == 422
    assert "program" in response.content.decode()
    assert response.context["evidence_form"]["document_number"].value() == "7/2023"
    assert Evidence.objects.count() == 0


def test_empty_file_and_wrong_kind_are_refused_with_a_message(entry, owner):
    client = client_for(owner)
    assert "kosong" in upload(client, entry, "SID-16", "sk.pdf", b"").content.decode()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert upload(client, entry, "SID-16", "foto.png", png).status_code == 422  # SID-16 takes PDF only
    assert Evidence.objects.count() == 0


def test_oversize_file_is_refused(entry, owner, settings):
    settings.REGISTRI_EVIDENCE_MAX_BYTES = {"pdf": 10}
    assert upload(client_for(owner), entry, "SID-16", "sk.pdf", PDF).status_code == 422
    assert Evidence.objects.count() == 0


def test_broken_link_and_future_date_are_refused(entry, owner):
    client = client_for(owner)
    response = client.post(
        reverse("entry_evidence_add", args=[entry.pk, "SID-25"]),
        {"url": "javascript:alert(1)", **METADATA},
    )
    assert response.status_code == 422
    response = client.post(
        reverse("entry_evidence_add", args=[entry.pk, "SID-25"]),
        {"url": "https://parepare.go.id/berita", **METADATA, "document_date": "2999-01-01"},
    )
    assert response.status_code == 422
    assert Evidence.objects.count() == 0


def test_upload_over_xhr_answers_with_the_new_list(entry, owner):
    response = client_for(owner).post(
        reverse("entry_evidence_add", args=[entry.pk, "SID-16"]),
        {"file": SimpleUploadedFile("sk.pdf", PDF), **METADATA},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 200
    assert 'id="evidence-list"' in response.content.decode() and "sk.pdf" in response.content.decode()


def test_outsider_cannot_add_or_remove_evidence(entry, owner, outsider):
    upload(client_for(owner), entry, "SID-16", "sk.pdf", PDF)
    item = Evidence.objects.get()
    assert upload(client_for(outsider), entry, "SID-16", "lain.pdf", PDF).status_code == 404
    assert client_for(outsider).post(reverse("evidence_delete", args=[item.pk])).status_code == 404
    assert Evidence.objects.count() == 1


def test_owner_removes_evidence_and_its_file(entry, owner, django_capture_on_commit_callbacks):
    upload(client_for(owner), entry, "SID-16", "sk.pdf", PDF)
    item = Evidence.objects.get()
    path = item.file.path
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the deletion commits
        client_for(owner).post(reverse("evidence_delete", args=[item.pk]))
    assert Evidence.objects.count() == 0
    from pathlib import Path

    assert not Path(path).exists()


def test_profile_budget_pdf_is_checked_stored_and_served_privately(entry, owner, outsider):
    url = reverse("entry_attachment", args=[entry.pk, "budget_file"])
    client = client_for(owner)
    client.post(url, {"file": SimpleUploadedFile("anggaran.exe", b"MZ" + b"\x00" * 100)})
    entry.refresh_from_db()
    assert not entry.budget_file
    client.post(url, {"file": SimpleUploadedFile("anggaran.pdf", PDF)})
    entry.refresh_from_db()
    assert entry.budget_file.name.endswith(".pdf")
    assert b"".join(client.get(url).streaming_content) == PDF
    assert client_for(outsider).get(url).status_code == 404
    assert client.get(reverse("entry_attachment", args=[entry.pk, "password"])).status_code == 404
