#!/usr/bin/env bash
# Fails with a clear message when the Python given is missing or older than 3.11, or lacks venv.
set -eu
py="${1:-python3}"
if ! command -v "$py" >/dev/null 2>&1; then
  echo "Atrium needs Python 3.11 or newer: '$py' was not found. On Debian/Ubuntu: sudo apt-get install python3 python3-venv" >&2
  exit 1
fi
if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "Atrium needs Python 3.11 or newer; '$py' is $("$py" -V 2>&1). Pass another: make PYTHON=python3.12 ..." >&2
  exit 1
fi
if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "'$py' has no venv/ensurepip. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
  exit 1
fi
