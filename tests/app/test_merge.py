"""Three-way merge: one-sided edits win, separate edits combine, overlapping edits conflict."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from atrium.app.merge import merge3

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
