from decimal import Decimal

import pytest
from django.urls import reverse

from registry import workflow
from registry.models import Answer, Evidence, Innovation
from scoring.collect import cycle_index
from tests.conftest import client_for, make_answer

pytestmark = pytest.mark.django_db
Status = Innovation.Status


@pytest.fixture
def submitted(entry, owner):
    for code, level in {"SID-16": 3, "SID-17": 2, "SID-35": 2}.items():  # claimed 9 + 4 + 8 = 21
        make_answer(entry, code, level, by=owner)
    Innovation.objects.filter(pk=entry.pk).update(status=Status.SUBMITTED, stage="penerapan")
    entry.refresh_from_db()
    return entry


def verdict(client, entry, code, value, level=None, note="", *, items="accepted", item_note=""):
    """Post a row's verdict, judging its not-yet-checked evidence items as `items` first."""
    data = {"verdict": value, "note": note}
    if level is not None:
        data["level"] = level
    pending = Evidence.objects.filter(
        answer__innovation=entry, answer__indicator__code=code, review=Evidence.Review.PENDING
    )
    for pk in pending.values_list("pk", flat=True):
        data[f"item-{pk}"], data[f"item-note-{pk}"] = items, item_note
    return client.post(reverse("review_verdict", args=[entry.pk, code]), data)


def act(client, entry, action, note=""):
    entry.refresh_from_db()
    return client.post(
        reverse("review_action", args=[entry.pk, action]), {"expected_status": entry.status, "note": note}
    )


def test_innovators_cannot_reach_any_reviewer_url(submitted, owner, member, outsider):
    urls = [
        ("get", reverse("review_queue")),
        ("post", reverse("review_assign")),
        ("get", reverse("review_entry", args=[submitted.pk])),
        ("post", reverse("review_verdict", args=[submitted.pk, "SID-16"])),
        ("get", reverse("review_spd", args=[submitted.cycle_id])),
        ("post", reverse("review_spd_verdict", args=[submitted.cycle_id, "SPD-01"])),
        ("post", reverse("review_evidence_public", args=[Evidence.objects.first().pk])),
        *[("post", reverse("review_action", args=[submitted.pk, action])) for action in workflow.ACTIONS],
    ]
    for person in (owner, member, outsider):
        client = client_for(person)
        for method, url in urls:
            response = getattr(client, method)(
                url, {"verdict": "sesuai", "expected_status": "submitted", "note": "x"}
            )
            assert response.status_code == 403, (person.email, url)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not Answer.objects.exclude(verdict="").exists()


def test_verdicts_move_the_entry_into_review_and_set_the_verified_kematangan(submitted, reviewer):
    client = client_for(reviewer)
    verdict(client, submitted, "SID-16", "sesuai")
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_REVIEW
    verdict(client, submitted, "SID-17", "tidak_sesuai", level=1, note="SK hanya untuk 5 SDM")
    page = client.get(reverse("review_entry", args=[submitted.pk]))
    # Verified: SID-16 3x3 = 9, SID-17 2x1 = 2, SID-35 no verdict yet = 0 (D2).
    assert (page.context["claimed"], page.context["verified"]) == (Decimal(21), Decimal(11))


def test_verdict_refused_above_the_chosen_level_or_without_a_note(submitted, reviewer):
    client = client_for(reviewer)
    verdict(client, submitted, "SID-17", "tidak_sesuai", level=3, note="x")
    verdict(client, submitted, "SID-16", "tidak_sesuai", level=1, note="")
    assert not Answer.objects.exclude(verdict="").exists()
    # The item verdicts sent with a refused row verdict are not half-saved either.
    assert not Evidence.objects.exclude(review=Evidence.Review.PENDING).exists()


