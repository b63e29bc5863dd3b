"""Three-way merge: one-sided edits win, separate edits combine, overlapping edits conflict."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from atrium.app.merge import _matching_pairs, _myers, merge3

lines = st.lists(
    st.sampled_from(["alpha\n", "beta\n", "gamma\n", "delta\n", "epsilon\n", "zeta\n"]), max_size=12
)


@given(lines, lines)
def test_one_sided_edits_win(base: list[str], edited: list[str]) -> None:
    b, e = "".join(base), "".join(edited)
    assert merge3(b, b, e) == e
    assert merge3(b, e, b) == e
    assert merge3(b, e, e) == e


def test_edits_to_different_lines_combine() -> None:
    base = "# VPN setup\n\n1. Install the client\n2. Sign in\n3. Connect\n\nAsk IT Support.\n"
    local = "# VPN setup\n\n1. Install the client (version 5.2)\n2. Sign in\n3. Connect\n\nAsk IT Support.\n"
    remote = "# VPN setup\n\n1. Install the client\n2. Sign in\n3. Connect\n\nAsk IT Support in Atrium.\n"
    merged = merge3(base, local, remote)
    assert merged == (
        "# VPN setup\n\n1. Install the client (version 5.2)\n2. Sign in\n3. Connect\n\n"
        "Ask IT Support in Atrium.\n"
    )


def test_overlapping_edits_conflict() -> None:
    base = "Office opens at 8.\n"
    assert merge3(base, "Office opens at 9.\n", "Office opens at 7.\n") is None


def test_edits_among_repeated_lines_combine() -> None:
    """Identical lines (blank lines in a wiki page) must not pull an edit onto a neighbour's line."""
    assert merge3("alpha\nalpha\nalpha\n", "LOCAL\nalpha\nalpha\n", "alpha\nalpha\nREMOTE\n") == (
        "LOCAL\nalpha\nREMOTE\n"
    )
    base = "Title\n\n\n\nFooter\n"
    assert merge3(base, "New title\n\n\n\nFooter\n", "Title\n\n\n\nNew footer\n") == (
        "New title\n\n\n\nNew footer\n"
    )


def test_insertions_at_both_ends_combine() -> None:
    base = "middle\n"
    assert merge3(base, "top\nmiddle\n", "middle\nbottom\n") == "top\nmiddle\nbottom\n"


@given(lines, st.integers(0, 11), st.integers(0, 11))
def test_separate_single_line_changes_both_survive(base: list[str], i: int, j: int) -> None:
    if len(base) < 3:
        return
    i, j = i % len(base), j % len(base)
    if abs(i - j) < 2:
        return
    local, remote = list(base), list(base)
    local[i] = "LOCAL\n"
    remote[j] = "REMOTE\n"
    merged = merge3("".join(base), "".join(local), "".join(remote))
    assert merged is not None
    assert "LOCAL\n" in merged and "REMOTE\n" in merged


few_lines = st.lists(st.sampled_from(["a\n", "b\n", "\n", "c\n"]), max_size=16)


@given(few_lines, few_lines, few_lines)
def test_nothing_typed_is_dropped(base: list[str], local: list[str], remote: list[str]) -> None:
    """Each line a side added is in the merge (as often as that side added it), or it is a conflict."""
    merged = merge3("".join(base), "".join(local), "".join(remote))
    if merged is None:
        return
    result = Counter(merged.splitlines(keepends=True))
    for side in (local, remote):
        for line, count in (Counter(side) - Counter(base)).items():
            assert result[line] >= count


@given(few_lines, few_lines)
def test_identical_edits_merge_cleanly(base: list[str], edited: list[str]) -> None:
    b, e = "".join(base), "".join(edited)
    assert merge3(b, e, e) == e
    if b and e != b:  # (an empty base has no line ending to keep; an unchanged side gives the other)
        assert merge3(b.replace("\n", "\r\n"), e, e.replace("\n", "\r\n")) == e.replace("\n", "\r\n")


def _valid(a: list[int], b: list[int], pairs: list[tuple[int, int]]) -> bool:
    ordered = all(i1 < i2 and j1 < j2 for (i1, j1), (i2, j2) in itertools.pairwise(pairs))
    return ordered and all(a[i] == b[j] for i, j in pairs)


