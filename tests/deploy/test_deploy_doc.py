"""docs/deploy.md, walked from top to bottom, and the files of deploy/ it installs.

The doc's shell blocks (```sh) run in order in a sandbox: this checkout stands for /srv/registri, temporary
folders for /var/lib/registri and /var/backups/registri, an env file made from deploy/registri.env.example
(with a database of the test's own and e-mail written to files) for /etc/registri/registri.env, and
`sudo -u registri` is dropped. A block that needs root, systemd, nginx or the network says so in an HTML
comment right above it (`<!-- not-in-ci: why -->`); what it installs is checked here instead (systemd-analyze
verify on the units, the nginx site's directives). Every command, variable and file the doc names must exist.
"""

import re
import runpy
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.sandbox import (
    ROOT,
    base_env,
    own_postgres_database,
    postgres_url,
    secret_key,
)

DOC = ROOT / "docs" / "deploy.md"
ENV_EXAMPLE = ROOT / "deploy" / "registri.env.example"
NGINX_SITE = ROOT / "deploy" / "nginx" / "registri.conf"
UNITS = ROOT / "deploy" / "systemd"
SKIP_MARK = re.compile(r"^<!-- not-in-ci: (?P<why>\S.*\S) -->$")
# What an environment variable of ours looks like; the doc must not name one that nothing reads.
VARIABLE = re.compile(
    r"\b(?:DJANGO|REGISTRI|GUNICORN|SENTRY|DATABASE|WEB|BACKUP|ENV)_[A-Z0-9_]*[A-Z0-9]\b|\bPORT\b"
)
COMMAND = re.compile(r"\bmanage\.(?:py|sh) ([a-z_]+)")
REPO_PATH = re.compile(
    r"(?<![\w/.-])(?:/srv/registri/)?((?:deploy|docs|agencies|config|tests)/[\w./-]*\w|gunicorn\.conf\.py)"
)


@dataclass
class Block:
    line: int
    text: str
    skip: str | None  # why it cannot run in CI, or None


def doc_blocks() -> list[Block]:
    blocks, lines = [], DOC.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```sh":
            start = index
            index += 1
            body = []
            while lines[index].strip() != "```":
                body.append(lines[index])
                index += 1
            previous = next((line.strip() for line in reversed(lines[:start]) if line.strip()), "")
            mark = SKIP_MARK.match(previous)
            blocks.append(Block(start + 1, "\n".join(body), mark["why"] if mark else None))
        index += 1
    return blocks


def read_variables() -> set[str]:
    """Every environment variable the code reads: names quoted in the settings, gunicorn.conf.py, deploy/."""
    sources = [
        ROOT / "config" / "settings.py",
        ROOT / "config" / "env.py",
        ROOT / "gunicorn.conf.py",
        ROOT / "deploy" / "serve.py",
    ]
    names = set()
    for source in sources:
        names |= set(re.findall(r"[\"']([A-Z][A-Z0-9_]+)[\"']", source.read_text(encoding="utf-8")))
    for script in (ROOT / "deploy").glob("*.sh"):
        names |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", script.read_text(encoding="utf-8")))
    return names


# --- what the doc names exists ----------------------------------------------------------------------------


def test_deploy_doc_every_shell_block_runs_in_ci_or_says_why_not():
    blocks = doc_blocks()
    assert len(blocks) >= 15
    runnable = [block for block in blocks if block.skip is None]
    assert len(runnable) >= 7
    for block in runnable:
        # A block CI runs must run without root: only `sudo -u registri`, which the sandbox drops.
        assert "sudo" not in block.text.replace("sudo -u registri ", ""), f"line {block.line} needs root"


def test_deploy_doc_names_only_existing_management_commands():
    from django.core.management import get_commands

    named = set(COMMAND.findall(DOC.read_text(encoding="utf-8")))
    assert {"migrate", "setup_region", "collectstatic", "backup", "restore"} <= named
    assert sorted(named - set(get_commands())) == []
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"(?m)(?:^|sudo -u registri |`)make (\w+)", DOC.read_text(encoding="utf-8")):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"make {target} is not in the Makefile"


def test_deploy_doc_and_env_example_name_only_variables_the_code_reads():
    known = read_variables()
    for source in (DOC, ENV_EXAMPLE):
        named = set(VARIABLE.findall(source.read_text(encoding="utf-8")))
        assert named, source
        assert sorted(named - known) == [], f"{source.name} names variables nothing reads"


def test_env_example_sets_what_production_requires():
    assigned = dict(
        re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE)
    )
    for required in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REGISTRI_BASE_URL"):
        assert assigned.get(required), required
    assert assigned["DJANGO_BEHIND_TLS_PROXY"] == "true"
    assert "DJANGO_DEBUG" not in assigned  # only ever mentioned commented out


