"""Every page of every role, at 360, 768 and 1280 px (issue 15).

Signs in as each demo role, collects every link of the navigation (dropdown and collapsed items included) and
one page of each kind of object, and visits each at three widths. A page fails when it scrolls sideways, when a
visible element is cut off by the viewport's edge (a table inside a scroll container may scroll), when it shows
a phrase of the interface's own English message catalogue on an Indonesian page, when the browser logs an error,
or when a request fails or answers 400 or more. Every page is saved as
test-artifacts/pages/<role>-<page>-<width>.png.
"""

import re
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from agencies.models import Agency, Region, User
from registry.models import Cycle, Innovation, Notification, ReviewEvent
from registry.synthetic import create_synthetic_entries
from reports.models import OfficialResult
from tests.browser.conftest import ARTIFACTS, add_last_year, showcased_posyandu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build_world() -> dict:
    """The demo region with entries in every state, an older cycle (the trend), a draft, a showcase item and
    unread notifications for every role; returns the objects whose pages are visited."""
    call_command("seed_demo")
    cycle = Cycle.objects.get(year=2024)
    admin = User.objects.get(email="admin@parepare.demo")
    create_synthetic_entries(cycle, 14, created_by=admin)
    add_last_year(cycle, admin)
    innovator = User.objects.get(email="inovator.puskesmas@parepare.demo")
    Innovation.objects.create(
        cycle=cycle,
        agency=Agency.objects.get(code="UPTD-PKM-LAKESSI"),
        name="Puskesmas Keliling",
        created_by=innovator,
    )
    showcased = showcased_posyandu(cycle)
    event = ReviewEvent.objects.filter(innovation=showcased).first()
    for person in User.objects.filter(region=cycle.region):
        for number in range(3):
            Notification.objects.create(
                recipient=person,
                event=event,
                innovation=showcased,
                message=f"Inovasi “{showcased.name}” disetujui oleh verifikator ({number + 1}).",
            )
    return object_pages()


def object_pages() -> dict[str, list[tuple[str, str]]]:
    """Per role, (name, path) of one page of each kind of object, beside what the navigation links to."""
    cycle = Cycle.objects.get(year=2024)
    draft = Innovation.objects.get(name="Puskesmas Keliling")
    showcased = Innovation.objects.get(name="Posyandu Digital")
    reviewed = cycle.innovations.filter(status=Innovation.Status.IN_REVIEW).order_by("pk").first()
    agency = Agency.objects.get(code="KEL-LEMOE")
    own_agency = draft.agency
    person = User.objects.get(email="inovator.puskesmas@parepare.demo")
    edition = cycle.edition
    official = OfficialResult.objects.order_by("-year").first()
    showcase = [("showcase", "/etalase/"), ("showcase-item", f"/etalase/{showcased.pk}/")]
    bappeda = [
        ("entry", f"/entries/{reviewed.pk}/"),
        ("indicator", f"/entries/{reviewed.pk}/indicators/SID-16/"),
        ("review-entry", f"/review/{reviewed.pk}/"),
        ("review-spd", f"/review/spd/{cycle.pk}/"),
        ("spd", f"/spd/{cycle.pk}/"),
        ("agency", f"/agencies/{agency.pk}/"),
        ("edition", f"/catalogue/{edition.pk}/"),
        ("showcase-item", f"/etalase/{showcased.pk}/"),
        ("replication", f"/replications/{showcased.pk}/"),
    ]
    return {
        "anonymous": [("login", "/accounts/login/"), ("password-reset", "/accounts/reset/"), *showcase],
        "innovator": [
            ("entry", f"/entries/{draft.pk}/"),
            ("entry-profile", f"/entries/{draft.pk}/profile/"),
            ("indicator", f"/entries/{draft.pk}/indicators/SID-16/"),
            ("agency", f"/agencies/{own_agency.pk}/"),
            ("replication", f"/replications/{showcased.pk}/"),
            ("showcase-item", f"/etalase/{showcased.pk}/"),
        ],
        "reviewer": bappeda,
        "admin": [
            *bappeda,
            ("person", f"/people/{person.pk}/edit/"),
            ("person-invite", "/people/invite/"),
            ("cycle", f"/cycles/{cycle.pk}/edit/"),
            ("cycle-new", "/cycles/new/"),
            ("agency-edit", f"/agencies/{agency.pk}/edit/"),
            ("agency-new", "/agencies/new/"),
            ("agency-import", "/agencies/import/"),
            ("official-result", f"/laporan/hasil-resmi/{official.pk}/"),
            ("catalogue-upload", "/catalogue/upload/"),
        ],
    }


