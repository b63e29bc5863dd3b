"""Work around a PySide6 6.12 binding bug on CPython 3.11: void methods return ``None`` without
taking a reference, so every call (``painter.setPen``, ``label.setText``…) drops one reference to
``None`` and after a few thousand calls the interpreter aborts ("none_dealloc: deallocating None").

CPython 3.12+ makes ``None`` immortal, which hides the bug; on 3.11 we do the same by hand:
give ``None`` a reference count it can never run out of. Harmless where the bug is absent
(checked first), and a no-op on 3.12+. The shell should call this at start-up too.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QPoint

_IMMORTAL = 1 << 40
_applied = False


def leaks_none_references() -> bool:
    probe = QPoint()
    before = sys.getrefcount(None)
    for _ in range(16):
        probe.setX(1)
    return sys.getrefcount(None) < before - 8


def guard_none_refcount() -> bool:
    """Make ``None`` effectively immortal when this PySide leaks its references; True if applied."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or not leaks_none_references():
        return _applied
    ctypes.c_ssize_t.from_address(id(None)).value += _IMMORTAL
    _applied = True
    return True
