"""Issue 14, approval rules: no filled row is counted 0 on approval unless the reviewer says so,
and a saved verdict shows its level again on the review pages."""

import re

import pytest
from django.urls import reverse

from registry import workflow
from registry.models import Answer, Evidence, Innovation, ReviewEvent, SpdProfile
from tests.conftest import client_for, make_answer

pytestmark = pytest.mark.django_db
Status = Innovation.Status


@pytest.fixture
def in_review(entry, owner):
    """An entry in review: SID-16 judged; SID-17 and SID-35 filled but not judged; SID-32 has an option
    but no evidence; SID-33 has evidence but no option."""
    make_answer(entry, "SID-16", 3, by=owner, verdict="sesuai", verified_level=3)
    make_answer(entry, "SID-17", 2, by=owner)
    make_answer(entry, "SID-35", 2, by=owner)
    make_answer(entry, "SID-32", 1, by=owner, evidence=False)
    make_answer(entry, "SID-33", None, by=owner)
    Innovation.objects.filter(pk=entry.pk).update(status=Status.IN_REVIEW, stage="penerapan")
    entry.refresh_from_db()
    return entry


def judge_all(entry):
    Answer.objects.filter(innovation=entry).unjudged().update(verdict="sesuai", verified_level=1)


# The workflow layer.


def test_unjudged_rows_are_the_filled_rows_without_a_verdict(in_review):
    # SID-32 (no evidence: 0 whatever the verdict, D1) and SID-33 (no option) need no verdict.
    assert workflow.unjudged_rows(in_review) == ["SID-17", "SID-35"]


def test_approval_is_refused_while_filled_rows_have_no_verdict(in_review, reviewer):
    with pytest.raises(workflow.UnjudgedRows) as refused:
        workflow.approve(in_review, by=reviewer, note="Baik")
    assert refused.value.codes == ["SID-17", "SID-35"]
    assert "SID-17, SID-35" in str(refused.value)
    assert isinstance(refused.value, workflow.TransitionRefused)
    assert Innovation.objects.get(pk=in_review.pk).status == Status.IN_REVIEW
    assert not ReviewEvent.objects.exists()


def test_approval_with_the_confirmation_records_it_and_the_rows(in_review, reviewer):
    event = workflow.approve(in_review, by=reviewer, note="Baik", count_unjudged_as_zero=True)
    assert Innovation.objects.get(pk=in_review.pk).status == Status.APPROVED
    event.refresh_from_db()
    assert event.to_status == Status.APPROVED and event.note == "Baik"
    assert event.snapshot == {"unjudged_rows": ["SID-17", "SID-35"], "unjudged_count_as_zero": True}


def test_approval_needs_no_confirmation_once_every_filled_row_is_judged(in_review, reviewer):
    judge_all(in_review)
    # The row with an option but no evidence and the row without an option still have no verdict.
    assert set(
        Answer.objects.filter(innovation=in_review, verdict="").values_list("indicator__code", flat=True)
    ) == {
        "SID-32",
        "SID-33",
    }
    event = workflow.approve(in_review, by=reviewer)
    assert Innovation.objects.get(pk=in_review.pk).status == Status.APPROVED
    assert event.snapshot == {"unjudged_rows": [], "unjudged_count_as_zero": False}


def test_the_innovator_is_refused_for_the_status_not_for_the_rows(in_review, owner):
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.approve(in_review, by=owner, count_unjudged_as_zero=True)
    assert not isinstance(refused.value, workflow.UnjudgedRows)
    assert Innovation.objects.get(pk=in_review.pk).status == Status.IN_REVIEW


# The review page and its decision form.


def approve(client, entry, **data):
    return client.post(
        reverse("review_action", args=[entry.pk, "approve"]), {"expected_status": entry.status, **data}
    )


def test_refused_approval_names_the_rows_and_keeps_the_note(in_review, reviewer):
    response = approve(client_for(reviewer), in_review, note="Catatan <penting> verifikator")
    assert response.status_code == 400
    messages = [str(message) for message in response.context["messages"]]
    assert any(
        "Belum ada keputusan untuk 2 baris yang diisi" in message and "SID-17, SID-35" in message
        for message in messages
    ), messages
    html = response.content.decode()
    assert ">Catatan &lt;penting&gt; verifikator</textarea>" in html
    assert Innovation.objects.get(pk=in_review.pk).status == Status.IN_REVIEW
    assert not ReviewEvent.objects.exists()


