"""The agency hierarchy is enforced by the database itself, not only by forms."""

import pytest
from django.db import IntegrityError, transaction

from agencies.models import PARENT_KIND, Agency, AgencyKind

pytestmark = pytest.mark.django_db


def make(region, code, kind, parent=None):
    return Agency.objects.create(region=region, code=code, name=code.title(), kind=kind, parent=parent)


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


@pytest.mark.parametrize("child_kind", AgencyKind.values)
@pytest.mark.parametrize("parent_kind", [*AgencyKind.values, None])
def test_hierarchy_database_accepts_exactly_the_parent_kind_table(region, child_kind, parent_kind):
    parent = None
    if parent_kind is not None:
        grandparent_kind = PARENT_KIND.get(parent_kind)
        grandparent = make(region, "GP", grandparent_kind) if grandparent_kind else None
        parent = make(region, "P", parent_kind, grandparent)
    allowed = PARENT_KIND.get(child_kind) == parent_kind
    if allowed:
        make(region, "C", child_kind, parent)
        assert Agency.objects.filter(code="C").exists()
    else:
        refused(lambda: make(region, "C", child_kind, parent))
        assert not Agency.objects.filter(code="C").exists()


def test_hierarchy_rejects_wrong_parent_kind_written_behind_the_form(region):
    kecamatan = make(region, "KEC", AgencyKind.KECAMATAN)
    dinas = make(region, "PD", AgencyKind.PERANGKAT_DAERAH)
    uptd = make(region, "UPTD", AgencyKind.UPTD, dinas)
    refused(lambda: Agency.objects.filter(pk=uptd.pk).update(parent=kecamatan))
    uptd.refresh_from_db()
    assert uptd.parent_id == dinas.pk


def test_hierarchy_rejects_parent_changing_kind_under_its_children(region):
    dinas = make(region, "PD", AgencyKind.PERANGKAT_DAERAH)
    make(region, "UPTD", AgencyKind.UPTD, dinas)
    refused(lambda: Agency.objects.filter(pk=dinas.pk).update(kind=AgencyKind.KECAMATAN))
    assert Agency.objects.get(pk=dinas.pk).kind == AgencyKind.PERANGKAT_DAERAH


def test_hierarchy_allows_childless_agency_to_change_between_top_kinds(region):
    dinas = make(region, "PD", AgencyKind.PERANGKAT_DAERAH)
    Agency.objects.filter(pk=dinas.pk).update(kind=AgencyKind.KECAMATAN)
    assert Agency.objects.get(pk=dinas.pk).kind == AgencyKind.KECAMATAN


def test_hierarchy_rejects_a_cycle(region):
    dinas = make(region, "PD", AgencyKind.PERANGKAT_DAERAH)
    uptd = make(region, "UPTD", AgencyKind.UPTD, dinas)
    refused(lambda: Agency.objects.filter(pk=dinas.pk).update(parent=uptd))
    refused(lambda: Agency.objects.filter(pk=uptd.pk).update(parent=uptd))
    assert Agency.objects.get(pk=dinas.pk).parent_id is None


def test_hierarchy_rejects_parent_in_another_region(region, other_region):
    foreign_dinas = make(other_region, "PD", AgencyKind.PERANGKAT_DAERAH)
    refused(lambda: make(region, "UPTD", AgencyKind.UPTD, foreign_dinas))


def test_hierarchy_rejects_duplicate_code_in_region_but_not_across_regions(region, other_region):
    make(region, "PD-X", AgencyKind.PERANGKAT_DAERAH)
    refused(lambda: make(region, "PD-X", AgencyKind.KECAMATAN))
    make(other_region, "PD-X", AgencyKind.PERANGKAT_DAERAH)
    assert Agency.objects.filter(code="PD-X").count() == 2


def test_hierarchy_rejects_unknown_kind(region):
    refused(lambda: make(region, "X", "dinas_lain"))


def test_agency_clean_explains_the_parent_problem(region):
    kecamatan = make(region, "KEC", AgencyKind.KECAMATAN)
    uptd = Agency(region=region, code="UPTD", name="UPTD", kind=AgencyKind.UPTD, parent=kecamatan)
    assert "Perangkat daerah" in str(uptd.parent_problem(kecamatan))
    assert uptd.parent_problem(None) is not None
    assert Agency(region=region, code="K", name="K", kind=AgencyKind.KECAMATAN).parent_problem(None) is None


def test_agency_with_submission_cannot_be_deleted(region, owner, agency_a, cycle_2024):
    from django.db.models import ProtectedError

    from registry.models import Innovation

    Innovation.objects.create(cycle=cycle_2024, agency=agency_a, name="Posyandu Digital", created_by=owner)
    with pytest.raises(ProtectedError):
        agency_a.delete()
    assert Agency.objects.filter(pk=agency_a.pk).exists()
