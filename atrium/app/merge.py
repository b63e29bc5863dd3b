"""Three-way merge of text by lines (diff3), for wiki edits that raced another person's edit.

``merge3(base, local, remote)`` returns the merged text when the two edits
touch different lines, and None when they overlap: then the caller keeps both
versions as a conflict for the person to resolve. Nothing typed is dropped.
"""

from __future__ import annotations

from difflib import SequenceMatcher


def _matches(base: list[str], other: list[str]) -> dict[int, int]:
    """Base line index -> the index of the same, unchanged line in OTHER.

    The common head and tail are matched line for line first, as diff tools do; only the middle
    goes to SequenceMatcher. Otherwise identical lines (blank lines) can align off by one and
    pull an edit onto its neighbour's line, making two separate edits look like a conflict.
    """
    limit = min(len(base), len(other))
    head = 0
    while head < limit and base[head] == other[head]:
        head += 1
    tail = 0
    while tail < limit - head and base[-1 - tail] == other[-1 - tail]:
        tail += 1
    mapping = {index: index for index in range(head)}
    shift = len(other) - len(base)
    mapping.update((index, index + shift) for index in range(len(base) - tail, len(base)))
    middle = SequenceMatcher(
        None, base[head : len(base) - tail], other[head : len(other) - tail], autojunk=False
    )
    for block in middle.get_matching_blocks():
        for offset in range(block.size):
            mapping[head + block.a + offset] = head + block.b + offset
    return mapping


def _resolve(base: list[str], local: list[str], remote: list[str]) -> list[str] | None:
    if local == base:
        return remote
    if remote == base or local == remote:
        return local
    return None


def merge3(base: str, local: str, remote: str) -> str | None:
    base_lines = base.splitlines(keepends=True)
    local_lines = local.splitlines(keepends=True)
    remote_lines = remote.splitlines(keepends=True)
    in_local = _matches(base_lines, local_lines)
    in_remote = _matches(base_lines, remote_lines)
    merged: list[str] = []
    b = lo = r = 0  # base, local and remote cursors
    for anchor in range(len(base_lines) + 1):
        at_end = anchor == len(base_lines)
        if not at_end:
            if anchor < b or anchor not in in_local or anchor not in in_remote:
                continue
            if in_local[anchor] < lo or in_remote[anchor] < r:
                continue
        l_end = len(local_lines) if at_end else in_local[anchor]
        r_end = len(remote_lines) if at_end else in_remote[anchor]
        chunk = _resolve(base_lines[b:anchor], local_lines[lo:l_end], remote_lines[r:r_end])
        if chunk is None:
            return None
        merged.extend(chunk)
        if at_end:
            break
        merged.append(base_lines[anchor])
        b, lo, r = anchor + 1, l_end + 1, r_end + 1
    return "".join(merged)
