#!/usr/bin/env bash
# apt-install.sh WHAT PACKAGE...: install Debian/Ubuntu packages the project needs, as root or
# through sudo; WHAT names them in the messages. Shared by ensure-postgres.sh and
# ensure-desktop-libs.sh.
set -eu
what="$1"
shift
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Cannot install $what: not root and no sudo. Install them with: apt-get install $*" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
