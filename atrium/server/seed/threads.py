"""Generating whole threads — a post, its comments (some threaded), accepted answers and likes —
in the style of each kind of community. Used by the demo company and by ``--scale``."""

from __future__ import annotations

import random

from ..text_extract import topics_in
from . import templates as tpl
from .company import CommunityPlan, Company, UserPlan
from .compose import Composer, Context, vocabulary_for
from .corpus_announcements import Announcement
from .corpus_support import SupportQuestion
from .ids import DAY_MS, HOUR_MS, MINUTE_MS, IdMaker
from .records import CommentRecord, PostRecord, ReactionRecord, Thread
from .templates import Template

WORK_KINDS = ("question", "question", "question", "question", "post", "post", "post", "post", "blog", "blog")
POST_LIKES = {1: (0, 0, 1, 1, 2, 3), 2: (0, 1, 1, 2, 3, 4, 6), 3: (0, 1, 2, 3, 4, 6, 9, 14)}


class ThreadFactory:
    def __init__(
        self,
        rng: random.Random,
        ids: IdMaker,
        company: Company,
        composer: Composer,
        anchor_ms: int,
        *,
        demo_author_rate: float = 0.05,
        like_rate: float = 1.0,
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.company = company
        self.composer = composer
        self.latest_ms = anchor_ms - MINUTE_MS
        self.demo_author_rate = demo_author_rate
        self.like_rate = like_rate
        self._members: dict[str, list[str]] = {}
        self._subject: tuple[str, dict[str, str]] = ("", {})  # the current post's id and subject

    # -- helpers ---------------------------------------------------------------------

    def members(self, plan: CommunityPlan) -> list[str]:
        found = self._members.get(plan.id)
        if found is None:
            found = self._members[plan.id] = plan.member_ids
        return found

    def pick_author(self, plan: CommunityPlan, *, exclude: str | None = None) -> UserPlan:
        demo = self.company.demo
        if demo.id in plan.roles and demo.id != exclude and self.rng.random() < self.demo_author_rate:
            return demo
        members = self.members(plan)
        for _ in range(8):
            choice = self.rng.choice(members)
            if choice != exclude:
                return self.company.user_by_id[choice]
        return self.company.user_by_id[members[0]]

    def later(self, after_ms: int, low_minutes: int, high_minutes: int) -> int:
        """A moment LOW..HIGH minutes after AFTER_MS; squeezed in before the anchor when that is near."""
        moment = (
            after_ms + self.rng.randint(low_minutes, high_minutes) * MINUTE_MS + self.rng.randint(0, 59_999)
        )
        if moment > self.latest_ms:
            moment = after_ms + int((self.latest_ms - after_ms) * self.rng.random())
        return max(after_ms, moment)

    def context(self, plan: CommunityPlan, author: UserPlan | None) -> Context:
        return self.composer.context(plan, author, self.members(plan))

    def new_post(
        self,
        plan: CommunityPlan,
        author: UserPlan | None,
        kind: str,
        title: str | None,
        body: str,
        created_ms: int,
        subject: dict[str, str] | None = None,
    ) -> PostRecord:
        """A post; SUBJECT (what it is about) is reused when filling the comments on it."""
        post = PostRecord(
            id=self.ids.at(created_ms),
            community_id=plan.id,
            author_id=author.id if author else None,
            kind=kind,
            title=title,
            body=body,
            created_ms=created_ms,
            mentions=self.company.mentioned_ids(body),
            topics=topics_in(body, title),
        )
        self._subject = (post.id, subject or {})
        if author is not None and self.rng.random() < 0.05:
            post.edited_ms = self.later(created_ms, 3, 90)
        return post

    def add_comment(
        self,
        thread: Thread,
        plan: CommunityPlan,
        author: UserPlan,
        template: str,
        after_ms: int,
        *,
        parent_id: str | None = None,
        fill: bool = True,
    ) -> CommentRecord:
        post_id, subject = self._subject
        shared = subject if post_id == thread.post.id else None
        context = self.composer.context(plan, author, self.members(plan), shared)
        body = self.composer.fill(template, context) if fill else template
        created = self.later(after_ms, 2, 60 * 30)
        comment = CommentRecord(
            id=self.ids.at(created),
            post_id=thread.post.id,
            author_id=author.id,
            body=body,
            created_ms=created,
            mentions=self.company.mentioned_ids(body),
            parent_id=parent_id,
        )
        thread.comments.append(comment)
        return comment

    def add_likes(
        self,
        thread: Thread,
        plan: CommunityPlan,
        target_type: str,
        target_id: str,
        target_author: str | None,
        count: int,
        after_ms: int,
    ) -> None:
        members = self.members(plan)
        count = min(count, len(members) - 1)
        if count <= 0:
            return
        likers = {member for member in self.rng.sample(members, count) if member != target_author}
        for user_id in sorted(likers):
            thread.reactions.append(
                ReactionRecord(
                    target_type=target_type,
                    target_id=target_id,
                    user_id=user_id,
                    community_id=plan.id,
                    created_ms=self.later(after_ms, 1, 60 * 48),
                    target_author_id=target_author,
                )
            )

    def like_post_and_comments(self, thread: Thread, plan: CommunityPlan, *, boost: int = 0) -> None:
        post = thread.post
        count = int((self.rng.choice(POST_LIKES[plan.spec.activity]) + boost) * self.like_rate + 0.5)
        self.add_likes(thread, plan, "post", post.id, post.author_id, count, post.created_ms)
        for comment in thread.comments:
            if self.rng.random() < 0.3 * self.like_rate:
                bonus = 2 if comment.id == post.accepted_comment_id else 0
                self.add_likes(
                    thread,
                    plan,
                    "comment",
                    comment.id,
                    comment.author_id,
                    self.rng.randint(1, 3) + bonus,
                    comment.created_ms,
                )

    # -- threads by community style --------------------------------------------------------

    def for_community(
        self, plan: CommunityPlan, created_ms: int, *, author: UserPlan | None = None
    ) -> Thread:
        """A typical thread for PLAN's kind and domain."""
        domain = plan.spec.domain
        author = author or self.pick_author(plan)
        if domain == "cafe":
            return self.simple_thread(plan, author, tpl.CAFE_POSTS, tpl.CAFE_COMMENTS, created_ms)
        if domain == "site":
            posts = (*tpl.SITE_POSTS, tpl.HOBBY_POSTS[0], tpl.HOBBY_POSTS[2])
            return self.simple_thread(plan, author, posts, tpl.HOBBY_COMMENTS, created_ms)
        if plan.spec.kind == "interest":
            return self.simple_thread(plan, author, tpl.HOBBY_POSTS, tpl.HOBBY_COMMENTS, created_ms)
        special = {"vendors": tpl.VENDOR_POSTS, "adoption": tpl.CHAMPION_POSTS}.get(domain)
        special = tpl.PRIVATE_POSTS.get(plan.spec.slug, special)
        if special and self.rng.random() < 0.6:
            template = self.rng.choice(special)
            kind = (
                "question"
                if template.title and template.title.endswith("?")
                else ("blog" if template.title and len(template.body) > 400 else "post")
            )
            return self.work_thread(plan, author, template, kind, created_ms)
        kind = self.rng.choice(WORK_KINDS)
        pool = {"question": tpl.WORK_QUESTIONS, "post": tpl.WORK_POSTS, "blog": tpl.WORK_BLOGS}[kind]
        if not vocabulary_for(domain).code:
            pool = tuple(t for t in pool if not t.code)
        return self.work_thread(plan, author, self.rng.choice(pool), kind, created_ms)

    def work_thread(
        self, plan: CommunityPlan, author: UserPlan, template: Template, kind: str, created_ms: int
    ) -> Thread:
        context = self.context(plan, author)
        title, body = self.composer.fill_pair(template.title, template.body, context)
        if kind == "blog" and not title:
            kind = "post"
        post = self.new_post(plan, author, kind, title, body, created_ms, context.shared)
        thread = Thread(post)
        rng = self.rng
        last = created_ms
        if kind == "question":
            answers: list[CommentRecord] = []
            for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3, 4))):
                answer = self.add_comment(
                    thread,
                    plan,
                    self.pick_author(plan, exclude=author.id),
                    rng.choice(tpl.WORK_ANSWERS),
                    last,
                )
                answers.append(answer)
                last = answer.created_ms
            for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
                last = self.add_comment(
                    thread,
                    plan,
                    self.pick_author(plan, exclude=author.id),
                    rng.choice(tpl.QUESTION_REACTIONS),
                    last,
                ).created_ms
            if answers and rng.random() < 0.65:
                accepted = answers[0] if rng.random() < 0.6 else rng.choice(answers)
                post.accepted_comment_id = accepted.id
                thanks = self.add_comment(
                    thread, plan, author, rng.choice(tpl.THANKS_ACCEPTED), last, parent_id=accepted.id
                )
                thread.accepted_ms = thanks.created_ms
        else:
            count = rng.choice((0, 1, 1, 2, 2, 3, 3, 4)) + (2 if kind == "blog" else 0)
            for _ in range(count):
                # lessons from others' experience fit under a blog; elsewhere people react
                sharing = kind == "blog" and rng.random() < 0.3
                text = rng.choice(tpl.WORK_ANSWERS if sharing else tpl.WORK_REACTIONS)
                comment = self.add_comment(
                    thread, plan, self.pick_author(plan, exclude=author.id), text, last
                )
                last = comment.created_ms
                replies = tpl.FOLLOW_UPS.get(text)
                if replies and rng.random() < 0.4:
                    last = self.add_comment(
                        thread, plan, author, rng.choice(replies), last, parent_id=comment.id
                    ).created_ms
        self.like_post_and_comments(thread, plan, boost=2 if kind == "blog" else 0)
        return thread

    def simple_thread(
        self,
        plan: CommunityPlan,
        author: UserPlan,
        posts: tuple[Template, ...],
        comments: tuple[str, ...],
        created_ms: int,
    ) -> Thread:
        rng = self.rng
        template = rng.choice(posts)
        context = self.context(plan, author)
        title, body = self.composer.fill_pair(template.title, template.body, context)
        thread = Thread(self.new_post(plan, author, "post", title, body, created_ms, context.shared))
        count = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5))
        fitting = list(template.replies)
        rng.shuffle(fitting)
        last = created_ms
        for index in range(count):
            fits = index < len(fitting) and rng.random() < 0.9
            text = fitting[index] if fits else rng.choice(comments)
            comment = self.add_comment(thread, plan, self.pick_author(plan, exclude=author.id), text, last)
            last = comment.created_ms
            if rng.random() < 0.15:
                last = self.add_comment(
                    thread, plan, author, rng.choice(tpl.AUTHOR_REPLIES), last, parent_id=comment.id
                ).created_ms
        self.like_post_and_comments(thread, plan, boost=1)
        return thread

    def support_thread(
        self,
        plan: CommunityPlan,
        question: SupportQuestion,
        created_ms: int,
        *,
        asker: UserPlan | None = None,
        answerer: UserPlan | None = None,
    ) -> Thread:
        """An IT Support question from the corpus; solved ones get their answer accepted."""
        asker = asker or self.pick_author(plan)
        context = self.context(plan, asker)
        title, body = self.composer.fill_pair(question.title, question.body, context)
        thread = Thread(self.new_post(plan, asker, "question", title, body, created_ms, context.shared))
        it_staff = [uid for uid in plan.moderator_ids if uid != asker.id] or [self.pick_author(plan).id]
        last = created_ms
        for text in question.others:
            last = self.add_comment(
                thread, plan, self.pick_author(plan, exclude=asker.id), text, last, fill=False
            ).created_ms
        if question.answer:
            helper = answerer or self.company.user_by_id[self.rng.choice(it_staff)]
            if helper.id == asker.id:
                helper = self.company.user_by_id[it_staff[0]]
            answer = self.add_comment(thread, plan, helper, question.answer, last, fill=False)
            last = answer.created_ms
            if question.solved:
                thread.post.accepted_comment_id = answer.id
                thread.accepted_ms = self.later(last, 5, 600)
            if question.followup:
                self.add_comment(
                    thread, plan, asker, question.followup, last, parent_id=answer.id, fill=False
                )
        self.like_post_and_comments(thread, plan, boost=1)
        return thread

    def announcement_thread(self, plan: CommunityPlan, item: Announcement, created_ms: int) -> Thread:
        comms = plan.moderator_ids
        author = self.company.user_by_id[self.rng.choice(comms)]
        post = self.new_post(plan, author, "announcement", item.title, item.body, created_ms)
        post.pinned = item.pinned
        post.comments_enabled = item.comments_enabled
        thread = Thread(post)
        last = created_ms
        firsts: list[CommentRecord] = []
        if item.comments_enabled:
            for text in item.comments:
                comment = self.add_comment(
                    thread, plan, self.pick_author(plan, exclude=author.id), text, last, fill=False
                )
                firsts.append(comment)
                last = comment.created_ms
            for index, text in item.answers:
                question = firsts[index]
                responder = self.company.user_by_id[self.rng.choice(comms)]
                last = self.add_comment(
                    thread, plan, responder, text, last, parent_id=question.id, fill=False
                ).created_ms
        self.add_likes(thread, plan, "post", post.id, author.id, self.rng.randint(25, 90), created_ms)
        for comment in thread.comments:
            self.add_likes(
                thread,
                plan,
                "comment",
                comment.id,
                comment.author_id,
                self.rng.randint(0, 12),
                comment.created_ms,
            )
        return thread

    def app_event_thread(
        self, plan: CommunityPlan, app_id: str, title: str, body: str, created_ms: int
    ) -> Thread:
        post = PostRecord(
            id=self.ids.at(created_ms),
            community_id=plan.id,
            author_id=None,
            kind="app_event",
            title=title,
            body=body,
            created_ms=created_ms,
            mentions=self.company.mentioned_ids(body),
            topics=topics_in(body, title),
            app_id=app_id,
        )
        thread = Thread(post)
        self.add_likes(thread, plan, "post", post.id, None, self.rng.randint(0, 6), created_ms)
        return thread

    def growth_time(self, start_ms: int, end_ms: int) -> int:
        """A moment in [start, end], denser towards the end: adoption grows month after month."""
        moment = start_ms + int((end_ms - start_ms) * self.rng.random() ** 0.6)
        # people post in working hours: nudge night-time posts into the working day
        hour = (moment // HOUR_MS) % 24
        if hour < 6 or hour > 19:
            moment = moment - (moment % DAY_MS) + (7 + self.rng.randint(0, 10)) * HOUR_MS
        return min(moment, self.latest_ms)
