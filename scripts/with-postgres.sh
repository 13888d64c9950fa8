#!/usr/bin/env bash
# Runs a command with a Postgres + pgvector server for the tests: the one named by
# VESTIGE_TEST_DATABASE_URL if set, or else a throwaway cluster that this script installs
# (when missing), starts, hands to the command as VESTIGE_TEST_DATABASE_URL, and removes.
# With VESTIGE_TEST_MATRIX=1 (as `make test` sets it) it also starts scripts/pg-matrix.sh
# (pgbouncer, a primary with a hot standby, an ICU cluster) unless VESTIGE_TEST_PGBOUNCER_URL
# says it runs already, and exports their URLs (VESTIGE_TEST_PGBOUNCER_URL,
# VESTIGE_TEST_PRIMARY_URL, VESTIGE_TEST_STANDBY_URL, VESTIGE_TEST_ICU_URL).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cleanup=()
trap 'for c in "${cleanup[@]}"; do eval "$c"; done' EXIT
if [ -z "${VESTIGE_TEST_DATABASE_URL:-}" ]; then
  bash "$here/install-postgres.sh"
  dir=$(mktemp -d /tmp/vestige-pg.XXXXXX)
  cleanup+=("bash '$here/pg-stop.sh' '$dir'")
  VESTIGE_TEST_DATABASE_URL=$(bash "$here/pg-start.sh" "$dir")
  export VESTIGE_TEST_DATABASE_URL
  echo "with-postgres: server at ${VESTIGE_TEST_DATABASE_URL%%\?*}" >&2
fi
if [ "${VESTIGE_TEST_MATRIX:-0}" = 1 ] && [ -z "${VESTIGE_TEST_PGBOUNCER_URL:-}" ]; then
  bash "$here/install-postgres.sh"
  mdir=$(mktemp -d /tmp/vestige-matrix.XXXXXX)
  # Stopped before the server above: pgbouncer fronts it.
  cleanup=("bash '$here/pg-matrix.sh' stop '$mdir'" "${cleanup[@]}")
  eval "$(bash "$here/pg-matrix.sh" start "$mdir" "$VESTIGE_TEST_DATABASE_URL")"
  echo "with-postgres: pgbouncer, primary + standby and ICU cluster started (see $mdir/env)" >&2
fi
"$@"
