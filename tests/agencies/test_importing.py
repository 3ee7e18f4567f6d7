from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from agencies.importing import AgencyImportError, import_agencies
from agencies.models import Agency, AgencyKind

pytestmark = pytest.mark.django_db

PAREPARE = Path("agencies/data/agencies-parepare.csv").read_bytes()

GOOD = b"""code,name,kind,parent_code
KEL-1,Kelurahan Satu,kelurahan,KEC-1
KEC-1,Kecamatan Satu,kecamatan,
UPTD-1,UPTD Puskesmas Satu,uptd,PD-1
PD-1,Dinas Kesehatan,perangkat_daerah,
"""


def snapshot(region):
    return sorted(
        Agency.objects.filter(region=region).values_list("code", "name", "kind", "parent__code", "updated_at")
    )


def test_import_good_file_with_parents_after_children(region):
    report = import_agencies(region, GOOD)
    assert sorted(report.created) == ["KEC-1", "KEL-1", "PD-1", "UPTD-1"]
    assert Agency.objects.get(code="KEL-1").parent.code == "KEC-1"
    assert Agency.objects.get(code="UPTD-1").parent.code == "PD-1"


def test_import_parepare_demo_file(region):
    report = import_agencies(region, PAREPARE)
    agencies = Agency.objects.filter(region=region)
    assert len(report.created) == 74
    assert agencies.filter(kind=AgencyKind.KECAMATAN).count() == 4
    assert agencies.filter(kind=AgencyKind.KELURAHAN).count() == 22
    assert not agencies.filter(kind=AgencyKind.KELURAHAN, parent__kind=AgencyKind.PERANGKAT_DAERAH).exists()


def test_import_twice_changes_nothing(region):
    import_agencies(region, PAREPARE)
    before = snapshot(region)
    report = import_agencies(region, PAREPARE)
    assert (report.created, report.updated, len(report.unchanged)) == ([], [], 74)
    assert snapshot(region) == before


def test_import_accepts_bom_semicolons_and_kind_labels(region):
    data = "\ufeffcode;name;kind;parent_code\r\nKEC-1;Kecamatan Satu;Kecamatan;\r\nKEL-1;Kelurahan Satu;kelurahan;KEC-1\r\n"
    report = import_agencies(region, data.encode("utf-8"))
    assert sorted(report.created) == ["KEC-1", "KEL-1"]
    assert Agency.objects.get(code="KEC-1").kind == AgencyKind.KECAMATAN


def test_import_updates_a_renamed_agency(region):
    import_agencies(region, GOOD)
    report = import_agencies(region, GOOD.replace(b"Dinas Kesehatan", b"Dinas Kesehatan Kota"))
    assert report.updated == ["PD-1"]
    assert Agency.objects.get(code="PD-1").name == "Dinas Kesehatan Kota"


def test_import_bad_file_lists_every_problem_with_row_numbers_and_imports_nothing(region):
    bad = b"""code,name,kind,parent_code
PD-1,Dinas Kesehatan,perangkat_daerah,
UPTD-1,UPTD Satu,uptd,KEC-1
KEC-1,Kecamatan Satu,kecamatan,PD-1
,Tanpa Kode,kelurahan,KEC-1
PD-1,Dinas Lagi,perangkat_daerah,
KEL-2,,kelurahan,KEC-1
X-1,Jenis Aneh,dinas,
KEL-3,Kelurahan Yatim,kelurahan,
KEL-4,Kelurahan Hilang,kelurahan,KEC-TIDAK-ADA
"""
    with pytest.raises(AgencyImportError) as caught:
        import_agencies(region, bad)
    problems = caught.value.problems
    lines = sorted({int(problem.split(":")[0].split()[-1]) for problem in problems})
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10]
    assert Agency.objects.count() == 0


def test_import_is_atomic_when_one_row_is_bad(region):
    with pytest.raises(AgencyImportError) as caught:
        import_agencies(region, GOOD + b"KEL-9,Kelurahan Sembilan,kelurahan,PD-1\n")
    assert len(caught.value.problems) == 1
    assert "6" in caught.value.problems[0]
    assert Agency.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"kode,nama\nA,B\n", b"code,name,kind,parent_code\n", b"\xff\xfe\x00c\x00o\x00d\x00e"],
    ids=["empty", "blank", "wrong-header", "header-only", "not-utf8"],
)
def test_import_rejects_unusable_files_with_a_message(region, data):
    with pytest.raises(AgencyImportError) as caught:
        import_agencies(region, data)
    assert caught.value.problems
    assert Agency.objects.count() == 0


