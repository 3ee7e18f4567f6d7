"""Uploaded evidence on S3-compatible object storage, against moto's S3 server on a localhost port.

The storage options come from `config/settings.py` itself, read in a subprocess from REGISTRI_S3_* variables, and
every request below is real S3 over HTTP (boto3 and urllib to the moto server), not a mocked client.
"""

import io
import json
import logging
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from registry.models import Cycle, Evidence, Innovation
from reports.models import HandoffPackage
from tests.conftest import assert_error_page, client_for, make_cycle, open_windows
from tests.registry.upload_samples import VALID_PDF, one_page

pytestmark = pytest.mark.django_db

PDF = VALID_PDF
PDF_2 = one_page(catalog=b" /Lang (id)")
METADATA = {"document_number": "7/2023", "document_date": "2023-04-02", "subject": "SK Inovasi"}
BUCKET = "bukti-registri"
PREFIX = "registri/uji"
ACCESS_KEY, SECRET_KEY = "kunci-uji", "rahasia-uji"
# No proxy from the environment may stand between the tests and the local S3 server.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def settings_from_environment(**variables) -> subprocess.CompletedProcess:
    """Import config.settings in a fresh interpreter with only these variables (and a secret key) set."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REGISTRI_")) and key != "DATABASE_URL"
    }
    env.update(DJANGO_SECRET_KEY="settings-test-" + "x" * 40, **variables)
    code = (
        "import json, config.settings as s; print(json.dumps({'default': s.STORAGES['default'],"
        " 'download': s.REGISTRI_EVIDENCE_DOWNLOAD, 'seconds': s.REGISTRI_S3_SIGNED_URL_SECONDS}))"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def parsed(**variables) -> dict:
    result = settings_from_environment(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@dataclass
class Bucket:
    client: object
    endpoint: str

    def keys(self) -> set[str]:
        listing = self.client.list_objects_v2(Bucket=BUCKET)
        return {item["Key"] for item in listing.get("Contents", [])}

    def read(self, name: str) -> bytes:
        """The bytes of a stored file, by the name the database holds (the prefix is the storage's)."""
        return self.client.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{name}")["Body"].read()


@pytest.fixture(scope="module")
def s3_endpoint():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def s3_storage_settings(s3_endpoint):
    """STORAGES['default'] as production builds it from its environment variables, pointed at the local server."""
    return parsed(
        REGISTRI_S3_BUCKET=BUCKET,
        REGISTRI_S3_ENDPOINT_URL=s3_endpoint,
        REGISTRI_S3_REGION="us-east-1",
        REGISTRI_S3_ACCESS_KEY_ID=ACCESS_KEY,
        REGISTRI_S3_SECRET_ACCESS_KEY=SECRET_KEY,
        REGISTRI_S3_PREFIX=f"/{PREFIX}/",
        REGISTRI_S3_ADDRESSING_STYLE="path",
    )["default"]


@pytest.fixture
def bucket(s3_endpoint, s3_storage_settings, settings, tmp_path):
    """An empty bucket as the default storage of every FileField; the file system folder must stay empty."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    if BUCKET not in {item["Name"] for item in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=BUCKET)
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_settings}
    settings.REGISTRI_EVIDENCE_DOWNLOAD = "stream"
    # The models keep Django's default storage object; the override must reach them, not only `default_storage`.
    assert isinstance(Evidence._meta.get_field("file").storage, S3Storage)
    assert isinstance(HandoffPackage._meta.get_field("archive").storage, S3Storage)
    yield Bucket(client=client, endpoint=s3_endpoint)
    assert not settings.MEDIA_ROOT.exists(), "something was written to the file system"


def upload(client, entry, code, name, content):
    data = {"file": SimpleUploadedFile(name, content), **METADATA}
    return client.post(reverse("entry_evidence_add", args=[entry.pk, code]), data)


def fetch(url: str):
    """A plain HTTP GET outside Django, as the browser would after a redirect: (status, headers, body)."""
    try:
        with DIRECT.open(url, timeout=10) as reply:
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, refused.read()


# --- settings ---------------------------------------------------------------------------------------------------


def test_settings_keep_the_file_system_unless_a_bucket_is_named():
    assert parsed() == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "download": "stream",
        "seconds": 300,
    }
    assert parsed(DJANGO_FILE_STORAGE="custom.Storage")["default"] == {"BACKEND": "custom.Storage"}


def test_settings_build_a_private_s3_storage_from_the_environment():
    result = parsed(
        REGISTRI_S3_BUCKET="bukti",
        REGISTRI_S3_ENDPOINT_URL="https://minio.parepare.go.id",
        REGISTRI_S3_REGION="ap-southeast-3",
        REGISTRI_S3_ACCESS_KEY_ID="AKIA",
        REGISTRI_S3_SECRET_ACCESS_KEY="rahasia",
        REGISTRI_S3_PREFIX="registri/",
        REGISTRI_S3_ADDRESSING_STYLE="Virtual",
        REGISTRI_S3_SIGNED_URL_SECONDS="120",
        REGISTRI_EVIDENCE_DOWNLOAD="signed-url",
    )
    assert result == {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "bukti",
                "endpoint_url": "https://minio.parepare.go.id",
                "region_name": "ap-southeast-3",
                "access_key": "AKIA",
                "secret_key": "rahasia",
                "location": "registri",
                "addressing_style": "virtual",
                "signature_version": "s3v4",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 120,
                "file_overwrite": False,
                "max_memory_size": 2 * 1024 * 1024,
            },
        },
        "download": "signed-url",
        "seconds": 120,
    }
    # Empty values mean AWS's own endpoint, region and credential chain.
    options = parsed(REGISTRI_S3_BUCKET="bukti")["default"]["OPTIONS"]
    assert [
        options[key] for key in ("endpoint_url", "region_name", "access_key", "secret_key", "location")
    ] == [
        None,
        None,
        None,
        None,
        "",
    ]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"REGISTRI_EVIDENCE_DOWNLOAD": "signed"}, "must be stream or signed-url"),
        ({"REGISTRI_EVIDENCE_DOWNLOAD": "signed-url"}, "needs REGISTRI_S3_BUCKET"),
        ({"REGISTRI_S3_BUCKET": "b", "REGISTRI_S3_ADDRESSING_STYLE": "dns"}, "must be path or virtual"),
        ({"REGISTRI_S3_SIGNED_URL_SECONDS": "lima menit"}, "is not an integer"),
        ({"REGISTRI_S3_SIGNED_URL_SECONDS": "0"}, "between 1 and 604800"),
        ({"REGISTRI_S3_SIGNED_URL_SECONDS": "700000"}, "between 1 and 604800"),
        ({"REGISTRI_S3_BUCKET": "b", "DJANGO_FILE_STORAGE": "custom.Storage"}, "not both"),
    ],
)
def test_settings_refuse_a_bad_storage_value(variables, message):
    result = settings_from_environment(**variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


# --- evidence ---------------------------------------------------------------------------------------------------


def test_uploaded_evidence_is_an_object_in_the_bucket_not_a_file_on_disk(bucket, entry, owner):
    assert upload(client_for(owner), entry, "SID-16", "SK Kepala Dinas.pdf", PDF).status_code == 302
    item = Evidence.objects.get()
    assert item.file.name == f"evidence/{item.answer_id}/SK_Kepala_Dinas.pdf"
    assert bucket.keys() == {f"{PREFIX}/evidence/{item.answer_id}/SK_Kepala_Dinas.pdf"}
    assert bucket.read(item.file.name) == PDF
    # A second upload of the same name never overwrites the first object.
    upload(client_for(owner), entry, "SID-16", "SK Kepala Dinas.pdf", PDF_2)
    second = Evidence.objects.exclude(pk=item.pk).get()
    assert second.file.name != item.file.name
    assert (bucket.read(item.file.name), bucket.read(second.file.name)) == (PDF, PDF_2)


def test_evidence_is_streamed_to_the_agency_and_another_agency_gets_404(
    bucket, entry, owner, member, reviewer, outsider
):
    upload(client_for(owner), entry, "SID-16", "sk.pdf", PDF)
    item = Evidence.objects.get()
    url = reverse("evidence_file", args=[item.pk])
    for person in (owner, member, reviewer):
        response = client_for(person).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert (response["Content-Type"], response["Content-Length"]) == ("application/pdf", str(len(PDF)))
        assert response["Content-Disposition"] == 'inline; filename="sk.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
    attachment = client_for(owner).get(url, {"download": "1"})
    assert attachment["Content-Disposition"] == 'attachment; filename="sk.pdf"'
    refused = client_for(outsider).get(url)
    assert refused.status_code == 404 and PDF not in refused.content
    assert client_for(outsider).get(url, {"download": "1"}).status_code == 404


def test_evidence_whose_object_is_gone_answers_404(bucket, entry, owner):
    upload(client_for(owner), entry, "SID-16", "sk.pdf", PDF)
    item = Evidence.objects.get()
    bucket.client.delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{item.file.name}")
    response = client_for(owner).get(reverse("evidence_file", args=[item.pk]))
    assert_error_page(response, 404, "sk.pdf")  # the error page, not an empty or broken download


def test_signed_url_mode_redirects_after_the_access_check_to_a_short_lived_url(
    bucket, entry, owner, outsider, settings
):
    settings.REGISTRI_EVIDENCE_DOWNLOAD = "signed-url"
    upload(client_for(owner), entry, "SID-16", "Surat Keputusan.pdf", PDF)
    item = Evidence.objects.get()
    url = reverse("evidence_file", args=[item.pk])

    response = client_for(owner).get(url, {"download": "1"})
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    location = urllib.parse.urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == bucket.endpoint
    assert location.path == f"/{BUCKET}/{PREFIX}/evidence/{item.answer_id}/Surat_Keputusan.pdf"
    query = urllib.parse.parse_qs(location.query)
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"]
    status, headers, body = fetch(response["Location"])
    assert (status, body) == (200, PDF)
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == 'attachment; filename="Surat Keputusan.pdf"'

    inline = client_for(owner).get(url)
    assert fetch(inline["Location"])[1]["Content-Disposition"] == 'inline; filename="Surat Keputusan.pdf"'

    # Without the signature the object is refused: only the view hands out a way in.
    anonymous = f"{bucket.endpoint}/{BUCKET}/{PREFIX}/{item.file.name}"
    status, _headers, body = fetch(anonymous)
    assert status == 403 and body != PDF
    refused = client_for(outsider).get(url)
    assert refused.status_code == 404 and not refused.has_header("Location")


def test_removing_evidence_removes_its_object_once_the_deletion_commits(
    bucket, entry, owner, outsider, django_capture_on_commit_callbacks
):
    upload(client_for(owner), entry, "SID-16", "sk.pdf", PDF)
    upload(client_for(owner), entry, "SID-16", "lain.pdf", PDF_2)
    item, kept = Evidence.objects.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(outsider).post(reverse("evidence_delete", args=[item.pk])).status_code == 404
    assert len(bucket.keys()) == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(owner).post(reverse("evidence_delete", args=[item.pk]))
        assert response.status_code == 302
        assert len(bucket.keys()) == 2  # not before the deletion commits
    assert len(callbacks) == 1
    assert list(Evidence.objects.all()) == [kept]
    assert bucket.keys() == {f"{PREFIX}/{kept.file.name}"}


def test_profile_pdf_replaced_or_removed_leaves_only_the_current_object(
    bucket, entry, owner, outsider, django_capture_on_commit_callbacks
):
    url = reverse("entry_attachment", args=[entry.pk, "budget_file"])
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": SimpleUploadedFile("anggaran.pdf", PDF)})
        client.post(url, {"file": SimpleUploadedFile("anggaran.pdf", PDF_2)})
    entry.refresh_from_db()
    assert bucket.keys() == {f"{PREFIX}/{entry.budget_file.name}"}
    assert bucket.read(entry.budget_file.name) == PDF_2
    assert b"".join(client.get(url).streaming_content) == PDF_2
    assert client_for(outsider).get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"remove": "1"})
    entry.refresh_from_db()
    assert not entry.budget_file and bucket.keys() == set()
    assert client.get(url).status_code == 404


def test_carry_over_copies_the_object_so_each_year_owns_its_file(
    bucket, entry, owner, agency_a, django_capture_on_commit_callbacks
):
    upload(client_for(owner), entry, "SID-16", "sk.pdf", PDF)
    old = Evidence.objects.get()
    next_cycle = make_cycle(entry.cycle.region, entry.cycle.year + 1, entry.cycle.edition)
    Cycle.objects.filter(pk=next_cycle.pk).update(**open_windows())
    Cycle.objects.filter(pk=entry.cycle_id).update(
        submission_opens="2020-01-01", submission_closes="2020-02-01"
    )
    response = client_for(owner).post(
        reverse("entry_start", args=[agency_a.pk]), {"carry_over": str(entry.pk)}
    )
    assert response.status_code == 302
    copied = Evidence.objects.exclude(pk=old.pk).get()
    assert copied.answer.innovation.cycle_id == next_cycle.pk and copied.file.name != old.file.name
    assert bucket.keys() == {f"{PREFIX}/{old.file.name}", f"{PREFIX}/{copied.file.name}"}
    assert bucket.read(copied.file.name) == PDF
    with django_capture_on_commit_callbacks(execute=True):
        client_for(owner).post(reverse("evidence_delete", args=[copied.pk]))
    assert bucket.keys() == {f"{PREFIX}/{old.file.name}"}
    assert bucket.read(old.file.name) == PDF


def test_showcase_hands_out_a_public_item_from_the_bucket_and_nothing_else(bucket, entry, owner, settings):
    upload(client_for(owner), entry, "SID-16", "sk.pdf", PDF)
    upload(client_for(owner), entry, "SID-19", "internal.pdf", PDF_2)
    public, private = Evidence.objects.order_by("pk")
    Evidence.objects.filter(pk=public.pk).update(is_public=True, review=Evidence.Review.ACCEPTED)
    Innovation.objects.filter(pk=entry.pk).update(status=Innovation.Status.APPROVED)
    anonymous = Client()
    response = anonymous.get(reverse("showcase_evidence", args=[entry.pk, public.pk]))
    assert b"".join(response.streaming_content) == PDF
    assert anonymous.get(reverse("showcase_evidence", args=[entry.pk, private.pk])).status_code == 404
    settings.REGISTRI_EVIDENCE_DOWNLOAD = "signed-url"
    signed = anonymous.get(reverse("showcase_evidence", args=[entry.pk, public.pk]))
    assert fetch(signed["Location"])[::2] == (200, PDF)
    assert anonymous.get(reverse("showcase_evidence", args=[entry.pk, private.pk])).status_code == 404


# --- hand-off package -------------------------------------------------------------------------------------------


def test_handoff_zip_is_built_from_the_bucket_and_stored_back_in_it(
    bucket, entry, owner, admin_user, reviewer, outsider, django_capture_on_commit_callbacks
):
    client = client_for(owner)
    upload(client, entry, "SID-16", "sk.pdf", PDF)
    upload(client, entry, "SID-19", "laporan.pdf", PDF_2)
    client.post(
        reverse("entry_attachment", args=[entry.pk, "budget_file"]),
        {"file": SimpleUploadedFile("rab.pdf", PDF)},
    )
    Innovation.objects.filter(pk=entry.pk).update(status=Innovation.Status.SUBMITTED)
    evidence_keys = bucket.keys()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(reverse("handoff_request"), {"tahun": entry.cycle.year})
    assert response.status_code == 302
    package = HandoffPackage.objects.get()
    assert package.status == HandoffPackage.Status.DONE, package.message
    assert package.message == ""
    assert bucket.keys() == evidence_keys | {
        f"{PREFIX}/{package.archive.name}",
        f"{PREFIX}/{package.workbook.name}",
    }

    archive = zipfile.ZipFile(io.BytesIO(bucket.read(package.archive.name)))
    assert {name: archive.read(name) for name in archive.namelist()} == {
        "01_dinas-kesehatan/anggaran_rab.pdf": PDF,
        "01_dinas-kesehatan/SID-16_sk.pdf": PDF,
        "01_dinas-kesehatan/SID-19_laporan.pdf": PDF_2,
    }
    response = client_for(reviewer).get(reverse("handoff_archive", args=[package.pk]))
    assert b"".join(response.streaming_content) == bucket.read(package.archive.name)
    assert (
        response["Content-Disposition"] == f'attachment; filename="{package.archive.name.rsplit("/", 1)[1]}"'
    )
    workbook = client_for(reviewer).get(reverse("handoff_workbook", args=[package.pk]))
    assert b"".join(workbook.streaming_content)[:2] == b"PK"
    assert client_for(outsider).get(reverse("handoff_archive", args=[package.pk])).status_code == 403


def test_handoff_names_an_object_missing_from_the_bucket_and_still_finishes(
    bucket, entry, owner, admin_user, django_capture_on_commit_callbacks
):
    upload(client_for(owner), entry, "SID-16", "sk.pdf", PDF)
    upload(client_for(owner), entry, "SID-19", "hilang.pdf", PDF_2)
    lost = Evidence.objects.get(original_name="hilang.pdf")
    bucket.client.delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{lost.file.name}")
    Innovation.objects.filter(pk=entry.pk).update(status=Innovation.Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(reverse("handoff_request"), {"tahun": entry.cycle.year})
    package = HandoffPackage.objects.get()
    assert package.status == HandoffPackage.Status.DONE and "1" in package.message
    archive = zipfile.ZipFile(io.BytesIO(bucket.read(package.archive.name)))
    assert archive.namelist() == ["01_dinas-kesehatan/SID-16_sk.pdf"]