def test_send_back_resubmit_diff_and_approve(submitted, owner, reviewer):
    client = client_for(reviewer)
    for code in ("SID-16", "SID-35"):
        verdict(client, submitted, code, "sesuai")
    verdict(client, submitted, "SID-17", "tidak_sesuai", level=1, note="Lampirkan SK SDM lengkap")
    act(client, submitted, "request_revision", note="Perbaiki indikator SDM")
    submitted.refresh_from_db()
    assert submitted.status == Status.REVISION_REQUESTED

    detail = client_for(owner).get(reverse("entry_detail", args=[submitted.pk])).content.decode()
    assert "Perbaiki indikator SDM" in detail and "Lampirkan SK SDM lengkap" in detail

    answer = Answer.objects.get(innovation=submitted, indicator__code="SID-17")
    Evidence.objects.create(
        answer=answer, kind="link", url="https://example.org/sk-sdm-lengkap", created_by=owner
    )
    workflow.submit(submitted, by=owner)
    assert submitted.status == Status.RESUBMITTED
    verdicts = dict(Answer.objects.filter(innovation=submitted).values_list("indicator__code", "verdict"))
    assert verdicts == {"SID-16": "sesuai", "SID-17": "", "SID-35": "sesuai"}

    page = client.get(reverse("review_entry", args=[submitted.pk]))
    assert list(page.context["changed"]) == ["SID-17"]
    verdict(client, submitted, "SID-17", "sesuai")
    before = cycle_index(submitted.cycle).result.verified
    act(client, submitted, "approve")
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED
    after = cycle_index(submitted.cycle).result.verified
    assert (before.n, after.n) == (0, 1)
    assert after.kematangan_sum == 21
    assert [event.to_status for event in submitted.events.all()] == [
        "in_review",
        "revision_requested",
        "resubmitted",
        "in_review",
        "approved",
    ]


def test_reject_needs_a_reason_and_the_agency_becomes_non_compliant(submitted, reviewer):
    client = client_for(reviewer)
    act(client, submitted, "start_review")
    assert submitted.cycle.compliance_by_kind()[0]["with_entry"] == 1
    act(client, submitted, "reject", note="")
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_REVIEW
    act(client, submitted, "reject", note="Bukan inovasi: kegiatan rutin")
    submitted.refresh_from_db()
    assert submitted.status == Status.REJECTED
    assert submitted.cycle.compliance_by_kind()[0]["with_entry"] == 0
    assert cycle_index(submitted.cycle).result.self_assessed.n == 0


