"""Serve Registri Inovasi Daerah in production mode: what `make serve` runs.

    .venv/bin/python deploy/serve.py [--env-file /etc/registri/registri.env]

Collects the static files, migrates, then starts gunicorn (settings in gunicorn.conf.py) and the task worker
(`manage.py db_worker`, which sends the e-mail and builds the hand-off packages) and watches both:

- Ctrl-C or SIGTERM stops both (each gets SIGTERM, so gunicorn finishes its requests and the worker its
  task; whatever still runs after the grace period is killed) and the launcher exits 0;
- when either one exits on its own, the other is stopped and the launcher exits non-zero.

The environment is the production one (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, ...), taken
from the shell or from an env file (ENV_FILE or --env-file), read by the shell exactly as deploy/manage.sh
reads it. Nothing here sets DJANGO_DEBUG. On a server, the systemd units in deploy/ run the two processes
instead; this launcher is for a single command on a small machine, a container, or a test.
Standard library only, so that it runs before anything else is imported.
"""

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Gunicorn's graceful timeout plus a margin; after it, whatever is left is killed.
STOP_GRACE_SECONDS = 40


def read_env_file(path: Path) -> dict[str, str]:
    """The variables of an env file as the shell sees them (`set -a; . FILE`), systemd's format being a subset."""
    if not path.is_file():
        raise SystemExit(f"serve: env file {path} does not exist")
    output = subprocess.run(
        ["sh", "-c", 'set -a && . "$1" && env -0', "sh", str(path.resolve())],
        check=True,
        capture_output=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    ).stdout
    pairs = (item.split(b"=", 1) for item in output.split(b"\0") if b"=" in item)
    ignored = {"PATH", "PWD", "SHLVL", "_", "OLDPWD"}
    return {key.decode(): value.decode() for key, value in pairs if key.decode() not in ignored}


def _die_with_parent() -> None:
    # If the launcher itself is killed (SIGKILL leaves no chance to clean up), the kernel sends each
    # child SIGTERM, so no server is left running without its supervisor. Linux only; harmless elsewhere.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start(name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    # Each child leads its own process group: a Ctrl-C in the terminal reaches only the launcher, which
    # then stops each child once (a second signal would make the worker abandon its task).
    process = subprocess.Popen(argv, cwd=ROOT, env=env, process_group=0, preexec_fn=_die_with_parent)
    print(f"serve: {name} started (pid {process.pid})", flush=True)
    return process


def stop(children: dict[str, subprocess.Popen]) -> None:
    for process in children.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, process in children.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"serve: {name} did not stop in {STOP_GRACE_SECONDS} s; killing it", flush=True)
        # Anything left in the group (a gunicorn worker whose master died) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env-file", default=os.environ.get("ENV_FILE") or None)
    parser.add_argument("--skip-setup", action="store_true", help="do not collect static files nor migrate")
    options = parser.parse_args(argv)

    env = dict(os.environ)
    if options.env_file:
        env.update(read_env_file(Path(options.env_file)))
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]

    if not options.skip_setup:
        for step in (["collectstatic", "--noinput", "--verbosity", "0"], ["migrate", "--noinput"]):
            done = subprocess.run([*manage, *step], cwd=ROOT, env=env)
            if done.returncode:
                print(f"serve: manage.py {step[0]} failed ({done.returncode})", flush=True)
                return done.returncode

    stopping = []

    def on_signal(signum, _frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    children = {
        "gunicorn": start("gunicorn", [python, "-m", "gunicorn", "--config", "gunicorn.conf.py"], env),
        "worker": start("worker", [*manage, "db_worker", "--no-reload"], env),
    }
    exited: dict[str, int] = {}
    try:
        while not stopping:
            exited = {
                name: process.returncode for name, process in children.items() if process.poll() is not None
            }
            if exited:
                break
            time.sleep(0.2)
    finally:
        if stopping:
            print(f"serve: {signal.Signals(stopping[0]).name} received, stopping both", flush=True)
        else:
            for name, code in exited.items():
                print(f"serve: {name} exited ({code}); stopping the other", flush=True)
        stop(children)
    if stopping:
        print("serve: stopped", flush=True)
        return 0
    return next((code for code in exited.values() if code), 1)


if __name__ == "__main__":
    sys.exit(main())
