"""Three-way merge of a wiki page whose edit raced another person's (``atrium.app.merge.merge3``).

Builds Markdown pages of the given sizes — headings, paragraphs (on one line, or wrapped at 78
characters), bullet lists and code blocks, separated by blank lines — and two edited copies:
every ``--every``-th block is changed by the two sides in turn (a changed, added or removed line,
a new or a removed paragraph), so the edits are spread over the page and never on the same
block. ``--short`` makes every paragraph one sentence: the most blank lines a KiB, the case
difflib's SequenceMatcher was slowest on. Prints, per size, the lines, the edits, the best and
median ``merge3`` time over ``--repeat`` runs, and whether the merge holds both sides' edits.

    python -m bench.bench_merge
    python -m bench.bench_merge --sizes 56,229,1024 --every 4 --repeat 3
    python -m bench.bench_merge --short

``merge3`` runs off the GUI thread (``Engine._wiki_conflict``), but a page still has to merge
in well under a second: wiki pages may be up to 1 MiB.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from atrium.app.merge import merge3
from bench.common import print_machine

_WORDS = """the a to and of in for is on that with it this be are as at we you have from our please team
project update meeting server network printer laptop release customer office policy question answer
access account password email calendar vpn travel expense report budget plan review design data sales
service ticket install driver screen audio video call share folder document wiki page training onboarding
security badge building floor parking lunch event week month quarter year goal result launch"""
WORDS = _WORDS.split()

Paragraph = list[str]


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 14))).capitalize() + "."


def paragraph(rng: random.Random, number: int, short: bool = False) -> Paragraph:
    """One block of Markdown: a heading, a paragraph (on one line or wrapped), a list or code."""
    if short:  # notes or a FAQ: one sentence a paragraph, the most blank lines per KiB
        return [sentence(rng)]
    if number % 9 == 0:
        return [f"## Section {number // 9 + 1}: {sentence(rng)[:-1]}"]
    kind = rng.random()
    if kind < 0.15:
        return [f"- {sentence(rng)}" for _ in range(rng.randint(2, 6))]
    if kind < 0.2:
        return ["```", *(f"    run {rng.choice(WORDS)} --{rng.choice(WORDS)}" for _ in range(3)), "```"]
    if kind < 0.6:  # as web editors save it: the paragraph on one line
        return [" ".join(sentence(rng) for _ in range(rng.randint(1, 2)))]
    text = " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) > 78:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def render(paragraphs: list[Paragraph | None]) -> str:
    return "\n\n".join("\n".join(block) for block in paragraphs if block is not None) + "\n"


def build_page(rng: random.Random, size: int, short: bool = False) -> list[Paragraph | None]:
    paragraphs: list[Paragraph | None] = []
    total = 0
    while total < size:
        block = paragraph(rng, len(paragraphs), short)
        paragraphs.append(block)
        total += sum(len(line) + 1 for line in block) + 1
    return paragraphs


def edit(rng: random.Random, block: Paragraph, who: str) -> Paragraph | None:
    """One person's change to one block."""
    kind = rng.randrange(5)
    if kind == 0:  # a changed line
        at = rng.randrange(len(block))
        return [*block[:at], f"{block[at]} ({who} was here)", *block[at + 1 :]]
    if kind == 1:  # an added line
        return [*block, f"{who} adds: {sentence(rng)}"]
    if kind == 2 and len(block) > 1:  # a removed line
        return block[:-1]
    if kind == 3:  # a new paragraph after this one
        return [*block, "", f"{who} writes a new paragraph. {sentence(rng)}"]
    return None  # the paragraph removed


def edited_copies(
    rng: random.Random, base: list[Paragraph | None], every: int
) -> tuple[list[Paragraph | None], list[Paragraph | None], list[Paragraph | None]]:
    """Local and remote copies, each block in EVERY changed by one side in turn, and both merged."""
    local, remote, both = list(base), list(base), list(base)
    for number, index in enumerate(range(every // 2, len(base), every)):
        block = base[index]
        assert block is not None
        copy, who = (local, "local") if number % 2 == 0 else (remote, "remote")
        copy[index] = both[index] = edit(rng, block, who)
    return local, remote, both


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="56,229,1024", help="page sizes in KiB, comma separated")
    parser.add_argument("--every", type=int, default=10, help="one block in EVERY is edited (min 2)")
    parser.add_argument("--short", action="store_true", help="one-sentence paragraphs only")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print_machine()
    print(f"{'size':>9} {'lines':>7} {'edits':>15} {'best':>10} {'median':>10}  result")
    for kib in (int(size) for size in args.sizes.split(",")):
        rng = random.Random(args.seed)
        base = build_page(rng, kib * 1024, args.short)
        every = max(2, args.every)
        local, remote, both = edited_copies(rng, base, every)
        base_text, local_text, remote_text = render(base), render(local), render(remote)
        times = []
        merged: str | None = None
        for _ in range(args.repeat):
            started = time.perf_counter()
            merged = merge3(base_text, local_text, remote_text)
            times.append(time.perf_counter() - started)
        result = "ok" if merged == render(both) else ("conflict" if merged is None else "WRONG")
        print(
            f"{len(base_text) / 1024:>5.0f} KiB {base_text.count(chr(10)):>7}"
            f" {len(range(every // 2, len(base), every)):>8} in all"
            f" {min(times):>8.3f} s {statistics.median(times):>8.3f} s  {result}",
            flush=True,
        )


if __name__ == "__main__":
    main()
