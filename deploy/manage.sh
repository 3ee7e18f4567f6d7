#!/bin/sh
# Runs manage.py with the production environment, for commands typed by hand on the server:
#   sudo -u registri deploy/manage.sh migrate
# ENV_FILE chooses the env file (default /etc/registri/registri.env, the one the systemd units read).
set -eu
ENV_FILE=${ENV_FILE:-/etc/registri/registri.env}
if [ ! -r "$ENV_FILE" ]; then
    echo "manage.sh: cannot read $ENV_FILE (set ENV_FILE, or run as the registri user)" >&2
    exit 1
fi
cd "$(dirname "$0")/.."
set -a
. "$ENV_FILE"
set +a
exec .venv/bin/python manage.py "$@"
