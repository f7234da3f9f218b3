#!/bin/sh
# backup.sh — nightly labshare backup: a dated, verified copy; keeps the
# newest $LABSHARE_BACKUP_KEEP (14). Installed as /usr/local/lib/labshare/backup.sh
# and run by labshare-backup.service; safe to run by hand as the labshare user.
#
# Exit status non-zero (and the unit shows failed in `systemctl --failed`)
# when the copy cannot be made or does not pass sqlite3's integrity check.
set -eu

DB=${LABSHARE_DB:-/var/lib/labshare/labshare.db}
DIR=${LABSHARE_BACKUP_DIR:-/var/backups/labshare}
KEEP=${LABSHARE_BACKUP_KEEP:-14}
LABSHARE=${LABSHARE_BIN:-/usr/local/bin/labshare}

mkdir -p "$DIR"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
out="$DIR/labshare-$stamp.db"

# labshare backup copies one consistent snapshot via OUT.tmp, checks it and
# renames it: a half-written file never carries the final name.
"$LABSHARE" backup --db "$DB" "$out"

# Check the copy independently of labshare, with the sqlite3 shell.
check=$(sqlite3 -readonly "$out" 'PRAGMA integrity_check;' 2>&1)
if [ "$check" != "ok" ]; then
    echo "backup.sh: $out fails integrity_check: $check" >&2
    mv "$out" "$out.corrupt"
    exit 1
fi
fk=$(sqlite3 -readonly "$out" 'PRAGMA foreign_key_check;' 2>&1)
if [ -n "$fk" ]; then
    echo "backup.sh: $out fails foreign_key_check: $fk" >&2
    mv "$out" "$out.corrupt"
    exit 1
fi
echo "backup.sh: $out ok ($(wc -c <"$out") bytes, schema $(sqlite3 -readonly "$out" 'PRAGMA user_version;'))"

# Keep the newest $KEEP good copies (names sort by date).
ls -1 "$DIR"/labshare-*.db 2>/dev/null | sort | head -n -"$KEEP" | while read -r old; do
    rm -f -- "$old"
done
