"""ChangeSet: the "cache changed" event — which ids of which protocol types a write touched."""

from __future__ import annotations

from collections.abc import Iterable


class ChangeSet(dict[str, set[str]]):
    """``{type: {ids touched}}``, e.g. ``{"post": {"0193…"}, "scope": {"community:0192…"}}``.

    Types are the protocol's (``post``, ``comment``, …) plus ``scope`` for purged scopes. An id
    is listed whether it was inserted, replaced or deleted: a pane re-reads what it shows.
    """

    def add(self, kind: str, object_id: str) -> None:
        self.setdefault(kind, set()).add(object_id)

    def add_all(self, kind: str, object_ids: Iterable[str]) -> None:
        ids = set(object_ids)
        if ids:
            self.setdefault(kind, set()).update(ids)

    def merge(self, other: ChangeSet) -> None:
        for kind, ids in other.items():
            self.add_all(kind, ids)

    def touches(self, kind: str, object_id: str | None = None) -> bool:
        """Whether ``kind`` (or that one object of it) was touched."""
        ids = self.get(kind)
        if not ids:
            return False
        return object_id is None or object_id in ids
