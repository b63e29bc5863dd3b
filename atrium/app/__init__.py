"""Atrium app package (see ARCHITECTURE.md)."""