ROLES = {
    "anonymous": None,
    "innovator": "inovator.puskesmas@parepare.demo",
    "reviewer": "verifikator@parepare.demo",
    "admin": "admin@parepare.demo",
}
WIDTHS = (360, 768, 1280)
PAGES_DIR = "pages"

# What the page measures of itself: how wide it scrolls, which visible elements reach past the viewport (those
# inside a scroll or clip container are that container's business: the container itself is measured), and the
# interface text a person sees or hears (placeholders and accessible names included).
MEASURE = """() => {
  const width = window.innerWidth;
  const clips = (node) => ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(node).overflowX);
  const name = (node) => node.tagName.toLowerCase() + (node.id ? "#" + node.id : "")
    + (typeof node.className === "string" && node.className.trim()
       ? "." + node.className.trim().split(/\\s+/).slice(0, 3).join(".") : "")
    + (node.dataset && node.dataset.testid ? "[" + node.dataset.testid + "]" : "");
  const cut = [];
  for (const node of document.body.querySelectorAll("*")) {
    const box = node.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || (box.right <= width + 1 && box.left >= -1)) continue;
    const style = getComputedStyle(node);
    if (style.visibility === "hidden" || style.display === "none" || style.opacity === "0") continue;
    if (node.closest(".visually-hidden, .visually-hidden-focusable")) continue;
    let parent = node.parentElement, inside = false;
    while (parent && parent !== document.body) {
      if (clips(parent)) { inside = true; break; }
      parent = parent.parentElement;
    }
    if (inside || (node.parentElement && cut.some((entry) => entry.node === node.parentElement))) continue;
    cut.push({node, text: name(node) + " " + Math.round(box.left) + ".." + Math.round(box.right)
      + " «" + (node.innerText || "").trim().slice(0, 40) + "»"});
  }
  // A select narrower than the value it shows cuts it ("Periode berj"): measured with the select's own font.
  const context = document.createElement("canvas").getContext("2d");
  const clipped = [];
  for (const select of document.querySelectorAll("select:not([multiple])")) {
    const box = select.getBoundingClientRect();
    const option = select.options[select.selectedIndex];
    if (!option || box.width === 0 || getComputedStyle(select).visibility === "hidden") continue;
    const style = getComputedStyle(select);
    context.font = style.font;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const text = option.text.trim();
    // A value of up to 40 characters must show whole; a longer one (an urusan's name) may be cut.
    if (context.measureText(text).width > room + 1 && text.length <= 40) clipped.push(name(select) + " «" + text + "»");
  }
  // On a phone a stacked table is a column of cards: it must not scroll inside its box either.
  const scrolled = width < 576 ? [...document.querySelectorAll(".table-responsive")]
    .filter((box) => box.querySelector(".table-responsive-stack") && box.scrollWidth > box.clientWidth + 1)
    .map((box) => name(box.querySelector("table")) + " scrolls " + (box.scrollWidth - box.clientWidth) + " px") : [];
  const extra = [...document.querySelectorAll("[placeholder], [aria-label], [title], input[type=submit]")]
    .map((node) => [node.getAttribute("placeholder"), node.getAttribute("aria-label"), node.getAttribute("title"),
                    node.type === "submit" ? node.value : null].filter(Boolean).join(" | "));
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    width,
    cut: cut.slice(0, 6).map((entry) => entry.text),
    clipped,
    scrolled,
    text: [document.title, document.body.innerText, ...extra].join("\\n"),
  };
}"""


# What makes the page wider than the viewport when no element's box does (a long unbroken word, say): the
# element whose hiding narrows the page, followed down the tree.
CULPRIT = """() => {
  const found = [], widest = document.scrollingElement.scrollWidth;
  let node = document.body;
  while (node && found.length < 12) {
    let next = null;
    for (const child of node.children) {
      const display = child.style.display;
      child.style.display = "none";
      const narrower = document.scrollingElement.scrollWidth < widest;
      child.style.display = display;
      if (narrower) { next = child; break; }
    }
    if (!next) break;
    found.push(next.tagName.toLowerCase() + (next.id ? "#" + next.id : "")
      + (typeof next.className === "string" && next.className ? "." + next.className.trim().split(/\\s+/).join(".") : ""));
    node = next;
  }
  return found.join(" > ");
}"""


