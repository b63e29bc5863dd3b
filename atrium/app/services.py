"""User actions: each writes its optimistic row(s) and an outbox entry in one cache transaction, then wakes sync.

The desktop and scripts call these; nothing here talks to the network. What
the person sees changes at once (rows marked pending), and the sync engine
sends the entry with its Idempotency-Key when it can — exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from atrium.cache import (
    ChangeSet,
    delete_draft,
    discard,
    enqueue,
    follow_id,
    membership_id,
    reaction_id,
    read_object,
    retry,
    save_draft,
    set_keep_offline,
    uuid7,
)

from .writer import CacheWriter

POST_BODY_LIMIT = 64 * 1024
COMMENT_BODY_LIMIT = 16 * 1024
WIKI_BODY_LIMIT = 1024 * 1024
TITLE_LIMIT = 300
_TOPIC = re.compile(r"(?<![\w#&/])#([^\W_][\w-]{0,99})")


class ActionRefused(ValueError):
    """An action refused before it is queued (empty or oversized text): the message is for the person."""


def _now() -> str:
    from datetime import UTC, datetime

    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _check_text(text: str, limit: int, what: str) -> None:
    if not text.strip():
        raise ActionRefused(f"The {what} is empty.")
    size = len(text.encode("utf-8"))
    if size > limit:
        if size - limit < 1024:  # "64 KiB; the limit is 64 KiB" would not say what to cut
            raise ActionRefused(
                f"The {what} is too long ({size - limit:,} bytes over the {limit // 1024} KiB limit)."
            )
        raise ActionRefused(
            f"The {what} is too long ({-(-size // 1024):,} KiB; the limit is {limit // 1024} KiB)."
        )


def _check_title(title: str | None, *, required: bool) -> None:
    if title is None or not title.strip():
        if required:
            raise ActionRefused("A title is needed.")
        return
    if len(title) > TITLE_LIMIT:
        raise ActionRefused(f"The title is too long (the limit is {TITLE_LIMIT} characters).")


def _queue_like(cache: Any, target_type: str, target_id: str, user_id: str, liked: bool | None) -> ChangeSet:
    """``Actions.set_like`` on the writer thread: the like's rows (its reaction, the target's
    count) and its outbox entry, folded into an untried opposite one."""
    key = reaction_id(target_type, target_id, user_id, "like")
    was_liked = read_object(cache, "reaction", key) is not None
    liked = not was_liked if liked is None else liked
    if liked == was_liked:
        return ChangeSet()
    reaction = {"target_type": target_type, "target_id": target_id, "user_id": user_id, "kind": "like"}
    rows = [_upsert("reaction", key, reaction) if liked else _delete("reaction", key)]
    target = read_object(cache, target_type, target_id)
    if target is not None:
        target["like_count"] = max(0, int(target.get("like_count") or 0) + (1 if liked else -1))
        rows.append(_upsert(target_type, target_id, target))
    path = f"/reactions/{target_type}/{target_id}"
    kind, method = ("like", "PUT") if liked else ("unlike", "DELETE")
    return enqueue(cache, kind, method, path, optimistic_rows=rows, fold=True).changes


def _upsert(kind: str, object_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "id": object_id, "op": "upsert", "data": data}


def _delete(kind: str, object_id: str) -> dict[str, Any]:
    return {"type": kind, "id": object_id, "op": "delete"}


class Actions:
    """Everything a person can do, for one signed-in user."""

    def __init__(
        self,
        writer: CacheWriter,
        user_id: str,
        wake: Callable[[], None],
        on_changed: Callable[[ChangeSet], None] | None = None,
    ) -> None:
        self.writer = writer
        self.user_id = user_id
        self._wake = wake
        self._on_changed = on_changed

    async def _queue(
        self,
        kind: str,
        method: str,
        path: str,
        body: Any,
        object_type: str | None,
        object_id: str | None,
        rows: Sequence[dict[str, Any]] = (),
        draft_key: str | None = None,
        *,
        fold: bool = False,
    ) -> ChangeSet:
        """Queue the change; FOLD: into an untried one it amends or undoes (``enqueue``)."""
        done = await self.writer.call(
            enqueue, kind, method, path, body, object_type, object_id, optimistic_rows=list(rows),
            draft_key=draft_key, fold=fold,
        )  # fmt: skip
        self._tell(done.changes)
        self._wake()
        return done.changes

    def _tell(self, changes: ChangeSet) -> None:
        """The panes hear of what changed (the "cache changed" event)."""
        if self._on_changed is not None and changes:
            self._on_changed(changes)

    async def _read(self, kind: str, object_id: str) -> dict[str, Any] | None:
        return await self.writer.call(read_object, kind, object_id)

    # -- unsent changes (the outbox) -------------------------------------------------------------------

    async def retry_unsent(self, op_id: str) -> None:
        """Send a refused (or backing-off) change again, now."""
        await self.writer.call(retry, op_id)
        self._tell(ChangeSet({"outbox": {op_id}}))
        self._wake()

    async def discard_unsent(self, op_id: str) -> ChangeSet:
        """Give up on a change: it is never sent, and an object only it had made goes too."""
        changes = await self.writer.call(discard, op_id)
        changes.add("outbox", op_id)
        self._tell(changes)
        return changes

    # -- attachments kept offline -----------------------------------------------------------------------

    async def keep_offline(self, sha256: str, keep: bool) -> None:
        """Keep a file on this computer (the engine downloads it at its next sync), or stop: it may
        then be evicted like any other when the attachments are over their cap."""
        await self.writer.call(set_keep_offline, sha256, keep)
        self._tell(ChangeSet({"attachment": {sha256.lower()}}))
        if keep:
            self._wake()

    # -- drafts (typed, not sent) ------------------------------------------------------------------------

    async def save_draft(self, key: str, fields: dict[str, Any]) -> None:
        """Keep what is typed at KEY (``post``, ``question``, ``edit:<id>``, ``comment:<id>``)."""
        self._tell(await self.writer.call(save_draft, key, dict(fields)))

    async def discard_draft(self, key: str) -> None:
        self._tell(await self.writer.call(delete_draft, key))

    # -- posts and comments ---------------------------------------------------------------------------

    async def create_post(
        self,
        community_id: str,
        body: str,
        *,
        kind: str = "post",
        title: str | None = None,
        attachments: Sequence[dict[str, Any]] = (),
        comments_enabled: bool | None = None,
        draft_key: str | None = None,
    ) -> str:
        """Queue a new post; ATTACHMENTS are Files already uploaded (``ApiClient.upload_file``):
        the post goes with their ids and shows them at once."""
        _check_text(body, POST_BODY_LIMIT, "post")
        _check_title(title, required=kind == "blog")
        post_id = uuid7()
        request: dict[str, Any] = {
            "id": post_id,
            "community_id": community_id,
            "kind": kind,
            "body": body,
            "attachment_ids": [str(file["id"]) for file in attachments],
        }
        if title:
            request["title"] = title.strip()
        if comments_enabled is not None:
            request["comments_enabled"] = comments_enabled
        row = {
            "id": post_id,
            "community_id": community_id,
            "author_id": self.user_id,
            "kind": kind,
            "title": title.strip() if title else None,
            "body": body,
            "created_at": _now(),
            "edited_at": None,
            "pinned": False,
            "comments_enabled": True if comments_enabled is None else comments_enabled,
            "accepted_comment_id": None,
            "mentions": [],
            "topics": [m.lower() for m in _TOPIC.findall(body)],
            "attachments": [dict(file) for file in attachments],
            "like_count": 0,
            "comment_count": 0,
        }
        await self._queue(
            "create_post", "POST", "/posts", request, "post", post_id, [_upsert("post", post_id, row)],
            draft_key,
        )  # fmt: skip
        return post_id

    async def edit_post(
        self,
        post_id: str,
        *,
        body: str | None = None,
        title: str | None = None,
        pinned: bool | None = None,
        comments_enabled: bool | None = None,
        draft_key: str | None = None,
    ) -> None:
        if body is not None:
            _check_text(body, POST_BODY_LIMIT, "post")
        _check_title(title, required=False)
        patch = {
            key: value
            for key, value in {
                "body": body,
                "title": title,
                "pinned": pinned,
                "comments_enabled": comments_enabled,
            }.items()
            if value is not None
        }
        current = await self._read("post", post_id)
        rows = []
        request: dict[str, Any] = dict(patch)
        if current is not None:
            current.update(patch)
            if body is not None or title is not None:
                current["edited_at"] = _now()
            rows.append(_upsert("post", post_id, current))
        await self._queue(
            "edit_post", "PATCH", f"/posts/{post_id}", request, "post", post_id, rows, draft_key, fold=True
        )

    async def delete_post(self, post_id: str) -> None:
        await self._queue(
            "delete_post",
            "DELETE",
            f"/posts/{post_id}",
            None,
            None,
            None,
            [_delete("post", post_id)],
            fold=True,
        )

    async def comment(
        self, post_id: str, body: str, *, parent_id: str | None = None, draft_key: str | None = None
    ) -> str:
        _check_text(body, COMMENT_BODY_LIMIT, "comment")
        comment_id = uuid7()
        request: dict[str, Any] = {"id": comment_id, "body": body}
        if parent_id:
            request["parent_id"] = parent_id
        row = {
            "id": comment_id,
            "post_id": post_id,
            "author_id": self.user_id,
            "parent_id": parent_id,
            "body": body,
            "created_at": _now(),
            "edited_at": None,
            "like_count": 0,
        }
        rows = [_upsert("comment", comment_id, row)]
        post = await self._read("post", post_id)
        if post is not None:
            post["comment_count"] = int(post.get("comment_count") or 0) + 1
            rows.append(_upsert("post", post_id, post))
        await self._queue(
            "create_comment", "POST", f"/posts/{post_id}/comments", request, "comment", comment_id, rows,
            draft_key,
        )  # fmt: skip
        return comment_id

    async def accept_answer(self, post_id: str, comment_id: str | None) -> None:
        post = await self._read("post", post_id)
        rows = []
        if post is not None:
            post["accepted_comment_id"] = comment_id
            rows.append(_upsert("post", post_id, post))
        await self._queue(
            "accept_answer",
            "POST",
            f"/posts/{post_id}/accept",
            {"comment_id": comment_id},
            "post",
            post_id,
            rows,
        )

    # -- likes and follows -------------------------------------------------------------------------

    async def set_like(self, target_type: str, target_id: str, liked: bool | None = None) -> None:
        """Like or unlike (LIKED), or None: the other way round from what the cache shows now.
        Decided on the writer thread with the queuing, so quick clicks each flip what the one
        before left (the screen may not have caught up), and liking what is liked does nothing."""
        changes = await self.writer.call(_queue_like, target_type, target_id, self.user_id, liked)
        self._tell(changes)
        if changes:
            self._wake()

    async def set_follow(self, target_type: str, target_id: str, following: bool) -> None:
        key = follow_id(self.user_id, target_type, target_id)
        row = (
            _upsert(
                "follow",
                key,
                {
                    "user_id": self.user_id,
                    "target_type": target_type,
                    "target_id": target_id,
                    "created_at": _now(),
                },
            )
            if following
            else _delete("follow", key)
        )
        await self._queue(
            "follow" if following else "unfollow",
            "PUT" if following else "DELETE",
            f"/follows/{target_type}/{quote(target_id, safe='')}",
            None,
            None,
            None,
            [row],
        )

    # -- communities ---------------------------------------------------------------------------------

    async def join(self, community_id: str) -> None:
        key = membership_id(community_id, self.user_id)
        row = _upsert(
            "membership",
            key,
            {"community_id": community_id, "user_id": self.user_id, "role": "member", "joined_at": _now()},
        )
        await self._queue(
            "join", "PUT", f"/communities/{community_id}/members/{self.user_id}", None, None, None, [row]
        )

    async def leave(self, community_id: str) -> None:
        await self._queue(
            "leave",
            "DELETE",
            f"/communities/{community_id}/members/{self.user_id}",
            None,
            None,
            None,
            [_delete("membership", membership_id(community_id, self.user_id))],
        )

    # -- wiki -------------------------------------------------------------------------------------------

    async def create_wiki_page(self, community_id: str | None, path: str, title: str, body: str) -> str:
        _check_text(body, WIKI_BODY_LIMIT, "page")
        _check_title(title, required=True)
        page_id, revision_id = uuid7(), uuid7()
        request = {"id": page_id, "community_id": community_id, "path": path, "title": title, "body": body}
        row = {
            "id": page_id,
            "community_id": community_id,
            "path": path,
            "title": title,
            "body": body,
            "revision_id": revision_id,
            "updated_at": _now(),
            "updated_by": self.user_id,
        }
        await self._queue(
            "wiki_create",
            "POST",
            "/wiki/pages",
            request,
            "wiki_page",
            page_id,
            [_upsert("wiki_page", page_id, row)],
        )
        return page_id

    async def edit_wiki_page(
        self, page_id: str, body: str, *, title: str | None = None, summary: str = ""
    ) -> str:
        """Save a new revision on top of the revision the person started from (the cached one)."""
        _check_text(body, WIKI_BODY_LIMIT, "page")
        _check_title(title, required=False)
        page = await self._read("wiki_page", page_id)
        if page is None:
            raise ActionRefused("This page is not in your offline copy; open it online first.")
        revision_id = uuid7()
        request: dict[str, Any] = {
            "id": revision_id,
            "base_revision_id": page["revision_id"],
            "body": body,
            "summary": summary,
            "_base_body": page.get("body") or "",
        }
        if title:
            request["title"] = title
        page.update(body=body, title=title or page.get("title"), updated_at=_now(), updated_by=self.user_id)
        await self._queue(
            "wiki_revision",
            "POST",
            f"/wiki/pages/{page_id}/revisions",
            request,
            "wiki_page",
            page_id,
            [_upsert("wiki_page", page_id, page)],
        )
        return revision_id

    # -- notifications --------------------------------------------------------------------------------

    async def mark_notifications_read(self, ids: Sequence[str]) -> None:
        rows = []
        for notification_id in ids:
            current = await self._read("notification", notification_id)
            if current is not None and not current.get("read"):
                current["read"] = True
                rows.append(_upsert("notification", notification_id, current))
        if rows:
            await self._queue(
                "mark_read", "POST", "/notifications/read", {"ids": list(ids)}, None, None, rows
            )
