"""The agency import reads SKPD, OPD and Perangkat Daerah, in any case, as the perangkat daerah kind."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.importing import AgencyImportError, import_agencies
from agencies.models import Agency, AgencyKind
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ALIASES = b"""code,name,kind,parent_code
PD-1,Dinas Kesehatan,SKPD,
PD-2,Dinas Pendidikan,skpd,
PD-3,Badan Perencanaan,OPD,
PD-4,Dinas Sosial,Perangkat Daerah,
PD-5,Dinas Perhubungan, Opd ,
UPTD-1,UPTD Puskesmas Lakessi,UPTD,PD-1
"""


def test_skpd_opd_and_perangkat_daerah_import_as_perangkat_daerah(region):
    report = import_agencies(region, ALIASES)
    assert sorted(report.created) == ["PD-1", "PD-2", "PD-3", "PD-4", "PD-5", "UPTD-1"]
    kinds = dict(Agency.objects.filter(region=region).values_list("code", "kind"))
    assert {kinds[code] for code in ("PD-1", "PD-2", "PD-3", "PD-4", "PD-5")} == {AgencyKind.PERANGKAT_DAERAH}
    # A UPTD under an SKPD finds its parent of the right kind.
    assert Agency.objects.get(code="UPTD-1").parent.code == "PD-1"
    # The same file again changes nothing: the alias is stored as the kind it stands for.
    again = import_agencies(region, ALIASES)
    assert again.created == [] and again.updated == []


def test_an_unknown_kind_is_still_refused(region):
    with pytest.raises(AgencyImportError) as refused:
        import_agencies(region, b"code,name,kind,parent_code\nPD-1,Dinas Kesehatan,SKPDX,\n")
    assert "skpdx" in refused.value.problems[0]
    assert not Agency.objects.exists()


def test_import_page_says_skpd_is_accepted_and_takes_it(admin_user):
    client = client_for(admin_user)
    page = client.get(reverse("agency_import")).content.decode()
    assert "<code>SKPD</code>, <code>OPD</code> atau <code>Perangkat Daerah</code>" in page
    response = client.post(
        reverse("agency_import"),
        {
            "file": SimpleUploadedFile(
                "instansi.csv", b"code,name,kind,parent_code\nPD-1,Dinkes,SKPD,\n", "text/csv"
            )
        },
    )
    assert response.context["report"].created == ["PD-1"]
    assert Agency.objects.get(code="PD-1").kind == AgencyKind.PERANGKAT_DAERAH
