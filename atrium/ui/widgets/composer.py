"""The post composer: community, kind (post/question/blog, announcement where allowed), title,
Markdown with a preview and @/# completion, attachments (picker or drag-and-drop), the size limit
shown before sending, and for questions the similar solved ones as you type (deflection).

Writing works offline (the post queues); attachments upload first and need a connection.
``open_composer`` shows it in a dialog opened with ``open()`` — never ``exec()``.
"""

from __future__ import annotations

import html
import mimetypes
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon, QKeyEvent, QPalette, QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from atrium.app.engine import EngineState, EngineStatus
from atrium.app.errors import ApiError, Offline
from atrium.app.markdown import render_markdown
from atrium.app.services import POST_BODY_LIMIT, TITLE_LIMIT, ActionRefused
from atrium.cache import Community, Post, my_communities

from ..context import UiContext
from ..drafts import NEW_POST_KEY, DraftKeeper, edit_key
from ..icons import icon
from .deflection import deflection_html, similar_questions
from .feed_delegate import body_css
from .links import POST_LINK_PREFIX
from .markdown_edit import MarkdownEdit
from .post_format import human_size, tr
from .send_keys import ctrl_enter_sends

ATTACHMENT_LIMIT = 25 * 1024 * 1024
COMPACT_WIDTH = 560  # below this the composer's buttons shorten (the bottom row's full width)
MODERATING_ROLES = ("owner", "moderator")
_KINDS = (("post", "Post"), ("question", "Question"), ("blog", "Blog post"))


