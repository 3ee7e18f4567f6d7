"""Every evidence item gets a verdict; a row's verdict rolls its items up (issue 6, METHOD.md section 4)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from registry import workflow
from registry.models import Answer, Evidence, Innovation, SpdProfile
from tests.conftest import assert_error_page, client_for, make_person

pytestmark = pytest.mark.django_db
Status = Innovation.Status


def add_row(entry, code, level, owner, *, urls=("https://example.org/a",)):
    indicator = entry.cycle.edition.indicators.get(code=code)
    answer = Answer.objects.create(innovation=entry, indicator=indicator, level=level)
    items = [Evidence.objects.create(answer=answer, kind="link", url=url, created_by=owner) for url in urls]
    return answer, items


@pytest.fixture
def submitted(entry):
    Innovation.objects.filter(pk=entry.pk).update(status=Status.SUBMITTED, stage="penerapan")
    entry.refresh_from_db()
    return entry


def post_row(client, entry, code, data):
    return client.post(reverse("review_verdict", args=[entry.pk, code]), data)


def test_row_verdict_refused_while_an_item_is_unchecked_and_the_typed_note_is_kept(
    submitted, owner, reviewer
):
    answer, (first, _second) = add_row(
        submitted, "SID-17", 2, owner, urls=("https://example.org/sk", "https://example.org/foto")
    )
    client = client_for(reviewer)
    response = post_row(
        client,
        submitted,
        "SID-17",
        {"verdict": "tidak_sesuai", "level": "1", "note": "SK tidak lengkap", f"item-{first.pk}": "accepted"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "https://example.org/foto" in response.context["rows"][0]["error"] or "foto" in page
    assert 'value="SK tidak lengkap"' in page  # nothing typed is lost
    answer.refresh_from_db()
    first.refresh_from_db()
    assert (answer.verdict, first.review) == ("", Evidence.Review.PENDING)


def test_row_sesuai_needs_an_accepted_item_and_a_rejection_needs_a_note(submitted, owner, reviewer):
    answer, (item,) = add_row(submitted, "SID-16", 3, owner)
    client = client_for(reviewer)
    refused = post_row(
        client, submitted, "SID-16", {f"item-{item.pk}": "rejected", f"item-note-{item.pk}": ""}
    )
    assert refused.status_code == 400
    item.refresh_from_db()
    assert item.review == Evidence.Review.PENDING

    refused = post_row(
        client,
        submitted,
        "SID-16",
        {f"item-{item.pk}": "rejected", f"item-note-{item.pk}": "Bukan SK", "verdict": "sesuai"},
    )
    assert refused.status_code == 400
    answer.refresh_from_db()
    assert answer.verdict == ""

    saved = post_row(
        client,
        submitted,
        "SID-16",
        {
            f"item-{item.pk}": "rejected",
            f"item-note-{item.pk}": "Bukan SK",
            "verdict": "tidak_sesuai",
            "level": "0",
            "note": "Tidak ada SK",
        },
    )
    assert saved.status_code == 302
    answer.refresh_from_db()
    item.refresh_from_db()
    assert (item.review, item.review_note, item.reviewed_by) == ("rejected", "Bukan SK", reviewer)
    assert (answer.verdict, answer.verified_level) == ("tidak_sesuai", 0)


def test_one_good_item_is_enough_for_sesuai(submitted, owner, reviewer):
    answer, (good, extra) = add_row(
        submitted, "SID-16", 3, owner, urls=("https://example.org/sk", "https://example.org/lain")
    )
    response = post_row(
        client_for(reviewer),
        submitted,
        "SID-16",
        {
            f"item-{good.pk}": "accepted",
            f"item-{extra.pk}": "rejected",
            f"item-note-{extra.pk}": "Tidak relevan",
            "verdict": "sesuai",
        },
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.verdict, answer.verified_level) == ("sesuai", 3)


def test_rejecting_the_last_accepted_item_clears_a_sesuai_row(submitted, owner, reviewer):
    answer, (item,) = add_row(submitted, "SID-16", 3, owner)
    workflow.record_evidence_verdict(item, by=reviewer, review="accepted")
    workflow.record_verdict(Answer.objects.get(pk=answer.pk), by=reviewer, verdict="sesuai")
    workflow.record_evidence_verdict(
        Evidence.objects.get(pk=item.pk), by=reviewer, review="rejected", note="Dokumen palsu"
    )
    answer.refresh_from_db()
    # The row no longer rests on accepted evidence: it scores 0 in the verified index until judged again (D2).
    assert (answer.verdict, answer.verified_level) == ("", 0)


def test_item_verdicts_only_while_under_review(entry, owner, reviewer):
    _answer, (item,) = add_row(entry, "SID-16", 3, owner)
    with pytest.raises(workflow.TransitionRefused):
        workflow.record_evidence_verdict(item, by=reviewer, review="accepted")


def test_innovator_sees_which_item_to_fix_and_why(submitted, owner, reviewer):
    _answer, (item,) = add_row(submitted, "SID-17", 2, owner)
    workflow.record_evidence_verdict(item, by=reviewer, review="rejected", note="Foto buram, unggah ulang")
    workflow.request_revision(submitted, by=reviewer, note="Perbaiki SID-17")
    client = client_for(owner)
    detail = client.get(reverse("entry_detail", args=[submitted.pk])).content.decode()
    assert 'data-testid="rejected-items-SID-17"' in detail
    row = client.get(reverse("entry_indicator", args=[submitted.pk, "SID-17"])).content.decode()
    assert "Foto buram, unggah ulang" in row


def test_unchanged_items_keep_their_verdicts_on_resubmission(submitted, owner, reviewer):
    _a, (kept,) = add_row(submitted, "SID-16", 3, owner)
    answer, (refused,) = add_row(submitted, "SID-17", 2, owner)
    workflow.record_evidence_verdict(kept, by=reviewer, review="accepted")
    workflow.record_evidence_verdict(refused, by=reviewer, review="rejected", note="Salah berkas")
    workflow.request_revision(submitted, by=reviewer, note="Perbaiki SID-17")
    fresh = Evidence.objects.create(
        answer=answer, kind="link", url="https://example.org/baru", created_by=owner
    )
    workflow.submit(submitted, by=owner)
    reviews = dict(Evidence.objects.values_list("pk", "review"))
    assert reviews == {kept.pk: "accepted", refused.pk: "rejected", fresh.pk: "pending"}


def test_spd_rows_are_reviewed_item_by_item(open_cycle, reviewer):
    profile = SpdProfile.objects.create(cycle=open_cycle)
    indicator = open_cycle.edition.indicators.filter(part="SPD").order_by("position").first()
    answer = Answer.objects.create(spd_profile=profile, indicator=indicator, level=2)
    item = Evidence.objects.create(
        answer=answer, kind="link", url="https://example.org/spd", created_by=reviewer
    )
    client = client_for(reviewer)
    page = client.get(reverse("review_spd", args=[open_cycle.pk]))
    assert page.context["verified"] == 0
    response = client.post(
        reverse("review_spd_verdict", args=[open_cycle.pk, indicator.code]),
        {f"item-{item.pk}": "accepted", "verdict": "sesuai"},
    )
    assert response.status_code == 302
    page = client.get(reverse("review_spd", args=[open_cycle.pk]))
    assert page.context["verified"] == page.context["claimed"] == Decimal(indicator.bobot) * 2


def test_spd_review_of_another_region_is_404(cycle_2024, other_region):
    stranger = make_person("verifikator@lain.test", role="reviewer", region=other_region)
    response = client_for(stranger).get(reverse("review_spd", args=[cycle_2024.pk]))
    assert_error_page(response, 404, cycle_2024.region.name)


def test_only_accepted_items_can_be_made_public(submitted, owner, reviewer):
    _answer, (item,) = add_row(submitted, "SID-16", 3, owner)
    client = client_for(reviewer)
    client.post(reverse("review_evidence_public", args=[item.pk]), {"public": "1"})
    item.refresh_from_db()
    assert item.is_public is False
    workflow.record_evidence_verdict(item, by=reviewer, review="accepted")
    client.post(reverse("review_evidence_public", args=[item.pk]), {"public": "1"})
    item.refresh_from_db()
    assert item.is_public is True
    client.post(reverse("review_evidence_public", args=[item.pk]), {"public": "0"})
    item.refresh_from_db()
    assert item.is_public is False
