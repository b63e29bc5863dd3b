"""Search results for the Search pane: one shape for cache hits and the server's answers, their
snippets as HTML (matches in bold), the merge of both (de-duplicated, solved questions first), and
the list model that shows them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from atrium.app.markdown import plain_text
from atrium.cache import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit

from ..widgets.rich_text_delegate import HTML_ROLE, badge, escape, muted, relative_time

RESULT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_QUERY_WORD = re.compile(r"\w+")

# chip key -> the protocol types it searches (a question is a post whose kind is "question")
FILTER_TYPES: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "post": ("post",),
    "question": ("post",),
    "comment": ("comment",),
    "wiki_page": ("wiki_page",),
    "user": ("user",),
}
_TABLES = {"post": "posts", "comment": "comments", "wiki_page": "wiki_pages", "user": "users"}
SEARCHABLE_TYPES = tuple(_TABLES)

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class SearchResult:
    type: str  # post | comment | wiki_page | user
    id: str
    title: str
    snippet_html: str
    snippet_text: str
    solved: bool
    post_kind: str | None
    community_id: str | None
    created_at: str | None
    online_only: bool = False
    community_name: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.id)


def cache_snippet(snippet: str) -> tuple[str, str]:
    """(HTML, plain text) of a cache snippet whose matches sit between the HIGHLIGHT markers."""
    text = plain_text(snippet)
    html = escape(text).replace(HIGHLIGHT_START, "<b>").replace(HIGHLIGHT_END, "</b>")
    return html, text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def online_snippet(snippet: str, query: str) -> tuple[str, str]:
    """(HTML, plain text) of a server snippet. The server marks matches with ``**``, which Markdown
    bold in the text makes ambiguous: drop every mark and bold the query's words (as prefixes) here."""
    text = plain_text(snippet)
    words = sorted({re.escape(word) for word in _QUERY_WORD.findall(query.lower())}, key=len, reverse=True)
    if not words:
        return escape(text), text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(words) + r")\w*", re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [escape(text[last : match.start()]), f"<b>{escape(match.group())}</b>"]
        last = match.end()
    pieces.append(escape(text[last:]))
    return "".join(pieces), text


def solved_first(results: Iterable[SearchResult]) -> list[SearchResult]:
    return sorted(results, key=lambda result: not result.solved)  # stable: each side keeps its order


def _in_clause(values: list[str]) -> str:
    return ",".join("?" * len(values))


def post_kinds(conn: sqlite3.Connection, post_ids: list[str]) -> dict[str, str]:
    if not post_ids:
        return {}
    rows = conn.execute(f"SELECT id, kind FROM posts WHERE id IN ({_in_clause(post_ids)})", post_ids)
    return dict(rows.fetchall())


def community_names(conn: sqlite3.Connection, community_ids: list[str]) -> dict[str, str]:
    if not community_ids:
        return {}
    rows = conn.execute(
        f"SELECT id, name FROM communities WHERE id IN ({_in_clause(community_ids)})", community_ids
    )
    return dict(rows.fetchall())


