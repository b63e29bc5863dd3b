"""Markdown rendering: CommonMark + tables + strikethrough, @mentions and #topics as atrium: links,
sanitising (no scripts, event handlers or javascript: links), and no remote image without consent."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from atrium.app.markdown import (
    LOAD_IMAGE_PREFIX,
    mention_handle,
    plain_text,
    preview_source,
    remote_image_source,
    render_markdown,
    sanitize_html,
    topic_name,
)

PNG_1PX = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def test_commonmark_tables_and_strikethrough() -> None:
    html = render_markdown("# Title\n\n**bold** *em* ~~gone~~\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n- x\n- y")
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html and "<em>em</em>" in html
    assert "<s>gone</s>" in html or "<del>gone</del>" in html
    assert "<table>" in html and '<td style="text-align:right">2</td>' in html
    assert "<li>x</li>" in html


def test_mentions_and_topics_become_atrium_links() -> None:
    html = render_markdown("Thanks @Jane.Doe. See #VPN and #vpn-tips, not #1 or mail bob@example.com")
    assert '<a href="atrium://user/jane.doe" class="mention"' in html
    assert ">@Jane.Doe</a>." in html, "the trailing full stop is not part of the handle"
    assert 'href="atrium://topic/vpn"' in html and 'href="atrium://topic/vpn-tips"' in html
    assert "atrium://topic/1" not in html, "a number is not a topic"
    assert "atrium://user/example.com" not in html, "an e-mail address is not a mention"
    assert mention_handle("atrium://user/jane.doe") == "jane.doe"
    assert topic_name("atrium://topic/vpn-tips") == "vpn-tips"
    assert mention_handle("https://example.com") is None and topic_name("atrium://user/x") is None


def test_no_mentions_or_topics_in_code_or_inside_links() -> None:
    html = render_markdown(
        "`@nobody #nothing`\n\n```\n@none #none\n```\n\n[#label](https://example.com/#frag)"
    )
    assert "atrium://" not in html


def test_bare_urls_are_links_with_noopener() -> None:
    html = render_markdown(
        "Docs at https://example.com/guide. And www.example.org, then (https://x.org/a_(b))."
    )
    assert '<a href="https://example.com/guide" class="url" rel="noopener noreferrer">' in html
    assert 'href="https://www.example.org"' in html
    assert 'href="https://x.org/a_(b)"' in html
    assert all('rel="noopener noreferrer"' in tag for tag in re.findall(r"<a [^>]*>", html))


def test_scripts_event_handlers_and_javascript_links_are_removed() -> None:
    text = (
        "<script>alert(1)</script>\n\n"
        '<img src="x" onerror="alert(2)">\n\n'
        "[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) "
        "<a href=\"javascript:alert(4)\">raw</a> <iframe src='https://evil.example'></iframe>"
    )
    html = render_markdown(text)
    real_tags = _tags(html)
    assert not [tag for tag in real_tags if tag.startswith(("<script", "<iframe", "<img"))]
    assert not [tag for tag in real_tags if "javascript:" in tag or "data:" in tag or " on" in tag]
    # raw HTML is shown as text, not run: the reader sees what was written
    assert "&lt;script&gt;" in html and "&lt;iframe" in html


def _tags(html: str) -> list[str]:
    """The real tags in HTML (escaped text like &lt;script&gt; is not a tag)."""
    return re.findall(r"<[a-z][^>]*>", html)


def test_sanitizer_strips_dangerous_html_directly() -> None:
    dirty = (
        '<p onclick="x()">hi<script>bad()</script></p><a href="javascript:x()">j</a>'
        '<img src="data:image/svg+xml;base64,AAAA" onerror="x()"><style>p{}</style><b>ok</b>'
    )
    clean = sanitize_html(dirty)
    assert clean.startswith("<p>hi</p>")
    assert (
        "script" not in clean and "onclick" not in clean and "onerror" not in clean and "<style" not in clean
    )
    assert "javascript" not in clean and "svg" not in clean
    assert "<b>ok</b>" in clean


def test_remote_images_are_placeholders_until_allowed() -> None:
    text = "![the chart](https://cdn.example.com/chart.png?a=1&b=2)"
    html = render_markdown(text)
    assert "<img" not in html, "a remote image is never fetched without consent"
    assert "Image from cdn.example.com — click to load (the chart)" in html
    href = re.search(r'href="([^"]+)"', html)
    assert href is not None and href.group(1).startswith(LOAD_IMAGE_PREFIX)
    assert (
        remote_image_source(href.group(1).replace("&amp;", "&"))
        == "https://cdn.example.com/chart.png?a=1&b=2"
    )
    allowed = render_markdown(text, allow_remote_images=True)
    assert '<img src="https://cdn.example.com/chart.png?a=1&amp;b=2" alt="the chart">' in allowed
    translated = render_markdown(text, remote_image_label="Bild von {host} laden")
    assert "Bild von cdn.example.com laden" in translated


def test_small_data_images_only() -> None:
    assert f'<img src="{PNG_1PX}"' in render_markdown(f"![dot]({PNG_1PX})")
    huge = "data:image/png;base64," + "A" * 70_000
    assert "<img" not in render_markdown(f"![big]({huge})")
    assert "<img" not in render_markdown("![svg](data:image/svg+xml;base64,PHN2Zz4=)")


def test_relative_and_unknown_scheme_links_lose_their_target() -> None:
    html = render_markdown("[rel](/etc/passwd) [file](file:///etc/passwd) [ok](mailto:it@example.com)")
    assert "/etc/passwd" not in html.replace("[file](file:///etc/passwd)", "")
    assert 'href="mailto:it@example.com"' in html


def test_preview_source_cuts_at_a_line_end() -> None:
    text = "\n".join(f"line {n} " + "x" * 50 for n in range(100))
    preview, cut = preview_source(text, 500)
    assert cut and len(preview) <= 500 and preview.endswith("x")
    assert preview_source("short", 500) == ("short", False)


def test_rendering_is_cached_and_fast_enough_for_a_feed() -> None:
    body = "Some **text** with a list:\n\n- one\n- two\n\nand @someone #topic " * 10
    first = render_markdown(body)
    assert render_markdown(body) is first  # the same object: the cache answered


_PIECES = [
    *"ab #@*_`~[]()!<>:/\\-|.\n\t\"'=&;",
    "javascript:",
    "<script>",
    "onerror=",
    "http://x.io/i.png",
    "![i](",
    "data:",
    "<img ",
    "@x",
    "#t",
    "[l](",
    ")",
    "www.x.io",
]
_markdownish = st.lists(st.sampled_from(_PIECES), max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(_markdownish)
def test_any_text_renders_without_raising_and_stays_safe(text: str) -> None:
    html = render_markdown(text)
    assert isinstance(html, str)
    lowered = html.lower()
    assert "<script" not in lowered
    assert not re.search(r"<[^>]+\son\w+\s*=", lowered), "no event handler attributes on any tag"
    assert not re.search(r'(href|src)="\s*javascript:', lowered)
    assert not re.search(r'<img[^>]+src="https?:', lowered), "no remote image without consent"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_unicode_text_renders(text: str) -> None:
    assert isinstance(render_markdown(text), str)


def test_plain_text_keeps_the_words_a_reader_sees() -> None:
    # snippets from the demo's search results, as the cache stores them (Markdown, cut anywhere)
    assert plain_text("...The full steps are on the wiki page *IT/VPN setup*.") == (
        "...The full steps are on the wiki page IT/VPN setup."
    )
    table = "docks flicker | firmware in Company Portal |\n| Old VPN client on 40 laptops | removed by Intune |\n| Teams"
    assert (
        plain_text(table)
        == "docks flicker · firmware in Company Portal · Old VPN client on 40 laptops · removed by Intune · Teams"
    )
    assert plain_text("| a | b |\n|:--|--:|\n| 1 | 2 |") == "a · b · 1 · 2"
    assert plain_text(
        "## Steps\n1. Open [Company Portal](https://portal.example.com/x_(y)) first\n> quoted"
    ) == ("Steps · 1. Open Company Portal first · quoted")
    # paragraphs and list items read as separate pieces unless a sentence already ended
    assert plain_text("...don't seem to have it\n\nAnything I can try?\n\nThanks") == (
        "...don't seem to have it · Anything I can try? Thanks"
    )
    assert plain_text("Status: resolved\n\nA faulty line card was replaced.") == (
        "Status: resolved · A faulty line card was replaced."
    )
    assert plain_text("a sentence wrapped\nat the line's end\n- one\n- two.\n- three") == (
        "a sentence wrapped at the line's end · one · two. three"
    )
    assert plain_text("Title\n=====\nfirst part\n\n---\n\nsecond part") == "Title · first part · second part"
    assert plain_text("see ![the diagram](https://x/y.png) and `ipconfig /all` or ~~old~~") == (
        "see the diagram and ipconfig /all or old"
    )
    assert plain_text("Install from Company Portal → *Pilot…") == "Install from Company Portal → Pilot…"
    assert plain_text("...tools** and **more") == "...tools and more"
    # what Markdown leaves alone stays: topics, mentions, intraword underscores, arithmetic, a cut link
    assert plain_text("#vpn at the start, @dana, snake_case, 5 * 3 = 15, [cut off") == (
        "#vpn at the start, @dana, snake_case, 5 * 3 = 15, [cut off"
    )
    assert plain_text("(https://cut.example/a) tail") == "(https://cut.example/a) tail"
    assert plain_text("a link cut](https://example.com/a) before the rest") == "a link cut before the rest"
    assert plain_text("**\x02VPN\x03** setup") == "\x02VPN\x03 setup"  # search highlights pass through
    assert plain_text("") == ""


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_plain_text_of_any_text_is_one_line_and_never_raises(text: str) -> None:
    plain = plain_text(text)
    assert "\n" not in plain and plain == plain.strip()
