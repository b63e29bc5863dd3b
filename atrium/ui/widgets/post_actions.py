"""What can be done to a post from a menu: like, edit, delete, and for a community's owners and
moderators pin/unpin, comments on/off and remove. Shared by the feed's context menu and the thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from atrium.cache import Post, community

from ..context import UiContext
from .post_format import refused_creation, tr

MODERATING_ROLES = ("owner", "moderator")


def my_role(context: UiContext, community_id: str) -> str | None:
    found = community(context.reader, community_id, me=context.me)
    return found.my_role if found else None


def can_moderate(context: UiContext, post: Post) -> bool:
    return my_role(context, post.community_id) in MODERATING_ROLES


def set_pinned(context: UiContext, post: Post, pinned: bool) -> None:
    context.spawn(context.actions.edit_post(post.id, pinned=pinned))


def set_comments_enabled(context: UiContext, post: Post, enabled: bool) -> None:
    context.spawn(context.actions.edit_post(post.id, comments_enabled=enabled))


def toggle_like(context: UiContext, post: Post) -> None:
    context.spawn(context.actions.set_like("post", post.id))  # flips what the cache holds by then


def confirm_delete(context: UiContext, post: Post, parent: QWidget | None) -> QMessageBox:
    """Ask first (a window-modal box opened with open(), never exec()); delete on Yes."""
    mine = post.author_id == context.me
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("Delete post") if mine else tr("Remove post"))
    box.setText(
        tr("Delete this post and its comments?")
        if mine
        else tr("Remove this post from the community for everyone?")
    )
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAccessibleName(box.windowTitle())

    def finished(result: int) -> None:
        if result == QMessageBox.StandardButton.Yes:
            context.spawn(context.actions.delete_post(post.id))
        box.deleteLater()

    box.finished.connect(finished)
    box.open()
    return box


def build_post_menu(
    context: UiContext,
    post: Post,
    parent: QWidget,
    *,
    open_post: Callable[[str], None] | None = None,
    edit_post: Callable[[Post], None] | None = None,
) -> QMenu:
    """The post's actions. A post the server refused to create exists only here: it can be
    edited (which corrects and sends it again) or deleted (which discards it), nothing else."""
    menu = QMenu(parent)
    menu.setAccessibleName(tr("Post actions"))
    refused = refused_creation(context.reader, "post", post.id)
    if open_post is not None:
        menu.addAction(tr("Open"), lambda: open_post(post.id))
    if not refused:
        menu.addAction(tr("Unlike") if post.liked_by_me else tr("Like"), lambda: toggle_like(context, post))
    mine = post.author_id == context.me
    if mine and edit_post is not None:
        menu.addAction(tr("Edit…"), lambda: edit_post(post))
    if can_moderate(context, post) and not refused:
        menu.addSeparator()
        menu.addAction(tr("Unpin") if post.pinned else tr("Pin to the top"),
                       lambda: set_pinned(context, post, not post.pinned))  # fmt: skip
        menu.addAction(
            tr("Turn comments off") if post.comments_enabled else tr("Turn comments on"),
            lambda: set_comments_enabled(context, post, not post.comments_enabled),
        )
        if not mine:
            menu.addAction(tr("Remove post…"), lambda: confirm_delete(context, post, parent))
    if mine:
        menu.addSeparator()
        menu.addAction(tr("Delete post…"), lambda: confirm_delete(context, post, parent))
    return menu