class Composer(QWidget):
    sent = Signal(str)  # the new (or edited) post's id
    cancelled = Signal()
    postLinkActivated = Signal(str)  # a suggested similar question was clicked

    def __init__(
        self,
        context: UiContext,
        parent: QWidget | None = None,
        *,
        community_id: str | None = None,
        kind: str = "post",
        edit: Post | None = None,
        draft_key: str | None = None,
    ) -> None:
        """DRAFT_KEY names where what is typed is kept (default: ``edit:<id>`` when editing, else
        ``post``): a composer opened again on the same key shows the draft."""
        super().__init__(parent)
        self.context = context
        self.editing = edit
        self.setObjectName("composer")
        self.setAcceptDrops(True)
        self._attachments: list[Path] = []
        self._compact = False  # narrow: see _fit_width
        self._offline = False
        self._sending = False
        # Before the fields: filling in an edited question's title already asks for a search.
        self._deflect_timer = QTimer(self)
        self._deflect_timer.setSingleShot(True)
        self._deflect_timer.setInterval(250)
        self._deflect_timer.timeout.connect(self.update_deflection)
        self._build()
        self._fill_communities(edit.community_id if edit else community_id)
        self._fill_kinds(edit.kind if edit else kind)
        if edit is not None:
            self.community_box.setEnabled(False)
            self.kind_box.setEnabled(False)
            self.title_edit.setText(edit.title or "")
            self.body_edit.setPlainText(edit.body)
            self.attach_button.setVisible(False)
            self.send_button.setText(tr("Save"))
        context.status_changed.connect(self._on_status)
        self._kind_changed()
        self._update_size()
        self.drafts = DraftKeeper(context.drafts, self.draft_fields, self)
        restored = self.drafts.open(draft_key or (edit_key(edit.id) if edit else NEW_POST_KEY))
        if restored:
            self._restore(restored)
        for changed in (self.title_edit.textChanged, self.body_edit.textChanged,
                        self.kind_box.currentIndexChanged, self.community_box.currentIndexChanged):  # fmt: skip
            changed.connect(self._draft_changed)
        self._update_discard()

    # -- building --------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        top = QHBoxLayout()
        self.community_box = QComboBox(self)
        self.community_box.setAccessibleName(tr("Community"))
        self.community_box.setMinimumWidth(220)
        self.community_box.currentIndexChanged.connect(self._community_changed)
        self.kind_box = QComboBox(self)
        self.kind_box.setAccessibleName(tr("Kind of post"))
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.community_label = QLabel(tr("Post in"), self)
        self.community_label.setBuddy(self.community_box)
        top.addWidget(self.community_label)
        top.addWidget(self.community_box, 1)
        top.addSpacing(12)
        top.addWidget(self.kind_box)
        layout.addLayout(top)
        self.title_edit = QLineEdit(self)
        self.title_edit.setAccessibleName(tr("Title"))
        self.title_edit.setMaxLength(TITLE_LIMIT)
        self.title_edit.textChanged.connect(self._title_changed)
        layout.addWidget(self.title_edit)
        self.deflection = QLabel(self)
        self.deflection.setObjectName("deflection")
        self.deflection.setAccessibleName(tr("Similar questions"))
        self.deflection.setWordWrap(True)
        self.deflection.setTextFormat(Qt.TextFormat.RichText)
        self.deflection.setOpenExternalLinks(False)
        self.deflection.linkActivated.connect(self._deflection_link)
        self.deflection.setVisible(False)
        self.deflection.setStyleSheet("QLabel#deflection { padding: 6px 8px; border-radius: 6px;"
                                      " background: palette(alternate-base); }")  # fmt: skip
        layout.addWidget(self.deflection)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(tr("Write or preview"))
        self.body_edit = MarkdownEdit(self.context, self)
        self.body_edit.setObjectName("composer-body")
        self.body_edit.setAccessibleName(tr("Text (Markdown)"))
        self.body_edit.setPlaceholderText(
            tr("Write in Markdown. @name mentions someone, #topic tags it. Drop files here to attach them.")
        )
        self.body_edit.textChanged.connect(self._update_size)
        self.body_edit.filesDropped.connect(self.add_files)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("composer-preview")
        self.preview.setAccessibleName(tr("Preview"))
        self.preview.setOpenLinks(False)
        self.preview.document().setDefaultStyleSheet(body_css(self.palette()))
        self.tabs.addTab(self.body_edit, tr("Write"))
        self.tabs.addTab(self.preview, tr("Preview"))
        self.tabs.currentChanged.connect(self._tab_changed)
        layout.addWidget(self.tabs, 1)
        self.attachment_list = QListWidget(self)
        self.attachment_list.setAccessibleName(tr("Attachments"))
        self.attachment_list.setVisible(False)
        self.attachment_list.setMaximumHeight(90)
        layout.addWidget(self.attachment_list)
        bottom = self._bottom = QHBoxLayout()
        self.attach_button = QPushButton(tr("Attach files…"), self)
        self.attach_button.setAccessibleName(tr("Attach files"))
        self.attach_button.setToolTip(tr("Attach files (or drop them on the text)"))
        self.attach_button.clicked.connect(self.pick_files)
        self.remove_attachment_button = QPushButton(tr("Remove"), self)
        self.remove_attachment_button.setAccessibleName(tr("Remove the selected attachment"))
        self.remove_attachment_button.setVisible(False)
        self.remove_attachment_button.clicked.connect(self._remove_attachment)
        self.size_label = QLabel(self)
        self.size_label.setObjectName("composer-size")
        self.size_label.setAccessibleName(tr("Size"))
        self.message = QLabel(self)
        self.message.setObjectName("composer-message")
        self.message.setWordWrap(True)
        self.discard_button = QPushButton(
            tr("Discard changes") if self.editing else tr("Discard draft"), self
        )
        self.discard_button.setAccessibleName(self.discard_button.text())
        self.discard_button.setToolTip(tr("Throw away what you typed here"))
        self.discard_button.clicked.connect(self.discard_draft)
        self.cancel_button = QPushButton(tr("Close"), self)
        self.cancel_button.setAccessibleName(tr("Close"))
        self.cancel_button.setToolTip(tr("Close (Esc). What you typed is kept as a draft until you send it."))
        self.cancel_button.clicked.connect(self.close_composer)
        self.send_button = QPushButton(tr("Post"), self)
        self.send_button.setObjectName("composer-send")
        self.send_button.setAccessibleName(tr("Send the post"))
        self.send_button.setToolTip(tr("Send (Ctrl+Enter)"))
        self.send_button.setDefault(True)  # drawn as the primary one (ComposerDialog sets it again)
        self.send_button.clicked.connect(self.send)
        bottom.addWidget(self.attach_button)
        bottom.addWidget(self.remove_attachment_button)
        bottom.addSpacing(8)
        bottom.addWidget(self.size_label)
        bottom.addStretch(1)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.send_button)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        for editor in (self.title_edit, self.body_edit):
            ctrl_enter_sends(editor, self.send)
        self.title_edit.returnPressed.connect(self.body_edit.setFocus)  # Enter in the title: on to the body
        for button in (
            self.attach_button,
            self.remove_attachment_button,
            self.discard_button,
            self.cancel_button,
        ):
            button.setAutoDefault(False)  # Enter in a field must never open the file picker or cancel

    def _fill_communities(self, wanted: str | None) -> None:
        communities = my_communities(self.context.reader, me=self.context.me)
        if self.editing is not None and not any(c.id == self.editing.community_id for c in communities):
            self.community_box.addItem(
                self.editing.community_name or tr("This community"), self.editing.community_id
            )
        for place in communities:
            self.community_box.addItem(place.name, place)
        for row in range(self.community_box.count()):
            data = self.community_box.itemData(row)
            if (data.id if isinstance(data, Community) else data) == wanted:
                self.community_box.setCurrentIndex(row)
                break
        if self.community_box.count() == 0:
            self.community_box.addItem(tr("Join a community first"), None)
            self.send_button.setEnabled(False)

    def _fill_kinds(self, wanted: str) -> None:
        self.kind_box.blockSignals(True)
        self.kind_box.clear()
        for kind, label in _KINDS:
            self.kind_box.addItem(tr(label), kind)
        place = self.community_box.currentData()
        may_announce = (
            isinstance(place, Community)
            and place.kind == "announcements"
            and (place.my_role in MODERATING_ROLES)
        )
        if may_announce or wanted == "announcement":
            self.kind_box.addItem(tr("Announcement"), "announcement")
        index = self.kind_box.findData(wanted)
        self.kind_box.setCurrentIndex(max(0, index))
        self.kind_box.blockSignals(False)

    # -- state ---------------------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return str(self.kind_box.currentData() or "post")

    def set_kind(self, kind: str) -> None:
        index = self.kind_box.findData(kind)
        if index >= 0:
            self.kind_box.setCurrentIndex(index)

    def community_id(self) -> str | None:
        data = self.community_box.currentData()
        if isinstance(data, Community):
            return data.id
        return data if isinstance(data, str) else None

    def _community_changed(self) -> None:
        if self.editing is None:
            self._fill_kinds(self.kind)
            self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind
        needs_title = kind in ("question", "blog", "announcement")
        self.title_edit.setVisible(needs_title or bool(self.title_edit.text()))
        self.title_edit.setPlaceholderText(
            tr("Your question in one line") if kind == "question" else tr("Title")
        )
        self.body_edit.setPlaceholderText(
            tr("Add the details: what you tried, the exact error message, where you are. @name asks someone.")
            if kind == "question"
            else tr(
                "Write in Markdown. @name mentions someone, #topic tags it. Drop files here to attach them."
            )
        )
        self.update_deflection()

    def _title_changed(self) -> None:
        if self.kind == "question":
            self._deflect_timer.start()

    def update_deflection(self) -> None:
        """Show similar questions (solved first) for the title being typed."""
        questions = (
            similar_questions(self.context.reader, self.title_edit.text()) if self.kind == "question" else []
        )
        palette = self.palette()
        self.deflection.setText(
            deflection_html(questions, palette.color(QPalette.ColorRole.Link).name(), "#2e9e6b")
        )
        self.deflection.setVisible(bool(questions))

    def _deflection_link(self, href: str) -> None:
        if href.startswith(POST_LINK_PREFIX):
            self.postLinkActivated.emit(href[len(POST_LINK_PREFIX) :])

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.preview:
            title = self.title_edit.text().strip()
            heading = f"<h2>{html.escape(title)}</h2>" if title and self.title_edit.isVisible() else ""
            self.preview.setHtml(heading + render_markdown(self.body_edit.toPlainText()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_width(event.size().width())

    def _fit_width(self, width: int) -> None:
        """Narrow (the Ask composer beside an open thread): shorter labels and the size only when it
        matters, so every button keeps its whole text."""
        compact = width < COMPACT_WIDTH
        if compact == self._compact:
            return
        self._compact = compact
        self.attach_button.setText("" if compact else tr("Attach files…"))
        self.attach_button.setIcon(icon("attach") if compact else QIcon())
        self.discard_button.setText(tr("Discard") if compact else self.discard_button.accessibleName())
        self.community_label.setVisible(not compact)
        self.community_box.setMinimumWidth(0 if compact else 220)
        self._update_size()

    def _update_size(self) -> None:
        size = len(self.body_edit.toPlainText().encode("utf-8"))
        self.size_label.setVisible(not self._compact or size > POST_BODY_LIMIT * 3 // 4)
        over = size > POST_BODY_LIMIT
        self.size_label.setText(tr("{0} of {1}").format(human_size(size), human_size(POST_BODY_LIMIT)))
        self.size_label.setStyleSheet(
            "color: #c0392b; font-weight: bold;" if over else "color: palette(placeholder-text);"
        )
        self.size_label.setToolTip(tr("Posts can be at most 64 KiB.") if over else "")
        self.send_button.setEnabled(not over and not self._sending and self.community_id() is not None)

    def _on_status(self, status: EngineStatus) -> None:
        self._offline = status.state == EngineState.OFFLINE
        self._update_attachment_note()

    # -- attachments ---------------------------------------------------------------------------------

    def pick_files(self) -> None:
        dialog = QFileDialog(self, tr("Attach files"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(self.add_files)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def add_files(self, paths: list[str]) -> None:
        for name in paths:
            path = Path(name)
            if not path.is_file():
                continue
            size = path.stat().st_size
            if size > ATTACHMENT_LIMIT:
                self._show_message(
                    tr("{0} is too big to attach (the limit is 25 MiB).").format(path.name), error=True
                )
                continue
            if path in self._attachments:
                continue
            self._attachments.append(path)
            item = QListWidgetItem(f"{path.name}  ({human_size(size)})")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.attachment_list.addItem(item)
        self.attachment_list.setVisible(bool(self._attachments))
        self.remove_attachment_button.setVisible(bool(self._attachments))
        self._update_attachment_note()
        self._draft_changed()

    def attachments(self) -> list[Path]:
        return list(self._attachments)

    def _remove_attachment(self) -> None:
        for item in self.attachment_list.selectedItems() or [
            self.attachment_list.item(self.attachment_list.count() - 1)
        ]:
            if item is None:
                continue
            self._attachments = [
                p for p in self._attachments if str(p) != item.data(Qt.ItemDataRole.UserRole)
            ]
            self.attachment_list.takeItem(self.attachment_list.row(item))
        self.attachment_list.setVisible(bool(self._attachments))
        self.remove_attachment_button.setVisible(bool(self._attachments))
        self._update_attachment_note()
        self._draft_changed()

    def _update_attachment_note(self) -> None:
        if self._attachments and (self._offline or self.context.api is None):
            self._show_message(
                tr("Attachments need a connection: send when you are back online, or remove them.")
            )
        elif self.message.property("note"):
            self.message.clear()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.add_files([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])
        event.acceptProposedAction()

    # -- sending -------------------------------------------------------------------------------------

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("note", not error)
        self.message.setStyleSheet("color: #c0392b;" if error else "color: palette(placeholder-text);")

    def send(self) -> None:
        if self._sending or not self.send_button.isEnabled():
            return
        community_id = self.community_id()
        if community_id is None:
            return
        body = self.body_edit.toPlainText()
        title = self.title_edit.text().strip() if self.title_edit.isVisible() else ""
        if self.kind == "question" and not title and self.editing is None:
            self._show_message(tr("A question needs a title: ask it in one line."), error=True)
            self.title_edit.setFocus()
            return
        self._set_sending(True)
        self.context.spawn(self._send(community_id, body, title or None))

    def _set_sending(self, sending: bool) -> None:
        self._sending = sending
        for field in (self.title_edit, self.body_edit):  # what is sent is what was there at Post
            field.setReadOnly(sending)
        self.send_button.setText(tr("Sending…") if sending else (tr("Save") if self.editing else tr("Post")))
        self._update_size()

    async def _send(self, community_id: str, body: str, title: str | None) -> None:
        try:
            if self.editing is not None:
                with self.drafts.sending() as draft_key:
                    await self.context.actions.edit_post(
                        self.editing.id, body=body, title=title, draft_key=draft_key
                    )
                post_id = self.editing.id
            else:
                files = await self._upload()
                if files is None:
                    return
                with self.drafts.sending() as draft_key:
                    post_id = await self.context.actions.create_post(
                        community_id,
                        body,
                        kind=self.kind,
                        title=title,
                        attachments=files,
                        draft_key=draft_key,
                    )
        except ActionRefused as refused:
            self._show_message(str(refused), error=True)
            return
        finally:
            self._set_sending(False)
        if self.editing is not None:
            self.drafts.close()  # saved: the composer closes with the post as it now is
        else:
            self.clear()
        self.sent.emit(post_id)

    async def _upload(self) -> list[dict[str, Any]] | None:
        """Upload the attachments; their Files, or None (with a message) if that cannot happen now."""
        if not self._attachments:
            return []
        api = self.context.api
        if api is None:
            self._show_message(tr("Attachments need a connection: remove them to post now."), error=True)
            return None
        files: list[dict[str, Any]] = []
        for number, path in enumerate(self._attachments, start=1):
            self._show_message(
                tr("Uploading {0} ({1} of {2})…").format(path.name, number, len(self._attachments))
            )
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            try:
                uploaded = await api.upload_file(path, path.name, mime)
            except Offline:
                self._show_message(
                    tr("Attachments need a connection: you are offline. Remove them to post now."), error=True
                )
                return None
            except (ApiError, OSError) as error:
                self._show_message(tr("Could not upload {0}: {1}").format(path.name, error), error=True)
                return None
            files.append(uploaded)
        self.message.clear()
        return files

    # -- drafts ----------------------------------------------------------------------------------------

    def draft_fields(self) -> dict[str, Any] | None:
        """What is typed here, as a draft; None when there is nothing (or, editing, nothing changed)."""
        title, body = self.title_edit.text(), self.body_edit.toPlainText()
        if self.editing is not None:
            if title == (self.editing.title or "") and body == self.editing.body:
                return None
            return {"title": title, "body": body, "base": self._edit_base()}
        if not title.strip() and not body.strip() and not self._attachments:
            return None
        return {"title": title, "body": body, "kind": self.kind, "community_id": self.community_id(),
                "attachments": [str(path) for path in self._attachments]}  # fmt: skip

    def _edit_base(self) -> str:
        """Which version of the post an edit started from (its last edit time)."""
        post = self.editing
        return (post.edited_at or post.created_at) if post is not None else ""

    def _restore(self, fields: dict[str, Any]) -> None:
        """Fill the composer from a kept draft (anything of the wrong shape is left out), and say
        what is not as it was: another community, files gone, a post changed since."""
        text = {name: value for name, value in fields.items() if isinstance(value, str)}
        notes = [tr("Your draft is back: it was kept when the composer closed.")]
        warn = False  # something is not as it was when the draft was kept
        if self.editing is None:
            asked_for = self.community_id()
            for row in range(self.community_box.count()):
                data = self.community_box.itemData(row)
                if isinstance(data, Community) and data.id == text.get("community_id"):
                    self.community_box.setCurrentIndex(row)
            if self.community_id() != asked_for:
                notes.append(
                    tr("It goes to {0}, as when you began it.").format(self.community_box.currentText())
                )
            self.set_kind(text.get("kind", self.kind))
            paths = fields.get("attachments")
            wanted = (
                [Path(path) for path in paths if isinstance(path, str)] if isinstance(paths, list) else []
            )
            self.add_files([str(path) for path in wanted])
            gone = [path.name for path in wanted if path not in self._attachments]
            if gone:
                notes.append(tr("No longer there, so not attached: {0}.").format(", ".join(gone)))
                warn = True
        elif text.get("base") != self._edit_base():
            warn = True
            notes = [tr("This post changed since you began this edit: your version is shown. "
                        "Discard changes to start again from the post as it is now.")]  # fmt: skip
        if "title" in text:
            self.title_edit.setText(text["title"])
            self._kind_changed()
        if "body" in text:
            self.body_edit.setPlainText(text["body"])
            self.body_edit.moveCursor(QTextCursor.MoveOperation.End)  # go on writing where it stopped
        self._show_message(" ".join(notes), error=warn)

    def _draft_changed(self) -> None:
        self.drafts.changed()
        self._update_discard()

    def _update_discard(self) -> None:
        self.discard_button.setVisible(self.draft_fields() is not None)

    def discard_draft(self) -> None:
        """Throw away what is typed: a new post's fields empty, an edit back to the post as it is."""
        self.drafts.discard()
        if self.editing is not None:
            self.title_edit.setText(self.editing.title or "")
            self.body_edit.setPlainText(self.editing.body)
        else:
            self.clear()
        self.message.clear()
        self._update_discard()

    def close_composer(self) -> None:
        """Close; what is typed stays as a draft."""
        self.drafts.flush()
        self.cancelled.emit()

    def clear(self) -> None:
        self.title_edit.clear()
        self.body_edit.clear()
        self._attachments.clear()
        self.attachment_list.clear()
        self.attachment_list.setVisible(False)
        self.remove_attachment_button.setVisible(False)
        self.message.clear()
        self.deflection.setVisible(False)
        self.tabs.setCurrentIndex(0)
        self._update_discard()


class ComposerDialog(QDialog):
    """The composer in its own window (non-blocking: shown with open())."""

    def __init__(self, composer: Composer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.composer = composer
        editing = composer.editing is not None
        self.setWindowTitle(tr("Edit post") if editing else tr("New post"))
        self.setAccessibleName(self.windowTitle())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(composer)
        composer.sent.connect(self.accept)
        composer.cancelled.connect(self.reject)
        composer.send_button.setDefault(True)  # only a dialog has a default button: drawn as the primary one
        self.resize(720, 560)
        self.finished.connect(composer.drafts.flush)  # Esc, the window's close button: the draft stays
        self.finished.connect(self.deleteLater)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Plain Enter never presses a button here (the title field moves on to the body; the body
        takes new lines); Ctrl+Enter sends, Escape closes (keeping the draft)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            event.accept()
            return
        super().keyPressEvent(event)


def open_composer(
    context: UiContext,
    parent: QWidget | None,
    *,
    community_id: str | None = None,
    kind: str = "post",
    edit: Post | None = None,
) -> ComposerDialog:
    composer = Composer(context, community_id=community_id, kind=kind, edit=edit)
    dialog = ComposerDialog(composer, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    (
        composer.title_edit if composer.title_edit.isVisible() and edit is None else composer.body_edit
    ).setFocus()
    return dialog
