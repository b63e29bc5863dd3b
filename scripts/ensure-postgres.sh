#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, pg_ctl) are installed; the tests
# start their own throw-away cluster with them. Installs Debian's package if missing.
set -eu
find_initdb() {
  command -v initdb 2>/dev/null && return 0
  ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1
}
if [ -n "$(find_initdb)" ]; then
  exit 0
fi
echo "PostgreSQL server binaries not found; installing Debian's 'postgresql' package..."
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Cannot install PostgreSQL: not root and no sudo. Install it with: apt-get install postgresql" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# The tests run their own cluster; the packaged one is not needed.
$SUDO sh -c 'command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | while read v c _; do pg_ctlcluster "$v" "$c" stop || true; done' || true
if [ -z "$(find_initdb)" ]; then
  echo "PostgreSQL was installed but initdb was not found." >&2
  exit 1
fi
