#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster in DIR (created if missing) on a free loopback port
# and prints its superuser URL on stdout. Run as root, the server runs as the `postgres` user
# (PostgreSQL refuses to run as root). Stop it with scripts/pg-stop.sh DIR.
# A DIR that already holds a cluster (a standby made by pg_basebackup, say) is started as it
# is. PG_INITDB_ARGS adds initdb options (an ICU default collation), PG_SERVER_ARGS server
# options, PG_SHARED_BUFFERS replaces the 512MB the main test server gets.
set -euo pipefail
dir=${1:?usage: pg-start.sh DIR}
ver=$(ls /usr/lib/postgresql 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -n 1)
bindir=/usr/lib/postgresql/$ver/bin
[ -x "$bindir/initdb" ] || { echo "pg-start: no PostgreSQL server found; run scripts/install-postgres.sh" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  # The server must be able to reach its folder from /.
  p=$dir
  while [ "$p" != / ]; do chmod o+x "$p" 2>/dev/null || true; p=$(dirname "$p"); done
fi

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}
port=$(free_port) || { echo "pg-start: no free port found" >&2; exit 1; }

user=vestige
if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_owner "$bindir/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --locale=C.UTF-8 ${PG_INITDB_ARGS:-} >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
fi

# Durability is pointless for a throwaway cluster; memory settings follow DESIGN.md §8
# (HNSW builds want maintenance_work_mem well above the default).
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o "\
 -c listen_addresses=127.0.0.1 -p $port -k $dir \
 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
 -c max_connections=300 -c shared_buffers=${PG_SHARED_BUFFERS:-512MB} -c maintenance_work_mem=1GB \
 -c work_mem=16MB ${PG_SERVER_ARGS:-}" >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "$port" >"$dir/port"
echo "postgres://$user@127.0.0.1:$port/postgres?sslmode=disable"
