"""Helpdesk deflection: while someone types a question's title, show similar questions the cache
already holds, solved ones first ("Maybe already answered: …")."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from atrium.cache import Cache, SearchHit, search

from .links import post_link
from .post_format import post_kinds, tr

MIN_CHARS = 4
SHOWN = 5
_WORD = re.compile(r"\w{3,}")
_STOP_WORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "from",
        "with",
        "that",
        "this",
        "have",
        "has",
        "what",
        "when",
        "where",
        "which",
        "who",
        "how",
        "why",
        "does",
        "can",
        "cant",
        "not",
        "are",
        "was",
        "were",
        "will",
        "would",
        "should",
        "could",
        "there",
        "their",
        "them",
        "they",
        "you",
        "your",
        "our",
        "about",
        "after",
        "before",
        "into",
        "onto",
        "over",
        "under",
        "any",
        "all",
        "some",
        "get",
        "got",
        "need",
        "help",
        "please",
        "just",
        "still",
        "again",
        "every",
        "since",
    ]
)


@dataclass(frozen=True)
class SimilarQuestion:
    post_id: str
    title: str
    solved: bool


def similar_questions(reader: Cache, text: str, limit: int = SHOWN) -> list[SimilarQuestion]:
    """Questions like TEXT: those matching more of its words first, solved first among equals.

    A question matching every word ranks highest; when those are fewer than LIMIT, questions
    matching at least two of the telling words (the longest few, no stop words) fill up the list."""
    if len(text.strip()) < MIN_CHARS:
        return []
    words = sorted({w.lower() for w in _WORD.findall(text)} - _STOP_WORDS, key=len, reverse=True)[:4]
    matched: dict[str, int] = {}
    found: dict[str, SimilarQuestion] = {}
    _collect(reader, search(reader, text, kinds=["post"], limit=40), found, matched, len(words) + 1)
    if len(found) < limit and len(words) > 1:
        for word in words:
            _collect(
                reader, search(reader, word, kinds=["post"], limit=20, prefix_last=False), found, matched, 1
            )
    # a fill-up sharing a single word ("keeps", "home") is rarely the same problem
    enough = min(2, len(words)) if words else 1
    ranked = sorted(
        (question for question in found.values() if matched[question.post_id] >= enough),
        key=lambda question: (-matched[question.post_id], not question.solved),
    )
    return ranked[:limit]


def _collect(reader: Cache, hits: list[SearchHit], found: dict[str, SimilarQuestion], matched: dict[str, int],
             weight: int) -> None:  # fmt: skip
    kinds = post_kinds(reader, [hit.id for hit in hits])
    for hit in hits:
        if kinds.get(hit.id) != "question":
            continue
        found.setdefault(hit.id, SimilarQuestion(hit.id, hit.title, hit.solved))
        matched[hit.id] = matched.get(hit.id, 0) + weight


def deflection_html(questions: list[SimilarQuestion], link_colour: str, accent: str) -> str:
    if not questions:
        return ""
    heading = tr("Maybe already answered:") if any(q.solved for q in questions) else tr("Similar questions:")
    rows = []
    for question in questions:
        mark = (
            f'<span style="color:{accent};">✓ {html.escape(tr("Solved"))}</span> ' if question.solved else ""
        )
        rows.append(
            f'{mark}<a href="{post_link(question.post_id)}" style="color:{link_colour};">'
            f"{html.escape(question.title or tr('(untitled)'))}</a>"
        )
    return f"<b>{html.escape(heading)}</b><br>" + "<br>".join(rows)
