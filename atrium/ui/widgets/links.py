"""What a click on a link in a post means: a person, a topic, a post, or a web page in the browser."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from atrium.app.markdown import mention_handle, remote_image_source, topic_name

from ..context import UiContext
from .post_format import tr, user_id_for_handle

POST_LINK_PREFIX = "atrium://post/"
COMMUNITY_LINK_PREFIX = "atrium://community/"
_EXTERNAL_SCHEMES = ("http", "https", "mailto")


def post_link(post_id: str) -> str:
    return POST_LINK_PREFIX + post_id


def open_link(context: UiContext, href: str) -> bool:
    """Act on HREF (navigate, or hand a web link to the system browser); False if it is not ours to
    handle here (e.g. a remote image placeholder, which the thread view loads on consent)."""
    handle = mention_handle(href)
    if handle is not None:
        user_id = user_id_for_handle(context.reader, handle)
        if user_id is None:
            context.error.emit(tr("@{0} is not in your offline copy yet.").format(handle))
        else:
            context.navigate.emit("person", user_id)
        return True
    topic = topic_name(href)
    if topic is not None:
        context.navigate.emit("topic", topic)
        return True
    if href.startswith(POST_LINK_PREFIX):
        context.navigate.emit("post", href[len(POST_LINK_PREFIX) :])
        return True
    if href.startswith(COMMUNITY_LINK_PREFIX):
        context.navigate.emit("community", href[len(COMMUNITY_LINK_PREFIX) :])
        return True
    if remote_image_source(href) is not None:
        return False
    url = QUrl(href)
    if url.scheme().lower() in _EXTERNAL_SCHEMES:
        QDesktopServices.openUrl(url)
        return True
    return False