def test_confirmation_checkbox_approves_and_is_recorded(in_review, reviewer):
    response = approve(client_for(reviewer), in_review, note="Setuju", count_unjudged_as_zero="1")
    assert response.status_code == 302
    assert Innovation.objects.get(pk=in_review.pk).status == Status.APPROVED
    event = ReviewEvent.objects.get()
    assert event.snapshot["unjudged_count_as_zero"] is True
    assert event.snapshot["unjudged_rows"] == ["SID-17", "SID-35"]


def test_review_page_lists_the_unjudged_rows_before_the_approve_button(in_review, reviewer):
    client = client_for(reviewer)
    html = client.get(reverse("review_entry", args=[in_review.pk])).content.decode()
    summary = html.index('data-testid="unjudged"')
    assert summary < html.index('data-testid="approve"')
    assert '<a href="#row-SID-17">SID-17</a>' in html and '<a href="#row-SID-35">SID-35</a>' in html
    assert '<a href="#row-SID-32">' not in html  # no evidence: nothing to judge
    assert 'name="count_unjudged_as_zero"' in html

    judge_all(in_review)
    html = client.get(reverse("review_entry", args=[in_review.pk])).content.decode()
    assert 'data-testid="unjudged"' not in html and 'name="count_unjudged_as_zero"' not in html
    assert approve(client, in_review).status_code == 302
    assert Innovation.objects.get(pk=in_review.pk).status == Status.APPROVED


# The saved level shows again in the "Supported level" menu.


def selected_levels(html: str, code: str) -> list[str]:
    menu = re.search(rf'<select[^>]*id="level-{code}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="(\d+)" selected>', menu)


@pytest.mark.parametrize(
    ("verdict", "level", "note", "shown"),
    [
        ("sesuai", None, "", "2"),
        ("tidak_sesuai", 1, "SK belum lengkap", "1"),
        ("tidak_sesuai", 0, "Tidak ada", "0"),
    ],
)
def test_a_saved_verdict_shows_its_level_again(in_review, reviewer, verdict, level, note, shown):
    client = client_for(reviewer)
    item = Evidence.objects.get(answer__innovation=in_review, answer__indicator__code="SID-17")
    data = {f"item-{item.pk}": "accepted", "verdict": verdict, "note": note}
    if level is not None:
        data["level"] = level
    response = client.post(reverse("review_verdict", args=[in_review.pk, "SID-17"]), data)
    assert response.status_code == 302
    html = client.get(reverse("review_entry", args=[in_review.pk])).content.decode()
    assert selected_levels(html, "SID-17") == [shown]
    assert selected_levels(html, "SID-35") == ["0"]  # not judged yet


def test_a_saved_spd_verdict_shows_its_level_again(open_cycle, reviewer):
    profile = SpdProfile.objects.create(cycle=open_cycle)
    indicator = open_cycle.edition.indicators.filter(part="SPD").order_by("position").first()
    answer = make_answer(profile, indicator.code, 2, by=reviewer)
    client = client_for(reviewer)
    response = client.post(
        reverse("review_spd_verdict", args=[open_cycle.pk, indicator.code]),
        {f"item-{answer.evidence.get().pk}": "accepted", "verdict": "sesuai"},
    )
    assert response.status_code == 302
    html = client.get(reverse("review_spd", args=[open_cycle.pk])).content.decode()
    assert selected_levels(html, indicator.code) == ["2"]


def test_the_entry_history_says_which_rows_the_approval_counted_zero(in_review, reviewer, owner):
    approve(client_for(reviewer), in_review, note="Setuju", count_unjudged_as_zero="1")
    html = client_for(owner).get(reverse("entry_detail", args=[in_review.pk])).content.decode()
    note = re.search(r'data-testid="approved-with-zero-rows">(.*?)</div>', html, re.S).group(1)
    assert note == "Disetujui dengan 2 baris terisi tanpa keputusan yang dihitung 0: SID-17, SID-35."


def test_an_approval_with_every_row_judged_says_nothing_of_zero_rows(in_review, reviewer, owner):
    judge_all(in_review)
    approve(client_for(reviewer), in_review, note="Setuju")
    assert Innovation.objects.get(pk=in_review.pk).status == Status.APPROVED
    html = client_for(owner).get(reverse("entry_detail", args=[in_review.pk])).content.decode()
    assert "approved-with-zero-rows" not in html
