"""Issue 16: the review pages read what is sent through forms, and one view judges a row of an entry or of the
SPD profile. The refusals say the same as before, in Indonesian, on the row that was sent."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from agencies.models import Agency, Role
from registry.models import Answer, Evidence, Innovation, SpdProfile
from registry.review_forms import EvidenceReviewsForm, ReviewAssignForm, RowVerdictForm
from tests.conftest import assert_error_page, client_for, cycle_like, make_answer, make_person

pytestmark = pytest.mark.django_db
Status = Innovation.Status

CHOOSE_VERDICT = "Pilih Sesuai atau Tidak Sesuai."


@pytest.fixture(autouse=True)
def indonesian():
    # The forms and rules are also asked outside a request here: in the interface's language, whatever an
    # earlier test left active.
    with translation.override("id"):
        yield


@pytest.fixture
def submitted(entry, owner):
    make_answer(entry, "SID-16", 3, by=owner)
    make_answer(entry, "SID-17", 2, by=owner)
    Innovation.objects.filter(pk=entry.pk).update(status=Status.SUBMITTED, stage="penerapan")
    entry.refresh_from_db()
    return entry


def item_of(entry, code) -> Evidence:
    return Evidence.objects.get(answer__innovation=entry, answer__indicator__code=code)


def post_row(client, entry, code, data):
    return client.post(reverse("review_verdict", args=[entry.pk, code]), data)


def row_error(response) -> str:
    return next(row["error"] for row in response.context["rows"] if row["error"])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# The forms on their own.


def test_row_verdict_form_refuses_an_unknown_verdict_in_indonesian():
    form = RowVerdictForm({"verdict": "mungkin"}, chosen_level=2)
    assert not form.is_valid()
    assert form.errors["verdict"] == [CHOOSE_VERDICT]


@pytest.mark.parametrize("level", ["3", "-1", "dua"])
def test_row_verdict_form_offers_the_levels_up_to_the_chosen_one(level):
    form = RowVerdictForm({"verdict": "tidak_sesuai", "level": level, "note": "x"}, chosen_level=2)
    assert not form.is_valid()
    assert form.errors["level"] == [
        "Pilih level yang didukung data dukung: dari 0 sampai level yang dipilih, 2."
    ]


def test_row_verdict_form_reads_the_level_as_a_number_and_may_stay_empty():
    form = RowVerdictForm({"verdict": "tidak_sesuai", "level": "1", "note": " Kurang "}, chosen_level=2)
    assert form.is_valid()
    assert form.cleaned_data == {"verdict": "tidak_sesuai", "level": 1, "note": "Kurang"}
    empty = RowVerdictForm({}, chosen_level=None)
    assert empty.is_valid()
    assert empty.cleaned_data == {"verdict": "", "level": None, "note": ""}


def test_evidence_reviews_form_has_a_field_pair_per_item_of_the_row(submitted):
    item = item_of(submitted, "SID-16")
    other = item_of(submitted, "SID-17")
    form = EvidenceReviewsForm(
        {f"item-{item.pk}": "rejected", f"item-note-{item.pk}": " Bukan SK ", f"item-{other.pk}": "accepted"},
        items=[item],
    )
    assert list(form.fields) == [f"item-{item.pk}", f"item-note-{item.pk}"]
    assert form.is_valid()
    assert form.changed() == [(item, "rejected", "Bukan SK")]


def test_evidence_reviews_form_refuses_an_unknown_item_verdict(submitted):
    item = item_of(submitted, "SID-16")
    form = EvidenceReviewsForm({f"item-{item.pk}": "pending"}, items=[item])
    assert not form.is_valid()
    assert form.errors[f"item-{item.pk}"] == [CHOOSE_VERDICT]


def test_evidence_reviews_form_leaves_an_unchanged_or_unsent_item(submitted):
    item = item_of(submitted, "SID-16")
    Evidence.objects.filter(pk=item.pk).update(review="accepted")
    item.refresh_from_db()
    for data in ({f"item-{item.pk}": "accepted"}, {}):
        form = EvidenceReviewsForm(data, items=[item])
        assert form.is_valid()
        assert form.changed() == []


# The row verdict view, for an entry.


def test_an_unknown_verdict_is_refused_on_the_row_with_nothing_saved(submitted, reviewer):
    item = item_of(submitted, "SID-16")
    response = post_row(
        client_for(reviewer),
        submitted,
        "SID-16",
        {f"item-{item.pk}": "accepted", "verdict": "mungkin", "note": "Catatan saya"},
    )
    assert response.status_code == 400
    assert row_error(response) == CHOOSE_VERDICT
    assert f"SID-16: {CHOOSE_VERDICT}" in messages_of(response)
    assert 'value="Catatan saya"' in response.content.decode()  # nothing typed is lost
    item.refresh_from_db()
    assert item.review == Evidence.Review.PENDING  # all or nothing: the item's verdict waits too
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_level_above_the_chosen_one_is_refused(submitted, reviewer):
    item = item_of(submitted, "SID-17")
    response = post_row(
        client_for(reviewer),
        submitted,
        "SID-17",
        {f"item-{item.pk}": "accepted", "verdict": "tidak_sesuai", "level": "3", "note": "Kurang"},
    )
    assert response.status_code == 400
    assert (
        row_error(response) == "Pilih level yang didukung data dukung: dari 0 sampai level yang dipilih, 2."
    )
    assert Answer.objects.get(innovation=submitted, indicator__code="SID-17").verdict == ""


def test_a_missing_item_review_keeps_the_row_unjudged(submitted, reviewer):
    response = post_row(client_for(reviewer), submitted, "SID-16", {"verdict": "sesuai"})
    assert response.status_code == 400
    assert row_error(response).startswith("Nilai dulu setiap bukti pada baris ini; belum diperiksa:")
    assert Answer.objects.get(innovation=submitted, indicator__code="SID-16").verdict == ""


def test_a_verdict_sent_for_another_rows_item_is_left_alone(submitted, reviewer):
    mine, foreign = item_of(submitted, "SID-16"), item_of(submitted, "SID-17")
    response = post_row(
        client_for(reviewer),
        submitted,
        "SID-16",
        {
            f"item-{mine.pk}": "accepted",
            f"item-{foreign.pk}": "rejected",
            f"item-note-{foreign.pk}": "Dari baris lain",
            "verdict": "sesuai",
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    foreign.refresh_from_db()
    assert (mine.review, foreign.review) == ("accepted", "pending")


def test_a_verdict_sent_for_another_entrys_item_is_left_alone(submitted, reviewer, agency_b, outsider):
    elsewhere = Innovation.objects.create(
        cycle=submitted.cycle, agency=agency_b, name="Sekolah Ramah", created_by=outsider, status="submitted"
    )
    foreign = make_answer(elsewhere, "SID-16", 1, by=outsider).evidence.get()
    mine = item_of(submitted, "SID-16")
    response = post_row(
        client_for(reviewer),
        submitted,
        "SID-16",
        {f"item-{mine.pk}": "accepted", f"item-{foreign.pk}": "accepted", "verdict": "sesuai"},
    )
    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.review == "pending"


def test_the_entry_row_saves_its_items_and_its_verdict(submitted, reviewer):
    item = item_of(submitted, "SID-17")
    response = post_row(
        client_for(reviewer),
        submitted,
        "SID-17",
        {
            f"item-{item.pk}": "rejected",
            f"item-note-{item.pk}": "SK lama",
            "verdict": "tidak_sesuai",
            "level": "1",
            "note": "Hanya level 1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("review_entry", args=[submitted.pk]) + "#row-SID-17"
    answer = Answer.objects.get(innovation=submitted, indicator__code="SID-17")
    item.refresh_from_db()
    assert (item.review, item.review_note) == ("rejected", "SK lama")
    assert (answer.verdict, answer.verified_level, answer.verdict_note) == (
        "tidak_sesuai",
        1,
        "Hanya level 1",
    )


# The same view for the SPD profile.


@pytest.fixture
def spd_row(open_cycle, reviewer):
    profile = SpdProfile.objects.create(cycle=open_cycle)
    indicator = open_cycle.edition.indicators.filter(part="SPD").order_by("position").first()
    return make_answer(profile, indicator.code, 2, by=reviewer)


def post_spd_row(client, answer, data):
    cycle = answer.spd_profile.cycle
    return client.post(reverse("review_spd_verdict", args=[cycle.pk, answer.indicator.code]), data)


def test_the_spd_row_saves_through_the_same_view(spd_row, reviewer):
    item = spd_row.evidence.get()
    response = post_spd_row(
        client_for(reviewer), spd_row, {f"item-{item.pk}": "accepted", "verdict": "sesuai"}
    )
    code = spd_row.indicator.code
    assert response.status_code == 302
    assert response["Location"] == reverse("review_spd", args=[spd_row.spd_profile.cycle_id]) + f"#row-{code}"
    spd_row.refresh_from_db()
    assert (spd_row.verdict, spd_row.verified_level) == ("sesuai", 2)


def test_the_spd_row_refusal_shows_on_the_spd_page(spd_row, reviewer):
    item = spd_row.evidence.get()
    response = post_spd_row(
        client_for(reviewer), spd_row, {f"item-{item.pk}": "accepted", "verdict": "mungkin", "note": "Tulis"}
    )
    assert response.status_code == 400
    assert response.templates[0].name == "registry/review_spd.html"
    assert row_error(response) == CHOOSE_VERDICT
    item.refresh_from_db()
    spd_row.refresh_from_db()
    assert (item.review, spd_row.verdict) == ("pending", "")


def test_an_spd_row_code_is_not_an_entry_row(spd_row, submitted, reviewer):
    # The entry's URL looks among the entry's rows only, and the SPD URL among the profile's.
    client = client_for(reviewer)
    assert_error_page(post_row(client, submitted, spd_row.indicator.code, {"verdict": "sesuai"}), 404)
    cycle = spd_row.spd_profile.cycle
    url = reverse("review_spd_verdict", args=[cycle.pk, "SID-16"])
    assert_error_page(client.post(url, {"verdict": "sesuai"}), 404)
    # Neither row took the verdict meant for the other.
    spd_row.refresh_from_db()
    assert spd_row.verdict == ""


# Assigning entries.


def test_assign_form_offers_the_regions_active_reviewers_only(region, other_region, reviewer, admin_user):
    make_person("pensiun@example.org", Role.REVIEWER, region, is_active=False)
    stranger = make_person("lain@example.org", Role.REVIEWER, other_region)
    form = ReviewAssignForm({"reviewer": stranger.pk, "entries": ["1"]}, region=region)
    assert not form.is_valid() and "reviewer" in form.errors
    assert set(form.fields["reviewer"].queryset) == {reviewer, admin_user}


def test_assign_leaves_out_what_is_not_the_regions_entry(submitted, reviewer, other_region, owner):
    other_cycle = cycle_like(submitted.cycle, other_region)
    far = Agency.objects.create(region=other_region, code="PD-X", name="Dinas Lain", kind="perangkat_daerah")
    foreign = Innovation.objects.create(cycle=other_cycle, agency=far, name="Jauh", created_by=owner)
    response = client_for(reviewer).post(
        reverse("review_assign"),
        {"entries": [submitted.pk, foreign.pk, "x"], "reviewer": reviewer.pk, "query": "status=submitted"},
        follow=False,
    )
    assert response["Location"] == reverse("review_queue") + "?status=submitted"
    submitted.refresh_from_db()
    foreign.refresh_from_db()
    assert (submitted.assigned_reviewer, foreign.assigned_reviewer) == (reviewer, None)


def test_assign_messages(submitted, reviewer):
    client = client_for(reviewer)
    nothing = client.post(reverse("review_assign"), {"reviewer": reviewer.pk}, follow=True)
    assert "Centang dahulu isian yang akan ditugaskan." in messages_of(nothing)
    done = client.post(
        reverse("review_assign"), {"entries": [submitted.pk], "reviewer": reviewer.pk}, follow=True
    )
    assert f"1 isian ditugaskan kepada {reviewer.full_name}." in messages_of(done)


def test_assign_to_a_reviewer_of_another_region_is_404(submitted, reviewer, other_region):
    stranger = make_person("lain@example.org", Role.REVIEWER, other_region)
    response = client_for(reviewer).post(
        reverse("review_assign"), {"entries": [submitted.pk], "reviewer": stranger.pk}
    )
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.assigned_reviewer is None


# The profile's PDF documents.


def test_attachment_without_a_file_says_so(entry, owner):
    response = client_for(owner).post(
        reverse("entry_attachment", args=[entry.pk, "budget_file"]), {}, follow=True
    )
    assert "Pilih berkas PDF untuk diunggah." in messages_of(response)


def test_attachment_that_is_no_pdf_is_refused_with_the_checks_words(entry, owner):
    upload = SimpleUploadedFile("anggaran.pdf", b"bukan pdf sama sekali", content_type="application/pdf")
    response = client_for(owner).post(
        reverse("entry_attachment", args=[entry.pk, "budget_file"]), {"file": upload}, follow=True
    )
    entry.refresh_from_db()
    assert not entry.budget_file
    assert messages_of(response) and "Pilih berkas PDF untuk diunggah." not in messages_of(response)
