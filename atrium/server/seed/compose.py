"""Filling templates: placeholders are drawn lazily from the community's vocabulary, the author's
site and the community's members, so a text only consumes randomness for what it uses."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from . import vocabulary as vocab
from .company import CommunityPlan, Company, UserPlan
from .people import REGIONS
from .snippets import Snippet, by_language
from .vocabulary import Vocabulary

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
REGION_NAMES = ("Asia", "Europe", "North America", "Latin America", "the Middle East", "Africa", "Australia")
# what a post is about, reused by the comments on it; the commenter's own site, numbers etc. are not
SHARED_WITH_COMMENTS = ("tool", "tool2", "task", "thing", "event", "item", "place", "hthing", "dish")
FALLBACK_TOPICS = ("lessonslearned", "tips", "bestpractice", "question", "howto")
NUMBER_RANGES = {
    "n": (3, 12),
    "pct": (8, 60),
    "weeks": (2, 10),
    "hours": (4, 80),
    "hour": (8, 17),
    "day": (2, 28),
}
_SUFFIX = re.compile(r"\d$")
_SLUG = re.compile(r"[^a-z0-9]+")

# placeholder (without its 2/3 suffix) -> where its values come from
_LISTS = {
    "tool": "tools",
    "task": "tasks",
    "thing": "things",
    "item": "items",
    "place": "places",
    "event": "events",
    "achievement": "achievements",
    "question": "questions",
}
_SHARED = {
    "lesson": vocab.LESSONS,
    "tip": vocab.TIPS,
    "signoff": vocab.SIGNOFFS,
    "feeling": vocab.FEELINGS,
    "weekday": vocab.WEEKDAYS,
    "month": MONTHS,
    "region": REGION_NAMES,
}


def vocabulary_for(domain: str) -> Vocabulary:
    return vocab.WORK.get(domain) or vocab.HOBBY.get(domain) or vocab.CAFE


@dataclass
class Context:
    """What a text is being written for: where, by whom, and the mentions it ends up making."""

    plan: CommunityPlan
    author: UserPlan | None
    members: list[str]
    vocabulary: Vocabulary
    overrides: dict[str, str] = field(default_factory=dict)
    mentions: list[str] = field(default_factory=list)
    shared: dict[str, str] = field(default_factory=dict)  # set by fill_pair for the comments


class _Values(dict[str, str]):
    def __init__(self, composer: Composer, context: Context) -> None:
        super().__init__(context.overrides)
        self.composer = composer
        self.context = context

    def __missing__(self, key: str) -> str:
        value = self.composer.draw(key, self)
        self[key] = value
        return value


class Composer:
    def __init__(self, rng: random.Random, company: Company, *, demo_mention_rate: float = 0.08) -> None:
        self.rng = rng
        self.company = company
        self.cities = tuple(city for region in REGIONS for city in region.cities)
        self.demo_mention_rate = demo_mention_rate
        self._snippets: dict[tuple[str, ...], tuple[Snippet, ...]] = {}

    def context(
        self,
        plan: CommunityPlan,
        author: UserPlan | None,
        members: list[str],
        shared: dict[str, str] | None = None,
    ) -> Context:
        vocabulary = vocabulary_for(plan.spec.domain)
        overrides = dict(shared or {})
        if plan.spec.domain == "site":
            overrides["site"] = plan.spec.name.split()[0]
        return Context(plan=plan, author=author, members=members, vocabulary=vocabulary, overrides=overrides)

    def fill(self, template: str, context: Context) -> str:
        text = template.format_map(_Values(self, context))
        return text[:1].upper() + text[1:]

    def fill_pair(self, title: str | None, body: str, context: Context) -> tuple[str | None, str]:
        """Fill a title and body with the same drawn values (the title's {tool} is the body's).

        The subject of the post (its tool, task, event...) is kept in ``context.shared`` so the
        comments on it talk about the same thing."""
        values = _Values(self, context)
        filled_title = None if title is None else title.format_map(values)
        filled_body = body.format_map(values)
        if filled_title:
            filled_title = filled_title[:1].upper() + filled_title[1:]
        context.shared = {key: values[key] for key in SHARED_WITH_COMMENTS if key in values}
        return filled_title, filled_body[:1].upper() + filled_body[1:]

    # -- drawing values ------------------------------------------------------------------

    def draw(self, key: str, values: _Values) -> str:
        base = _SUFFIX.sub("", key)
        context = values.context
        rng = self.rng
        if base in NUMBER_RANGES:
            low, high = NUMBER_RANGES[base]
            if key != base and base in values:  # n2 < n, pct2 < pct: "before" vs "after"
                high = max(low, int(values[base]) - 1)
                low = max(1, low // 3)
            return str(rng.randint(low, high))
        if base == "mention":
            return self._mention(context)
        if base == "site":
            if key == base and context.author is not None:
                return context.author.city
            return self._distinct(values, base, self.cities)
        if base == "topic":
            topics = context.plan.spec.topics
            if key == base:
                return rng.choice(topics)
            spare = [topic for topic in topics if topic != values.get("topic")] or list(FALLBACK_TOPICS)
            return rng.choice(spare)
        if base in ("snippet", "snippet_title", "lang"):
            snippet = self._snippet(context)
            values["snippet"] = f"```{snippet.lang}\n{snippet.code}\n```"
            values["snippet_title"] = snippet.title
            values["lang"] = snippet.lang
            return values[key]
        if base == "community":
            return context.plan.spec.name
        if base == "slug":
            source = values.get("thing") or values.get("task") or context.plan.spec.slug
            return _SLUG.sub("-", source.lower()).strip("-")[:60]
        if base in _SHARED:
            return self._distinct(values, base, _SHARED[base])
        if base in _LISTS:
            return self._distinct(values, base, getattr(context.vocabulary, _LISTS[base]))
        extra = context.vocabulary.extra.get(base) or context.vocabulary.extra.get(base.removeprefix("h"))
        if extra:
            return self._distinct(values, base, extra)
        raise KeyError(f"no values for placeholder {{{key}}} in domain {context.plan.spec.domain}")

    def _distinct(self, values: _Values, base: str, options: tuple[str, ...]) -> str:
        """A value for BASE (or BASE2, BASE3) different from the ones already drawn for it."""
        if not options:
            raise KeyError(f"empty vocabulary for {{{base}}}")
        used = {values.get(name) for name in (base, f"{base}2", f"{base}3")}
        for _ in range(6):
            choice = self.rng.choice(options)
            if choice not in used:
                return choice
        return self.rng.choice(options)

    def _mention(self, context: Context) -> str:
        demo = self.company.demo
        author_id = context.author.id if context.author else None
        candidates = context.members
        chosen: str | None = None
        if (
            demo.id in context.plan.roles
            and author_id != demo.id
            and demo.id not in context.mentions
            and self.rng.random() < self.demo_mention_rate
        ):
            chosen = demo.id
        for _ in range(8):
            if chosen is not None:
                break
            pick = self.rng.choice(candidates)
            if pick != author_id and pick not in context.mentions:
                chosen = pick
        if chosen is None:
            chosen = self.rng.choice(candidates)
        if chosen not in context.mentions:
            context.mentions.append(chosen)
        return "@" + self.company.user_by_id[chosen].handle

    def _snippet(self, context: Context) -> Snippet:
        languages = context.vocabulary.code or ("python",)
        found = self._snippets.get(languages)
        if found is None:
            found = by_language(languages) or by_language(("python",))
            self._snippets[languages] = found
        return self.rng.choice(found)