def _lcs_length(a: list[int], b: list[int]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal = 0
        for j, y in enumerate(b):
            diagonal, row[j + 1] = row[j + 1], diagonal + 1 if x == y else max(row[j], row[j + 1])
    return row[-1]


ints = st.lists(st.integers(0, 3), max_size=20)


@given(ints, ints, st.integers(0, 50))
def test_matching_lines_are_equal_and_in_order(a: list[int], b: list[int], limit: int) -> None:
    """Whatever the input and however early the work limit stops it, the match is a valid one."""
    assert _valid(a, b, _matching_pairs(a, b))
    assert _valid(a, b, _matching_pairs(a, b, limit=limit))
    found = _myers(a, 0, len(a), b, 0, len(b), 10**9)
    assert found is not None
    pairs = sorted(found[0])
    assert _valid(a, b, pairs) and len(pairs) == _lcs_length(a, b)  # Myers: a longest common subsequence


# --- line endings ---------------------------------------------------------------------------


def test_a_side_saved_with_other_line_endings_still_merges() -> None:
    base = "# VPN setup\r\n\r\n1. Install the client\r\n2. Sign in\r\n\r\nAsk IT Support.\r\n"
    local = "# VPN setup\n\n1. Install the client (version 5.2)\n2. Sign in\n\nAsk IT Support.\n"
    remote = "# VPN setup\r\n\r\n1. Install the client\r\n2. Sign in\r\n\r\nAsk IT Support in Atrium.\r\n"
    expected = (
        "# VPN setup\r\n\r\n1. Install the client (version 5.2)\r\n2. Sign in\r\n\r\n"
        "Ask IT Support in Atrium.\r\n"
    )
    assert merge3(base, local, remote) == expected  # the base's CRLF throughout
    assert merge3(base, remote, local) == expected
    lf_base, lf_remote, crlf_local = (
        base.replace("\r", ""),
        remote.replace("\r", ""),
        local.replace("\n", "\r\n"),
    )
    assert merge3(lf_base, crlf_local, lf_remote) == expected.replace("\r\n", "\n")  # an LF base keeps LF
    assert merge3(base, local, remote.replace("Atrium", "Teams").replace("\r\n", "\n")) is not None
    assert merge3("1\r\n2\r\n3\r\n", "ONE\n2\n3\n", "1\n2\nTHREE\n") == "ONE\r\n2\r\nTHREE\r\n"


@given(st.lists(st.sampled_from(["a\n", "b\n", "\n", "c\n"]), min_size=1, max_size=16), few_lines, few_lines)
def test_line_endings_do_not_change_the_merge(base: list[str], local: list[str], remote: list[str]) -> None:
    b, lo, r = "".join(base), "".join(local), "".join(remote)
    if r == b:
        return  # then the local text comes back as it was typed, line endings and all
    merged = merge3(b, lo, r)
    assert merge3(b, lo.replace("\n", "\r\n"), r) == merged
    crlf = merge3(b.replace("\n", "\r\n"), lo, r.replace("\n", "\r\n"))
    assert crlf == (None if merged is None else merged.replace("\n", "\r\n"))


# --- a large page ---------------------------------------------------------------------------


def test_a_one_mebibyte_page_with_edits_on_both_sides_merges() -> None:
    """Paragraphs between blank lines, a change in every fifth one by either side in turn."""
    rng = random.Random(7)
    words = ["the", "team", "wiki", "page", "vpn", "printer", "office", "release", "update", "plan"]
    paragraphs: list[str] = []
    size = 0
    while size < 1024 * 1024:
        sentences = (" ".join(rng.choices(words, k=rng.randint(4, 12))) for _ in range(rng.randint(1, 4)))
        paragraphs.append(f"{len(paragraphs)}. " + ". ".join(sentences) + ".")
        size += len(paragraphs[-1]) + 2
    local, remote, both = list(paragraphs), list(paragraphs), list(paragraphs)
    for number, index in enumerate(range(2, len(paragraphs), 5)):
        side, change = (local, " (local)") if number % 2 == 0 else (remote, "\n\nA new remote paragraph.")
        side[index] = both[index] = paragraphs[index] + change
    del remote[-3], both[-3]  # a paragraph removed
    base_text, local_text, remote_text = ("\n\n".join(page) + "\n" for page in (paragraphs, local, remote))
    assert len(base_text) >= 1024 * 1024
    assert merge3(base_text, local_text, remote_text) == "\n\n".join(both) + "\n"
