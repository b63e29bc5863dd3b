"""Markdown bodies to safe HTML: CommonMark + tables + strikethrough, @mentions and #topics as atrium: links.

Raw HTML in a body is shown as text, and the result is sanitised again with nh3 against an
allow-list. Remote images are never fetched without consent: they become a placeholder link
``atrium://load-image?src=…`` the UI intercepts (``allow_remote_images=True`` keeps them).
No Qt here: the headless core and the tests use it too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

USER_SCHEME_PREFIX = "atrium://user/"
TOPIC_SCHEME_PREFIX = "atrium://topic/"
LOAD_IMAGE_PREFIX = "atrium://load-image?src="
REMOTE_IMAGE_LABEL = "Image from {host} — click to load"
DATA_IMAGE_LIMIT = 64 * 1024  # characters of a data: URI shown inline; bigger ones are left out
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|jpg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z", re.IGNORECASE)

# The server's own rules (atrium/server/text_extract.py), so links match what it records.
_MENTION = r"(?<![\w@/])@(?P<handle>[a-z0-9][a-z0-9._-]{0,63})"
_TOPIC = r"(?<![\w#&/])#(?P<topic>[^\W_][\w-]{0,99})"
_URL = r"(?<![\w/@.])(?P<url>(?:https?://|www\.)[^\s<>\"'`]+)"
_URL_TRAILING = ".,;:!?)]}'\""

try:  # markdown-it's own linkify, when linkify-it-py is installed; a small URL rule otherwise
    import linkify_it  # noqa: F401

    _HAS_LINKIFY = True
except ImportError:
    _HAS_LINKIFY = False

_PATTERN = re.compile("|".join([_MENTION, _TOPIC] + ([] if _HAS_LINKIFY else [_URL])), re.IGNORECASE)

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "span": {"class"},
}
_SCHEMES = {"http", "https", "mailto", "atrium", "data"}
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes=_ATTRIBUTES,
    url_schemes=_SCHEMES,
    url_relative="deny",
    link_rel="noopener noreferrer",
    filter_style_properties={"text-align"},
    attribute_filter=lambda tag, name, value: _allowed_attribute(tag, name, value),
)


def _allowed_attribute(tag: str, name: str, value: str) -> str | None:
    """Data URIs only as small images; links never to data:."""
    if name in ("href", "src") and value.strip().lower().startswith("data:"):
        return value if tag == "img" and _is_small_data_image(value) else None
    return value


def _is_small_data_image(src: str) -> bool:
    return len(src) <= DATA_IMAGE_LIMIT and _DATA_IMAGE.match(src) is not None


def _link_tokens(state: StateCore, href: str, text: str, css_class: str) -> list[Token]:
    opening = Token("link_open", "a", 1)
    opening.attrs = {"href": href, "class": css_class}
    opening.markup = "linkify"
    opening.info = "auto"
    label = Token("text", "", 0)
    label.content = text
    closing = Token("link_close", "a", -1)
    closing.markup = "linkify"
    closing.info = "auto"
    return [opening, label, closing]


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _split_text(state: StateCore, text: str) -> list[Token] | None:
    """TEXT as text and link tokens, or None when it holds no mention, topic or bare URL."""
    pieces: list[Token] = []
    position = 0
    for match in _PATTERN.finditer(text):
        start, end = match.span()
        if match.group("handle"):
            handle = match.group("handle").rstrip(".-_")
            end = start + 1 + len(handle)
            link = _link_tokens(state, USER_SCHEME_PREFIX + handle.lower(), f"@{handle}", "mention")
        elif match.group("topic"):
            topic = match.group("topic")
            if topic.isdigit():
                continue
            href = TOPIC_SCHEME_PREFIX + quote(topic.lower(), safe="-_")
            link = _link_tokens(state, href, f"#{topic}", "topic")
        else:
            url = _trim_url(match.group("url"))
            end = start + len(url)
            href = state.md.normalizeLink(url if "://" in url else f"https://{url}")
            if not state.md.validateLink(href):
                continue
            link = _link_tokens(state, href, url, "url")
        if start > position:
            pieces.append(_text_token(text[position:start]))
        pieces.extend(link)
        position = end
    if not pieces:
        return None
    if position < len(text):
        pieces.append(_text_token(text[position:]))
    return pieces


def _trim_url(url: str) -> str:
    while url and url[-1] in _URL_TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _mentions_and_topics(state: StateCore) -> None:
    """Core rule: @handle, #topic (and bare URLs) in text outside links and code become links."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        depth = 0
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            elif token.type == "text" and depth == 0:
                split = _split_text(state, token.content)
                if split is not None:
                    for piece in split:
                        piece.level = token.level
                    children.extend(split)
                    continue
            children.append(token)
        block.children = children


def _render_image(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[index]
    src = str(token.attrGet("src") or "")
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    title = token.attrGet("title")
    title_attr = f' title="{escapeHtml(str(title))}"' if title else ""
    image = f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}"{title_attr}>'
    scheme = urlsplit(src).scheme.lower() if "://" in src or src.startswith("data:") else ""
    if scheme == "data":
        return image if _is_small_data_image(src) else f"<span>[{escapeHtml(alt or 'image')}]</span>"
    if scheme in ("http", "https"):
        if env.get("allow_remote_images"):
            return image
        host = urlsplit(src).hostname or src
        label = str(env.get("remote_image_label") or REMOTE_IMAGE_LABEL).replace("{host}", host)
        if alt:
            label = f"{label} ({alt})"
        href = LOAD_IMAGE_PREFIX + quote(src, safe="")
        return f'<a class="remote-image" href="{escapeHtml(href)}">{escapeHtml(label)}</a>'
    return escapeHtml(alt) if alt else ""