def test_deploy_doc_names_only_existing_files():
    text = DOC.read_text(encoding="utf-8")
    named = set(REPO_PATH.findall(text))
    assert {"deploy/registri.env.example", "deploy/nginx/registri.conf", "gunicorn.conf.py"} <= named
    assert sorted(path for path in named if not (ROOT / path).exists()) == []


def test_readme_links_the_deploy_doc_and_keeps_its_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split()[:2] for line in first_block] == [["make", "run"], ["make", "test"]]
    assert "docs/deploy.md" in readme


# --- what the doc installs without running it ---------------------------------------------------------------


def nginx_directives(text: str) -> list[tuple[str, str]]:
    text = re.sub(r"#.*", "", text)
    return [(name, value.strip()) for name, value in re.findall(r"(?m)^\s*([a-z_0-9]+)\s+([^;{]*)[;{]", text)]


def _megabytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", value.lower()).groups()
    return int(number) * {"k": 1 / 1024, "m": 1, "g": 1024, "": 1 / 1024 / 1024}[unit]


def test_nginx_site_fits_the_upload_limits_and_gunicorn_timeout(settings):
    text = NGINX_SITE.read_text(encoding="utf-8")
    directives = nginx_directives(text)
    values = {}
    for name, value in directives:
        values.setdefault(name, []).append(value)
    largest_upload_mb = max(settings.REGISTRI_EVIDENCE_MAX_BYTES.values()) / 1024 / 1024
    assert _megabytes(values["client_max_body_size"][0]) >= largest_upload_mb + 5  # the form's other fields
    gunicorn = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert values["proxy_read_timeout"] == [f"{gunicorn['timeout']}s"]
    assert values["proxy_send_timeout"] == [f"{gunicorn['timeout']}s"]
    # Evidence is private: no location may serve the media folder, whatever its spelling.
    locations = values["location"]
    assert not [where for where in locations if "media" in where]
    assert "/var/lib/registri/media" not in text
    assert "X-Forwarded-Proto $scheme" in values["proxy_set_header"]
    assert "return" in values and values["return"] == ["301 https://$host$request_uri"]
    assert all(path.startswith("/etc/letsencrypt/live/") for path in values["ssl_certificate"])
    assert "Strict-Transport-Security" not in text  # HSTS is Django's
    env = dict(re.findall(r"^([A-Z_]+)=(.*)$", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE))
    static_aliases = {value.split("$")[0].rstrip("/") for value in values["alias"]}
    assert static_aliases == {env["DJANGO_STATIC_ROOT"]}
    assert values["proxy_pass"] == ["http://registri_app"]
    assert [value for value in values["server"] if value] == [
        env["GUNICORN_BIND"]
    ]  # the upstream is where gunicorn listens


