"""A post with its comments (threaded by parent), and a box to write a comment (Ctrl+Enter sends).

The thread is one QTextBrowser document rebuilt from the cache when its post or comments change;
actions are links (like, reply, accept) and a small toolbar (like, follow the author, more).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QKeyEvent,
    QPainter,
    QPalette,
    QResizeEvent,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from atrium.app.engine import EngineStatus
from atrium.app.errors import ApiError, file_problem
from atrium.app.markdown import remote_image_source
from atrium.app.services import COMMENT_BODY_LIMIT, ActionRefused
from atrium.app.settings import attachment_cap_bytes
from atrium.cache import (
    Comment,
    Post,
    Thread,
    attachment_path,
    offline_files,
    person,
    store_file,
    thread,
)
from atrium.cache.objects import SPECS, InvalidObject

from ..context import UiContext
from ..dialogs import confirm
from ..drafts import DraftKeeper, comment_key
from ..icons import icon
from .card_painting import draw_avatar
from .download_bar import DownloadBar
from .feed_delegate import body_css
from .links import open_link
from .post_actions import build_post_menu, can_moderate, toggle_like
from .post_format import failed_op_ids, failed_writes, followed_topics, refused_creation, sending_paused, tr
from .remote_images import fetch_images, remote_image_urls
from .rich_text_delegate import mix
from .send_keys import ctrl_enter_sends
from .thread_html import ACTION_PREFIX, ATTACH_ICON, ThreadState, thread_html

_WATCHED = ("post", "comment", "reaction", "user", "follow", "membership", "community", "attachment")


class ThreadBrowser(QTextBrowser):
    """A QTextBrowser that only shows images it was given (avatars, consented remote images):
    it never reads local files or the network on its own."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: dict[str, QImage] = {}

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        if kind == QTextDocument.ResourceType.ImageResource.value:
            return self.images.get(name.toString() if isinstance(name, QUrl) else name)
        return None


