"""Tests of the desktop shell (pytest-qt, offscreen, against the real server)."""
