"""A thread (post + comments threaded by parent_id) as one HTML document for a QTextBrowser.

Actions are links the view intercepts: ``atrium://action/<verb>/<id>`` (like a comment, reply,
accept an answer, follow a topic, open an attachment). Avatars are image resources named
``avatar:<user id>`` that the view adds to the document.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

from atrium.app.markdown import render_markdown
from atrium.cache import Comment, OfflineFiles, Post, Thread

from .post_format import author_label, full_time, human_size, kind_colour, kind_label, relative_time, tr

ACTION_PREFIX = "atrium://action/"
ATTACH_ICON = "icon:attach"  # an image resource the view adds (no emoji font is needed)
MAX_DEPTH = 4
INDENT = 30


@dataclass
class ThreadState:
    """What the HTML depends on besides the thread itself."""

    me: str
    can_accept: bool = False
    failed_comments: dict[str, str] = field(default_factory=dict)  # id -> why the server refused it
    failed_post: str | None = None  # why the server refused the post (None: it did not)
    offline: bool = False  # unsent changes wait for the network (not "Sending…")
    followed_topics: set[str] = field(default_factory=set)
    remote_images: bool = False
    online_replies: frozenset[str] = frozenset()  # comments shown from the server, not the cache
    files: OfflineFiles = field(default_factory=OfflineFiles)  # which attachments are here, kept, failing
    link_colour: str = "#1f6feb"
    muted_colour: str = "#777777"
    accent_colour: str = "#2e9e6b"
    # the accepted answer's block: the accent faintly over the base colour (the view sets it per theme)
    accepted_background: str = "#eaf6ef"


def action_link(verb: str, target: str) -> str:
    return f"{ACTION_PREFIX}{verb}/{quote(target, safe='')}"


def _render(text: str, state: ThreadState) -> str:
    return render_markdown(
        text,
        allow_remote_images=state.remote_images,
        remote_image_label=tr("Image from {host} — click to load"),
    )


def _badge(text: str, colour: str) -> str:
    return f'<span style="color:{colour}; font-weight:600;">&nbsp;{html.escape(text)}&nbsp;</span>'


FAILED_COLOUR = "#c0392b"


def _status(pending: bool, failed: bool, offline: bool) -> str:
    if failed:
        return _badge(tr("Not sent"), FAILED_COLOUR)
    if pending:
        return f'<i style="color:#888888;">&nbsp;{html.escape(tr("Waiting to send") if offline else tr("Sending…"))}</i>'
    return ""


def _refusal(kind: str, object_id: str, reason: str | None, state: ThreadState) -> str:
    """Why the server refused this post or comment, with what the person can do about it."""
    if reason is None:
        return ""
    target = f"{kind}:{object_id}"
    choices = " · ".join(
        _link(action_link(verb, target), text, state.link_colour)
        for verb, text in (("retry", tr("Retry")), ("discard", tr("Discard")))
    )
    return f'<p style="color:{FAILED_COLOUR}; margin-top:0px; margin-bottom:6px;">{html.escape(reason)} &nbsp;{choices}</p>'


def _nowrap(text: str) -> str:
    """TEXT kept on one line (no-break spaces); plain text, escaped where it is put in."""
    return text.replace(" ", "\u00a0")


def _link(href: str, text: str, colour: str | None = None) -> str:
    style = f' style="color:{colour}; text-decoration:none;"' if colour else ' style="text-decoration:none;"'
    return f'<a href="{html.escape(href)}"{style}>{html.escape(text)}</a>'


def post_html(post: Post, state: ThreadState) -> str:
    muted = state.muted_colour
    head = [
        f'<img src="avatar:{html.escape(post.author_id or post.app_id or "")}" width="40" height="40" '
        'style="vertical-align: middle;">&nbsp;&nbsp;',
        f"<b>{html.escape(author_label(post))}</b>",
    ]
    if post.community_name:
        place = _link(f"atrium://community/{post.community_id}", post.community_name, muted)
        head.append(f' <span style="color:{muted};">{html.escape(tr("in"))} </span>{place}')
    when = f'<span style="color:{muted};" title="{full_time(post.created_at)}"> · {relative_time(post.created_at)}'
    if post.edited_at:
        when += " · " + html.escape(tr("edited"))
    head.append(when + "</span>")
    label = kind_label(post.kind, post.solved)
    if label:
        head.append(" " + _badge(label, kind_colour(post.kind, post.solved).name()))
    if post.pinned:
        head.append(" " + _badge(tr("Pinned"), "#d04a3a"))
    head.append(_status(post.pending, state.failed_post is not None, state.offline))
    parts = [
        f'<p style="margin-bottom:8px;">{"".join(head)}</p>',
        _refusal("post", post.id, state.failed_post, state),
    ]
    if post.title:
        parts.append(f'<h2 style="margin-top:4px; margin-bottom:6px;">{html.escape(post.title)}</h2>')
    if post.body_evicted:
        parts.append(f"<p><i>{html.escape(tr('The text of this post is loading…'))}</i></p>")
    else:
        parts.append(_render(post.body, state))
    if post.attachments:
        parts.append(_attachments_html(post, state))
    if post.topics:
        topics = []
        for topic in post.topics:
            following = topic.lower() in state.followed_topics
            verb, text = ("unfollow-topic", tr("following")) if following else ("follow-topic", tr("follow"))
            topics.append(
                _link(f"atrium://topic/{quote(topic, safe='')}", f"#{topic}")
                + f" <small>({_link(action_link(verb, topic), text, muted)})</small>"
            )
        parts.append(f'<p style="color:{muted};">{html.escape(tr("Topics:"))} {" &nbsp; ".join(topics)}</p>')
    return "".join(parts)


def _attachments_html(post: Post, state: ThreadState) -> str:
    """One line a file: its name (opens it), size, and whether it is kept on this computer."""
    muted = state.muted_colour
    lines = []
    for number, item in enumerate(post.attachments):
        sha = str(item.get("sha256") or "").lower()
        size = human_size(int(item.get("size") or 0))
        line = _link(action_link("attachment", str(number)), str(item.get("name") or tr("file")))
        line += f' <span style="color:{muted};">({size})</span>'
        files = state.files
        if sha in files.kept and sha in files.failed:
            problem = tr("Kept offline, but it could not be downloaded: {0}.").format(files.failed[sha])
            line += f' <span style="color:{FAILED_COLOUR};">&nbsp;{html.escape(problem)}</span>'
            line += " · " + _link(
                action_link("keep-offline", str(number)), _nowrap(tr("Try again")), state.link_colour
            )
            line += " · " + _link(
                action_link("drop-offline", str(number)), _nowrap(tr("Stop keeping")), muted
            )
        elif sha in files.kept:
            status = (
                tr("✓ Kept offline")
                if sha in files.here
                else tr("Kept offline: downloading at the next sync")
            )
            line += f' <span style="color:{state.accent_colour};">&nbsp;{html.escape(status)}</span>'
            line += " · " + _link(
                action_link("drop-offline", str(number)), _nowrap(tr("Stop keeping")), muted
            )
        else:
            if sha in files.here:
                line += f' <span style="color:{muted};">&nbsp;{_nowrap(tr("on this computer"))}</span>'
            line += " · " + _link(
                action_link("keep-offline", str(number)), _nowrap(tr("Keep offline")), state.link_colour
            )
        lines.append(line)
    clip = f'<img src="{ATTACH_ICON}" width="14" height="14" style="vertical-align: middle;">&nbsp;'
    return f'<p style="margin-top:6px;">{clip}{("<br>" + clip).join(lines)}</p>'


def _comment_html(comment: Comment, depth: int, post: Post, state: ThreadState) -> str:
    muted = state.muted_colour
    indent = min(depth, MAX_DEPTH) * INDENT
    name = html.escape(comment.author_name or tr("Someone"))
    head = [
        f'<a name="comment-{html.escape(comment.id)}"></a>'
        f'<img src="avatar:{html.escape(comment.author_id)}" width="26" height="26" style="vertical-align: middle;">'
        f"&nbsp;&nbsp;<b>{name}</b>",
        f'<span style="color:{muted};"> · {relative_time(comment.created_at)}</span>',
    ]
    if comment.edited_at:
        head.append(f'<span style="color:{muted};"> · {html.escape(tr("edited"))}</span>')
    if comment.is_accepted:
        head.append(" " + _badge("✓ " + tr("Accepted answer"), state.accent_colour))
    refused = state.failed_comments.get(comment.id)
    head.append(_status(comment.pending, refused is not None, state.offline))
    like_text = tr("Unlike") if comment.liked_by_me else tr("Like")
    if comment.like_count:
        like_text += f" ({comment.like_count})"
    actions = [_link(action_link("like-comment", comment.id), like_text)]
    if post.comments_enabled:
        actions.append(_link(action_link("reply", comment.id), tr("Reply")))
    if state.can_accept and post.kind == "question":
        if comment.is_accepted:
            actions.append(_link(action_link("unaccept", comment.id), tr("Unaccept")))
        else:
            actions.append(_link(action_link("accept", comment.id), tr("Mark as the answer")))
    body = (
        _render(comment.body, state) if not comment.body_evicted else f"<i>{html.escape(tr('Loading…'))}</i>"
    )
    # a refused comment exists only here: nothing can be done to it but Retry or Discard
    links = (
        ""
        if refused is not None
        else f'<p style="margin-top:0px;"><small>{" &nbsp;·&nbsp; ".join(actions)}</small></p>'
    )
    return (
        f'<div style="margin-left:{indent}px; margin-top:12px;">'
        f'<p style="margin-bottom:2px;">{"".join(head)}</p>'
        f'<div style="margin-left:34px;">{_refusal("comment", comment.id, refused, state)}{_accepted_block(body, comment, state)}'
        f"{links}</div></div>"
    )


def _accepted_block(body: str, comment: Comment, state: ThreadState) -> str:
    """The accepted answer's text on one tinted block (a table cell: Qt's rich text would tint
    each paragraph apart); other comments as they are."""
    if not comment.is_accepted:
        return body
    return (
        f'<table width="100%" cellspacing="0" cellpadding="6" bgcolor="{state.accepted_background}">'
        f"<tr><td>{body}</td></tr></table>"
    )


def comments_in_order(comments: list[Comment]) -> list[tuple[Comment, int]]:
    """Comments depth-first by parent (replies under what they answer), each with its depth.
    Orphans (a parent not cached) are shown at the top level, in time order."""
    known = {comment.id for comment in comments}
    children: dict[str | None, list[Comment]] = defaultdict(list)
    for comment in comments:
        parent = comment.parent_id if comment.parent_id in known else None
        children[parent].append(comment)
    ordered: list[tuple[Comment, int]] = []
    stack = [(comment, 0) for comment in reversed(children[None])]
    while stack:
        comment, depth = stack.pop()
        ordered.append((comment, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(comment.id, [])))
    return ordered


def thread_html(thread: Thread, state: ThreadState) -> str:
    post = thread.post
    parts = [post_html(post, state), "<hr>"]
    shown = sum(1 for comment in thread.comments if comment.id not in state.failed_comments)
    count = max(shown, post.comment_count)  # the server's count; pending ones may be extra, refused ones not
    if post.kind == "question":
        heading = tr("{0} answers").format(count) if count != 1 else tr("1 answer")
    else:
        heading = tr("{0} comments").format(count) if count != 1 else tr("1 comment")
    parts.append(f"<h3>{html.escape(heading)}</h3>")
    why = tr("replies are kept offline for the communities you have joined.")
    note = None
    if count > shown:
        if shown:
            note = tr("{0} of them are not in your offline copy: {1}").format(count - shown, why)
        else:
            note = tr("They are not in your offline copy: {0}").format(why)
    elif state.online_replies:
        note = tr("Shown from the server, not kept offline: {0}").format(why)
    if note:
        parts.append(f'<p style="color:{state.muted_colour};"><i>{html.escape(note)}</i></p>')
    if not post.comments_enabled:
        parts.append(
            f'<p style="color:{state.muted_colour};"><i>{html.escape(tr("Comments are turned off for this post."))}</i></p>'
        )
    for comment, depth in comments_in_order(thread.comments):
        parts.append(_comment_html(comment, depth, post, state))
    return "".join(parts)
