#!/usr/bin/env bash
# The production shapes the Postgres tests run against besides the plain test server (issue
# 10), started by `make test` through scripts/with-postgres.sh and used as a recipe by
# docs/postgres.md:
#   - pgbouncer (Debian's) in transaction mode in front of the test server,
#   - a primary and a streaming hot standby made from it with pg_basebackup -R,
#   - a cluster whose default collation is ICU en-US.
#
#   pg-matrix.sh start DIR SERVER_URL   prints `export VAR=URL` lines (also kept in DIR/env)
#   pg-matrix.sh stop DIR               stops everything started in DIR and removes it
#
# SERVER_URL is the superuser URL of the test server pgbouncer fronts (trust auth on
# 127.0.0.1, as scripts/pg-start.sh makes it). Idempotent: a DIR that already holds a running
# matrix is reused. Run as root, every server runs as the `postgres` user.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: pg-matrix.sh start|stop DIR [SERVER_URL]}
dir=${2:?usage: pg-matrix.sh start|stop DIR [SERVER_URL]}
ver=$(ls /usr/lib/postgresql 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -n 1)
bindir=/usr/lib/postgresql/$ver/bin

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  if [ -f "$dir/pgbouncer/pgbouncer.pid" ]; then
    kill "$(cat "$dir/pgbouncer/pgbouncer.pid")" 2>/dev/null || true
  fi
  # The standby first: a primary stopped under it only makes it log reconnect attempts.
  for c in standby primary icu; do
    [ -d "$dir/$c" ] && bash "$here/pg-stop.sh" "$dir/$c"
  done
  rm -rf "$dir"
}

if [ "$cmd" = stop ]; then
  stop
  exit 0
fi
[ "$cmd" = start ] || { echo "pg-matrix: unknown command $cmd" >&2; exit 2; }
server=${3:?usage: pg-matrix.sh start DIR SERVER_URL}
if [ -f "$dir/env" ]; then
  cat "$dir/env"
  exit 0
fi

if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
  [ "$(id -u)" = 0 ] || { echo "pg-matrix: pgbouncer is missing; install it (apt-get install pgbouncer) as root" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >/dev/null; }
fi
pgbouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
# The matrix clusters are small: the data-heavy tests run on the main server.
export PG_SHARED_BUFFERS=128MB

# Primary and hot standby. initdb's pg_hba already trusts replication from 127.0.0.1 and
# wal_level=replica is the default, so pg_basebackup -R is the whole recipe.
primary=$(bash "$here/pg-start.sh" "$dir/primary")
pport=$(cat "$dir/primary/port")
mkdir -p "$dir/standby"
[ "$(id -u)" = 0 ] && chown postgres: "$dir/standby"
as_owner "$bindir/pg_basebackup" -h 127.0.0.1 -p "$pport" -U vestige -D "$dir/standby/data" -R -X stream -c fast \
  >"$dir/standby/basebackup.log" 2>&1 || { cat "$dir/standby/basebackup.log" >&2; exit 1; }
standby=$(PG_SERVER_ARGS="-c hot_standby=on" bash "$here/pg-start.sh" "$dir/standby")

# A cluster whose default collation is ICU en-US (text order differs from byte order).
icu=$(PG_INITDB_ARGS="--locale-provider=icu --icu-locale=en-US" bash "$here/pg-start.sh" "$dir/icu")

# pgbouncer in transaction mode in front of the test server. Its own users file lists the
# roles the tests connect as; trust, since the server behind it trusts 127.0.0.1 too. The
# wildcard database sends every database name (each test makes its own) to the server.
shost=$(sed -E 's|^[a-z]+://[^@]*@([^:/]+).*|\1|' <<<"$server")
sport=$(sed -E 's|^[a-z]+://[^@]*@[^:/]+:([0-9]+).*|\1|' <<<"$server")
suser=$(sed -E 's|^[a-z]+://([^:@]+).*|\1|' <<<"$server")
bport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
  echo $((20000 + RANDOM % 30000)))
mkdir -p "$dir/pgbouncer"
cat >"$dir/pgbouncer/users.txt" <<EOF
"$suser" ""
"vestige_test_super" ""
"vestige_pool_owner" ""
"vestige_pool_app" ""
EOF
cat >"$dir/pgbouncer/pgbouncer.ini" <<EOF
[databases]
* = host=$shost port=$sport

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = trust
auth_file = $dir/pgbouncer/users.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer/pgbouncer.log
pidfile = $dir/pgbouncer/pgbouncer.pid
admin_users = $suser
EOF
# pgbouncer 1.21+ can track protocol-level prepared statements in transaction mode (Debian
# 12 ships 1.18, which cannot): where it can, turn it on so that tests/pooler also runs the
# default exec mode through it.
if "$pgbouncer" --version | awk 'NR==1 { split($2, v, "."); exit !(v[1] > 1 || v[2] >= 21) }'; then
  echo "max_prepared_statements = 200" >>"$dir/pgbouncer/pgbouncer.ini"
fi
[ "$(id -u)" = 0 ] && chown -R postgres: "$dir/pgbouncer"
as_owner "$pgbouncer" -d "$dir/pgbouncer/pgbouncer.ini" >/dev/null 2>&1 ||
  { cat "$dir/pgbouncer/pgbouncer.log" >&2 2>/dev/null; exit 1; }
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$bport") 2>/dev/null && break
  sleep 0.1
done
bouncer=$(sed -E "s|@[^:/]+:[0-9]+|@127.0.0.1:$bport|" <<<"$server")

cat >"$dir/env" <<EOF
export VESTIGE_TEST_PGBOUNCER_URL='$bouncer'
export VESTIGE_TEST_PRIMARY_URL='$primary'
export VESTIGE_TEST_STANDBY_URL='$standby'
export VESTIGE_TEST_ICU_URL='$icu'
EOF
cat "$dir/env"
