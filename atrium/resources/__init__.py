"""Atrium resources package (see ARCHITECTURE.md)."""
