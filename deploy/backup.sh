#!/bin/sh
# Daily backup (run by registri-backup.timer, or by hand): `manage.py backup` into a folder named by the
# date under BACKUP_ROOT (unchanged files hard-linked to the previous backup's, --link-dest), then only the
# newest BACKUP_KEEP folders are kept. Restore with `deploy/manage.sh restore DIR` (docs/deploy.md, "Cadangan
# dan pemulihan").
set -eu
BACKUP_ROOT=${BACKUP_ROOT:-/var/backups/registri}
BACKUP_KEEP=${BACKUP_KEEP:-14}
cd "$(dirname "$0")/.."
target="$BACKUP_ROOT/$(date +%Y-%m-%d)"
# A second run on the same day (by hand, before an update) keeps the first one.
[ -e "$target" ] && target="$target-$(date +%H%M%S)"
mkdir -p "$BACKUP_ROOT"
# The newest earlier backup that finished (it has manifest.json): files unchanged since then become hard links
# to its copies instead of new copies, so the kept folders hold the evidence files about once, not 14 times.
previous=$(ls -1d "$BACKUP_ROOT"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]* 2>/dev/null | sort |
    while read -r old; do
        if [ -f "$old/manifest.json" ]; then echo "$old"; fi
    done | tail -n 1)
if [ -n "$previous" ]; then
    deploy/manage.sh backup --output "$target" --link-dest "$previous"
else
    deploy/manage.sh backup --output "$target"
fi
echo "backup.sh: written $target"
# Folder names sort by date; everything older than the newest BACKUP_KEEP goes.
ls -1d "$BACKUP_ROOT"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]* 2>/dev/null | sort | head -n -"$BACKUP_KEEP" |
    while read -r old; do
        rm -rf -- "$old"
        echo "backup.sh: removed $old"
    done