@functools.cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": _HAS_LINKIFY, "typographer": False})
    parser.enable(["table", "strikethrough"])
    if _HAS_LINKIFY:
        parser.enable("linkify")
    parser.core.ruler.push("atrium_mentions_topics", _mentions_and_topics)
    parser.add_render_rule("image", _render_image)
    return parser


def sanitize_html(html: str) -> str:
    """HTML reduced to the allow-list: no scripts, no event attributes, no javascript: or data: links."""
    return _CLEANER.clean(html)


@functools.lru_cache(maxsize=512)
def render_markdown(
    text: str, *, allow_remote_images: bool = False, remote_image_label: str = REMOTE_IMAGE_LABEL
) -> str:
    """TEXT (CommonMark) as sanitised HTML. Never raises for any input text."""
    env: dict[str, Any] = {
        "allow_remote_images": allow_remote_images,
        "remote_image_label": remote_image_label,
    }
    try:
        html = _parser().render(text.replace("\x00", "\ufffd"), env)
    except RecursionError:  # pathological nesting: show the text as it is
        html = f"<pre>{escapeHtml(text)}</pre>"
    return sanitize_html(html)


_TABLE_SEPARATOR = re.compile(r"\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*")
_BLOCK_MARK = re.compile(r"\s{0,3}(#{1,6}(\s+|$)|(>\s?)+|[-*+]\s+)")  # a heading's, quote's or bullet's mark
_CUT_LINK_TAIL = re.compile(r"\A([^\[]*?)\]\((?:[^()\s]|\([^()\s]*\))*\)")  # "…text](url)" cut before its "["
_WHITESPACE = re.compile(r"\s+")
_RULE = re.compile(r"\s{0,3}([-=_*]\s*){3,}")
_LIST_ITEM = re.compile(r"\s*([-*+]|\d{1,9}[.)])\s")
_SENTENCE_ENDS = (".", "!", "?", ":", ";", "…", "·")
# An emphasis mark still attached to a word after parsing lost its partner where the snippet was cut.
_DANGLING_EMPHASIS = re.compile(r"(?:(?<=\s)|\A)\*{1,3}(?=[^\s*])|(?<=[^\s*])\*{1,3}(?=[\s.,;:!?…]|\Z)")


@functools.cache
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("strikethrough")


def plain_text(fragment: str) -> str:
    """The words a reader sees in FRAGMENT (Markdown, possibly cut anywhere: a search snippet), on
    one line: no emphasis, code, heading or quote marks; links and images as their text; an
    emphasis mark whose partner was cut off goes too. Blocks (paragraphs, headings, list items,
    table rows) that do not end a sentence are set apart with " · ", and so are table cells.
    What Markdown leaves alone (#topics, @mentions, snake_case, "5 * 3") and any other character
    (search highlight markers) stays."""
    pieces: list[str] = []
    new_block = False  # the next line starts a block of its own
    for line in fragment.splitlines():
        if not line.strip():
            new_block = True
            continue
        if "|" in line and _TABLE_SEPARATOR.fullmatch(line):
            continue
        if _RULE.fullmatch(line):  # a thematic break or a heading's underline
            new_block = True
            continue
        block_mark = _BLOCK_MARK.match(line)
        line = _BLOCK_MARK.sub("", line, count=1) if block_mark else line
        stripped = line.strip()
        row = stripped.startswith("|") or stripped.endswith("|")
        if row:
            line = " · ".join(cell.strip() for cell in stripped.strip("|").split("|") if cell.strip())
        if pieces:
            starts_block = new_block or row or block_mark is not None or _LIST_ITEM.match(line) is not None
            ended = pieces[-1].rstrip().endswith(_SENTENCE_ENDS)
            pieces.append(" · " if starts_block and not ended else " ")
        pieces.append(line)
        new_block = row or (block_mark is not None and block_mark.group().lstrip().startswith("#"))
    text = _CUT_LINK_TAIL.sub(r"\1", "".join(pieces), count=1)
    try:
        inline = _inline_parser().parseInline(text)
    except RecursionError:  # pathological nesting: the text as it is
        return _WHITESPACE.sub(" ", text).strip()
    words: list[str] = []
    for token in inline[0].children or () if inline else ():
        if token.type in ("text", "code_inline", "image"):  # an image's content is its alt text
            words.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            words.append(" ")
    return _WHITESPACE.sub(" ", _DANGLING_EMPHASIS.sub("", "".join(words))).strip()


def preview_source(text: str, limit: int = 1500) -> tuple[str, bool]:
    """The start of TEXT for a feed card (cut at a line end near LIMIT) and whether it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text.rfind("\n", 0, limit)
    if cut < limit // 2:
        cut = text.rfind(" ", 0, limit)
    if cut < limit // 2:
        cut = limit
    return text[:cut].rstrip(), True


def remote_image_source(href: str) -> str | None:
    """The image URL a placeholder link stands for, or None if HREF is not one."""
    if not href.startswith(LOAD_IMAGE_PREFIX):
        return None
    source = unquote(href[len(LOAD_IMAGE_PREFIX) :])
    return source if urlsplit(source).scheme in ("http", "https") else None


def mention_handle(href: str) -> str | None:
    return unquote(href[len(USER_SCHEME_PREFIX) :]) if href.startswith(USER_SCHEME_PREFIX) else None


def topic_name(href: str) -> str | None:
    return unquote(href[len(TOPIC_SCHEME_PREFIX) :]) if href.startswith(TOPIC_SCHEME_PREFIX) else None


__all__ = [
    "LOAD_IMAGE_PREFIX",
    "REMOTE_IMAGE_LABEL",
    "mention_handle",
    "preview_source",
    "remote_image_source",
    "render_markdown",
    "sanitize_html",
    "topic_name",
]
