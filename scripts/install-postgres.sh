#!/usr/bin/env bash
# Installs what vestige's tests need: a PostgreSQL server (15 or newer) and the pgvector
# extension built for it. Idempotent and quick when everything is already there.
#
# Debian 12 ships no pgvector binary package, so pgvector is built from source against
# postgresql-server-dev. The source comes from the Go module proxy first (pgvector's git tag
# v$PGVECTOR_VERSION, which the proxy serves as a module; checked against the h1: hash pinned
# below), else from the newest Debian source package apt can download (sid lists 0.8.7, but
# mirrors may not serve it; trixie has 0.8.0). vestige supports pgvector 0.8.3
# or newer (PGVECTOR_MIN): 0.8.3 fixed an HNSW index corruption during vacuum. An installed
# pgvector older than that is rebuilt; one that is new enough is left alone. Needs root (or
# sudo) only when something is missing.
#
# Environment:
#   PGVECTOR_MIN              the oldest acceptable pgvector (default 0.8.3)
#   PGVECTOR_REQUIRE_MIN=1    fail when no source package of at least PGVECTOR_MIN can be
#                             downloaded (otherwise: warn, and build the newest there is)
#   PG_CONFIG                 build for this pg_config and do not install a server (tests)
#   DESTDIR                   install pgvector under this root instead of / (tests: proves
#                             the build without touching a running server's files)
set -euo pipefail

