"""The deadline-peak client: people in a browser, as HTTP requests, with what each request must answer.

Used by bench/peak.py (gunicorn on PostgreSQL, 10,000 entries) and by tests/bench/test_peak_client.py (Django's
live server on the test database), so that the benchmark's request shapes are tested and it cannot measure error
pages. Every request is the one the browser sends (static/js/registri.js and the templates):

- sign-in through the login form (CSRF cookie and token), then the first page and its static files;
- profile autosave: the whole profile form as multipart FormData, with `HX-Request` and `X-CSRFToken` headers and
  the form's `version`; the answer must carry the next version (registry/includes/save_status.html), which the
  client keeps for its next save, one save in flight at a time, as registri.js does;
- answer autosave: the indicator page's answer form (option + version), the same way;
- evidence upload: the indicator page's evidence form as multipart with the PDF, `X-Requested-With:
  XMLHttpRequest`; the answer must be the evidence list with the file in it;
- reviewer: the review queue (a page of submitted or in-review entries), an entry's review page, one row's verdict
  form (every item Sesuai, the row Sesuai), whose answer must be the redirect back to the row, then that page;
- admin: the compliance board, then its XLSX or CSV file, which must be the file.

Only the standard library and requests, except `prepare_actors` and `verify`, which use Django's ORM in the
process that set Django up (the benchmark or the test).
"""

from __future__ import annotations

import contextlib
import datetime
import random
import re
import statistics
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

REQUEST_TIMEOUT = 60

# --- forms, read as the browser reads them ----------------------------------------------------------------


@dataclass
class Control:
    tag: str
    type: str
    name: str
    value: str = ""
    checked: bool = False
    options: list = field(default_factory=list)  # select: [value, selected]


@dataclass
class Form:
    attrs: dict
    controls: list[Control] = field(default_factory=list)

    def data(self) -> list[tuple[str, str]]:
        """What `new FormData(form)` holds: the successful controls, in document order."""
        pairs = []
        for control in self.controls:
            if not control.name:
                continue
            if control.tag == "input":
                if control.type in {"submit", "button", "reset", "image", "file"}:
                    continue
                if control.type in {"checkbox", "radio"}:
                    if control.checked:
                        pairs.append((control.name, control.value or "on"))
                    continue
                pairs.append((control.name, control.value))
            elif control.tag == "select":
                chosen = [value for value, selected in control.options if selected]
                if control.type == "select" and not chosen and control.options:
                    chosen = [control.options[0][0]]
                pairs.extend((control.name, value) for value in chosen)
            elif control.tag == "textarea":
                pairs.append((control.name, control.value))
        return pairs

    def option_values(self, name: str) -> list[str]:
        for control in self.controls:
            if control.name == name and control.tag == "select":
                return [value for value, _selected in control.options]
        return []


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Control | None = None
        self.option: list | None = None
        self.option_text = ""
        self.textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            self.form = Form(attrs)
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input":
            self.form.controls.append(
                Control(
                    "input",
                    attrs.get("type", "text").lower(),
                    attrs.get("name", ""),
                    attrs.get("value", ""),
                    "checked" in attrs,
                )
            )
        elif tag == "select":
            self.select = Control(
                "select", "multiple" if "multiple" in attrs else "select", attrs.get("name", "")
            )
        elif tag == "option" and self.select is not None:
            self.option = [attrs.get("value"), "selected" in attrs]
            self.option_text = ""
            self.select.options.append(self.option)
        elif tag == "textarea":
            self.textarea = Control("textarea", "textarea", attrs.get("name", ""))

    def handle_data(self, data):
        if self.option is not None:
            self.option_text += data
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            if self.option[0] is None:
                self.option[0] = self.option_text.strip()
            self.option = None
        elif tag == "select" and self.select is not None and self.form is not None:
            self.form.controls.append(self.select)
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            # A browser drops the newline right after <textarea>, which Django writes.
            if self.textarea.value.startswith("\n"):
                self.textarea.value = self.textarea.value[1:]
            self.form.controls.append(self.textarea)
            self.textarea = None
        elif tag == "form":
            self.form = None


