"""Three-way merge of text by lines (diff3), for wiki edits that raced another person's edit.

``merge3(base, local, remote)`` returns the merged text when the two edits
touch different lines, and None when they overlap: then the caller keeps both
versions as a conflict for the person to resolve. Nothing typed is dropped.

Lines are compared without their line ending (CRLF, LF and CR are the same line), so a side
saved with other line endings than the base still merges line by line; the lines an edit
brings take the base's line ending.

Each side is matched to the base by a patience diff: after the common head and tail, lines
that occur once in both anchor the match, and the gaps between anchors recurse; a gap without
such lines gets a Myers diff. Both cost about linear time on pages of paragraphs and blank
lines (difflib's SequenceMatcher is quadratic in the blank lines). A total work limit bounds
pathological input: past it, what is left unmatched only makes a conflict more likely, never
drops a line.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

# Steps of work (lines looked at) matching one side to the base may take: half a second or so.
WORK_LIMIT = 2_000_000
_ENDINGS = ("\r\n", "\n", "\r")


def _strip_ending(line: str) -> str:
    """LINE without its line ending, and "\n" in its place if it had one."""
    if line.endswith("\r\n"):
        return line[:-2] + "\n"
    if line.endswith("\r"):
        return line[:-1] + "\n"
    return line


def _with_ending(line: str, ending: str | None) -> str:
    if ending is None:
        return line
    for old in _ENDINGS:
        if line.endswith(old):
            return line[: -len(old)] + ending
    return line


def _base_ending(text: str) -> str | None:
    """The base's most common line ending, None when it has no line break."""
    crlf = text.count("\r\n")
    counts = {"\r\n": crlf, "\n": text.count("\n") - crlf, "\r": text.count("\r") - crlf}
    ending = max(counts, key=lambda key: counts[key])
    return ending if counts[ending] else None


def _unique_anchors(
    a: Sequence[int], alo: int, ahi: int, b: Sequence[int], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """The longest increasing run of lines that occur once in A[alo:ahi] and once in B[blo:bhi]."""
    in_a: dict[int, int] = {}
    for i in range(alo, ahi):
        in_a[a[i]] = -1 if a[i] in in_a else i
    in_b: dict[int, int] = {}
    for j in range(blo, bhi):
        if in_a.get(b[j], -1) >= 0:
            in_b[b[j]] = -1 if b[j] in in_b else j
    pairs = [(in_a[line], j) for line, j in in_b.items() if j >= 0]
    pairs.sort(key=lambda pair: pair[1])
    # Patience sorting: the longest chain of pairs increasing in A (they already are in B).
    tops: list[int] = []  # A index ending the best chain of each length
    top_pair: list[int] = []  # which pair that is
    back: list[int] = []
    for number, (i, _) in enumerate(pairs):
        length = bisect_left(tops, i)
        if length == len(tops):
            tops.append(i)
            top_pair.append(number)
        else:
            tops[length] = i
            top_pair[length] = number
        back.append(top_pair[length - 1] if length else -1)
    chain: list[tuple[int, int]] = []
    number = top_pair[-1] if top_pair else -1
    while number >= 0:
        chain.append(pairs[number])
        number = back[number]
    chain.reverse()
    return chain


def _myers(
    a: Sequence[int], alo: int, ahi: int, b: Sequence[int], blo: int, bhi: int, limit: int
) -> tuple[list[tuple[int, int]], int] | None:
    """Myers' O(ND) diff of A[alo:ahi] and B[blo:bhi]: the matched pairs and the work it took.

    None when that would take more than LIMIT steps.
    """
    n, m = ahi - alo, bhi - blo
    offset = n + m + 1
    v = [0] * (2 * offset + 1)
    trace: list[list[int]] = []  # v[-d-1 .. d+1] before each round d
    work = 0
    x = y = 0
    for d in range(n + m + 1):
        if work > limit:
            return None
        trace.append(v[offset - d - 1 : offset + d + 2])
        work += 2 * d + 1
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1]):
                x = v[offset + k + 1]
            else:
                x = v[offset + k - 1] + 1
            y = x - k
            start = x
            while x < n and y < m and a[alo + x] == b[blo + y]:
                x += 1
                y += 1
            work += x - start
            v[offset + k] = x
            if x >= n and y >= m:
                break
        if x >= n and y >= m:
            break
    pairs: list[tuple[int, int]] = []
    for d in range(len(trace) - 1, -1, -1):
        before = trace[d]  # before[k + d + 1] is v[k]
        k = x - y
        previous_k = k + 1 if k == -d or (k != d and before[k + d] < before[k + d + 2]) else k - 1
        previous_x = before[previous_k + d + 1]
        previous_y = previous_x - previous_k
        while x > previous_x and y > previous_y:
            x, y = x - 1, y - 1
            pairs.append((alo + x, blo + y))
        x, y = previous_x, previous_y
    return pairs, work


