"""Gunicorn settings for Registri Inovasi Daerah, every value from the environment.

Read automatically by `gunicorn` started in the project folder (and by `make serve` and the systemd unit in
`deploy/`). Defaults suit one small server behind nginx on the same machine; docs/deploy.md explains each.
"""

import logging
import os
import sys
from pathlib import Path

from gunicorn import glogging

# gunicorn reads this file before it changes into the project folder: make `config` importable from here.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from config.env import env_int, log_format


def _default_bind() -> str:
    # PORT is the platform convention (Heroku, Render, Dokku), which expects every interface, as gunicorn
    # itself does with PORT; without it only this machine can connect: nginx in front.
    port = os.environ.get("PORT", "").strip()
    return f"0.0.0.0:{port}" if port else "127.0.0.1:8000"


def _default_workers() -> int:
    # Gunicorn's rule of thumb (2 x cores + 1), capped: each worker holds the whole Django app
    # (about 100 MB), and a city's traffic never needs more than 8 on one machine.
    return min(2 * (os.cpu_count() or 1) + 1, 8)


wsgi_app = "config.wsgi:application"
proc_name = "registri"

bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", _default_bind()).split(",")]
workers = env_int("WEB_CONCURRENCY", _default_workers())
threads = env_int("GUNICORN_THREADS", 1)

# nginx buffers a whole upload (100 MB video at most) before passing it on, so gunicorn receives it at local
# speed; what takes time is checking and storing it (object storage over a regional link) and the largest
# exports (the PDF report of 5,000 innovations takes about 6 s here). nginx's proxy timeouts use the same value.
timeout = env_int("GUNICORN_TIMEOUT", 120)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Restarting each worker now and then bounds slow memory growth; the jitter keeps them from restarting together.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Only nginx on this machine may say which scheme and client a request came from.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The heartbeat file is touched by every worker constantly: keep it in memory, not on the disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# The runtime control socket (gunicorn >= 25) would be created in the home folder, read-only under systemd.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")  # stdout: journald or the terminal keeps it
errorlog = "-"
# Apache's combined format with the client address nginx saw first and the time taken in milliseconds.
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)

LOG_FORMAT = log_format()


class JsonLogger(glogging.Logger):
    """Gunicorn's own messages and its access log as JSON lines, one object a request, fields not text."""

    def setup(self, cfg):
        super().setup(cfg)
        from pythonjsonlogger.json import JsonFormatter

        # The time in UTC and ISO 8601: Django switches its processes to the region's time zone, the
        # gunicorn master stays in the server's, and one log must not mix both.
        formatter = JsonFormatter(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        fields = {
            "remote_addr": atoms["h"],
            "forwarded_for": atoms.get("{x-forwarded-for}i"),
            "method": atoms["m"],
            "path": atoms["U"] or (environ.get("RAW_URI") or "").split("?", 1)[0] or None,
            "query": atoms["q"],
            "protocol": atoms["H"],
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": atoms["M"],
            "referer": atoms["f"],
            "user_agent": atoms["a"],
        }
        self.access_log.log(logging.INFO, "%s %s %s", atoms["m"], fields["path"], atoms["s"], extra=fields)


if LOG_FORMAT == "json":
    logger_class = JsonLogger