def test_stale_decision_page_is_told(submitted, reviewer, admin_user):
    act(client_for(reviewer), submitted, "start_review")
    response = client_for(admin_user).post(
        reverse("review_action", args=[submitted.pk, "approve"]),
        {"expected_status": "submitted"},
        follow=True,
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_REVIEW
    assert any(
        "mengubah" in str(message) or "changed" in str(message) for message in response.context["messages"]
    )


@pytest.fixture
def queue(open_cycle, region, owner, reviewer):
    from agencies.models import Agency

    kecamatan = Agency.objects.create(region=region, code="KEC-1", name="Kecamatan Ujung", kind="kecamatan")
    kelurahan = Agency.objects.create(
        region=region, code="KEL-1", name="Kelurahan Lapadde", kind="kelurahan", parent=kecamatan
    )
    dinas = Agency.objects.create(region=region, code="PD-9", name="Dinas Sosial", kind="perangkat_daerah")
    entries = {
        "kelurahan": Innovation.objects.create(
            cycle=open_cycle,
            agency=kelurahan,
            name="Kampung KB",
            created_by=owner,
            status="submitted",
            urusan="Sosial",
        ),
        "dinas": Innovation.objects.create(
            cycle=open_cycle,
            agency=dinas,
            name="Bansos Cepat",
            created_by=owner,
            status="in_review",
            urusan="Sosial",
            assigned_reviewer=reviewer,
        ),
        "draft": Innovation.objects.create(cycle=open_cycle, agency=kecamatan, name="Draf", created_by=owner),
    }
    for code in ("SID-16", "SID-17", "SID-32", "SID-33", "SID-35"):
        make_answer(entries["dinas"], code, 1, by=owner)
    return {**entries, "kecamatan": kecamatan}


def names(response):
    return sorted(entry["name"] for entry in response.context["rows"])


def test_review_queue_filters(queue, reviewer):
    client = client_for(reviewer)
    url = reverse("review_queue")
    assert names(client.get(url)) == ["Bansos Cepat", "Kampung KB"]  # drafts are not in the queue
    assert names(client.get(url, {"status": "submitted"})) == ["Kampung KB"]
    assert names(client.get(url, {"kind": "kelurahan"})) == ["Kampung KB"]
    assert names(client.get(url, {"kecamatan": queue["kecamatan"].pk})) == ["Kampung KB"]
    assert names(client.get(url, {"completeness": "complete"})) == ["Bansos Cepat"]
    assert names(client.get(url, {"completeness": "incomplete"})) == ["Kampung KB"]
    assert names(client.get(url, {"reviewer": reviewer.pk})) == ["Bansos Cepat"]
    assert names(client.get(url, {"reviewer": "null"})) == ["Kampung KB"]
    assert names(client.get(url, {"q": "bansos"})) == ["Bansos Cepat"]
    assert names(client.get(url, {"urusan": "Sosial", "ordering": "-name"})) == ["Bansos Cepat", "Kampung KB"]


def test_review_queue_reports_an_invalid_filter(queue, reviewer):
    response = client_for(reviewer).get(reverse("review_queue"), {"status": "selesai"})
    assert response.context["filter"].errors and names(response) == []


def test_review_queue_bulk_assign(queue, reviewer, admin_user):
    client = client_for(admin_user)
    client.post(
        reverse("review_assign"),
        {"entries": [queue["kelurahan"].pk, queue["dinas"].pk], "reviewer": admin_user.pk},
    )
    assert set(Innovation.objects.filter(assigned_reviewer=admin_user).values_list("name", flat=True)) == {
        "Kampung KB",
        "Bansos Cepat",
    }


def test_review_queue_query_count_does_not_grow(
    queue, open_cycle, region, owner, reviewer, django_assert_num_queries
):
    from agencies.models import Agency

    client = client_for(reviewer)
    with django_assert_num_queries(10):
        client.get(reverse("review_queue"))
    for n in range(3):
        agency = Agency.objects.create(region=region, code=f"X-{n}", name=f"X {n}", kind="perangkat_daerah")
        extra = Innovation.objects.create(
            cycle=open_cycle, agency=agency, name=f"X{n}", created_by=owner, status="submitted"
        )
        make_answer(extra, "SID-16", 2, by=owner)
    with django_assert_num_queries(10):
        response = client.get(reverse("review_queue"))
    assert len(response.context["rows"]) == 5


def test_review_queue_filter_form_keeps_the_chosen_values(queue, reviewer):
    page = client_for(reviewer).get(
        reverse("review_queue"),
        {"status": "in_review", "kecamatan": queue["kecamatan"].pk, "reviewer": "null"},
    )
    html = page.content.decode()
    assert '<option value="in_review" selected>' in html
    assert f'<option value="{queue["kecamatan"].pk}" selected>Kecamatan Ujung</option>' in html
    assert '<option value="null" selected>' in html
    assert '<option value="submitted">' in html


def test_review_queue_rows_escape_names_and_keep_the_search(queue, reviewer):
    Innovation.objects.filter(pk=queue["dinas"].pk).update(name='<b>"Bansos"</b> Cepat')
    html = client_for(reviewer).get(reverse("review_queue"), {"q": '"Bansos"'}).content.decode()
    assert "&lt;b&gt;&quot;Bansos&quot;&lt;/b&gt; Cepat" in html and "<b>" not in html
    assert 'value="&quot;Bansos&quot;"' in html
    assert f'href="/review/{queue["dinas"].pk}/"' in html


def test_review_queue_keeps_the_chosen_sort_order(queue, reviewer):
    client = client_for(reviewer)
    html = client.get(reverse("review_queue"), {"ordering": "-name"}).content.decode()
    assert '<option value="-name" selected>' in html and '<option value="name">' in html
    # Several sort fields typed in the address stay as typed, in a text box.
    html = client.get(reverse("review_queue"), {"ordering": "name,-agency"}).content.decode()
    assert 'name="ordering"' in html and 'value="name,-agency"' in html


def test_review_queue_rows_count_rows_with_option_and_evidence(queue, reviewer):
    response = client_for(reviewer).get(reverse("review_queue"))
    filled = {row["name"]: row["filled"] for row in response.context["rows"]}
    assert filled == {"Bansos Cepat": 5, "Kampung KB": 0}
    assert ">5/" in response.content.decode()


def test_review_queue_escapes_agency_reviewer_and_menu_names(queue, reviewer):
    from agencies.models import Agency

    Agency.objects.filter(pk=queue["kecamatan"].pk).update(name="Kec. <i>Ujung</i>")
    reviewer.full_name = "Rina & <Co>"
    reviewer.save(update_fields=["full_name"])
    html = client_for(reviewer).get(reverse("review_queue")).content.decode()
    assert "<i>" not in html and "<Co>" not in html
    assert "Kec. &lt;i&gt;Ujung&lt;/i&gt;" in html  # the kelurahan's kecamatan, and the filter menu
    assert "Rina &amp; &lt;Co&gt;" in html


MANDATORY = ("SID-16", "SID-17", "SID-32", "SID-33", "SID-35")


@pytest.mark.parametrize(
    ("missing", "complete"),
    [
        (None, True),  # every mandatory row has an option and evidence
        ("evidence", False),  # one row has an option but no evidence
        ("option", False),  # one row has evidence but no option
        ("row", False),  # one row not answered at all
    ],
)
def test_mandatory_completeness_of_an_entry(entry, owner, agency_b, missing, complete):
    for code in MANDATORY[:-1]:
        make_answer(entry, code, 1, by=owner)
    if missing != "row":
        make_answer(
            entry, MANDATORY[-1], None if missing == "option" else 1, by=owner, evidence=missing != "evidence"
        )
    make_answer(entry, "SID-18", 1, by=owner, evidence=False)  # optional rows do not count
    # Another entry, complete, so that neither side of the filter is trivially everything or nothing.
    other = Innovation.objects.create(cycle=entry.cycle, agency=agency_b, name="Lain", created_by=owner)
    for code in MANDATORY:
        make_answer(other, code, 2, by=owner)
    mandatory = list(entry.cycle.edition.indicators.filter(code__in=MANDATORY).values_list("pk", flat=True))
    entries = Innovation.objects.filter(cycle=entry.cycle)
    assert set(entries.with_mandatory_evidence(mandatory)) == ({entry, other} if complete else {other})
    assert set(entries.without_mandatory_evidence(mandatory)) == (set() if complete else {entry})


def test_with_nothing_mandatory_every_entry_is_complete(entry):
    entries = Innovation.objects.filter(pk=entry.pk)
    assert list(entries.with_mandatory_evidence([])) == [entry]
    assert list(entries.without_mandatory_evidence([])) == []


def test_review_queue_sort_menu_speaks_the_readers_language(queue, reviewer):
    from django.conf import settings

    client = client_for(reviewer)
    html = client.get(reverse("review_queue")).content.decode()
    assert '<option value="-name">nama inovasi (menurun)</option>' in html and "descending" not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("review_queue")).content.decode()
    assert '<option value="-name">innovation name (descending)</option>' in html


def test_review_queue_sort_keeps_a_unique_tie_breaker(queue, region):
    from registry.filters import ReviewQueueFilter

    entries = Innovation.objects.all()
    for ordering, expected in [("name", ("name", "pk")), ("-submitted", ("-submitted_at", "pk"))]:
        chosen = ReviewQueueFilter({"ordering": ordering}, queryset=entries, region=region)
        assert chosen.qs.query.order_by == expected
