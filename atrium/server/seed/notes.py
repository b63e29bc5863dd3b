"""Deriving notifications from generated content, by the rules the routes follow when the same
things happen live: mentions, replies, likes, accepted answers, announcements, being added."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

from ..notify import recipients_to_notify
from .company import Company
from .ids import DAY_MS, HOUR_MS, IdMaker
from .records import NotificationRecord, Thread


class NotificationDeriver:
    def __init__(self, rng: random.Random, ids: IdMaker, company: Company, anchor_ms: int) -> None:
        self.rng = rng
        self.ids = ids
        self.company = company
        self.anchor_ms = anchor_ms
        self.notes: list[NotificationRecord] = []

    def _read(self, created_ms: int) -> bool:
        """Older notifications have mostly been read; the last couple of days' mostly not."""
        age = self.anchor_ms - created_ms
        if age > 2 * DAY_MS:
            return self.rng.random() < 0.93
        return self.rng.random() < 0.2

    def notify(
        self,
        recipients: Iterable[str | None],
        kind: str,
        *,
        actor_id: str | None,
        target_type: str,
        target_id: str,
        community_id: str | None,
        created_ms: int,
    ) -> None:
        """Notifications by the live rule (``notify.recipients_to_notify``)."""
        readers = self._readers_of(community_id) if community_id is not None else None
        for user_id in recipients_to_notify(recipients, actor_id, readers):
            self.notes.append(
                NotificationRecord(
                    id=self.ids.at(created_ms),
                    user_id=user_id,
                    kind=kind,
                    actor_id=actor_id,
                    target_type=target_type,
                    target_id=target_id,
                    community_id=community_id,
                    created_ms=created_ms,
                    read=self._read(created_ms),
                )
            )

    def _readers_of(self, community_id: str) -> Callable[[list[str]], list[str]]:
        """Keeps the users who may read COMMUNITY_ID: anyone for a public one, else members."""
        plan = self.company.community_by_id.get(community_id)

        def readers(user_ids: list[str]) -> list[str]:
            if plan is None or plan.spec.visibility == "public":
                return user_ids
            return [user_id for user_id in user_ids if user_id in plan.roles]

        return readers

    def from_thread(self, thread: Thread) -> None:
        post = thread.post
        where = post.community_id
        self.notify(
            post.mentions,
            "mention",
            actor_id=post.author_id,
            target_type="post",
            target_id=post.id,
            community_id=where,
            created_ms=post.created_ms,
        )
        if post.kind == "announcement":
            members = self.company.community_by_id[where].member_ids
            self.notify(
                [m for m in members if m not in post.mentions],
                "announcement",
                actor_id=post.author_id,
                target_type="post",
                target_id=post.id,
                community_id=where,
                created_ms=post.created_ms,
            )
        authors = {comment.id: comment.author_id for comment in thread.comments}
        for comment in thread.comments:
            parent_author = authors.get(comment.parent_id) if comment.parent_id else None
            repliers = [who for who in (post.author_id, parent_author) if who and who not in comment.mentions]
            for kind, recipients in (("mention", comment.mentions), ("reply", repliers)):
                self.notify(
                    recipients,
                    kind,
                    actor_id=comment.author_id,
                    target_type="comment",
                    target_id=comment.id,
                    community_id=where,
                    created_ms=comment.created_ms,
                )
        for reaction in thread.reactions:
            self.notify(
                [reaction.target_author_id],
                "like",
                actor_id=reaction.user_id,
                target_type=reaction.target_type,
                target_id=reaction.target_id,
                community_id=where,
                created_ms=reaction.created_ms,
            )
        if post.accepted_comment_id and thread.accepted_ms is not None:
            self.notify(
                [authors.get(post.accepted_comment_id)],
                "accepted",
                actor_id=post.author_id,
                target_type="comment",
                target_id=post.accepted_comment_id,
                community_id=where,
                created_ms=thread.accepted_ms,
            )

    def from_additions(self) -> None:
        """People an owner added to a private community."""
        for plan in self.company.communities:
            for user_id, owner_id in plan.added_by.items():
                joined = plan.joined_ms.get(user_id, plan.created_ms)
                self.notify(
                    [user_id],
                    "added_to_community",
                    actor_id=owner_id,
                    target_type="community",
                    target_id=plan.id,
                    community_id=plan.id,
                    created_ms=joined,
                )

    def make_recent_unread(self, user_id: str, count: int) -> None:
        """Leave the newest COUNT of USER_ID's notifications unread and the rest of the last hours read,
        so the demo opens with a believable badge."""
        mine = sorted(
            (n for n in self.notes if n.user_id == user_id), key=lambda n: n.created_ms, reverse=True
        )
        for index, note in enumerate(mine):
            if index < count:
                note.read = False
            elif self.anchor_ms - note.created_ms < 12 * HOUR_MS:
                note.read = True
