"""The outbox dialog: the changes that have not reached the server yet, with Retry and Discard,
and the drafts kept on this computer, with Open and Discard.

Reads ``atrium.cache.entries`` and ``drafts`` through the read-only reader; retry and discard go
through the cache writer (``Actions.retry_unsent``, ``discard_unsent``, ``DraftStore.write``),
never from the GUI thread. A draft whose post is gone (deleted, or left with its community) can
only be read here (its text is the tooltip) and discarded.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from atrium.cache import Draft, OutboxEntry, drafts, entries

from .context import UiContext
from .dialogs import confirm
from .drafts import COMMENT_PREFIX, NEW_POST_KEY, QUESTION_KEY, draft_post
from .i18n import QT_TRANSLATE_NOOP
from .icons import icon
from .status_area import relative_time
from .widgets.post_format import posts_by_id

KINDS = {
    "create_post": QT_TRANSLATE_NOOP("OutboxDialog", "New post"),
    "edit_post": QT_TRANSLATE_NOOP("OutboxDialog", "Post edit"),
    "delete_post": QT_TRANSLATE_NOOP("OutboxDialog", "Post deletion"),
    "create_comment": QT_TRANSLATE_NOOP("OutboxDialog", "Comment"),
    "accept_answer": QT_TRANSLATE_NOOP("OutboxDialog", "Accepted answer"),
    "like": QT_TRANSLATE_NOOP("OutboxDialog", "Like"),
    "unlike": QT_TRANSLATE_NOOP("OutboxDialog", "Unlike"),
    "follow": QT_TRANSLATE_NOOP("OutboxDialog", "Follow"),
    "unfollow": QT_TRANSLATE_NOOP("OutboxDialog", "Unfollow"),
    "join": QT_TRANSLATE_NOOP("OutboxDialog", "Join community"),
    "leave": QT_TRANSLATE_NOOP("OutboxDialog", "Leave community"),
    "wiki_create": QT_TRANSLATE_NOOP("OutboxDialog", "New wiki page"),
    "wiki_revision": QT_TRANSLATE_NOOP("OutboxDialog", "Wiki edit"),
    "mark_read": QT_TRANSLATE_NOOP("OutboxDialog", "Notifications read"),
}
STATES = {
    "pending": QT_TRANSLATE_NOOP("OutboxDialog", "Waiting"),
    "sending": QT_TRANSLATE_NOOP("OutboxDialog", "Sending"),
    "failed": QT_TRANSLATE_NOOP("OutboxDialog", "Failed"),
}


Row = TypeVar("Row")


def _tr(text: str) -> str:
    return QCoreApplication.translate("OutboxDialog", text)


def kind_label(kind: str) -> str:
    """ "New post", "Like"… for an outbox entry's kind (one this version does not name: its words)."""
    return _tr(KINDS.get(kind, kind.replace("_", " ").capitalize()))


_INVISIBLE = dict.fromkeys(code for code in range(32) if chr(code) not in "\t\n")  # e.g. a pasted NUL


def text_of(entry: OutboxEntry) -> str:
    """What the person typed in the change (title, then body), whole, without control characters
    (a NUL pasted in, which the server refuses); '' for a like, a join…"""
    body = entry.body if isinstance(entry.body, dict) else {}
    return "\n".join(
        value.translate(_INVISIBLE).strip()
        for name in ("title", "body")
        if isinstance(value := body.get(name), str) and value.strip()
    )


def summary_of(entry: OutboxEntry) -> str:
    """The change's first 80 characters of text, on one line."""
    text = " ".join(text_of(entry).split())
    return text[:80] + ("…" if len(text) > 80 else "")


