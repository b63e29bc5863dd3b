#!/usr/bin/env bash
# Makes sure the system libraries Qt's desktop platform (xcb) loads are present on Debian/Ubuntu
# (a fresh Ubuntu desktop lacks libxcb-cursor0, and Qt then refuses to start); installs the
# missing packages with apt-get, as root or through sudo. Elsewhere (no apt-get) it does nothing.
set -eu
[ "$(uname -s)" = "Linux" ] || exit 0
command -v apt-get >/dev/null 2>&1 || exit 0
LDCONFIG="$(command -v ldconfig || echo /sbin/ldconfig)"
[ -x "$LDCONFIG" ] || exit 0
known="$("$LDCONFIG" -p)"
missing=""
while read -r soname package; do
  case "$known" in
    *"$soname "*) ;;
    *) missing="$missing $package" ;;
  esac
done <<'LIBS'
libxcb-cursor.so.0 libxcb-cursor0
libxcb-icccm.so.4 libxcb-icccm4
libxcb-image.so.0 libxcb-image0
libxcb-keysyms.so.1 libxcb-keysyms1
libxcb-randr.so.0 libxcb-randr0
libxcb-render-util.so.0 libxcb-render-util0
libxcb-shape.so.0 libxcb-shape0
libxcb-xinerama.so.0 libxcb-xinerama0
libxcb-xkb.so.1 libxcb-xkb1
libX11-xcb.so.1 libx11-xcb1
libxkbcommon.so.0 libxkbcommon0
libxkbcommon-x11.so.0 libxkbcommon-x11-0
libEGL.so.1 libegl1
libGL.so.1 libgl1
libfontconfig.so.1 libfontconfig1
libdbus-1.so.3 libdbus-1-3
LIBS
if [ -z "$missing" ]; then
  exit 0
fi
echo "Installing the system libraries the desktop needs:$missing"
# shellcheck disable=SC2086  # one word per package
"$(dirname "$0")/apt-install.sh" "the desktop's system libraries" $missing
