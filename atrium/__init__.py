"""Atrium: an offline-first collaboration desktop and its server."""

__version__ = "0.1.0"
