"""Whether this session can show a window at all, asked before Qt is started.

On Linux a desktop window needs an X11 or Wayland display (``DISPLAY`` / ``WAYLAND_DISPLAY``);
without one Qt stops with a message about platform plugins that tells a person nothing. An
explicit ``QT_QPA_PLATFORM`` (e.g. ``offscreen`` for tests and the self-test) is respected.
"""

from __future__ import annotations

import os
import sys

NO_DISPLAY = (
    "There is no display to open Atrium's window on (neither DISPLAY nor WAYLAND_DISPLAY is set). "
    "Start it from a desktop session. 'make server' runs only the demo server; "
    "QT_QPA_PLATFORM=offscreen runs the desktop without a window."
)


def has_no_display() -> bool:
    """Linux with no display and no platform chosen: a window cannot open."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    return sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def display_problem() -> str | None:
    """Why no window can open here, for a person; None when one can."""
    return NO_DISPLAY if has_no_display() else None