def english_phrases() -> re.Pattern:
    """English text of the interface's own catalogue that the Indonesian translation does not share.

    Whole fragments of two words or more (split at placeholders and markup) and distinctive single words (four
    letters or more, never used by any Indonesian translation), matched as whole words.
    """
    import polib

    catalogue = polib.pofile(str(ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    translations = []
    pairs = []
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            pairs += [
                (entry.msgid, entry.msgstr_plural.get(0, "")),
                (entry.msgid_plural, entry.msgstr_plural.get(0, "")),
            ]
        else:
            pairs.append((entry.msgid, entry.msgstr))
        translations.append(pairs[-1][1])
    indonesian = " ".join(translations)
    indonesian_words = {word.lower() for word in re.findall(r"[A-Za-z]+", indonesian)}
    phrases = set()
    for msgid, msgstr in pairs:
        if not msgstr or msgid.strip() == msgstr.strip():
            continue
        text = re.sub(r"<[^>]+>", "\n", msgid)
        for fragment in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|[\n:;()\"“”«»—·]|\.\s", text):
            words = re.findall(r"[A-Za-z][A-Za-z'’-]*", fragment)
            if len(words) >= 2:
                phrase = " ".join(words)
                if phrase.lower() not in indonesian.lower():
                    phrases.add(phrase)
            elif len(words) == 1 and fragment.strip(" .,!?") == words[0]:
                word = words[0]
                if (
                    len(word) >= 4
                    and word.lower() not in indonesian_words
                    and word.lower() not in SHARED_WORDS
                ):
                    phrases.add(word)
    alternatives = "|".join(
        r"\s+".join(map(re.escape, phrase.split())) for phrase in sorted(phrases, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


# Single English words that are also Indonesian, names, or data rather than interface text.
# "mandatory" is the catalogue's own term in SPD-02b "Pengalokasian mandatory spending".
SHARED_WORDS = {
    "email",
    "online",
    "offline",
    "website",
    "link",
    "file",
    "upload",
    "download",
    "login",
    "mandatory",
}


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


class Sweep:
    """Visits pages in one browser and writes down what is wrong with each: (role, page, width, check, detail)."""

    def __init__(self, browser, base: str, artifacts: Path):
        self.browser = browser
        self.base = base
        self.artifacts = artifacts / PAGES_DIR
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.english = english_phrases()
        self.findings: list[tuple[str, str, int, str, str]] = []
        self.visits = 0
        self._problems: list[tuple[str, str]] = []
        self.before_open = lambda: None

    def open(self, role: str, width: int):
        self.before_open()
        context = self.browser.new_context(
            viewport={"width": width, "height": 800},
            is_mobile=width < 992,
            locale="id-ID",
            reduced_motion="reduce",  # Bootstrap's collapse and dropdowns then open at once
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda message: self._console(message))
        page.on("pageerror", lambda error: self._problems.append(("console", f"uncaught {error}")))
        # A request the browser drops because the page is left (net::ERR_ABORTED) is no failure of the page.
        page.on(
            "requestfailed",
            lambda request: (
                "ERR_ABORTED" not in (request.failure or "")
                and self._problems.append(("request", f"{request.url} {request.failure}"))
            ),
        )
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self._problems.append(("http", f"{response.status} {response.url}"))
            ),
        )
        if ROLES[role]:
            sign_in(page, self.base, ROLES[role])
        self._problems.clear()
        return context, page

    def _console(self, message) -> None:
        if message.type == "error":
            self._problems.append(("console", message.text[:200]))

    def note(self, role: str, name: str, width: int, check: str, detail: str) -> None:
        self.findings.append((role, name, width, check, detail))

    def measure(self, page, role: str, name: str, width: int) -> None:
        measured = page.evaluate(MEASURE)
        if measured["scrollWidth"] > width:
            culprit = page.evaluate(CULPRIT)
            self.note(
                role, name, width, "overflow", f"scrollWidth {measured['scrollWidth']} > {width}: {culprit}"
            )
        for detail in measured["cut"]:
            self.note(role, name, width, "cut-off", detail)
        for detail in measured["clipped"]:
            self.note(role, name, width, "clipped", detail)
        for detail in measured["scrolled"]:
            self.note(role, name, width, "cut-off", detail)
        seen = set()
        for match in self.english.finditer(measured["text"]):
            phrase = " ".join(match.group(0).split())
            if phrase not in seen:
                seen.add(phrase)
                self.note(role, name, width, "english", phrase)
        for check, detail in self._problems:
            self.note(role, name, width, check, detail)
        self._problems.clear()

    def visit(self, page, role: str, name: str, path: str, width: int) -> None:
        self._problems.clear()
        response = page.goto(self.base + path)
        self.visits += 1
        if response is None or response.status >= 400:
            # The "http" finding is written by the response listener.
            pass
        # A signed-in person's link that lands elsewhere is a broken link (signed out, "/" leads to the login).
        if ROLES[role] and urlsplit(page.url).path != urlsplit(path).path:
            self.note(role, name, width, "redirect", f"{path} → {page.url.removeprefix(self.base)}")
        self.measure(page, role, name, width)
        page.screenshot(path=str(self.artifacts / f"{role}-{name}-{width}.png"), full_page=True)

    def menus(self, page, role: str, width: int) -> None:
        """The collapsed menu opens with its toggler; every dropdown of the bar opens inside the viewport."""
        page.goto(self.base + "/")
        toggler = page.locator("nav .navbar-toggler")
        if toggler.count() and toggler.is_visible():
            toggler.click()
            page.locator("#main-nav.show").wait_for()
            self.measure(page, role, "menu", width)
            page.screenshot(path=str(self.artifacts / f"{role}-menu-{width}.png"))
        for toggle in page.locator("nav [data-bs-toggle=dropdown]").all():
            if not toggle.is_visible():
                continue
            testid = toggle.get_attribute("data-testid") or "dropdown"
            toggle.click()
            page.locator("nav .dropdown-menu.show").wait_for()
            self.measure(page, role, testid, width)
            page.screenshot(path=str(self.artifacts / f"{role}-{testid}-{width}.png"))
            page.keyboard.press("Escape")
            page.locator("nav .dropdown-menu.show").wait_for(state="detached")

    def navigation_links(self, page) -> list[tuple[str, str]]:
        """(name, path) of every link of the navigation bar, those in dropdowns and the collapsed menu included."""
        page.goto(self.base + "/")
        hrefs = page.eval_on_selector_all("nav a[href]", "(links) => links.map((link) => link.href)")
        paths = []
        for href in hrefs:
            if href.startswith(self.base) and "#" not in href:
                path = href.removeprefix(self.base)
                if path not in paths:
                    paths.append(path)
        return [(slug(path), path) for path in paths]

    def role(self, role: str, objects: list[tuple[str, str]], widths=WIDTHS) -> list[tuple[str, str]]:
        pages = []
        for width in widths:
            context, page = self.open(role, width)
            try:
                if not pages:
                    pages = self.navigation_links(page)
                    pages += [(name, path) for name, path in objects if path not in dict(pages).values()]
                for name, path in pages:
                    self.visit(page, role, name, path, width)
                self.menus(page, role, width)
            finally:
                context.close()
        return pages

    def report(self, known: set) -> tuple[list, list]:
        """(findings not in the known list, known entries that no longer occur)."""
        unknown, matched = [], set()
        for finding in self.findings:
            hits = {entry for entry in known if entry_matches(entry, finding)}
            if hits:
                matched |= hits
            else:
                unknown.append(finding)
        return unknown, sorted(known - matched)


def entry_matches(entry, finding) -> bool:
    """A known finding: (check, page name or "*", detail substring), for every role and width."""
    check, name, detail = entry
    return finding[3] == check and name in ("*", finding[1]) and detail in finding[4]


# Findings that belong to work in progress elsewhere, each (check, page or "*", part of the detail): the sweep
# passes over them and warns once one no longer occurs, so that its line is removed. Temporary: the lead removes
# each line as the work it names lands.
KNOWN: set[tuple[str, str, str]] = set()


def describe(findings) -> str:
    return "\n".join(
        f"{role} {name} {width}px {check}: {detail}" for role, name, width, check, detail in findings
    )


def test_every_page_of_every_role_at_every_width(live_server, browser):
    objects = build_world()
    sweep = Sweep(browser, live_server.url, ARTIFACTS)
    # Opening the notifications marks them read: each role's next context has unread ones again, so that the
    # bar is measured with its count on the bell.
    sweep.before_open = lambda: Notification.objects.update(read_at=None)
    started = time.monotonic()
    visited = {role: sweep.role(role, objects[role]) for role in ROLES}
    elapsed = time.monotonic() - started

    admin = dict(visited["admin"]).values()
    # The navigation's dropdown and folded items are collected too.
    assert {"/people/", "/cycles/", "/laporan/kepatuhan/", "/laporan/ekspor/riwayat/", "/catalogue/"} <= set(
        admin
    )
    assert "/review/" not in dict(visited["innovator"]).values()
    assert sweep.visits == sum(len(pages) for pages in visited.values()) * len(WIDTHS)
    unknown, stale = sweep.report(KNOWN)
    for entry in stale:
        warnings.warn(f"test_every_page.KNOWN no longer occurs, remove it: {entry}", stacklevel=1)
    print(f"{sweep.visits} page visits in {elapsed:.0f} s")
    assert not unknown, f"{len(unknown)} problems:\n{describe(unknown)}"


NAV_WIDTHS = (320, 360, 414, 576, 768, 991, 992, 1024, 1199, 1200, 1280, 1366, 1399, 1400, 1440)
# The bar, measured: its height, what reaches past the viewport, the boxes of the bell, its count and the user menu.
NAV = """(width) => {
  const box = (node) => { if (!node) return null; const r = node.getBoundingClientRect();
    return r.width ? {left: r.left, right: r.right, top: r.top, bottom: r.bottom} : null; };
  const nav = document.querySelector("nav.navbar");
  const out = [...nav.querySelectorAll("*")].filter((node) => {
    const r = node.getBoundingClientRect();
    return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5) && getComputedStyle(node).visibility !== "hidden";
  }).map((node) => node.tagName + "." + node.className);
  return {
    height: nav.getBoundingClientRect().height, out, scrollWidth: document.scrollingElement.scrollWidth,
    folded: getComputedStyle(nav.querySelector(".navbar-toggler")).display !== "none",
    bell: box(nav.querySelector("[data-testid=notifications-link] svg")),
    link: box(nav.querySelector("[data-testid=notifications-link]")),
    count: box(nav.querySelector("[data-testid=unread-count]")),
    user: box(nav.querySelector("[data-testid=user-menu]")),
    links: [...nav.querySelectorAll("#main-nav .nav-link")].map(box),
  };
}"""


def overlaps(a, b) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def test_the_navigation_fits_every_width_for_every_role(live_server, browser, shot):
    """From 320 to 1440 px the bar is one row: expanded where all its items fit, else folded behind its toggler;
    the unread count stays on the bell, the user menu (caret included) inside the viewport. With long names: the
    region's and the people's are shortened where the bar is short of room."""
    build_world()
    Region.objects.update(name="Kabupaten Pangkajene dan Kepulauan")
    for email in ROLES.values():
        if email:
            User.objects.filter(email=email).update(
                full_name="Andi Muhammad Arifuddin Mappaturung Daeng Matutu"
            )
    for role in ("admin", "reviewer", "innovator"):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server.url, ROLES[role])
        for width in NAV_WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            bar = page.evaluate(NAV, width)
            where = f"{role} at {width} px"
            assert bar["scrollWidth"] <= width and bar["out"] == [], (where, bar["out"])
            assert bar["height"] < 60, (where, "the bar wraps onto a second row", bar["height"])
            if not bar["folded"]:
                assert overlaps(bar["count"], bar["bell"]), (where, "the count left the bell", bar)
                assert bar["count"]["right"] <= bar["user"]["left"], (
                    where,
                    "the count covers the user menu",
                    bar,
                )
                assert bar["user"]["right"] <= width - 8, (where, "the user menu's caret is cut off", bar)
                continue
            page.locator("nav .navbar-toggler").click()
            page.locator("#main-nav.show").wait_for()
            opened = page.evaluate(NAV, width)
            assert opened["scrollWidth"] <= width and opened["out"] == [], (where, opened["out"])
            assert all(link and link["right"] <= width for link in opened["links"]), (where, opened["links"])
            # In the folded menu the count follows "Notifikasi" on the same line.
            label = page.get_by_test_id("notifications-link").locator(
                "span:not(.visually-hidden)", has_text="Notifikasi"
            )
            assert label.bounding_box()["width"] > 40, (where, "the folded menu's bell has no word")
            assert (
                opened["link"]["top"]
                <= opened["count"]["top"]
                < opened["count"]["bottom"]
                <= opened["link"]["bottom"]
            ), (where, opened)
            if width == 360:
                shot(page, f"pages/{role}-menu-open-{width}")
            page.locator("nav .navbar-toggler").click()
            page.locator("#main-nav.show").wait_for(state="detached")
            page.locator("#main-nav.collapsing").wait_for(state="detached")
        context.close()