def read_forms(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def find_form(html: str, **wanted) -> Form:
    """The form whose attributes include `wanted` (data_testid="x" for data-testid), else BadAnswer."""
    wanted = {key.replace("_", "-"): value for key, value in wanted.items()}
    for form in read_forms(html):
        if all(form.attrs.get(key) == value for key, value in wanted.items()):
            return form
    raise BadAnswer(f"no form {wanted} on the page")


VERSION_ANSWER = re.compile(
    r'<input type="hidden" name="version" value="(\d+)" id="id_version" hx-swap-oob="true">'
)
STATIC_LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')
REVIEW_LINK = re.compile(r'href="/review/(\d+)/"')


# --- measuring --------------------------------------------------------------------------------------------


class BadAnswer(Exception):
    """The server answered, but not what the browser needs (an error page, a refused save, a wrong file)."""


@dataclass
class Sample:
    kind: str
    started: float
    seconds: float
    error: str = ""


class Recorder:
    """Every request's kind, time and outcome; only those started while `recording` count in the table."""

    def __init__(self):
        self.samples: list[Sample] = []
        self.lock = threading.Lock()
        self.recording = False
        self.window: tuple[float, float] | None = None
        self.errors_outside_window = 0

    def start(self):
        self.recording = True
        self.window = (time.monotonic(), 0.0)

    def stop(self):
        self.recording = False
        self.window = (self.window[0], time.monotonic())

    def measure(self, kind: str, call):
        """Run `call()`, record its time under `kind` and return its result; a failure is recorded and re-raised."""
        recording = self.recording
        started = time.monotonic()
        error = ""
        try:
            return call()
        except (BadAnswer, requests.RequestException) as failure:
            error = f"{type(failure).__name__}: {str(failure)[:200]}"
            raise
        finally:
            seconds = time.monotonic() - started
            if recording:
                with self.lock:
                    self.samples.append(Sample(kind, started, seconds, error))
            elif error:
                with self.lock:
                    self.errors_outside_window += 1

    def rows(self, groups: dict[str, tuple[str, ...]]) -> list[dict]:
        """Per kind, then per group of kinds: count, rate, percentiles and errors."""
        duration = self.window[1] - self.window[0]
        by_kind = defaultdict(list)
        for sample in self.samples:
            by_kind[sample.kind].append(sample)
        table = [_row(kind, by_kind[kind], duration) for kind in sorted(by_kind)]
        for name, prefixes in groups.items():
            chosen = [sample for sample in self.samples if sample.kind.startswith(prefixes)]
            if chosen:
                table.append(_row(name, chosen, duration))
        table.append(_row("all requests", self.samples, duration))
        return table

    def error_examples(self, limit: int = 10) -> list[str]:
        return [f"{sample.kind}: {sample.error}" for sample in self.samples if sample.error][:limit]


def _percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def _row(name: str, samples: list[Sample], duration: float) -> dict:
    times = sorted(sample.seconds for sample in samples)
    return {
        "kind": name,
        "count": len(samples),
        "rate": len(samples) / duration if duration else 0.0,
        "p50": _percentile(times, 0.50),
        "p95": _percentile(times, 0.95),
        "p99": _percentile(times, 0.99),
        "max": times[-1],
        "errors": sum(1 for sample in samples if sample.error),
    }


def format_table(rows: list[dict]) -> str:
    lines = [
        f"{'kind':<28} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>6}"
    ]
    for row in rows:
        lines.append(
            f"{row['kind']:<28} {row['count']:>8} {row['rate']:>7.2f} {row['p50'] * 1000:>8.0f} "
            f"{row['p95'] * 1000:>8.0f} {row['p99'] * 1000:>8.0f} {row['max'] * 1000:>8.0f} {row['errors']:>6}"
        )
    return "\n".join(lines)


# --- what was acknowledged, to check afterwards that nothing was lost ---------------------------------------


@dataclass
class Acks:
    """What the server said it kept. `pending` holds a save whose answer never came (a timeout): either value may
    be stored then."""

    profile: dict = field(default_factory=dict)  # entry pk -> {field: value} of the last acknowledged save
    profile_pending: dict = field(default_factory=dict)  # entry pk -> {field: value} sent, answer lost
    answers: dict = field(default_factory=dict)  # (entry pk, code) -> option value
    answers_pending: dict = field(default_factory=dict)
    uploads: list = field(default_factory=list)  # (entry pk, code, file name, size)
    uploads_pending: list = field(default_factory=list)
    verdicts: dict = field(default_factory=dict)  # (entry pk, code) -> (reviewer e-mail, verdict)
    exports: list = field(default_factory=list)  # (format, size)
    lock: threading.Lock = field(default_factory=threading.Lock)


# --- the people ---------------------------------------------------------------------------------------------


class Browser:
    """One person's browser: a cookie jar, the last page, and the requests registri.js sends."""

    def __init__(self, base: str, recorder: Recorder):
        self.base = base.rstrip("/")
        self.recorder = recorder
        self.session = requests.Session()
        self.csrf = ""

    def url(self, path: str) -> str:
        return urljoin(self.base + "/", path.lstrip("/"))

    def page(self, kind: str, path: str, params=None) -> str:
        """GET a page that must answer 200 with HTML; keeps its CSRF token for the next POST."""

        def call():
            response = self.session.get(self.url(path), params=params, timeout=REQUEST_TIMEOUT)
            if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
                raise BadAnswer(f"GET {path}: {response.status_code}")
            return response.text

        html = self.recorder.measure(kind, call)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if token:
            self.csrf = token.group(1)
        return html

    def sign_in(self, email: str, password: str) -> str:
        login = self.page("page: login", "/accounts/login/")
        form = find_form(login, action="/accounts/login/")
        data = dict(form.data()) | {"username": email, "password": password}

        def call():
            response = self.session.post(
                self.url("/accounts/login/"),
                data=data,
                headers={"Referer": self.url("/accounts/login/")},
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
            )
            if response.status_code != 302:
                raise BadAnswer(f"sign-in of {email}: {response.status_code}")
            return response

        self.recorder.measure("sign-in (POST)", call)
        home = self.page("page: home", "/")
        # An empty cache: the first page's style sheets and scripts (whitenoise).
        for path in sorted(set(STATIC_LINK.findall(home))):
            self.static(path)
        return home

    def static(self, path: str):
        def call():
            response = self.session.get(self.url(path), timeout=REQUEST_TIMEOUT)
            if response.status_code != 200 or not response.content:
                raise BadAnswer(f"GET {path}: {response.status_code}")

        self.recorder.measure("static file", call)

    def autosave(self, kind: str, action: str, fields: list[tuple[str, str]]) -> int:
        """registri.js's save: FormData (multipart) of the whole form; the answer's next version, else BadAnswer."""

        def call():
            response = self.session.post(
                self.url(action),
                files=[(name, (None, value)) for name, value in fields],
                headers={"HX-Request": "true", "X-CSRFToken": self.csrf, "Referer": self.url(action)},
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
            )
            found = VERSION_ANSWER.search(response.text)
            if response.status_code != 200 or not found or "alert-danger" in response.text:
                raise BadAnswer(f"autosave {action}: {response.status_code} {response.text[:160]!r}")
            return int(found.group(1))

        return self.recorder.measure(kind, call)


def _replace(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(key, value if key == name else current) for key, current in fields]


WORDS = (
    "layanan",
    "warga",
    "antrean",
    "daring",
    "puskesmas",
    "kelurahan",
    "data",
    "terpadu",
    "aduan",
    "cepat",
    "sekolah",
    "digital",
    "pasar",
    "bersih",
    "air",
    "minum",
    "sampah",
    "terpilah",
    "posyandu",
    "lansia",
    "bantuan",
    "sosial",
    "tepat",
    "sasaran",
    "perizinan",
    "satu",
    "pintu",
)
PROFILE_FIELDS = ("goals", "benefits", "results", "initiator_name", "development_note", "design")


@dataclass
class Innovator:
    """An innovator filling their agency's draft at the deadline: profile typing, answers, PDF evidence."""

    email: str
    password: str
    entry: int
    codes: list[str]
    pdf_codes: list[str]
    base: str
    recorder: Recorder
    acks: Acks
    pdf: bytes
    seed: int = 0

    def __post_init__(self):
        self.browser = Browser(self.base, self.recorder)
        self.rng = random.Random(self.seed)
        self.profile_fields: list[tuple[str, str]] = []
        self.profile_action = f"/entries/{self.entry}/profile/"
        self.indicator: str | None = None
        self.answer_form: Form | None = None
        self.evidence_form: Form | None = None
        self.saves = 0

    def start(self):
        self.browser.sign_in(self.email, self.password)
        self.open_profile()

    def open_profile(self):
        html = self.browser.page("page: profile", self.profile_action)
        form = find_form(html, data_testid="profile-form")
        self.profile_fields = form.data()

    def open_indicator(self, code: str):
        path = f"/entries/{self.entry}/indicators/{code}/"
        html = self.browser.page("page: indicator", path)
        self.indicator = code
        self.answer_form = find_form(html, data_testid="answer-form")
        self.evidence_form = find_form(html, data_testid="evidence-form")

    def step(self):
        roll = self.rng.random()
        if roll < 0.40:
            self.save_profile()
        elif roll < 0.75:
            if self.indicator is None or self.rng.random() < 0.3:
                self.open_indicator(self.rng.choice(self.codes))
            self.save_answer()
        elif roll < 0.87:
            if self.indicator not in self.pdf_codes:
                self.open_indicator(self.rng.choice(self.pdf_codes))
            self.upload()
        elif roll < 0.94:
            self.browser.page("page: entry overview", f"/entries/{self.entry}/")
        else:
            self.open_profile()

    def save_profile(self):
        name = self.rng.choice(PROFILE_FIELDS)
        self.saves += 1
        words = 320 if name == "design" else 12
        value = f"{name} {self.entry}-{self.saves}: " + " ".join(self.rng.choice(WORDS) for _ in range(words))
        fields = _replace(self.profile_fields, name, value)
        # Until an answer says otherwise, this save may or may not be stored (a timeout, an error page).
        self._pending("profile_pending", self.entry, dict(fields))
        version = self.browser.autosave("autosave: profile", self.profile_action, fields)
        self.profile_fields = _replace(fields, "version", str(version))
        with self.acks.lock:
            self.acks.profile[self.entry] = dict(self.profile_fields)
            self.acks.profile_pending.pop(self.entry, None)

    def save_answer(self):
        form = self.answer_form
        fields = form.data()
        current = dict(fields).get("option", "")
        choices = [value for value in form.option_values("option") if value and value != current]
        option = self.rng.choice(choices)
        fields = _replace(fields, "option", option)
        key = (self.entry, self.indicator)
        action = f"/entries/{self.entry}/indicators/{self.indicator}/"
        self._pending("answers_pending", key, option)
        version = self.browser.autosave("autosave: answer", action, fields)
        # The page now shows the option chosen and the version the server sent (hx-swap-oob).
        for control in form.controls:
            if control.name == "version":
                control.value = str(version)
            if control.name == "option":
                control.options = [[value, value == option] for value, _selected in control.options]
        with self.acks.lock:
            self.acks.answers[key] = option
            self.acks.answers_pending.pop(key, None)

    def upload(self):
        self.saves += 1
        name = f"peak-{self.entry}-{self.saves}.pdf"
        code = self.indicator
        action = f"/entries/{self.entry}/indicators/{code}/evidence/"
        fields = _replace(self.evidence_form.data(), "document_number", f"{self.entry}/{self.saves}/2024")
        fields = _replace(
            fields, "document_date", (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
        )
        fields = _replace(fields, "subject", f"Bukti {code}")
        # FormData's order: the document's fields, the file, then the link field (empty) when the row takes links.
        parts = [(key, (None, value)) for key, value in fields if key != "url"]
        parts.append(("file", (name, self.pdf, "application/pdf")))
        parts += [(key, (None, value)) for key, value in fields if key == "url"]
        record = (self.entry, code, name, len(self.pdf))
        with self.acks.lock:
            self.acks.uploads_pending.append(record)

        def call():
            response = self.browser.session.post(
                self.browser.url(action),
                files=parts,
                headers={"X-Requested-With": "XMLHttpRequest", "Referer": self.browser.url(action)},
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
            )
            if response.status_code != 200 or name not in response.text:
                raise BadAnswer(f"upload {action}: {response.status_code} {response.text[:160]!r}")

        # A failed upload stays pending: an error page after the row was written must not read as an extra row.
        self.recorder.measure("upload: evidence PDF", call)
        with self.acks.lock:
            self.acks.uploads_pending.remove(record)
            self.acks.uploads.append(record)

    def _pending(self, where: str, key, value):
        with self.acks.lock:
            getattr(self.acks, where)[key] = value


@dataclass
class Reviewer:
    """A Bappeda reviewer paging the queue and judging rows of the entries that are theirs (pk % count == index)."""

    email: str
    password: str
    index: int
    count: int
    base: str
    recorder: Recorder
    acks: Acks
    pages: int = 20
    seed: int = 0

    def __post_init__(self):
        self.browser = Browser(self.base, self.recorder)
        self.rng = random.Random(self.seed)

    def start(self):
        self.browser.sign_in(self.email, self.password)

    def step(self):
        status = self.rng.choice(["submitted", "in_review"])
        page = self.rng.randint(1, self.pages)
        html = self.browser.page("page: review queue", "/review/", {"status": status, "page": page})
        mine = [int(pk) for pk in REVIEW_LINK.findall(html) if int(pk) % self.count == self.index]
        if not mine:
            return
        entry = self.rng.choice(mine)
        review = self.browser.page("page: review entry", f"/review/{entry}/")
        forms = [form for form in read_forms(review) if form.attrs.get("id", "").startswith("verdict-form-")]
        for form in self.rng.sample(forms, min(len(forms), self.rng.randint(1, 2))):
            self.judge(entry, form)

    def judge(self, entry: int, form: Form):
        code = form.attrs["id"].removeprefix("verdict-form-")
        fields = [
            (name, value) for name, value in form.data() if not name.startswith("item-") or "note" in name
        ]
        items = sorted({control.name for control in form.controls if re.fullmatch(r"item-\d+", control.name)})
        fields += [(name, "accepted") for name in items]
        # Every item Sesuai and the row Sesuai; a row without evidence is Tidak Sesuai at level 0, with the reason.
        verdict = "sesuai" if items else "tidak_sesuai"
        fields = [(name, value) for name, value in fields if name not in {"verdict", "level", "note"}]
        fields += [("verdict", verdict), ("level", "0"), ("note", "" if items else "Tidak ada bukti.")]
        action = form.attrs["action"]

        def call():
            response = self.browser.session.post(
                self.browser.url(action),
                data=fields,
                headers={"Referer": self.browser.url(f"/review/{entry}/")},
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
            )
            if response.status_code != 302 or not response.headers.get("Location", "").endswith(
                f"#row-{code}"
            ):
                raise BadAnswer(f"verdict {action}: {response.status_code}")

        self.recorder.measure("verdict (POST)", call)
        with self.acks.lock:
            self.acks.verdicts[(entry, code)] = (self.email, verdict)
        # The browser follows the redirect back to the row.
        self.browser.page("page: review entry", f"/review/{entry}/")


@dataclass
class Exporter:
    """An administrator downloading the compliance board's files, XLSX and CSV in turn, with a pause between."""

    email: str
    password: str
    base: str
    recorder: Recorder
    acks: Acks
    pause: float = 15.0
    seed: int = 0

    def __post_init__(self):
        self.browser = Browser(self.base, self.recorder)
        self.turn = 0

    def start(self):
        self.browser.sign_in(self.email, self.password)

    def think(self, rng, _mean):
        return self.pause

    def step(self):
        self.browser.page("page: compliance board", "/laporan/kepatuhan/")
        fmt = ("xlsx", "csv")[self.turn % 2]
        self.turn += 1
        self.export(fmt)

    def export(self, fmt: str):
        def call():
            response = self.browser.session.get(
                self.browser.url(f"/laporan/ekspor.{fmt}"), timeout=REQUEST_TIMEOUT
            )
            body = response.content
            disposition = response.headers.get("Content-Disposition", "")
            right = body.startswith(b"PK\x03\x04") if fmt == "xlsx" else body.count(b"\n") > 10
            if response.status_code != 200 or not right or f".{fmt}" not in disposition:
                raise BadAnswer(f"export {fmt}: {response.status_code} {body[:80]!r}")
            return len(body)

        size = self.recorder.measure(f"export: {fmt}", call)
        with self.acks.lock:
            self.acks.exports.append((fmt, size))


def run_person(person, stop: threading.Event, think: float, rng: random.Random):
    """Steps with a think time between (uniform around `think` seconds), until `stop`; failures are recorded."""
    while not stop.is_set():
        try:
            person.step()
        except (BadAnswer, requests.RequestException):
            # Recorded by the Recorder; the person reloads the page they were on, as someone would.
            if isinstance(person, Innovator):
                person.indicator = None
                with contextlib.suppress(BadAnswer, requests.RequestException):
                    person.open_profile()
        wait = person.think(rng, think) if hasattr(person, "think") else rng.uniform(0.3 * think, 1.7 * think)
        stop.wait(wait)


def start_all(people, workers: int = 16):
    """Sign everyone in (through the login form) and open their first page, a few at a time."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda person: person.start(), people))


def run_load(
    people, recorder: Recorder, *, warmup: float, duration: float, think: float, seed: int = 1
) -> None:
    """Everyone at once: `warmup` seconds unrecorded, then `duration` seconds recorded; waits for the last requests."""
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=run_person, args=(person, stop, think, random.Random(seed * 1000 + number)), daemon=True
        )
        for number, person in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    stop.wait(warmup)
    recorder.start()
    stop.wait(duration)
    recorder.stop()
    stop.set()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT + 5)


# --- set-up and the check afterwards: Django's ORM, in the process that set Django up -----------------------


def prepare_actors(*, innovators: int, reviewers: int, password: str, prefix: str = "peak") -> dict:
    """People for the peak in the demo region's current cycle: `innovators` agencies each with one innovator and a
    draft entry (started with registry.entries.start_entry), `reviewers` more reviewers, and the demo admin.

    One password hash for all, made once (PBKDF2 at a million rounds takes most of a second each)."""
    # Django is set up by the caller (benchmark or test) before this runs.
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from agencies.models import Agency, AgencyKind, Role, User
    from registry.entries import answers_for, start_entry
    from registry.models import Cycle

    admin = User.objects.get(email="admin@parepare.demo")
    region = admin.region
    cycle = Cycle.objects.current_for(region)
    hashed = make_password(password)
    User.objects.filter(pk=admin.pk).update(password=hashed)
    indicators = list(cycle.edition.indicators.filter(part="SID").order_by("position"))
    codes = [indicator.code for indicator in indicators]
    pdf_codes = [indicator.code for indicator in indicators if "pdf" in indicator.evidence_kinds]
    people = {"innovators": [], "reviewers": [], "admin": admin.email, "codes": codes, "pdf_codes": pdf_codes}
    for number in range(1, innovators + 1):
        agency = Agency.objects.create(
            region=region,
            code=f"{prefix.upper()}-{number:03d}",
            name=f"Dinas Tenggat {number:03d}",
            kind=AgencyKind.PERANGKAT_DAERAH,
        )
        person = User(
            email=f"{prefix}-inovator-{number:03d}@parepare.demo",
            full_name=f"Inovator Tenggat {number:03d}",
            role=Role.INNOVATOR,
            region=region,
            password=hashed,
        )
        person.save()
        person.agencies.add(agency)
        entry = start_entry(agency=agency, cycle=cycle, by=person, name=f"Inovasi Tenggat {number:03d}")
        answers_for(entry, indicators)
        people["innovators"].append({"email": person.email, "entry": entry.pk})
    for number in range(1, reviewers + 1):
        person = User(
            email=f"{prefix}-verifikator-{number:02d}@parepare.demo",
            full_name=f"Verifikator Tenggat {number:02d}",
            role=Role.REVIEWER,
            region=region,
            password=hashed,
        )
        person.save()
        people["reviewers"].append(person.email)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return people


def verify(acks: Acks) -> tuple[dict, list[str]]:
    """Whether the database and the storage hold what the server acknowledged: (counts, problems)."""
    # Django is set up by the caller; this module's client part must import without it.
    from django.core.files.storage import default_storage

    from registry.models import Answer, Evidence, Innovation
    from reports.models import ExportLog

    problems = []
    stored_profiles = {
        row["pk"]: row
        for row in Innovation.objects.filter(pk__in=acks.profile).values("pk", "version", *PROFILE_FIELDS)
    }
    for entry, saved in acks.profile.items():
        stored = stored_profiles[entry]
        candidates = [saved] + ([acks.profile_pending[entry]] if entry in acks.profile_pending else [])
        if not any(
            all(str(stored[name] or "") == candidate.get(name, "") for name in PROFILE_FIELDS)
            for candidate in candidates
        ):
            problems.append(f"entry {entry}: the profile stored is not the last one saved")
        if str(stored["version"]) != saved["version"] and entry not in acks.profile_pending:
            problems.append(
                f"entry {entry}: version {stored['version']}, the last save answered {saved['version']}"
            )
    answers = {
        (row["innovation_id"], row["indicator__code"]): row
        for row in Answer.objects.filter(innovation_id__in={entry for entry, _code in acks.answers}).values(
            "innovation_id", "indicator__code", "option_group", "level"
        )
    }
    for key, option in acks.answers.items():
        row = answers[key]
        stored = f"{row['option_group']}:{row['level']}" if row["option_group"] else str(row["level"])
        if stored != option and acks.answers_pending.get(key) != stored:
            problems.append(f"entry {key[0]} row {key[1]}: answer {stored}, the last save was {option}")
    names = {name for _entry, _code, name, _size in acks.uploads}
    evidence = {
        item.original_name: item
        for item in Evidence.objects.filter(original_name__startswith="peak-").select_related(
            "answer__indicator"
        )
    }
    for entry, code, name, size in acks.uploads:
        item = evidence.get(name)
        if item is None:
            problems.append(f"upload {name}: no evidence row")
            continue
        if item.answer.innovation_id != entry or item.answer.indicator.code != code:
            problems.append(f"upload {name}: stored under another row")
        if not default_storage.exists(item.file.name) or default_storage.size(item.file.name) != size:
            problems.append(f"upload {name}: the file is missing or of another size in the storage")
    pending = {name for _entry, _code, name, _size in acks.uploads_pending}
    extra = set(evidence) - names - pending
    if extra:
        problems.append(f"{len(extra)} evidence rows nobody was told about: {sorted(extra)[:3]}")
    verdicts = {
        (row["innovation_id"], row["indicator__code"]): row
        for row in Answer.objects.filter(innovation_id__in={entry for entry, _code in acks.verdicts}).values(
            "innovation_id", "indicator__code", "verdict", "reviewed_by__email"
        )
    }
    for key, (email, verdict) in acks.verdicts.items():
        row = verdicts[key]
        if row["verdict"] != verdict or row["reviewed_by__email"] != email:
            problems.append(
                f"entry {key[0]} row {key[1]}: verdict {row['verdict']!r} by {row['reviewed_by__email']}"
            )
    logged = ExportLog.objects.filter(created_by__email__isnull=False).count()
    if logged < len(acks.exports):
        problems.append(f"{len(acks.exports)} files exported, {logged} in the export log")
    counts = {
        "profiles": len(acks.profile),
        "answers": len(acks.answers),
        "uploads": len(acks.uploads),
        "verdicts": len(acks.verdicts),
        "exports": len(acks.exports),
        "unanswered saves": len(acks.profile_pending) + len(acks.answers_pending) + len(acks.uploads_pending),
    }
    return counts, problems


def people_for(
    people: dict,
    base: str,
    recorder,
    acks,
    *,
    password: str,
    pdf: bytes,
    reviewer_pages: int,
    export_pause: float,
) -> list:
    """The actors of a run: every innovator, reviewer and the exporting admin `prepare_actors` made."""
    common = {"base": base, "recorder": recorder, "acks": acks, "password": password}
    persons = [
        Innovator(
            email=person["email"],
            entry=person["entry"],
            codes=people["codes"],
            pdf_codes=people["pdf_codes"],
            pdf=pdf,
            seed=number,
            **common,
        )
        for number, person in enumerate(people["innovators"])
    ]
    reviewers = people["reviewers"]
    persons += [
        Reviewer(email=email, index=number, count=len(reviewers), pages=reviewer_pages, seed=number, **common)
        for number, email in enumerate(reviewers)
    ]
    persons.append(Exporter(email=people["admin"], pause=export_pause, **common))
    return persons
