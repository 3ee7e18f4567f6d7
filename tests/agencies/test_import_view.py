import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Agency
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

GOOD = b"code,name,kind,parent_code\nKEL-1,Kelurahan Satu,kelurahan,KEC-1\nKEC-1,Kecamatan Satu,kecamatan,\n"


def upload(client, data, name="agencies.csv"):
    return client.post(reverse("agency_import"), {"file": SimpleUploadedFile(name, data, "text/csv")})


def test_import_view_admin_imports_a_good_file(admin_user):
    response = upload(client_for(admin_user), GOOD)
    assert response.status_code == 200
    assert set(Agency.objects.values_list("code", flat=True)) == {"KEC-1", "KEL-1"}
    assert response.context["report"].created == ["KEC-1", "KEL-1"]


def test_import_view_lists_problems_and_imports_nothing(admin_user):
    response = upload(client_for(admin_user), GOOD + b"KEL-2,Kelurahan Dua,kelurahan,KEC-X\n")
    assert Agency.objects.count() == 0
    problems = response.context["problems"]
    assert len(problems) == 1 and "4" in problems[0]
    assert problems[0] in response.content.decode()


def test_import_view_refuses_an_oversize_file(admin_user, settings):
    settings.AGENCY_IMPORT_MAX_BYTES = 10
    response = upload(client_for(admin_user), GOOD)
    assert response.context["form"].errors["file"]
    assert Agency.objects.count() == 0


def test_import_view_is_only_for_admins(reviewer, owner):
    for person in (reviewer, owner):
        assert upload(client_for(person), GOOD).status_code == 403
    assert Agency.objects.exclude(code__in=["PD-DINKES"]).count() == 0