def test_nginx_site_passes_nginx_t_when_nginx_is_installed(tmp_path):
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        pytest.skip("nginx is not installed here; its directives are checked by the test above")
    site = NGINX_SITE.read_text(encoding="utf-8")
    # nginx -t opens the certificate files: use a throwaway self-signed pair.
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test"),
            *("-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    site = re.sub(r"/etc/letsencrypt/live/[^;]+/fullchain\.pem", str(tmp_path / "cert.pem"), site)
    site = re.sub(r"/etc/letsencrypt/live/[^;]+/privkey\.pem", str(tmp_path / "key.pem"), site)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log stderr; events {{}}\n"
        "http { access_log off; "
        + "".join(
            f"{kind}_temp_path {tmp_path}/{kind}; "
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"include {tmp_path}/site.conf; }}\n"
    )
    checked = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


def unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


@pytest.mark.parametrize(
    "name", ["registri-web.service", "registri-worker.service", "registri-backup.service"]
)
def test_systemd_units_run_unprivileged_hardened_with_the_env_file(name):
    values = unit(name)
    assert values["User"] == ["registri"] and values["WorkingDirectory"] == ["/srv/registri"]
    assert (
        "EnvironmentFile=/etc/registri/registri.env" in (UNITS / name).read_text()
        or values["Environment"][0] == "ENV_FILE=/etc/registri/registri.env"
    )
    for setting, expected in [
        ("NoNewPrivileges", "true"),
        ("ProtectSystem", "strict"),
        ("PrivateTmp", "true"),
        ("ProtectHome", "true"),
    ]:
        assert values[setting] == [expected], (name, setting)
    if name != "registri-backup.service":
        assert values["Restart"] == ["on-failure"]
    env = dict(re.findall(r"^([A-Z_]+)=(.*)$", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE))
    writable = " ".join(values["ReadWritePaths"]).split()
    expected = {"registri-backup.service": ["/var/backups/registri"]}.get(name, [env["DJANGO_MEDIA_ROOT"]])
    assert writable == expected


def test_backup_timer_runs_daily_and_keeps_fourteen():
    timer, service = unit("registri-backup.timer"), unit("registri-backup.service")
    assert timer["OnCalendar"] == ["*-*-* 02:30:00"] and timer["Persistent"] == ["true"]
    assert "BACKUP_KEEP=14" in service["Environment"]
    assert service["ExecStart"] == ["/srv/registri/deploy/backup.sh"]


def test_systemd_units_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    # verify checks that each ExecStart exists: point the units at this checkout instead of /srv/registri.
    for path in UNITS.iterdir():
        (tmp_path / path.name).write_text(path.read_text().replace("/srv/registri", str(ROOT)))
    names = sorted(str(path) for path in tmp_path.iterdir())
    verified = subprocess.run(["systemd-analyze", "verify", *names], capture_output=True, text=True)
    assert verified.returncode == 0 and verified.stderr.strip() == "", verified.stderr


# --- the walk -------------------------------------------------------------------------------------------------


def sandbox_paths(tmp_path: Path) -> dict[str, str]:
    return {
        "/etc/registri/registri.env": str(tmp_path / "etc" / "registri.env"),
        "/srv/registri": str(ROOT),
        "/var/lib/registri": str(tmp_path / "var-lib-registri"),
        "/var/backups/registri": str(tmp_path / "backups"),
    }


def in_sandbox(text: str, paths: dict[str, str]) -> str:
    text = text.replace("sudo -u registri ", "")
    for production, sandbox in paths.items():
        text = text.replace(production, sandbox)
    return text


def walk(tmp_path: Path, database_url: str) -> list[tuple[int, float]]:
    paths = sandbox_paths(tmp_path)
    for folder in ("etc", "var-lib-registri/media", "var-lib-registri/static", "backups", "mail"):
        (tmp_path / folder).mkdir(parents=True)
    # The env file is the example as written, then what a sandbox must change (later lines win).
    example = in_sandbox(ENV_EXAMPLE.read_text(encoding="utf-8"), paths)
    env_file = Path(paths["/etc/registri/registri.env"])
    env_file.write_text(
        example
        + "\n# --- test sandbox ---\n"
        + f"DJANGO_SECRET_KEY={secret_key()}\n"
        + f"DATABASE_URL={database_url}\n"
        + "DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend\n"
        + f"DJANGO_EMAIL_FILE_PATH={tmp_path / 'mail'}\n"
    )
    shutil.copy(
        ROOT / "agencies" / "data" / "agencies-parepare.csv", tmp_path / "var-lib-registri" / "instansi.csv"
    )
    env = base_env() | {"ENV_FILE": str(env_file), "BACKUP_ROOT": paths["/var/backups/registri"]}
    timings = []
    for block in doc_blocks():
        if block.skip:
            continue
        script = in_sandbox(block.text, paths)
        started = time.monotonic()
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (
            f"docs/deploy.md line {block.line}:\n{script}\n{done.stdout}\n{done.stderr}"
        )
        timings.append((block.line, time.monotonic() - started))
    return timings


@pytest.fixture
def database_url(tmp_path):
    server = postgres_url()
    if server is None:
        yield f"sqlite:///{tmp_path / 'registri.sqlite3'}"
        return
    with own_postgres_database(server) as url:
        yield url


def test_deploy_doc_walked_from_top_to_bottom(tmp_path, database_url):
    timings = walk(tmp_path, database_url)
    assert sum(seconds for _line, seconds in timings) < 90, timings
    # What the walk left behind: the region the doc set up, its administrator invited by e-mail, the static
    # files, a backup that was restored, and the test e-mails.
    env = base_env() | {"ENV_FILE": str(tmp_path / "etc" / "registri.env")}
    state = (
        subprocess.run(
            [
                str(ROOT / "deploy" / "manage.sh"),
                "shell",
                "-c",
                "from agencies.models import Region, User; r = Region.objects.get(code='73.71'); "
                "print(r.name, r.agencies.count(), User.objects.filter(region=r, role='admin').count(), "
                "r.cycles.filter(year=2025).count())",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.splitlines()[-1]
        .split()
    )  # after the shell's "N objects imported automatically"
    assert state == ["Kota", "Makassar", "74", "1", "1"]
    assert (tmp_path / "var-lib-registri" / "static" / "staticfiles.json").exists()
    backups = sorted((tmp_path / "backups").iterdir())
    assert len(backups) == 1 and (backups[0] / "manifest.json").exists()
    mail = "\n".join(path.read_text() for path in (tmp_path / "mail").iterdir())
    assert "admin.bappeda@makassarkota.go.id" in mail and "it.bappeda@example.go.id" in mail
