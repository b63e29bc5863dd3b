"""List rows painted from a little HTML (one QTextDocument per row, heights cached), the list view
that goes with them, and the helpers row models use to build that HTML (escaping, muted text,
badges, relative times).

Models give plain text in ``DisplayRole`` (screen readers, tests, the self-test read it) and the
row's HTML in ``HTML_ROLE``. The HTML may use the classes ``muted``, ``accent`` and ``badge``,
which the delegate colours from the palette (and from the selection colours when selected).
"""

from __future__ import annotations

import html
from collections import OrderedDict
from datetime import UTC, datetime

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMargins,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QIcon,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from .post_format import parse_time

HTML_ROLE = int(Qt.ItemDataRole.UserRole) + 100
"""The role holding a row's HTML. ``DisplayRole`` keeps the plain text of the same row."""

AnyIndex = QModelIndex | QPersistentModelIndex


def escape(text: str | None) -> str:
    """Plain text made safe to put inside row HTML."""
    return html.escape(text or "", quote=False)


def muted(inner_html: str) -> str:
    return f'<span class="muted">{inner_html}</span>'


def badge(text: str) -> str:
    """A small label after a title ("Solved", "Online")."""
    return f'<span class="badge">&nbsp;{escape(text)}&nbsp;</span>'


def relative_time(value: str | None, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then a date."""
    moment = parse_time(value)
    if moment is None:
        return ""
    now = now or datetime.now(UTC)
    seconds = (now - moment).total_seconds()

    def tr(text: str, n: int = -1) -> str:
        return QCoreApplication.translate("RelativeTime", text, None, n)

    if seconds < 60:
        return tr("just now")
    if seconds < 3600:
        return tr("%n min ago", int(seconds // 60))
    if seconds < 86400:
        return tr("%n h ago", int(seconds // 3600))
    days = int(seconds // 86400)
    if days == 1:
        return tr("yesterday")
    if days < 7:
        return tr("%n days ago", days)
    local = moment.astimezone()
    if local.year == now.astimezone().year:
        return local.strftime("%d %b").lstrip("0")
    return local.strftime("%d %b %Y").lstrip("0")


def mix(color: QColor, other: QColor, amount: float) -> QColor:
    """COLOR moved AMOUNT (0..1) of the way towards OTHER, opaque (rich text drops alpha)."""
    return QColor(
        round(color.red() + (other.red() - color.red()) * amount),
        round(color.green() + (other.green() - color.green()) * amount),
        round(color.blue() + (other.blue() - color.blue()) * amount),
    )


class RichTextDelegate(QStyledItemDelegate):
    """Paints ``HTML_ROLE`` (or the escaped display text) with QTextDocument; optional icon on the left."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        html_role: int = HTML_ROLE,
        padding: QMargins | None = None,
        cache_size: int = 4000,
    ) -> None:
        super().__init__(parent)
        self.html_role = html_role
        self.padding = padding if padding is not None else QMargins(12, 8, 12, 8)
        self.icon_gap = 10
        self._heights: OrderedDict[tuple[str, int, str], int] = OrderedDict()
        self._cache_size = cache_size

    # -- helpers -----------------------------------------------------------------------------------

    def clear_cache(self) -> None:
        self._heights.clear()

    @staticmethod
    def _style_sheet(palette: QPalette, selected: bool) -> str:
        group = QPalette.ColorGroup.Active
        if selected:
            text = palette.color(group, QPalette.ColorRole.HighlightedText)
            muted_color = accent = text
            badge_back = mix(palette.color(group, QPalette.ColorRole.Highlight), text, 0.25)
        else:
            text = palette.color(group, QPalette.ColorRole.Text)
            base = palette.color(group, QPalette.ColorRole.Base)
            muted_color = mix(text, base, 0.45)
            accent = palette.color(group, QPalette.ColorRole.Accent)
            badge_back = mix(accent, base, 0.82)
        return (
            f".muted {{ color: {muted_color.name()}; }}"
            f".accent {{ color: {accent.name()}; }}"
            f".badge {{ color: {text.name()}; background-color: {badge_back.name()}; font-size: small; }}"
        )

    @staticmethod
    def _html(option: QStyleOptionViewItem, index: AnyIndex, role: int) -> str:
        value = index.data(role)
        if isinstance(value, str) and value:
            return value
        return escape(option.text).replace("\n", "<br>")

    @staticmethod
    def _width_of(option: QStyleOptionViewItem) -> int:
        # A list row is as wide as the viewport. QListView lays out with an option whose rect is a
        # few pixels narrower than the rows it paints, so ask the view, or heights would disagree.
        view = option.widget
        if isinstance(view, QListView) and view.viewMode() == QListView.ViewMode.ListMode:
            return view.viewport().width()
        if option.rect.width() > 0:
            return option.rect.width()
        if isinstance(view, QAbstractItemView):
            return view.viewport().width()
        return 400

    def _text_width(self, option: QStyleOptionViewItem, full_width: int) -> int:
        icon_space = option.decorationSize.width() + self.icon_gap if not option.icon.isNull() else 0
        return max(40, full_width - self.padding.left() - self.padding.right() - icon_space)

    def _document(self, html_text: str, font: QFont, width: int, style_sheet: str = "") -> QTextDocument:
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(font)
        if style_sheet:
            document.setDefaultStyleSheet(style_sheet)
        document.setHtml(html_text)
        document.setTextWidth(width)
        return document

    # -- QStyledItemDelegate -----------------------------------------------------------------------

    def _height(self, option: QStyleOptionViewItem, html_text: str, full_width: int) -> int:
        """The row's height at FULL_WIDTH (cached: laying out rich text is the expensive part)."""
        width = self._text_width(option, full_width)
        has_icon = not option.icon.isNull()
        key = (html_text, width, option.font.key() + ("i" if has_icon else ""))
        height = self._heights.get(key)
        if height is not None:
            self._heights.move_to_end(key)
            return height
        document = self._document(html_text, option.font, width, self._style_sheet(option.palette, False))
        text_height = int(document.size().height() + 0.999)
        icon_height = option.decorationSize.height() if has_icon else 0
        height = max(text_height, icon_height) + self.padding.top() + self.padding.bottom()
        self._heights[key] = height
        if len(self._heights) > self._cache_size:
            self._heights.popitem(last=False)
        return height

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        full_width = self._width_of(opt)
        return QSize(full_width, self._height(opt, self._html(opt, index, self.html_role), full_width))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        html_text = self._html(opt, index, self.html_role)
        view = opt.widget
        sized_per_row = isinstance(view, QListView) and not view.uniformItemSizes()
        if sized_per_row and self._height(opt, html_text, self._width_of(opt)) != opt.rect.height():
            # laid out at another width (the view skips some re-layouts): ask for a fresh layout
            self.sizeHintChanged.emit(index.sibling(index.row(), index.column()))
        icon = QIcon(opt.icon)  # a copy: the attribute is a view into the option
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        opt.text = ""
        opt.icon = QIcon()
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        area = opt.rect.marginsRemoved(self.padding)
        if not icon.isNull():
            size = opt.decorationSize
            icon.paint(painter, QRect(area.left(), area.top(), size.width(), size.height()))
            area.setLeft(area.left() + size.width() + self.icon_gap)
        document = self._document(
            html_text, opt.font, max(40, area.width()), self._style_sheet(opt.palette, selected)
        )
        context = QAbstractTextDocumentLayout.PaintContext()
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(QPalette.ColorGroup.Active, role))
        painter.save()
        painter.translate(area.topLeft())
        painter.setClipRect(QRect(0, 0, area.width(), area.height()))
        document.documentLayout().draw(painter, context)
        painter.restore()


class RowListView(QListView):
    """A list of rich-text rows: variable heights, re-laid out on resize, and one ``opened`` signal
    for a left click or Enter/Return on a row. Shows ``placeholder`` when the model is empty."""

    opened = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row_delegate = RichTextDelegate(self)
        self.setItemDelegate(self.row_delegate)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        # Row lists hold a page or a few (more are fetched on scrolling) and heights are cached:
        # one pass is cheap, and the rows never sit at positions from an unfinished batch.
        self.setLayoutMode(QListView.LayoutMode.SinglePass)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        self._placeholder = ""
        self.clicked.connect(self._clicked)

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.viewport().update()

    def placeholder(self) -> str:
        return self._placeholder

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid():  # QAbstractItemView emits clicked for the left button only
            self.opened.emit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.opened.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.row_delegate.clear_cache()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if self._placeholder and (model is None or model.rowCount() == 0):
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            area = self.viewport().rect().adjusted(24, 24, -24, -24)
            flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop) | int(
                Qt.TextFlag.TextWordWrap
            )
            painter.drawText(area, flags, self._placeholder)
            painter.end()
