#!/usr/bin/env bash
# Stops the cluster that scripts/pg-start.sh started in DIR and removes DIR.
set -uo pipefail
dir=${1:?usage: pg-stop.sh DIR}
ver=$(ls /usr/lib/postgresql 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -n 1)
bindir=/usr/lib/postgresql/$ver/bin
if [ -f "$dir/data/postmaster.pid" ]; then
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
  else
    "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
  fi
fi
rm -rf "$dir"