log() { printf 'install-postgres: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    $SUDO apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# The newest installed server version, or empty.
pg_version() {
  ls /usr/lib/postgresql 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -n 1
}

PGVECTOR_MIN=${PGVECTOR_MIN:-0.8.3}
# The release fetched through the Go module proxy, and the hash of its module zip (go's h1:
# dirhash, as `go mod download -json` prints it), pinned here since sum.golang.org does not
# list a repository without a go.mod.
PGVECTOR_VERSION=${PGVECTOR_VERSION:-0.8.3}
PGVECTOR_H1=${PGVECTOR_H1:-h1:eQHFmxYQtDYWNMjBcCGQTuXZVnjbisyrPrw8IqG1j68=}
DESTDIR=${DESTDIR:-}

# version_ge A B: A >= B in Debian's version order (0.8.10 > 0.8.9).
version_ge() { dpkg --compare-versions "$1" ge "$2"; }

if [ -n "${PG_CONFIG:-}" ]; then
  pgconfig=$PG_CONFIG
  ver=$("$pgconfig" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
else
  ver=$(pg_version)
  if [ -z "$ver" ] || [ ! -x "/usr/lib/postgresql/$ver/bin/postgres" ] || [ ! -x "/usr/lib/postgresql/$ver/bin/initdb" ]; then
    apt_install postgresql postgresql-contrib
    ver=$(pg_version)
  fi
  pgconfig=/usr/lib/postgresql/$ver/bin/pg_config
fi
if [ -z "$ver" ] || [ "$ver" -lt 15 ]; then
  log "PostgreSQL 15 or newer is required (found '${ver:-none}')"
  exit 1
fi

dirs() {
  if [ -x "$pgconfig" ]; then
    sharedir=$("$pgconfig" --sharedir)
    pkglibdir=$("$pgconfig" --pkglibdir)
  else
    sharedir=/usr/share/postgresql/$ver
    pkglibdir=/usr/lib/postgresql/$ver/lib
  fi
}

# The installed pgvector's version (the control file's default_version), or empty.
installed_pgvector() {
  local control=$DESTDIR$sharedir/extension/vector.control
  [ -f "$control" ] && [ -f "$DESTDIR$pkglibdir/vector.so" ] || return 0
  sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" "$control"
}

dirs
have=$(installed_pgvector)
if [ -n "$have" ] && version_ge "$have" "$PGVECTOR_MIN"; then
  log "PostgreSQL $ver with pgvector $have: present"
  exit 0
fi
log "pgvector ${have:-missing} for PostgreSQL $ver (vestige needs $PGVECTOR_MIN or newer): building it from source"

need=()
# pg_config ships without the server headers (libpq-dev, the client): look for postgres.h.
if [ ! -x "$pgconfig" ] || [ ! -f "$("$pgconfig" --includedir-server 2>/dev/null)/postgres.h" ]; then
  need+=("postgresql-server-dev-$ver")
fi
command -v make >/dev/null || need+=(make)
command -v gcc >/dev/null || need+=(gcc)
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi
dirs

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work" # apt-get source downloads as the _apt user

# from_go_proxy unpacks pgvector $PGVECTOR_VERSION into $work/src, or fails quietly.
from_go_proxy() {
  command -v go >/dev/null || return 1
  local json dir sum
  json=$(cd "$work" && GOFLAGS= GOTOOLCHAIN=local GONOSUMDB=github.com/pgvector/pgvector \
    go mod download -json "github.com/pgvector/pgvector@v$PGVECTOR_VERSION" 2>/dev/null) || return 1
  sum=$(printf '%s' "$json" | sed -nE 's/^[[:space:]]*"Sum": "([^"]+)".*/\1/p')
  dir=$(printf '%s' "$json" | sed -nE 's/^[[:space:]]*"Dir": "([^"]+)".*/\1/p')
  if [ "$sum" != "$PGVECTOR_H1" ]; then
    log "pgvector v$PGVECTOR_VERSION from the Go module proxy has hash '$sum', not the pinned $PGVECTOR_H1: not used"
    return 1
  fi
  [ -f "$dir/vector.control" ] || return 1
  cp -R "$dir" "$work/src" && chmod -R u+w "$work/src"
}

upstream=""
if from_go_proxy; then
  upstream=$PGVECTOR_VERSION
  log "pgvector $upstream source from the Go module proxy (hash $PGVECTOR_H1)"
fi

if [ -z "$upstream" ]; then
# Source entries for unstable and Debian 13, reusing the mirror the machine already uses.
# deb-src only: no binary package ever comes from them.
src_list=/etc/apt/sources.list.d/vestige-pgvector-src.sources
source_versions() { apt-cache showsrc pgvector 2>/dev/null | sed -nE 's/^Version: (.+)$/\1/p' | sort -u; }
if [ ! -f "$src_list" ]; then
  uri=$(grep -m1 -E '^URIs:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $2}')
  uri=${uri:-http://deb.debian.org/debian}
  log "adding deb-src sid and trixie from $uri"
  printf 'Types: deb-src\nURIs: %s\nSuites: sid trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
    $SUDO tee "$src_list" >/dev/null
  # The trixie-only entry that earlier versions of this script added.
  $SUDO rm -f /etc/apt/sources.list.d/vestige-trixie-src.sources
  apt_updated=0
  wrote=1
fi
if [ "$apt_updated" = 0 ] && { [ "${wrote:-0}" = 1 ] || [ -z "$(source_versions)" ]; }; then
  log "apt-get update"
  $SUDO apt-get update -qq >/dev/null
  apt_updated=1
fi

# The newest source package that downloads; a mirror may list a version it does not serve.
got=""
for v in $(source_versions | sort -r -V); do
  if (cd "$work" && apt-get source --download-only "pgvector=$v" >/dev/null 2>&1); then
    got=$v
    break
  fi
  log "pgvector $v is listed but could not be downloaded"
  rm -f "$work"/pgvector_*
done
if [ -z "$got" ]; then
  log "could not download any pgvector source package"
  exit 1
fi
upstream=${got%-*}
if ! version_ge "$upstream" "$PGVECTOR_MIN"; then
  log "WARNING: the newest pgvector source this machine can download is $upstream, older than $PGVECTOR_MIN:"
  log "WARNING: it has the HNSW index corruption during vacuum; vestige health will say degraded"
  if [ "${PGVECTOR_REQUIRE_MIN:-0}" = 1 ]; then
    exit 1
  fi
  if [ -n "$have" ] && version_ge "$have" "$upstream"; then
    log "keeping the installed pgvector $have"
    exit 0
  fi
fi
orig=$(ls "$work"/pgvector_"$upstream".orig.tar.* 2>/dev/null | head -n 1)
[ -n "$orig" ] || { log "pgvector $got downloaded without its .orig tarball"; exit 1; }
mkdir "$work/src"
tar -xf "$orig" -C "$work/src" --strip-components=1
fi
log "building pgvector $upstream"
# OPTFLAGS="" drops pgvector's default -march=native: the library must run on whichever CPU
# the machine has next time (pgvector picks its fast paths at run time).
make -s -C "$work/src" PG_CONFIG="$pgconfig" OPTFLAGS="" >/dev/null 2>&1 ||
  make -C "$work/src" PG_CONFIG="$pgconfig" OPTFLAGS=""
$SUDO make -s -C "$work/src" install PG_CONFIG="$pgconfig" OPTFLAGS="" DESTDIR="$DESTDIR" >/dev/null
now=$(installed_pgvector)
if [ "$now" != "$upstream" ]; then
  log "pgvector build finished but version ${now:-nothing} is in place, not $upstream"
  exit 1
fi
log "pgvector $now installed for PostgreSQL $ver${DESTDIR:+ under $DESTDIR}"
if [ -n "$have" ]; then
  log "databases created before keep extension version $have until: ALTER EXTENSION vector UPDATE;"
fi