class ThreadView(QWidget):
    closeRequested = Signal()
    editRequested = Signal(object)  # Post

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("thread-view")
        self.post_id: str | None = None
        self.current: Thread | None = None  # what is shown
        self._state_key: tuple[object, ...] | None = None
        self._reply_to: str | None = None
        self._remote_images = False
        self._avatars: dict[str, QImage] = {}
        # Replies the server has but the offline copy does not keep (a followed person's post in
        # a community not joined), fetched when such a thread opens online: post id -> comments.
        self._online_replies: dict[str, list[Comment]] = {}
        self._asked_online: dict[str, int] = {}  # post id -> its comment count when asked
        self._online_ids: frozenset[str] = frozenset()
        self._sending_paused = False  # offline or signed out: unsent changes wait
        self._failed_count = 0
        self._refused_post = False  # the open post itself was refused: nothing can be added to it
        self._follow_texts = (tr("Follow"), tr("Follow"))  # with the author's first name, and without
        self._download: asyncio.Task[None] | None = None  # an attachment being downloaded to be opened
        self._download_sha = ""
        self._download_name = ""
        self._build()
        self.drafts = DraftKeeper(
            context.drafts, self._draft_fields, self, self._show_draft
        )  # comment:<post id>
        self.editor.textChanged.connect(self.drafts.changed)
        context.cache_changed.connect(self.on_cache_changed)
        context.status_changed.connect(self.on_status)

    # -- building ------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        bar = self._bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 0)
        self.close_button = QToolButton(self)
        self.close_button.setText(tr("← Back"))
        self.close_button.setAccessibleName(tr("Close the thread"))
        self.close_button.clicked.connect(self.closeRequested)
        self.like_button = QPushButton(self)
        self.like_button.setCheckable(True)
        self.like_button.setAccessibleName(tr("Like this post"))
        self.like_button.clicked.connect(self._like_post)
        self.follow_button = QPushButton(self)
        self.follow_button.setCheckable(True)
        self.follow_button.setAccessibleName(tr("Follow the author"))
        self.follow_button.clicked.connect(self._follow_author)
        self.more_button = QToolButton(self)
        self.more_button.setText(tr("More"))
        self.more_button.setAccessibleName(tr("More actions on this post"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.clicked.connect(self._more)
        bar.addWidget(self.close_button)
        bar.addStretch(1)
        for widget in (self.like_button, self.follow_button, self.more_button):
            bar.addWidget(widget)
        layout.addLayout(bar)
        self.download_bar = DownloadBar(self)
        self.download_bar.cancelRequested.connect(self.cancel_download)
        layout.addWidget(self.download_bar)
        self.browser = ThreadBrowser(self)
        self.browser.setObjectName("thread-browser")
        self.browser.setAccessibleName(tr("Thread"))
        self.browser.setOpenLinks(False)
        self.browser.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.browser.anchorClicked.connect(self.activate_link)
        document = self.browser.document()
        document.setDocumentMargin(14)
        document.setIndentWidth(18)
        document.setDefaultStyleSheet(
            body_css(self.palette()) + "h2 { font-size: x-large; } h3 { font-size: medium; }"
        )
        layout.addWidget(self.browser, 1)
        layout.addWidget(self._build_reply_box())
        self._update_toolbar()

    def _build_reply_box(self) -> QWidget:
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(10, 0, 10, 10)
        column.setSpacing(4)
        reply_row = QHBoxLayout()
        self.reply_label = QLabel(box)
        self.reply_label.setVisible(False)
        self.cancel_reply_button = QToolButton(box)
        self.cancel_reply_button.setText(tr("Cancel reply"))
        self.cancel_reply_button.setAccessibleName(tr("Cancel the reply"))
        self.cancel_reply_button.setVisible(False)
        self.cancel_reply_button.clicked.connect(lambda: self.set_reply_to(None))
        reply_row.addWidget(self.reply_label, 1)
        reply_row.addWidget(self.cancel_reply_button)
        column.addLayout(reply_row)
        row = QHBoxLayout()
        self.editor = QPlainTextEdit(box)
        self.editor.setObjectName("comment-editor")
        self.editor.setAccessibleName(tr("Write a comment"))
        self.editor.setTabChangesFocus(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.editor.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * 4 + 14)
        self.send_button = QPushButton(tr("Send"), box)
        self.send_button.setAccessibleName(tr("Send the comment"))
        self.send_button.setToolTip(tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.send_comment)
        row.addWidget(self.editor, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        column.addLayout(row)
        self.comment_message = QLabel(box)
        self.comment_message.setObjectName("comment-message")
        self.comment_message.setWordWrap(True)
        self.comment_message.setVisible(False)
        column.addWidget(self.comment_message)
        ctrl_enter_sends(self.editor, self.send_comment)
        return box

    # -- showing a thread ----------------------------------------------------------------------------

    def show_post(self, post_id: str) -> bool:
        """Show POST_ID's thread from the cache; False if it is not cached."""
        if post_id != self.post_id:
            self.cancel_download()  # a file of the thread left behind: not opened out of the blue later
            draft = self.drafts.open(comment_key(post_id))  # the comment typed here before, if any
            self._online_replies.clear()  # a thread opened again asks the server again
            self._asked_online.clear()
            self._remote_images = False
            self.comment_message.setVisible(False)
            self.post_id = post_id
            self._state_key = None
            self.refresh(scroll_to_top=True)
            self._show_draft(draft)
        else:
            self._state_key = None
            self.refresh(scroll_to_top=True)
        return self.current is not None

    def _show_draft(self, draft: dict[str, Any] | None) -> None:
        """Put a kept comment (and the comment it replies to) in the box; an empty box for None."""
        draft = draft or {}
        body, reply_to = draft.get("body"), draft.get("reply_to")
        self.editor.blockSignals(True)
        self.editor.setPlainText(body if isinstance(body, str) else "")
        self.editor.moveCursor(QTextCursor.MoveOperation.End)  # go on writing where it stopped
        self.editor.blockSignals(False)
        self._reply_to = None
        self.set_reply_to(reply_to if isinstance(reply_to, str) and self.current is not None else None)

    def clear(self) -> None:
        self.cancel_download()
        self.drafts.open(None)  # the comment typed here is saved first
        self.editor.blockSignals(True)
        self.editor.clear()
        self.editor.blockSignals(False)
        self.post_id = None
        self.current = None
        self.browser.clear()
        self._update_toolbar()

    def _draft_fields(self) -> dict[str, str] | None:
        """The comment typed here, kept until sent (in the cache: it outlives a restart)."""
        text = self.editor.toPlainText()
        if not text.strip():
            return None
        return {"body": text, "reply_to": self._reply_to} if self._reply_to else {"body": text}

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.post_id is not None:
            self.closeRequested.emit()  # the draft, if any, is kept
            event.accept()
            return
        super().keyPressEvent(event)

    def focus_editor(self) -> None:
        if self.editor.isEnabled():
            self.editor.setFocus()

    def refresh(self, *, scroll_to_top: bool = False) -> None:
        if self.post_id is None:
            return
        found = thread(self.context.reader, self.post_id, me=self.context.me)
        self.current = found
        if found is None:
            self.browser.setHtml(
                f"<p><i>{tr('This post is not in your offline copy (it may have been deleted).')}</i></p>"
            )
            self._update_toolbar()
            return
        self._online_ids = frozenset()
        if found.post.comment_count > len(found.comments):
            found = self._with_online_replies(found)
        state = self._state(found.post)
        state.files = offline_files(
            self.context.reader, [str(item.get("sha256") or "") for item in found.post.attachments]
        )
        self._refused_post = state.failed_post is not None and refused_creation(
            self.context.reader, "post", found.post.id
        )
        key = (found, tuple(sorted(state.failed_comments.items())), state.failed_post, state.offline,
               tuple(sorted(state.followed_topics)), state.can_accept, state.remote_images,
               state.online_replies, state.files.here, state.files.kept,
               tuple(sorted(state.files.failed.items())))  # fmt: skip
        if key != self._state_key:
            self._state_key = key
            self._render(found, state, scroll_to_top)
        self._update_toolbar()

    def _with_online_replies(self, found: Thread) -> Thread:
        """FOUND plus the replies fetched from the server; the first time, start fetching them."""
        post = found.post
        asked = self._asked_online.get(post.id)
        if self.context.api is not None and (asked is None or post.comment_count > asked):
            self._asked_online[post.id] = post.comment_count  # asked again when someone replies
            self.context.spawn(self._fetch_replies(post.id, post.accepted_comment_id))
        fetched = self._online_replies.get(post.id)
        if fetched is None:
            return found
        cached = {comment.id for comment in found.comments}
        extra = [comment for comment in fetched if comment.id not in cached]
        self._online_ids = frozenset(comment.id for comment in extra)
        merged = sorted([*found.comments, *extra], key=lambda comment: (comment.created_at, comment.id))
        return Thread(post, merged)

    async def _fetch_replies(self, post_id: str, accepted_id: str | None) -> None:
        try:
            answer = await self.context.api.request("GET", f"/posts/{post_id}/comments")
        except ApiError:
            self._asked_online.pop(post_id, None)  # asked again at the next refresh
            return  # offline or refused: the thread keeps saying what the offline copy lacks
        replies = [
            comment
            for item in (answer if isinstance(answer, list) else [])
            if (comment := self._comment_from_server(item, accepted_id)) is not None
        ]
        self._online_replies[post_id] = replies
        if post_id == self.post_id:
            self.refresh()

    def _comment_from_server(self, item: object, accepted_id: str | None) -> Comment | None:
        """A comment as ``GET /posts/{id}/comments`` gives it, checked as a sync page's would be;
        None when its shape is wrong."""
        comment_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(comment_id, str) or not isinstance(item, dict):
            return None
        try:
            row = SPECS["comment"].build_row(comment_id, item)
        except InvalidObject:
            return None
        _id, post_id, author_id, parent_id, body, created_at, edited_at, likes = row
        author = person(self.context.reader, author_id, me=self.context.me)
        return Comment(
            comment_id, post_id, author_id, parent_id, body, created_at, edited_at, likes, False, False,
            author.display_name if author else None, False, comment_id == accepted_id,
        )  # fmt: skip

    def _state(self, post: Post) -> ThreadState:
        palette = self.palette()
        reader = self.context.reader
        return ThreadState(
            me=self.context.me,
            can_accept=post.kind == "question"
            and (post.author_id == self.context.me or can_moderate(self.context, post)),
            failed_comments=failed_writes(reader, "comment"),
            failed_post=failed_writes(reader, "post").get(post.id),
            offline=self._sending_paused,
            followed_topics=followed_topics(reader, self.context.me),
            remote_images=self._remote_images,
            online_replies=self._online_ids,
            link_colour=palette.color(QPalette.ColorRole.Link).name(),
            muted_colour=palette.color(QPalette.ColorRole.PlaceholderText).name(),
            # the accent faintly over the base: readable under the theme's text colour, light or dark
            accepted_background=mix(
                palette.color(QPalette.ColorRole.Base), QColor(ThreadState.accent_colour), 0.14
            ).name(),
        )

    def _render(self, found: Thread, state: ThreadState, scroll_to_top: bool) -> None:
        bar = self.browser.verticalScrollBar()
        position = 0 if scroll_to_top else bar.value()
        people = {found.post.author_id or found.post.app_id or "": found.post.author_name or "?"}
        people.update({comment.author_id: comment.author_name or "?" for comment in found.comments})
        for user_id, name in people.items():
            self.browser.images[f"avatar:{user_id}"] = self._avatar(user_id, name)
        if ATTACH_ICON not in self.browser.images:
            ratio = max(1.0, self.devicePixelRatioF())
            self.browser.images[ATTACH_ICON] = icon("attach").pixmap(QSize(28, 28), ratio).toImage()
        self.browser.setHtml(thread_html(found, state))
        bar.setValue(position)

    def _avatar(self, user_id: str, name: str) -> QImage:
        image = self._avatars.get(user_id)
        if image is None:
            ratio = max(1.0, self.devicePixelRatioF())
            size = QSize(int(80 * ratio), int(80 * ratio))
            image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            draw_avatar(painter, image.rect().toRectF(), name, user_id, self.font())
            painter.end()
            self._avatars[user_id] = image
        return image

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_toolbar()

    def _fit_toolbar(self) -> None:
        """The author's name on Follow only where the toolbar has room for it (never a clipped label)."""
        full, short = self._follow_texts
        self.follow_button.setText(full)
        if self._bar.sizeHint().width() > self.width():
            self.follow_button.setText(short)

    def _update_toolbar(self) -> None:
        post = self.current.post if self.current else None
        for widget in (self.like_button, self.follow_button, self.more_button):
            widget.setEnabled(post is not None)
        if post is None:
            self.like_button.setText(tr("Like"))
            self.follow_button.setVisible(False)
            self.editor.setEnabled(False)
            self.send_button.setEnabled(False)
            return
        self.like_button.setChecked(post.liked_by_me)
        self.like_button.setText(
            (tr("♥ Liked") if post.liked_by_me else tr("♡ Like")) + f"  {post.like_count}"
        )
        author = person(self.context.reader, post.author_id, me=self.context.me) if post.author_id else None
        show_follow = author is not None and post.author_id != self.context.me
        self.follow_button.setVisible(show_follow)
        if author is not None:
            self.follow_button.setChecked(author.followed_by_me)
            first = author.display_name.split()[0] if author.display_name else author.handle
            named = tr("Following {0}") if author.followed_by_me else tr("Follow {0}")
            self._follow_texts = (
                named.format(first),
                tr("Following") if author.followed_by_me else tr("Follow"),
            )
            self.follow_button.setToolTip(named.format(author.display_name or author.handle))
            self._fit_toolbar()
        enabled = post.comments_enabled and not self._refused_post
        self.editor.setEnabled(enabled)
        self.send_button.setEnabled(enabled)
        self.like_button.setEnabled(not self._refused_post)
        if self._refused_post:  # More keeps Edit, which corrects it and sends it again
            self.editor.setPlaceholderText(
                tr("This post was not sent: edit it (More), retry or discard it above.")
            )
        elif not enabled:
            self.editor.setPlaceholderText(tr("Comments are turned off for this post."))
        elif post.kind == "question":
            self.editor.setPlaceholderText(tr("Write an answer… (Ctrl+Enter sends)"))
        else:
            self.editor.setPlaceholderText(tr("Write a comment… (Ctrl+Enter sends)"))

    def scroll_to_comment(self, comment_id: str) -> None:
        self.browser.scrollToAnchor(f"comment-{comment_id}")

    def on_cache_changed(self, changes: dict[str, list[str]]) -> None:
        if self.post_id is not None and any(kind in changes for kind in _WATCHED):
            self.refresh()

    def on_status(self, status: EngineStatus) -> None:
        """Unsent items say "Waiting to send" while nothing can go out, and a refusal shows at once."""
        paused = sending_paused(status)
        if (paused, status.failed) != (self._sending_paused, self._failed_count):
            self._sending_paused, self._failed_count = paused, status.failed
            if self.post_id is not None:
                self.refresh()

    # -- actions -------------------------------------------------------------------------------------

    def set_reply_to(self, comment_id: str | None) -> None:
        if comment_id != self._reply_to and self.editor.toPlainText().strip():
            self.drafts.changed()
        self._reply_to = comment_id
        name = None
        if comment_id and self.current:
            name = next((c.author_name for c in self.current.comments if c.id == comment_id), None)
        self.reply_label.setText(tr("Replying to {0}").format(name or tr("a comment")))
        self.reply_label.setVisible(comment_id is not None)
        self.cancel_reply_button.setVisible(comment_id is not None)

    def send_comment(self) -> None:
        if self.post_id is None or not self.editor.isEnabled():
            return
        text = self.editor.toPlainText()
        if len(text.encode("utf-8")) > COMMENT_BODY_LIMIT:
            self._message(tr("The comment is too long (the limit is 16 KiB)."), error=True)
            return
        if not text.strip():
            return
        self.context.spawn(self._send(self.post_id, text, self._reply_to))

    async def _send(self, post_id: str, text: str, parent_id: str | None) -> None:
        try:
            # the box still shows just what goes: its draft goes with it (typing on keeps the draft)
            using_draft = self.post_id == post_id and self.editor.toPlainText() == text
            with self.drafts.sending() if using_draft else contextlib.nullcontext() as draft_key:
                await self.context.actions.comment(post_id, text, parent_id=parent_id, draft_key=draft_key)
        except ActionRefused as refused:
            self._message(str(refused), error=True)
            return
        if self.post_id == post_id and self.editor.toPlainText() == text:
            self.editor.clear()
            self.set_reply_to(None)
        self.comment_message.setVisible(False)
        self.browser.verticalScrollBar().setValue(self.browser.verticalScrollBar().maximum())

    def _message(self, text: str, *, error: bool = False) -> None:
        self.comment_message.setText(text)
        self.comment_message.setStyleSheet("color: #c0392b;" if error else "")
        self.comment_message.setVisible(True)

    def _like_post(self) -> None:
        if self.current is not None:
            toggle_like(self.context, self.current.post)

    def _follow_author(self) -> None:
        post = self.current.post if self.current else None
        if post is None or post.author_id is None:
            return
        author = person(self.context.reader, post.author_id, me=self.context.me)
        following = bool(author and author.followed_by_me)
        self.context.spawn(self.context.actions.set_follow("user", post.author_id, not following))

    def _more(self) -> None:
        if self.current is None:
            return
        menu = build_post_menu(self.context, self.current.post, self, edit_post=self.editRequested.emit)
        menu.popup(self.more_button.mapToGlobal(self.more_button.rect().bottomLeft()))

    def activate_link(self, url: QUrl | str) -> None:
        """A click on a link in the thread (also callable directly, e.g. by tests)."""
        href = url.toString() if isinstance(url, QUrl) else url
        if href.startswith(ACTION_PREFIX):
            verb, _, target = href[len(ACTION_PREFIX) :].partition("/")
            self._action(verb, unquote(target))
        elif remote_image_source(href) is not None:
            self.load_remote_images()
        else:
            open_link(self.context, href)

    def _action(self, verb: str, target: str) -> None:
        if self.current is None:
            return
        post = self.current.post
        actions = self.context.actions
        if verb == "like-comment":
            comment = next((c for c in self.current.comments if c.id == target), None)
            if comment is not None:
                self.context.spawn(actions.set_like("comment", comment.id))  # flips what the cache holds
        elif verb == "reply":
            self.set_reply_to(target)
            self.focus_editor()
        elif verb == "accept":
            self.context.spawn(actions.accept_answer(post.id, target))
        elif verb == "unaccept":
            self.context.spawn(actions.accept_answer(post.id, None))
        elif verb in ("follow-topic", "unfollow-topic"):
            self.context.spawn(actions.set_follow("topic", target.lower(), verb == "follow-topic"))
        elif verb == "attachment" and target.isdigit() and int(target) < len(post.attachments):
            self.open_attachment(post.attachments[int(target)])
        elif (
            verb in ("keep-offline", "drop-offline")
            and target.isdigit()
            and int(target) < len(post.attachments)
        ):
            sha = str(post.attachments[int(target)].get("sha256") or "")
            if sha:
                self.context.spawn(actions.keep_offline(sha, verb == "keep-offline"))
        elif verb in ("retry", "discard"):
            kind, _, object_id = target.partition(":")
            self.context.spawn(self._settle_refused(verb, kind, object_id))

    async def _settle_refused(self, verb: str, kind: str, object_id: str) -> None:
        """Retry (send again) or discard (after asking) every refused write of one post or comment."""
        actions = self.context.actions
        op_ids = failed_op_ids(self.context.reader, kind, object_id)
        if not op_ids:
            return
        if verb == "discard":
            text = (tr("Discard this post? It was not sent, and this cannot be undone.") if kind == "post"
                    else tr("Discard this comment? It was not sent, and this cannot be undone."))  # fmt: skip
            if not await confirm(self, tr("Discard"), text, tr("Discard")):
                return
        never_sent = kind == "post" and object_id == self.post_id and self._refused_post
        for op_id in op_ids:
            await (actions.retry_unsent(op_id) if verb == "retry" else actions.discard_unsent(op_id))
        if verb == "discard" and never_sent and self.post_id == object_id:
            self.closeRequested.emit()  # the post never existed on the server: nothing is left to show

    def open_attachment(self, item: dict[str, object]) -> None:
        """Open an attachment, downloading it first if it is not on this computer (one at a time:
        the download bar shows it, with Cancel; a second click on it does not start another)."""
        if self._download is not None and not self._download.done():
            if str(item.get("sha256") or "") != self._download_sha:
                self.context.error.emit(
                    tr("Still opening {0}: wait for it, or cancel it first.").format(self._download_name)
                )
            return
        self._download_sha = str(item.get("sha256") or "")
        self._download_name = str(item.get("name") or tr("the file"))
        self._download = self.context.spawn(self._open_attachment(item))

    def cancel_download(self) -> None:
        if self._download is not None:
            self._download.cancel()  # the half-downloaded file is removed (ApiClient.download_file)

    async def _open_attachment(self, item: dict[str, object]) -> None:
        sha = str(item.get("sha256") or "")
        name = str(item.get("name") or tr("the file"))
        writer = self.context.actions.writer
        path: Path | None = await writer.call(attachment_path, sha) if sha else None
        if path is None:
            if self.context.api is None:
                self.context.error.emit(tr("Opening an attachment the first time needs a connection."))
                return
            size = item.get("size")
            known_size = size if type(size) is int and size >= 0 else None
            self.download_bar.start(name, known_size)
            try:
                download = await self.context.api.download_file(
                    str(item.get("id")),
                    writer.cache.files_dir,
                    sha or None,
                    expected_size=known_size,
                    on_progress=self.download_bar.show_progress,
                )
            except ApiError as error:
                self.context.error.emit(tr("Could not open {0}: {1}.").format(name, file_problem(error)))
                return
            finally:
                self.download_bar.finish()
            try:
                path, changes = await writer.call(
                    store_file, sha, download, cap_bytes=attachment_cap_bytes(self.context.settings)
                )
            finally:
                download.unlink(missing_ok=True)  # stored as a copy under its sha256
            self.context.emit_changes(changes)  # "on this computer" now, and any files evicted
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def load_remote_images(self) -> None:
        """The person agreed to load this thread's remote images."""
        if self.current is None:
            return
        texts = [self.current.post.body, *(comment.body for comment in self.current.comments)]
        urls = remote_image_urls(*texts)
        self.context.spawn(self._load_images(urls))

    async def _load_images(self, urls: list[str]) -> None:
        images, problems = await fetch_images(urls, proxy=str(self.context.settings.get("proxy") or ""))
        for url, image in images.items():
            if image.width() > 800:
                image = image.scaledToWidth(800, Qt.TransformationMode.SmoothTransformation)
            self.browser.images[url] = image
        self._remote_images = True
        self._state_key = None
        self.refresh()
        if problems:
            self.context.error.emit(
                tr("Some images could not be loaded: {0}").format("; ".join(problems[:3]))
            )