class RowsModel(QAbstractTableModel, Generic[Row]):
    """A read-only table of ROWS under translated HEADERS; subclasses say what each cell shows."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _tr(self.HEADERS[section])
        return None


class OutboxModel(RowsModel[OutboxEntry]):
    HEADERS = (QT_TRANSLATE_NOOP("OutboxDialog", "Change"), QT_TRANSLATE_NOOP("OutboxDialog", "Made"),
               QT_TRANSLATE_NOOP("OutboxDialog", "State"), QT_TRANSLATE_NOOP("OutboxDialog", "Details"))  # fmt: skip

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        entry = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:  # what it is, and which one: "New post: “Printer on floor 3…”"
                kind = kind_label(entry.kind)
                summary = summary_of(entry)
                return f"{kind}: “{summary}”" if summary else kind
            if column == 1:
                return relative_time(entry.created_at)
            if column == 2:
                return _tr(STATES.get(entry.state, entry.state))
            # why the server refused it; a waiting change's last network error is the status area's
            return entry.last_error if entry.state == "failed" else ""
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole text: the change may be all that is left of it
            return "\n\n".join(part for part in (text_of(entry), entry.last_error) if part) or None
        if role == Qt.ItemDataRole.DecorationRole and column == 2:
            return icon("warning", "danger") if entry.state == "failed" else icon("outbox", "warning")
        return None


class DraftsModel(RowsModel[tuple[Draft, "str | None"]]):
    """The drafts: what each is (and where), when it was last typed, its first words. A row is
    (the draft, its post's title; None when the post is gone)."""

    HEADERS = (QT_TRANSLATE_NOOP("OutboxDialog", "Draft"), QT_TRANSLATE_NOOP("OutboxDialog", "Saved"),
               QT_TRANSLATE_NOOP("OutboxDialog", "Text"))  # fmt: skip

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        draft, title = self.rows[index.row()]
        text = "\n".join(
            value.strip()
            for name in ("title", "body")
            if isinstance(value := draft.fields.get(name), str) and value.strip()
        )
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return describe_draft(draft.key, title)
            if index.column() == 1:
                return relative_time(draft.updated_at)
            words = " ".join(text.split())
            return words[:80] + ("…" if len(words) > 80 else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return text or None
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return icon("warning", "danger") if title is None and draft_post(draft.key) else icon("compose")
        return None


def describe_draft(key: str, title: str | None) -> str:
    """ "New post", "Question", "Comment in “…”", "Edit of “…”" (or that its post is gone)."""
    if key == NEW_POST_KEY:
        return _tr("New post")
    if key == QUESTION_KEY:
        return _tr("Question")
    comment = key.startswith(COMMENT_PREFIX)
    if title is None:
        return _tr("Comment on a post that is gone") if comment else _tr("Edit of a post that is gone")
    shown = title[:60] + ("…" if len(title) > 60 else "")
    return (_tr("Comment in “%1”") if comment else _tr("Edit of “%1”")).replace("%1", shown)


class OutboxDialog(QDialog):
    draft_opened = Signal(str)  # a draft's key: go back to where it was typed

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Unsent changes"))
        self.setAccessibleName(self.tr("Unsent changes"))
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        heading = QLabel(self.tr("Unsent changes"), self)
        heading.setProperty("role", "heading")
        layout.addWidget(heading)
        intro = QLabel(self.tr("These changes are saved on this computer and go out, in order, when Atrium "
                               "reaches the server. Retry one now, or discard what you no longer want."), self)  # fmt: skip
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = OutboxModel()
        self.table = self._table(self.model, self.tr("Unsent changes list"), self)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(self.tr("Everything has been sent."), self)
        self.empty_label.setProperty("role", "muted")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty_label)
        layout.addLayout(self._buttons())
        layout.addWidget(self._drafts_part(), 1)
        layout.addLayout(self._close_row())
        context.cache_changed.connect(self.refresh)
        context.status_changed.connect(self.refresh)
        self.refresh()

    def _table(self, model: QAbstractTableModel, name: str, parent: QWidget) -> QTableView:
        """A list of rows to pick one from (the unsent changes, the drafts)."""
        table = QTableView(parent)
        table.setModel(model)
        table.setAccessibleName(name)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.selectionModel().selectionChanged.connect(self._update_buttons)
        return table

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.discard_button = QPushButton(icon("discard", "danger"), self.tr("Discard…"), self)
        self.discard_button.setAccessibleName(self.tr("Discard the selected change"))
        self.discard_button.clicked.connect(self._discard)
        row.addWidget(self.discard_button)
        self.retry_button = QPushButton(icon("retry"), self.tr("Retry now"), self)
        self.retry_button.setAccessibleName(self.tr("Retry the selected change now"))
        self.retry_button.clicked.connect(self._retry)
        row.addWidget(self.retry_button)
        # A refused post whose thread is gone (deleted, or its community left) shows nowhere else:
        # its text can be taken elsewhere before it is discarded.
        self.copy_button = QPushButton(self.tr("Copy text"), self)
        self.copy_button.setAccessibleName(self.tr("Copy the text of the selected change"))
        self.copy_button.clicked.connect(self._copy_text)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        return row

    def _close_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        close = QPushButton(self.tr("Close"), self)
        close.setAccessibleName(self.tr("Close"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        row.addWidget(close)
        return row

    def _drafts_part(self) -> QWidget:
        self.drafts_box = QWidget(self)
        column = QVBoxLayout(self.drafts_box)
        column.setContentsMargins(0, 10, 0, 0)
        heading = QLabel(self.tr("Drafts"), self.drafts_box)
        heading.setProperty("role", "subheading")
        column.addWidget(heading)
        intro = QLabel(self.tr("Typed here and not sent yet. Open one to go on writing it."), self.drafts_box)
        intro.setProperty("role", "muted")
        column.addWidget(intro)
        self.drafts_model = DraftsModel()
        self.drafts_table = self._table(self.drafts_model, self.tr("Drafts list"), self.drafts_box)
        self.drafts_table.doubleClicked.connect(self._open_draft)
        column.addWidget(self.drafts_table, 1)
        row = QHBoxLayout()
        self.discard_draft_button = QPushButton(
            icon("discard", "danger"), self.tr("Discard…"), self.drafts_box
        )
        self.discard_draft_button.setAccessibleName(self.tr("Discard the selected draft"))
        self.discard_draft_button.clicked.connect(self._discard_draft)
        self.open_draft_button = QPushButton(self.tr("Open"), self.drafts_box)
        self.open_draft_button.setAccessibleName(self.tr("Open the selected draft"))
        self.open_draft_button.clicked.connect(self._open_draft)
        row.addWidget(self.discard_draft_button)
        row.addWidget(self.open_draft_button)
        row.addStretch(1)
        column.addLayout(row)
        return self.drafts_box

    def selected_draft(self) -> tuple[Draft, str | None] | None:
        model = self.drafts_table.selectionModel()
        rows = model.selectedRows() if model else []
        return (
            self.drafts_model.rows[rows[0].row()]
            if rows and rows[0].row() < len(self.drafts_model.rows)
            else None
        )

    def _refresh_drafts(self) -> None:
        chosen = self.selected_draft()
        kept = drafts(self.context.reader)
        post_ids = [post_id for draft in kept if (post_id := draft_post(draft.key)) is not None]
        posts = posts_by_id(self.context.reader, post_ids, self.context.me)
        rows: list[tuple[Draft, str | None]] = []
        for draft in kept:
            post_id = draft_post(draft.key)
            post = posts.get(post_id) if post_id is not None else None
            title = "" if post_id is None else (post.title or post.body.split("\n", 1)[0] if post else None)
            rows.append((draft, title))
        self.drafts_model.set_rows(rows)
        for number, (draft, _title) in enumerate(rows):
            if chosen is not None and draft.key == chosen[0].key:
                self.drafts_table.selectRow(number)
        self.drafts_box.setVisible(bool(rows))
        self.drafts_table.resizeColumnsToContents()
        self.drafts_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def _open_draft(self, *_args: object) -> None:
        chosen = self.selected_draft()
        if chosen is None:
            return
        draft, title = chosen
        if title is None and draft_post(draft.key) is not None:
            return  # nowhere to go: read it in the tooltip, copy it, or discard it
        self.accept()
        self.draft_opened.emit(draft.key)

    def _discard_draft(self) -> None:
        chosen = self.selected_draft()
        if chosen is not None:
            self.context.spawn(self._confirm_discard_draft(chosen[0]))

    async def _confirm_discard_draft(self, draft: Draft) -> None:
        text = self.tr("Discard this draft? What you typed will be gone; it cannot be undone.")
        if await confirm(self, self.tr("Discard draft"), text, self.tr("Discard")):
            self.context.drafts.write(draft.key, None)

    def refresh(self, *_args: object) -> None:
        self._refresh_drafts()
        selected = self.selected()
        self.model.set_rows(entries(self.context.reader))
        for row, entry in enumerate(self.model.rows):
            if selected is not None and entry.op_id == selected.op_id:
                self.table.selectRow(row)
        self.table.setVisible(bool(self.model.rows))
        self.empty_label.setVisible(not self.model.rows)
        self.retry_button.setVisible(bool(self.model.rows))
        self.discard_button.setVisible(bool(self.model.rows))
        self.copy_button.setVisible(bool(self.model.rows))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self._update_buttons()

    def selected(self) -> OutboxEntry | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.rows[rows[0].row()] if rows and rows[0].row() < len(self.model.rows) else None

    def _update_buttons(self, *_args: object) -> None:
        draft = self.selected_draft()
        self.discard_draft_button.setEnabled(draft is not None)
        self.open_draft_button.setEnabled(
            draft is not None and (draft[1] is not None or not draft_post(draft[0].key))
        )
        chosen = self.selected()
        self.retry_button.setEnabled(chosen is not None and chosen.state != "sending")
        self.discard_button.setEnabled(chosen is not None and chosen.state != "sending")
        self.copy_button.setEnabled(chosen is not None and bool(text_of(chosen)))

    def _copy_text(self) -> None:
        chosen = self.selected()
        if chosen is not None and text_of(chosen):
            QGuiApplication.clipboard().setText(text_of(chosen))

    def _retry(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.context.spawn(self.context.actions.retry_unsent(chosen.op_id))

    def _discard(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.context.spawn(self._confirm_discard(chosen))

    async def _confirm_discard(self, chosen: OutboxEntry) -> None:
        title = kind_label(chosen.kind)
        text = self.tr("Discard this change (%1)? It will not be sent, and it cannot be undone.").replace(
            "%1", title
        )
        if await confirm(self, self.tr("Discard change"), text, self.tr("Discard")):
            await self.context.actions.discard_unsent(chosen.op_id)
