"""Plain language (issue 14): the method's codes never reach innovators and reviewers.

Every page an innovator, a reviewer and an administrator can GET (enumerated from the URL resolver, so a new page
is covered without touching this file) is requested in Indonesian with rows in every explanation state: no option,
no evidence, not verified yet, Sesuai, Tidak Sesuai at a lower level, Tidak Sesuai with the evidence rejected. The
visible text, without the method help texts (class "method-help", for those who want the method's notation) and
without scripts and styles, must hold no method decision code (D1-D4), no "Σ", no bare "n" and no formula arrow.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from registry.models import Evidence, Innovation
from tests import test_url_inventory as inventory
from tests.conftest import client_for, make_answer

pytestmark = pytest.mark.django_db

# The inventory's world (region A with its cycle, entries, evidence, SPD profile, hand-off package, ...), whose
# URL arguments (`inventory.ACCESS`) address every pattern.
world = inventory.world

HELP_CLASS = "method-help"
SKIPPED_TAGS = {"script", "style", "template"}
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}

FORBIDDEN = {
    "a method decision code": re.compile(r"\bD[1-4]\b"),
    "the sum sign": re.compile(r"Σ"),
    "n as a symbol": re.compile(r"(?<![\w/.-])n(?![\w/.-])"),
    "an arrow between figures": re.compile(r"\d\s*→\s*\d"),
}

# Rows of world.entry and of the SPD profile in every explanation state (world already has SID-16 at level 2
# with a link and a file, not verified, and SPD-01 at level 1 with a link, not verified).
SID_CODES = ["SID-16", "SID-17", "SID-18", "SID-19", "SID-20", "SID-21"]
SPD_CODES = ["SPD-01", "SPD-02a", "SPD-03", "SPD-04"]

NO_EVIDENCE_ID = "Baris ini bernilai 0 karena belum ada bukti dukung."
# What each person must have read somewhere, so that every explanation state was rendered and checked.
SELF_ASSESSED_STATES = [
    "Baris ini bernilai 0 karena belum ada opsi yang dipilih.",
    NO_EVIDENCE_ID,
    "Baris ini bernilai 6: level 2 yang dipilih dikali bobot 3, dengan bukti dukung.",
]
VERIFIED_STATES = [
    "Baris ini bernilai 0 pada nilai terverifikasi karena belum diverifikasi.",
    "Verifikator menilai baris ini Sesuai: nilainya 4 (level 2 yang dipilih dikali bobot 2).",
    "bukti dukung hanya mendukung level 1, bukan level 3 yang dipilih, sehingga nilainya 2",
    "bukti dukung tidak mendukung level mana pun",
    "Sebaran urusan wajib pelayanan dasar belum cukup",
    "Rata-rata kematangan inovasi (jumlah kematangan dibagi jumlah inovasi, paling sedikit 10)",
]
SEEN = {
    "owner": SELF_ASSESSED_STATES,
    "reviewer": SELF_ASSESSED_STATES + VERIFIED_STATES,
    "admin": SELF_ASSESSED_STATES + VERIFIED_STATES,
}
NO_EVIDENCE_EN = "This row scores 0 because it has no evidence yet."


class VisibleText(HTMLParser):
    """The text a reader sees: no scripts, styles or method help texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        classes = (dict(attrs).get("class") or "").split()
        hidden = bool(self.open and self.open[-1][1]) or tag in SKIPPED_TAGS or HELP_CLASS in classes
        self.open.append((tag, hidden))

    def handle_endtag(self, tag):
        if any(name == tag for name, _hidden in self.open):
            while self.open and self.open.pop()[0] != tag:
                pass

    def handle_data(self, data):
        if not (self.open and self.open[-1][1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def offences(text: str) -> list[str]:
    found = []
    for what, pattern in FORBIDDEN.items():
        for match in pattern.finditer(text):
            context = text[max(0, match.start() - 50) : match.end() + 50]
            found.append(f"{what}: …{context}…")
    return found


@pytest.fixture
def states(world):
    entry, by = world.entry, world.owner
    Innovation.objects.filter(pk=entry.pk).update(stage="penerapan", urusan="Kesehatan")
    make_answer(entry, "SID-17", 2, by=by, evidence=False)  # no evidence
    make_answer(entry, "SID-18", 3, by=by, verdict="tidak_sesuai", verified_level=1)  # verified lower
    make_answer(entry, "SID-19", 2, by=by, verdict="sesuai")  # Sesuai
    rejected = make_answer(entry, "SID-20", 2, by=by, verdict="tidak_sesuai")  # evidence rejected: level 0
    Evidence.objects.filter(answer=rejected).update(review=Evidence.Review.REJECTED, review_note="Bukan SK")
    # SID-21 stays empty: no option chosen.
    spd = world.spd_link.answer.spd_profile
    make_answer(spd, "SPD-02a", 2, by=world.reviewer, evidence=False)
    make_answer(spd, "SPD-03", 3, by=world.reviewer, verdict="tidak_sesuai", verified_level=2)
    # The approved innovation of last year, a rejected one of this year: pages that list them show them too.
    Innovation.objects.create(
        cycle=world.cycle,
        agency=world.spare_agency,
        name="Inovasi yang ditolak",
        status=Innovation.Status.REJECTED,
        created_by=by,
    )
    return world


# More objects for some pages: the shipped catalogue (rows, options, guidance) and last year's approved entry.
MORE = {
    "edition_detail": lambda w: [{"pk": w.cycle.edition.pk}],
    "entry_detail": lambda w: [{"pk": w.approved.pk}],
    "review_entry": lambda w: [{"pk": w.approved.pk}],
}


def urls_of(w) -> list[str]:
    """Every URL of the project with real arguments; a row URL once for each row code in a state."""
    urls = []
    for name, pattern in inventory.url_patterns():
        row = inventory.ACCESS.get(name)
        if row is None:
            assert "<" not in pattern, f"{name}: add its arguments to tests/test_url_inventory.py ACCESS"
            kwargs = {}
        else:
            kwargs = row.kwargs(w)
        for each in [kwargs, *MORE.get(name, lambda w: [])(w)]:
            codes = [each.get("code")]
            if "code" in each:
                codes = SID_CODES if each["code"].startswith("SID") else SPD_CODES
            for code in codes:
                arguments = {**each, "code": code} if code else each
                urls.append(reverse(name, kwargs=arguments) + (row.query if row else ""))
    return urls


@pytest.mark.parametrize("persona", ["owner", "reviewer", "admin"])
def test_no_method_notation_on_any_page_in_indonesian(states, persona):
    client = client_for(states.people[persona])
    pages, problems, seen = 0, [], []
    for url in urls_of(states):
        response = client.get(url, headers={"accept-language": "id"})
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        assert response.headers["Content-Language"] == "id"
        pages += 1
        text = visible_text(inventory.body_of(response))
        problems += [f"{url}: {problem}" for problem in offences(text)]
        seen.append(text)
    assert pages >= 15
    assert [state for state in SEEN[persona] if not any(state in text for text in seen)] == []
    assert problems == [], "\n".join(problems)


def test_the_checks_see_what_they_must():
    shown = visible_text(
        '<p>Rata-rata (D1) <span class="method-help">Σ / maks(10, n) D4</span> n</p>'
        "<script>var n = 1;</script><a>Berikutnya →</a><td>3 → 0</td>"
    )
    assert "Σ" not in shown and "var" not in shown
    assert [problem.split(":")[0] for problem in offences(shown)] == [
        "a method decision code",
        "n as a symbol",
        "an arrow between figures",
    ]
    assert offences("Pembagi min. 10 · n/a · Rp 5.000 · 1-n · Berikutnya →") == []


def test_explanations_speak_the_interface_language(states):
    client = client_for(states.owner)
    url = reverse("entry_detail", kwargs={"pk": states.entry.pk})
    indonesian = visible_text(client.get(url).content.decode())
    assert NO_EVIDENCE_ID in indonesian and NO_EVIDENCE_EN not in indonesian
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = visible_text(client.get(url).content.decode())
    assert NO_EVIDENCE_EN in english and NO_EVIDENCE_ID not in english


def test_reason_sentences_and_help_in_both_languages():
    from decimal import Decimal

    from scoring import explanations
    from scoring.index import Reason, RowResult

    row = RowResult("SID-17", 2, Decimal(0), Reason.NO_EVIDENCE, bobot=Decimal(2))
    with translation.override("id"):
        assert explanations.sentence(row) == NO_EVIDENCE_ID
        assert "D1" in explanations.method_help(row)
    with translation.override("en"):
        assert explanations.sentence(row) == NO_EVIDENCE_EN
        assert explanations.method_help(row).startswith("Method decision D1")
