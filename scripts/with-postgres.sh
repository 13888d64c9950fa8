#!/usr/bin/env bash
# Runs a command with a Postgres + pgvector server for the tests: the one named by
# VESTIGE_TEST_DATABASE_URL if set, or else a throwaway cluster that this script installs
# (when missing), starts, hands to the command as VESTIGE_TEST_DATABASE_URL, and removes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${VESTIGE_TEST_DATABASE_URL:-}" ]; then
  exec "$@"
fi
bash "$here/install-postgres.sh"
dir=$(mktemp -d /tmp/vestige-pg.XXXXXX)
trap 'bash "$here/pg-stop.sh" "$dir"' EXIT
VESTIGE_TEST_DATABASE_URL=$(bash "$here/pg-start.sh" "$dir")
export VESTIGE_TEST_DATABASE_URL
echo "with-postgres: server at ${VESTIGE_TEST_DATABASE_URL%%\?*}" >&2
"$@"