def _matching_pairs(a: Sequence[int], b: Sequence[int], limit: int = WORK_LIMIT) -> list[tuple[int, int]]:
    """Pairs (i, j) with A[i] == B[j], increasing in both i and j: the lines the two share.

    The common head and tail of each gap are matched line for line first, as diff tools do:
    otherwise identical lines (blank lines) can align off by one and pull an edit onto its
    neighbour's line, making two separate edits look like a conflict.
    """
    pairs: list[tuple[int, int]] = []
    budget = limit
    gaps = [(0, len(a), 0, len(b))]
    while gaps:
        alo, ahi, blo, bhi = gaps.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:  # the common head
            pairs.append((alo, blo))
            alo, blo = alo + 1, blo + 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:  # and tail
            ahi, bhi = ahi - 1, bhi - 1
            pairs.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        budget -= (ahi - alo) + (bhi - blo)
        if budget < 0:
            continue  # give up on this gap: it stays changed on this side
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        if anchors:
            pairs.extend(anchors)
            for i, j in anchors:
                gaps.append((alo, i, blo, j))
                alo, blo = i + 1, j + 1
            gaps.append((alo, ahi, blo, bhi))
            continue
        found = _myers(a, alo, ahi, b, blo, bhi, budget)
        if found is not None:
            pairs.extend(found[0])
            budget -= found[1]
    pairs.sort()
    return pairs


def _matches(base: Sequence[int], other: Sequence[int]) -> dict[int, int]:
    """Base line index -> the index of the same, unchanged line in OTHER."""
    return dict(_matching_pairs(base, other))


Chunk = tuple[list[str], list[int]]  # lines, and their keys


def _resolve(base: Chunk, local: Chunk, remote: Chunk, ending: str | None) -> list[str] | None:
    """The lines between two anchors: the side that changed them, None when both did differently."""
    local_same, remote_same = local[1] == base[1], remote[1] == base[1]
    if local_same and remote_same:
        return base[0]
    if local_same:
        return [_with_ending(line, ending) for line in remote[0]]
    if remote_same or local[1] == remote[1]:
        return [_with_ending(line, ending) for line in local[0]]
    return None


def merge3(base: str, local: str, remote: str) -> str | None:
    """BASE with both edits, None when they change the same lines differently.

    When only one side changed the text, that side comes back as it is (line endings too).
    """
    if local == base:
        return remote
    if remote == base or local == remote:
        return local
    base_lines = base.splitlines(keepends=True)
    local_lines = local.splitlines(keepends=True)
    remote_lines = remote.splitlines(keepends=True)
    numbers: dict[str, int] = {}  # each distinct line (its ending aside) -> a small int
    carriage_returns = any("\r" in text for text in (base, local, remote))  # else all LF

    def keys(lines: list[str]) -> list[int]:
        plain = [_strip_ending(line) for line in lines] if carriage_returns else lines
        return [numbers.setdefault(line, len(numbers)) for line in plain]

    base_keys, local_keys, remote_keys = keys(base_lines), keys(local_lines), keys(remote_lines)
    in_local = _matches(base_keys, local_keys)
    in_remote = _matches(base_keys, remote_keys)
    ending = _base_ending(base)
    merged: list[str] = []
    b = lo = r = 0  # base, local and remote cursors
    for anchor in range(len(base_lines) + 1):
        at_end = anchor == len(base_lines)
        if not at_end:
            if anchor not in in_local or anchor not in in_remote:
                continue
            if in_local[anchor] < lo or in_remote[anchor] < r:
                continue
        l_end = len(local_lines) if at_end else in_local[anchor]
        r_end = len(remote_lines) if at_end else in_remote[anchor]
        chunk = _resolve(
            (base_lines[b:anchor], base_keys[b:anchor]),
            (local_lines[lo:l_end], local_keys[lo:l_end]),
            (remote_lines[r:r_end], remote_keys[r:r_end]),
            ending,
        )
        if chunk is None:
            return None
        merged.extend(chunk)
        if at_end:
            break
        merged.append(base_lines[anchor])
        b, lo, r = anchor + 1, l_end + 1, r_end + 1
    return "".join(merged)