def test_import_messages_are_indonesian(region):
    with translation.override("id"), pytest.raises(AgencyImportError) as caught:
        import_agencies(region, b"code,name,kind,parent_code\nKEL-1,Kelurahan,kelurahan,\n")
    assert caught.value.problems == [
        "Baris 2: Kelurahan harus mencantumkan kode Kecamatan induknya di kolom parent_code."
    ]


def test_import_refuses_kind_change_of_an_agency_that_keeps_children(region):
    import_agencies(region, GOOD)
    with pytest.raises(AgencyImportError) as caught:
        import_agencies(region, b"code,name,kind,parent_code\nPD-1,Dinas Kesehatan,kecamatan,\n")
    assert "UPTD-1" in caught.value.problems[0]
    assert Agency.objects.get(code="PD-1").kind == AgencyKind.PERANGKAT_DAERAH


def test_import_command_imports_and_reports(region, tmp_path, capsys):
    path = tmp_path / "agencies.csv"
    path.write_bytes(GOOD)
    call_command("import_agencies", str(path))
    assert Agency.objects.count() == 4
    call_command("import_agencies", str(path))
    assert Agency.objects.count() == 4


def test_import_command_fails_with_every_problem(region, tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes(b"code,name,kind,parent_code\nKEL-1,Kelurahan,kelurahan,\nX,Y,dinas,\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_agencies", str(path))
    assert "2" in str(caught.value) and "3" in str(caught.value)
    assert Agency.objects.count() == 0


def test_import_command_needs_an_existing_region(db, tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes(GOOD)
    with pytest.raises(CommandError):
        call_command("import_agencies", str(path))


# The optional contact columns (issue 14).


def test_import_reads_the_contact_columns_under_indonesian_names_and_updates_them(region):
    data = (
        "code;name;kind;parent_code;Kepala Instansi;E-mail;Telepon\n"
        "PD-1;Dinas Kesehatan;perangkat_daerah;;dr. Rahmawati;Dinkes@Example.go.id;0421 21000\n"
        "PD-2;Dinas Sosial;perangkat_daerah;;;;\n"
    )
    report = import_agencies(region, data.encode())
    assert sorted(report.created) == ["PD-1", "PD-2"]
    dinkes = Agency.objects.get(code="PD-1")
    assert (dinkes.head_name, dinkes.contact_email, dinkes.contact_phone) == (
        "dr. Rahmawati",
        "dinkes@example.go.id",
        "0421 21000",
    )
    assert Agency.objects.get(code="PD-2").contact_email == ""

    changed = data.replace("Dinkes@Example.go.id", "sekretariat.dinkes@example.go.id")
    report = import_agencies(region, changed.encode())
    assert (report.updated, report.unchanged) == (["PD-1"], ["PD-2"])
    assert Agency.objects.get(code="PD-1").contact_email == "sekretariat.dinkes@example.go.id"


def test_import_without_contact_columns_or_with_empty_cells_keeps_the_stored_contact(region):
    import_agencies(
        region,
        b"code,name,kind,parent_code,head_name,contact_email\nPD-1,Dinas Kesehatan,perangkat_daerah,,Ani,a@example.org\n",
    )
    for data in (
        b"code,name,kind,parent_code\nPD-1,Dinas Kesehatan,perangkat_daerah,\n",
        b"code,name,kind,parent_code,head_name,contact_email\nPD-1,Dinas Kesehatan,perangkat_daerah,,,\n",
    ):
        report = import_agencies(region, data)
        assert report.unchanged == ["PD-1"]
    agency = Agency.objects.get(code="PD-1")
    assert (agency.head_name, agency.contact_email) == ("Ani", "a@example.org")


def test_import_refuses_a_bad_contact_email_with_its_row_in_indonesian(region):
    data = (
        "code,name,kind,parent_code,contact_email,contact_phone\n"
        "PD-1,Dinas Kesehatan,perangkat_daerah,,dinkes@example.go.id,\n"
        "PD-2,Dinas Sosial,perangkat_daerah,,dinsos di example.go.id,\n"
        f"PD-3,Dinas Pangan,perangkat_daerah,,,{'1' * 31}\n"
    )
    with translation.override("id"), pytest.raises(AgencyImportError) as refused:
        import_agencies(region, data.encode())
    assert refused.value.problems == [
        "Baris 3: e-mail kontak dinsos di example.go.id bukan alamat e-mail yang sah.",
        "Baris 4: telepon kontak lebih dari 30 karakter.",
    ]
    assert not Agency.objects.filter(region=region).exists()
