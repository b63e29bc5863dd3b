"""Atrium ui package (see ARCHITECTURE.md)."""
