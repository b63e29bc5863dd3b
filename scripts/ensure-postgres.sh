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
"$(dirname "$0")/apt-install.sh" PostgreSQL postgresql
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
# The tests run their own cluster; the packaged one is not needed.
$SUDO sh -c 'command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | while read v c _; do pg_ctlcluster "$v" "$c" stop || true; done' || true
if [ -z "$(find_initdb)" ]; then
  echo "PostgreSQL was installed but initdb was not found." >&2
  exit 1
fi
