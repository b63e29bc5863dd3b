"""Atrium cache package (see ARCHITECTURE.md)."""
