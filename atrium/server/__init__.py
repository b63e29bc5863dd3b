"""The Atrium server: an ASGI app over SQLAlchemy Core (see ARCHITECTURE.md)."""
