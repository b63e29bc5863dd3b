"""Paints a post as a card (no widget per post): avatar, author, community, time, badges, title,
the Markdown body through a cached QTextDocument, attachments, likes, comments and send state.

One layout function serves painting, size hints and hit tests, so what is clicked is what is
drawn. Rendered bodies are cached per (post id, edited_at, width); heights too.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QTextDocument,
)
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from atrium.app.markdown import preview_source, render_markdown
from atrium.cache import Post

from .card_painting import draw_avatar, draw_badge, draw_bubble, draw_heart, draw_paperclip, draw_pin
from .feed_model import FeedRole
from .post_format import author_label, human_size, kind_colour, kind_label, relative_time, tr

AnyIndex = QModelIndex | QPersistentModelIndex
MARGIN_X = 10
MARGIN_Y = 5
PADDING = 14
AVATAR = 38
GAP = 8
MAX_BODY_HEIGHT = 220
MAX_TITLE_LINES = 3
PREVIEW_CHARS = 1500
DOCUMENT_CACHE = 300
HEIGHT_CACHE = 50_000
UNSHOWN_HEIGHT = 160  # a card's stand-in height while its view is not shown yet


@dataclass(frozen=True)
class CardLayout:
    card: QRectF
    avatar: QRectF
    header: QRectF  # author and community line
    subheader: QRectF  # time and badges
    title: QRectF
    body: QRectF
    body_clipped: bool
    attachments: QRectF
    footer: QRectF
    like: QRectF
    comments: QRectF


def body_css(palette: QPalette) -> str:
    link = palette.color(QPalette.ColorRole.Link).name()
    muted = palette.color(QPalette.ColorRole.PlaceholderText).name()
    code_bg = palette.color(QPalette.ColorRole.AlternateBase).name()
    return (
        f"a {{ color: {link}; text-decoration: none; }}"
        "a.mention, a.topic { font-weight: 600; }"
        f"a.remote-image {{ color: {muted}; font-style: italic; }}"
        f"code {{ background-color: {code_bg}; font-family: monospace; }}"
        f"pre {{ background-color: {code_bg}; font-family: monospace; white-space: pre-wrap; }}"
        f"blockquote {{ color: {muted}; margin-left: 12px; }}"
        "h1 { font-size: large; } h2 { font-size: medium; } h3, h4, h5, h6 { font-size: medium; }"
        "p { margin-top: 0px; margin-bottom: 6px; }"
        "table { border-collapse: collapse; } th, td { padding: 2px 6px; }"
    )


class FeedDelegate(QStyledItemDelegate):
    """The card painter. Emits what a click on its parts means; the view decides what to do."""

    likeClicked = Signal(str, bool)  # post id, liked now (before the click)
    commentsClicked = Signal(str)
    linkClicked = Signal(str)

    def __init__(self, view: QAbstractItemView | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent or view)
        self._view = view
        self.laid_out_unshown = False  # stand-in heights were given: lay the cards out again when shown
        self._documents: OrderedDict[tuple[str, str | None, int], QTextDocument] = OrderedDict()
        self._heights: dict[tuple[object, ...], int] = {}
        self._css = ""
        self.consumed_click = False  # set when a release was a like/comment/link click (not "open")

    # -- fonts and sizes -----------------------------------------------------------------------------

    @staticmethod
    def _fonts(base: QFont) -> tuple[QFont, QFont, QFont]:
        name = QFont(base)
        name.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.88))
        title = QFont(base)
        title.setBold(True)
        title.setPointSizeF(base.pointSizeF() * 1.12)
        return name, small, title

    def _width(self, option: QStyleOptionViewItem) -> int:
        if self._view is not None:
            width = self._view.viewport().width()
            if width > 0:
                return width
        return option.rect.width() if option.rect.width() > 0 else 600

    def _document(self, post: Post, width: int, option: QStyleOptionViewItem) -> QTextDocument:
        key = (post.id, post.edited_at, width)
        document = self._documents.get(key)
        if document is not None:
            self._documents.move_to_end(key)
            return document
        css = body_css(option.palette)
        if css != self._css:  # palette changed (e.g. dark mode): every cached body is stale
            self._css = css
            self._documents.clear()
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setIndentWidth(18)
        document.setDefaultFont(option.font)
        document.setDefaultStyleSheet(css)
        if post.body_evicted:
            document.setHtml(f"<i>{tr('Open the post to read it.')}</i>")
        else:
            source, _ = preview_source(post.body, PREVIEW_CHARS)
            document.setHtml(
                render_markdown(source, remote_image_label=tr("Image from {host} — click to load"))
            )
        document.setTextWidth(max(50, width))
        self._documents[key] = document
        if len(self._documents) > DOCUMENT_CACHE:
            self._documents.popitem(last=False)
        return document

    def layout(self, option: QStyleOptionViewItem, post: Post, top: float | None = None) -> CardLayout:
        width = self._width(option)
        base = option.font
        name_font, small_font, title_font = self._fonts(base)
        line = QFontMetrics(base).height()
        small_line = QFontMetrics(small_font).height()
        y0 = float(option.rect.top() if top is None else top)
        x0 = float(option.rect.left() if top is None else 0)
        card = QRectF(x0 + MARGIN_X, y0 + MARGIN_Y, width - 2 * MARGIN_X, 0)
        left = card.left() + PADDING
        avatar = QRectF(left, card.top() + PADDING, AVATAR, AVATAR)
        text_left = avatar.right() + 12
        text_width = card.right() - PADDING - text_left
        header = QRectF(text_left, avatar.top(), text_width, QFontMetrics(name_font).height())
        subheader = QRectF(text_left, header.bottom() + 2, text_width, small_line + 2)
        y = max(avatar.bottom(), subheader.bottom()) + GAP
        title = QRectF(text_left, y, text_width, 0)
        if post.title:
            metrics = QFontMetrics(title_font)
            bound = metrics.boundingRect(
                QRect(0, 0, int(text_width), 10_000), Qt.TextFlag.TextWordWrap, post.title
            ).height()
            title.setHeight(min(bound, metrics.lineSpacing() * MAX_TITLE_LINES))
            y = title.bottom() + 4
        document = self._document(post, int(text_width), option)
        natural = document.size().height()
        body = QRectF(text_left, y, text_width, min(natural, MAX_BODY_HEIGHT))
        clipped = natural > MAX_BODY_HEIGHT or preview_source(post.body, PREVIEW_CHARS)[1]
        y = body.bottom() + (GAP if body.height() else 0)
        attachments = QRectF(text_left, y, text_width, 0)
        if post.attachments:
            attachments.setHeight(small_line + 4)
            y = attachments.bottom() + 2
        footer = QRectF(text_left, y, text_width, line + 8)
        icon = line * 0.95
        like = QRectF(
            footer.left(),
            footer.top(),
            icon + 8 + QFontMetrics(base).horizontalAdvance("0000"),
            footer.height(),
        )
        comments = QRectF(like.right() + 16, footer.top(), icon + 8 + QFontMetrics(base).horizontalAdvance("0000"),
                          footer.height())  # fmt: skip
        card.setBottom(footer.bottom() + PADDING - 4)
        return CardLayout(
            card, avatar, header, subheader, title, body, clipped, attachments, footer, like, comments
        )

    # -- QStyledItemDelegate -------------------------------------------------------------------------

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        post = index.data(FeedRole.Post)
        if not isinstance(post, Post):
            return QSize(self._width(option), 40)
        if self._view is not None and not self._view.isVisible():
            # Laid out while not shown (before the window is, at a placeholder width of ~90 px, or
            # rows changed while another pane is up): don't render cards for it; the view lays
            # them out again at its real width when it is shown (FeedView.showEvent).
            self.laid_out_unshown = True
            return QSize(self._width(option), UNSHOWN_HEIGHT)
        return self.prepare(option, post)

    def prepare(self, option: QStyleOptionViewItem, post: Post) -> QSize:
        """The card's size (rendering and measuring it once; later calls are a look-up)."""
        width = self._width(option)
        key = (post.id, post.edited_at, post.title, bool(post.attachments), post.body_evicted, width,
               option.font.key())  # fmt: skip
        height = self._heights.get(key)
        if height is None:
            layout = self.layout(option, post, top=0)
            height = int(layout.card.bottom() + MARGIN_Y + 0.999)
            if len(self._heights) > HEIGHT_CACHE:
                self._heights.clear()
            self._heights[key] = height
        return QSize(width, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        post = index.data(FeedRole.Post)
        if not isinstance(post, Post):
            return
        failed = bool(index.data(FeedRole.Failed))
        layout = self.layout(option, post)
        palette = option.palette
        name_font, small_font, title_font = self._fonts(option.font)
        text = palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        border = (
            palette.color(QPalette.ColorRole.Highlight) if selected else palette.color(QPalette.ColorRole.Mid)
        )
        if not selected and not hovered:
            border.setAlpha(110)
        background = palette.color(QPalette.ColorRole.Base)
        if post.pending or failed:
            background = background.darker(103)
        card = layout.card.adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # a large AA fill is slow
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(card, 8, 8)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(border, 2.0 if selected else 1.0)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(card, 8, 8)
        if post.pinned:
            stripe = QRectF(layout.card.left() + 1, layout.card.top() + 8, 3, layout.card.height() - 16)
            painter.fillRect(stripe, QColor("#d04a3a"))
        draw_avatar(painter, layout.avatar, post.author_name or kind_label(post.kind), post.author_id or post.app_id,
                    option.font)  # fmt: skip
        self._paint_header(painter, layout, post, name_font, small_font, text, muted)
        if post.title:
            painter.setFont(title_font)
            painter.setPen(text)
            painter.drawText(layout.title, int(Qt.TextFlag.TextWordWrap), post.title)
        self._paint_body(painter, layout, post, option)
        if post.attachments:
            self._paint_attachments(painter, layout, post, small_font, muted)
        self._paint_footer(painter, layout, post, failed, str(index.data(FeedRole.Status) or ""), option.font,
                           text, muted, palette.color(QPalette.ColorRole.Link))  # fmt: skip
        painter.restore()

    def _paint_header(self, painter: QPainter, layout: CardLayout, post: Post, name_font: QFont,
                      small_font: QFont, text: QColor, muted: QColor) -> None:  # fmt: skip
        author = author_label(post)
        painter.setFont(name_font)
        painter.setPen(text)
        name_metrics = QFontMetrics(name_font)
        author_text = name_metrics.elidedText(
            author, Qt.TextElideMode.ElideRight, int(layout.header.width() * 0.6)
        )
        painter.drawText(
            layout.header, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), author_text
        )
        x = layout.header.left() + name_metrics.horizontalAdvance(author_text)
        if post.community_name:
            painter.setFont(small_font)
            painter.setPen(muted)
            rest = QRectF(x, layout.header.top(), layout.header.right() - x, layout.header.height())
            label = QFontMetrics(small_font).elidedText(
                "  " + tr("in {0}").format(post.community_name),
                Qt.TextElideMode.ElideRight,
                int(rest.width()),
            )
            painter.drawText(rest, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), label)
        painter.setFont(small_font)
        painter.setPen(muted)
        when = relative_time(post.created_at)
        if post.edited_at:
            when = tr("{0} · edited").format(when)
        metrics = QFontMetrics(small_font)
        sub = layout.subheader
        painter.drawText(sub, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), when)
        x = sub.left() + metrics.horizontalAdvance(when) + 8
        label = kind_label(post.kind, post.solved)
        if label:
            x += draw_badge(painter, x, sub.top(), label, kind_colour(post.kind, post.solved), small_font) + 6
        if post.pinned:
            pin = QRectF(x, sub.top() + 2, metrics.height() * 0.6, metrics.height() - 2)
            draw_pin(painter, pin, QColor("#d04a3a"))
            painter.setPen(QColor("#d04a3a"))
            painter.setFont(small_font)
            painter.drawText(QRectF(pin.right() + 3, sub.top(), 200, sub.height()),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), tr("Pinned"))  # fmt: skip

    def _paint_body(
        self, painter: QPainter, layout: CardLayout, post: Post, option: QStyleOptionViewItem
    ) -> None:
        if layout.body.height() <= 0:
            return
        document = self._document(post, int(layout.body.width()), option)
        painter.save()
        painter.translate(layout.body.topLeft())
        clip = QRectF(0, 0, layout.body.width(), layout.body.height())
        painter.setClipRect(clip)
        document.drawContents(painter, clip)
        painter.restore()
        if layout.body_clipped:
            fade = QRectF(layout.body.left(), layout.body.bottom() - 28, layout.body.width(), 28)
            gradient = QLinearGradient(fade.topLeft(), fade.bottomLeft())
            base = option.palette.color(QPalette.ColorRole.Base)
            transparent = QColor(base)
            transparent.setAlpha(0)
            gradient.setColorAt(0, transparent)
            gradient.setColorAt(1, base)
            painter.fillRect(fade, gradient)

    def _paint_attachments(self, painter: QPainter, layout: CardLayout, post: Post, font: QFont,
                           muted: QColor) -> None:  # fmt: skip
        rect = layout.attachments
        clip = QRectF(rect.left(), rect.top() + 2, rect.height() * 0.55, rect.height() - 4)
        draw_paperclip(painter, clip, muted)
        names = ", ".join(
            f"{item.get('name', tr('file'))} ({human_size(int(item.get('size') or 0))})"
            for item in post.attachments
        )
        painter.setFont(font)
        painter.setPen(muted)
        text_rect = QRectF(clip.right() + 6, rect.top(), rect.right() - clip.right() - 6, rect.height())
        elided = QFontMetrics(font).elidedText(names, Qt.TextElideMode.ElideRight, int(text_rect.width()))
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), elided)

    def _paint_footer(self, painter: QPainter, layout: CardLayout, post: Post, failed: bool, sending: str,
                      font: QFont, text: QColor, muted: QColor, link: QColor) -> None:  # fmt: skip
        metrics = QFontMetrics(font)
        icon = metrics.height() * 0.8
        like_colour = QColor("#d6336c") if post.liked_by_me else muted
        heart = QRectF(layout.like.left(), layout.like.center().y() - icon / 2, icon, icon)
        draw_heart(painter, heart, like_colour, post.liked_by_me)
        painter.setFont(font)
        painter.setPen(like_colour if post.liked_by_me else text)
        align = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        painter.drawText(QRectF(heart.right() + 6, layout.like.top(), 60, layout.like.height()), align,
                         str(post.like_count))  # fmt: skip
        bubble = QRectF(layout.comments.left(), layout.comments.center().y() - icon / 2, icon, icon)
        draw_bubble(painter, bubble, muted)
        painter.setPen(text)
        painter.drawText(QRectF(bubble.right() + 6, layout.comments.top(), 60, layout.comments.height()), align,
                         str(post.comment_count))  # fmt: skip
        status, colour = sending, (QColor("#c0392b") if failed else muted)  # the model says what
        if not status and layout.body_clipped:
            status, colour = tr("Show more"), link
        if status:
            status_font = QFont(font)
            status_font.setItalic(bool(sending) and not failed)
            status_font.setBold(failed)
            painter.setFont(status_font)
            painter.setPen(colour)
            room = layout.footer.adjusted(layout.comments.right() + 24 - layout.footer.left(), 0, 0, 0)
            status = QFontMetrics(status_font).elidedText(
                status, Qt.TextElideMode.ElideRight, int(room.width())
            )
            painter.drawText(room, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), status)

    # -- clicks --------------------------------------------------------------------------------------

    def hit_test(self, option: QStyleOptionViewItem, index: AnyIndex, position: QPointF) -> str | None:
        """'like', 'comments', 'link:<href>' or None for a point in the item's viewport coordinates."""
        post = index.data(FeedRole.Post)
        if not isinstance(post, Post):
            return None
        layout = self.layout(option, post)
        if layout.like.contains(position):
            return "like"
        if layout.comments.contains(position):
            return "comments"
        if layout.body.contains(position):
            document = self._document(post, int(layout.body.width()), option)
            anchor = document.documentLayout().anchorAt(position - layout.body.topLeft())
            if anchor:
                return f"link:{anchor}"
        return None

    def editorEvent(self, event: QEvent, model: QAbstractItemModel, option: QStyleOptionViewItem,
                    index: AnyIndex) -> bool:  # fmt: skip
        if event.type() != QEvent.Type.MouseButtonRelease or not isinstance(event, QMouseEvent):
            return False
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        hit = self.hit_test(option, index, event.position())
        if hit is None:
            return False
        post_id = str(index.data(FeedRole.Id))
        self.consumed_click = True
        if hit == "like":
            self.likeClicked.emit(post_id, bool(index.data(FeedRole.Liked)))
        elif hit == "comments":
            self.commentsClicked.emit(post_id)
        else:
            self.linkClicked.emit(hit.removeprefix("link:"))
        return True

    def clear_caches(self) -> None:
        self._documents.clear()
        self._heights.clear()