def cached_keys(conn: sqlite3.Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (type, id) the cache holds: those open offline, so they are not "online only"."""
    found: set[tuple[str, str]] = set()
    by_type: dict[str, list[str]] = {}
    for kind, object_id in keys:
        if kind in _TABLES:
            by_type.setdefault(kind, []).append(object_id)
    for kind, ids in by_type.items():
        rows = conn.execute(f"SELECT id FROM {_TABLES[kind]} WHERE id IN ({_in_clause(ids)})", ids)
        found.update((kind, object_id) for (object_id,) in rows)
    return found


def keep_for_filter(result: SearchResult, chip: str) -> bool:
    if chip == "question":
        return result.type == "post" and result.post_kind == "question"
    if chip == "post":
        return result.type == "post" and result.post_kind != "question"
    return FILTER_TYPES[chip] is None or result.type == chip


def from_cache(conn: sqlite3.Connection, hits: list[SearchHit]) -> list[SearchResult]:
    kinds = post_kinds(conn, [hit.id for hit in hits if hit.kind == "post"])
    results = []
    for hit in hits:
        html, text = cache_snippet(hit.snippet)
        results.append(
            SearchResult(
                hit.kind,
                hit.id,
                hit.title,
                html,
                text,
                hit.solved,
                kinds.get(hit.id),
                hit.community_id,
                hit.created_at,
            )
        )
    return results


def from_server(items: list[dict[str, Any]], query: str) -> list[SearchResult]:
    results = []
    for item in items:
        kind, object_id = item.get("type"), item.get("id")
        if kind not in _TABLES or not isinstance(object_id, str):
            continue  # a type this client does not know yet
        html, text = online_snippet(str(item.get("snippet") or ""), query)
        results.append(SearchResult(
            kind, object_id, str(item.get("title") or ""), html, text, bool(item.get("solved")),
            item.get("post_kind"), item.get("community_id"), item.get("created_at"), online_only=True,
        ))  # fmt: skip
    return results


def merge_results(
    local: list[SearchResult], online: list[SearchResult], cached: set[tuple[str, str]]
) -> list[SearchResult]:
    """Cache results, then the online ones not already shown (an online result the cache holds is
    not "online only"), de-duplicated by (type, id), solved questions first."""
    seen = {result.key for result in local}
    merged = list(local)
    for result in online:
        if result.key in seen:
            continue
        seen.add(result.key)
        merged.append(replace(result, online_only=result.key not in cached))
    return solved_first(merged)


class SearchResultModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.results: list[SearchResult] = []

    def set_results(self, results: list[SearchResult]) -> None:
        self.beginResetModel()
        self.results = results
        self.endResetModel()

    def kind_label(self, result: SearchResult) -> str:
        if result.type == "post":
            return {
                "question": self.tr("Question"),
                "announcement": self.tr("Announcement"),
                "blog": self.tr("Blog post"),
                "app_event": self.tr("App update"),
            }.get(result.post_kind or "", self.tr("Post"))
        return {
            "comment": self.tr("Comment"),
            "wiki_page": self.tr("Wiki page"),
            "user": self.tr("Person"),
        }.get(result.type, result.type)

    def title(self, result: SearchResult) -> str:
        """The row's title ('' for a comment whose post title is unknown: the snippet says it all)."""
        if result.type == "comment":
            return self.tr("Comment on {title}").format(title=result.title) if result.title else ""
        return result.title or self.tr("(untitled)")

    def badges(self, result: SearchResult) -> list[str]:
        labels = []
        if result.solved:
            labels.append(self.tr("Accepted answer") if result.type == "comment" else self.tr("Solved"))
        if result.online_only:
            labels.append(self.tr("Online"))
        return labels

    def html(self, result: SearchResult) -> str:
        title_matched = result.type != "comment" and result.snippet_text.strip() == result.title.strip()
        # a match in the title alone: show the title with its matches in bold instead of repeating it
        title = self.title(result)
        if title_matched and result.snippet_html:
            title = result.snippet_html
        elif title:
            title = f"<b>{escape(title)}</b>"
        first = f"{muted(escape(self.kind_label(result)))}&nbsp; {title}"
        first += "".join(f"&nbsp; {badge(label)}" for label in self.badges(result))
        lines = [first]
        if result.snippet_html and not title_matched:
            lines.append(result.snippet_html)
        details = [
            escape(result.community_name),
            relative_time(result.created_at) if result.type != "user" else "",
        ]
        if any(details):
            lines.append(muted(" · ".join(part for part in details if part)))
        return "<br>".join(lines)

    def plain_text(self, result: SearchResult) -> str:
        title = self.title(result)
        parts = [
            f"{self.kind_label(result)}: {title}" if title else self.kind_label(result),
            *self.badges(result),
        ]
        if result.snippet_text:
            parts.append(result.snippet_text)
        return " — ".join(parts)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.results)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.results):
            return None
        result = self.results[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.plain_text(result)
        if role == HTML_ROLE:
            return self.html(result)
        if role == RESULT_ROLE:
            return result
        return None
