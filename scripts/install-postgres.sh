#!/usr/bin/env bash
# Installs what vestige's tests need: a PostgreSQL server (15 or newer) and the pgvector
# extension built for it. Idempotent and quick when everything is already there.
#
# Debian 12 ships no pgvector binary package, so pgvector is built from Debian 13's source
# package (0.8.x) against postgresql-server-dev. Needs root (or sudo) only when something is
# missing.
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

ver=$(pg_version)
if [ -z "$ver" ] || [ ! -x "/usr/lib/postgresql/$ver/bin/postgres" ] || [ ! -x "/usr/lib/postgresql/$ver/bin/initdb" ]; then
  apt_install postgresql postgresql-contrib
  ver=$(pg_version)
fi
if [ -z "$ver" ] || [ "$ver" -lt 15 ]; then
  log "PostgreSQL 15 or newer is required (found '${ver:-none}')"
  exit 1
fi
bindir=/usr/lib/postgresql/$ver/bin

pgconfig=$bindir/pg_config
if [ -x "$pgconfig" ]; then
  sharedir=$("$pgconfig" --sharedir)
  pkglibdir=$("$pgconfig" --pkglibdir)
else
  sharedir=/usr/share/postgresql/$ver
  pkglibdir=/usr/lib/postgresql/$ver/lib
fi

if [ -f "$sharedir/extension/vector.control" ] && [ -f "$pkglibdir/vector.so" ]; then
  log "PostgreSQL $ver with pgvector: present"
  exit 0
fi

log "pgvector missing for PostgreSQL $ver: building it from source"
need=()
# pg_config ships without the server headers (libpq-dev, the client): look for postgres.h.
if [ ! -x "$pgconfig" ] || [ ! -f "$("$pgconfig" --includedir-server 2>/dev/null)/postgres.h" ]; then
  need+=("postgresql-server-dev-$ver")
fi
command -v make >/dev/null || need+=(make)
command -v gcc >/dev/null || need+=(gcc)
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi
sharedir=$("$pgconfig" --sharedir)
pkglibdir=$("$pgconfig" --pkglibdir)

# A source entry for Debian 13, reusing the mirror the machine already uses.
src_list=/etc/apt/sources.list.d/vestige-trixie-src.sources
if ! apt-cache showsrc pgvector 2>/dev/null | grep -q '^Version: 0\.[89]'; then
  if [ ! -f "$src_list" ]; then
    uri=$(grep -m1 -E '^URIs:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $2}')
    uri=${uri:-http://deb.debian.org/debian}
    log "adding deb-src trixie from $uri"
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
      $SUDO tee "$src_list" >/dev/null
  fi
  apt_updated=0
  log "apt-get update"
  $SUDO apt-get update -qq >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"
(cd "$work" && apt-get source --download-only pgvector >/dev/null 2>&1)
orig=$(ls "$work"/pgvector_*.orig.tar.* 2>/dev/null | head -n 1)
if [ -z "$orig" ]; then
  log "could not download the pgvector source package"
  exit 1
fi
mkdir "$work/src"
tar -xf "$orig" -C "$work/src" --strip-components=1
log "building $(basename "$orig")"
make -s -C "$work/src" PG_CONFIG="$pgconfig" >/dev/null 2>&1 || make -C "$work/src" PG_CONFIG="$pgconfig"
$SUDO make -s -C "$work/src" install PG_CONFIG="$pgconfig" >/dev/null
[ -f "$sharedir/extension/vector.control" ] && [ -f "$pkglibdir/vector.so" ] || {
  log "pgvector build finished but the extension files are not in place"
  exit 1
}
log "pgvector installed for PostgreSQL $ver"
