"""The panes' queries on a small hand-built dataset whose answers are known."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import pytest

from atrium.cache import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    Cache,
    apply_sync_page,
    catch_up_search,
    community,
    community_feed,
    my_communities,
    notifications,
    person,
    person_posts,
    personal_feed,
    questions,
    search,
    search_people,
    thread,
    unread_count,
    wiki_page,
    wiki_page_by_path,
    wiki_tree,
)

from . import factory as f
from .conftest import ME

search_module = importlib.import_module("atrium.cache.search")  # the module; the package exports the function


@dataclass
class World:
    ids: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    def names(self, objects: list[Any]) -> list[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id[o.id] for o in objects]


@pytest.fixture
def world(cache: Cache) -> World:
    me = f.user("me", "Me Myself", id=ME)
    alice = f.user("alice", "Alice Martin", department="Sales")
    bob = f.user("bob", "Bob Stone")
    carol = f.user("carol", "Carol Alvarez", title="Printer whisperer")
    printers = f.community("Printers", kind="support")
    cafe = f.community("Cafe", kind="social")
    sales = f.community("Sales")
    news = f.community("News", kind="announcements")
    changes: list[dict[str, Any]] = [f.upsert("user", u) for u in (me, alice, bob, carol)]
    changes += [f.upsert("community", c) for c in (printers, cafe, sales, news)]
    changes += [
        f.upsert("membership", f.membership(printers["id"], ME, "moderator")),
        f.upsert("membership", f.membership(cafe["id"], ME)),
        f.upsert("membership", f.membership(sales["id"], alice["id"])),
        f.upsert("follow", f.follow(ME, "user", alice["id"])),
        f.upsert("follow", f.follow(ME, "topic", "VPN")),
    ]
    posts = {
        "p9": f.post(
            printers["id"], carol["id"], "Read the rules before posting", title="Rules", pinned=True
        ),
        "p1": f.post(
            printers["id"], bob["id"], "The printer on floor 3 jams again. Printer printer.", title="Jam"
        ),
        "p2": f.post(sales["id"], bob["id"], "Quarterly numbers"),
        "p3": f.post(sales["id"], alice["id"], "How we won the deal", kind="blog", title="Deal"),
        "p4": f.post(sales["id"], bob["id"], "New #vpn client for sales", topics=["vpn"]),
        "p5": f.post(sales["id"], bob["id"], "@me please have a look", mentions=[ME]),
        "p6": f.post(news["id"], carol["id"], "The office closes early on Friday", kind="announcement"),
        "p7": f.post(
            printers["id"],
            bob["id"],
            "I forgot the printer admin password",
            kind="question",
            title="Reset printer password",
        ),
        "p8": f.post(cafe["id"], bob["id"], "Where is the best coffee?", kind="question", title="Coffee"),
        "p10": f.post(sales["id"], bob["id"], "Sales rules", pinned=True),
    }
    c1 = f.comment(posts["p7"]["id"], bob["id"], "Did you try turning it off?")
    c2 = f.comment(
        posts["p7"]["id"], carol["id"], "Hold the reset button for ten seconds, the printer password resets"
    )
    c3 = f.comment(posts["p7"]["id"], ME, "Thanks, that worked", parent_id=c2["id"])
    posts["p7"]["accepted_comment_id"] = c2["id"]
    changes += [f.upsert("post", p) for p in posts.values()]
    changes += [f.upsert("comment", c) for c in (c1, c2, c3)]
    changes += [
        f.upsert("reaction", f.reaction("comment", c1["id"], ME)),
        f.upsert("reaction", f.reaction("post", posts["p1"]["id"], ME)),
        f.upsert("reaction", f.reaction("post", posts["p8"]["id"], bob["id"])),
    ]
    pages = {
        "w_guides": f.wiki_page(None, "guides", "Guides"),
        "w_vpn": f.wiki_page(None, "guides/vpn", "VPN setup", "Install the vpn client"),
        "w_floor3": f.wiki_page(None, "guides/printers/floor3", "Floor 3 printer"),
        "w_faq": f.wiki_page(printers["id"], "faq", "Printer FAQ", "Printer questions answered"),
    }
    changes += [f.upsert("wiki_page", p) for p in pages.values()]
    notes = {
        "n1": f.notification("like", bob["id"], posts["p1"]["id"], read=True),
        "n2": f.notification("reply", bob["id"], posts["p7"]["id"]),
        "n3": f.notification("mention", bob["id"], posts["p5"]["id"]),
        "n4": f.notification("announcement", carol["id"], posts["p6"]["id"], read=True),
    }
    changes += [f.upsert("notification", n) for n in notes.values()]
    apply_sync_page(cache, changes, "c1")
    ids = {"me": ME, "alice": alice["id"], "bob": bob["id"], "carol": carol["id"]}
    ids |= {"printers": printers["id"], "cafe": cafe["id"], "sales": sales["id"], "news": news["id"]}
    ids |= {k: v["id"] for k, v in posts.items()} | {k: v["id"] for k, v in pages.items()}
    ids |= {k: v["id"] for k, v in notes.items()} | {"c1": c1["id"], "c2": c2["id"], "c3": c3["id"]}
    return World(ids)


def test_personal_feed_has_every_source_pinned_first(cache: Cache, world: World) -> None:
    page = personal_feed(cache)
    assert world.names(page.items) == ["p9", "p8", "p7", "p6", "p5", "p4", "p3", "p1"]
    assert page.next_before is None
    first = page.items[0]
    assert first.pinned and first.author_name == "Carol Alvarez" and first.community_name == "Printers"


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ("following", ["p4", "p3"]),
        ("announcements", ["p6"]),
        ("questions", ["p8", "p7"]),
        ("blogs", ["p3"]),
    ],
)
def test_personal_feed_filters(cache: Cache, world: World, filter_: Any, expected: list[str]) -> None:
    assert world.names(personal_feed(cache, filter=filter_).items) == expected


def test_personal_feed_pages_by_keyset(cache: Cache, world: World) -> None:
    first = personal_feed(cache, limit=3)
    assert world.names(first.items) == ["p9", "p8", "p7", "p6"]
    assert first.next_before == first.items[-1].position
    second = personal_feed(cache, limit=3, before=first.next_before)
    assert world.names(second.items) == ["p5", "p4", "p3"]
    third = personal_feed(cache, limit=3, before=second.next_before)
    assert world.names(third.items) == ["p1"] and third.next_before is None


def test_feed_rows_carry_what_the_ui_shows(cache: Cache, world: World) -> None:
    items = {p.id: p for p in personal_feed(cache).items}
    assert items[world["p1"]].liked_by_me and not items[world["p8"]].liked_by_me
    solved = items[world["p7"]]
    assert solved.solved and solved.title == "Reset printer password" and solved.kind == "question"
    assert items[world["p4"]].topics == ["vpn"] and items[world["p5"]].mentions == [ME]


def test_community_feed(cache: Cache, world: World) -> None:
    assert world.names(community_feed(cache, world["printers"]).items) == ["p9", "p7", "p1"]
    assert world.names(community_feed(cache, world["printers"], kind="question").items) == ["p7"]
    page = community_feed(cache, world["sales"], limit=2)
    assert world.names(page.items) == ["p10", "p5", "p4"]
    assert world.names(community_feed(cache, world["sales"], limit=2, before=page.next_before).items) == [
        "p3",
        "p2",
    ]


def test_thread_orders_comments_and_marks_the_accepted_answer(cache: Cache, world: World) -> None:
    found = thread(cache, world["p7"])
    assert found is not None
    assert found.post.id == world["p7"]
    assert world.names(found.comments) == ["c1", "c2", "c3"]
    c1, c2, c3 = found.comments
    assert c1.liked_by_me and not c2.liked_by_me
    assert c2.is_accepted and not c1.is_accepted
    assert c3.parent_id == world["c2"] and c3.author_name == "Me Myself"
    assert thread(cache, "no-such-post") is None


def test_questions_open_solved_and_by_community(cache: Cache, world: World) -> None:
    assert world.names(questions(cache).items) == ["p8"]
    assert world.names(questions(cache, state="solved").items) == ["p7"]
    assert world.names(questions(cache, state="all").items) == ["p8", "p7"]
    assert world.names(questions(cache, state="all", community_id=world["printers"]).items) == ["p7"]
    assert questions(cache, state="open", community_id=world["printers"]).items == []


def test_a_persons_posts(cache: Cache, world: World) -> None:
    assert world.names(person_posts(cache, world["alice"]).items) == ["p3"]
    bob = person_posts(cache, world["bob"], limit=4)
    assert world.names(bob.items) == ["p10", "p8", "p7", "p5"]


def test_wiki_by_id_path_and_tree(cache: Cache, world: World) -> None:
    page = wiki_page(cache, world["w_vpn"])
    assert page is not None and page.title == "VPN setup" and page.community_id is None
    by_path = wiki_page_by_path(cache, None, "/guides/vpn")
    assert by_path is not None and by_path.id == world["w_vpn"]
    faq = wiki_page_by_path(cache, world["printers"], "faq")
    assert faq is not None and faq.id == world["w_faq"]
    assert wiki_page_by_path(cache, None, "faq") is None
    tree = wiki_tree(cache, None)
    assert [(n.name, n.page_id) for n in tree] == [("guides", world["w_guides"])]
    children = tree[0].children
    assert [(n.path, n.page_id) for n in children] == [
        ("guides/printers", None),
        ("guides/vpn", world["w_vpn"]),
    ]
    assert [(n.path, n.title) for n in children[0].children] == [
        ("guides/printers/floor3", "Floor 3 printer")
    ]
    assert [n.name for n in wiki_tree(cache, world["printers"])] == ["faq"]


def test_notifications_unread_first_then_newest(cache: Cache, world: World) -> None:
    listed = notifications(cache)
    assert world.names(listed) == ["n3", "n2", "n4", "n1"]
    assert listed[0].actor_name == "Bob Stone" and not listed[0].read
    assert unread_count(cache) == 2
    assert world.names(notifications(cache, limit=2, offset=2)) == ["n4", "n1"]


def test_people_by_surname_without_its_accents(cache: Cache) -> None:
    """Typing "lefevre" finds Thomas Lefèvre (a surname, typed without the accent), after the
    people whose name starts with what was typed."""
    thomas = f.user("thomas.l", "Thomas Lefèvre")
    lea = f.user("lea", "Léa Lefebvre")
    lefe = f.user("lefe", "Lefe Bright")
    apply_sync_page(cache, [f.upsert("user", someone) for someone in (thomas, lea, lefe)], "c1")
    while catch_up_search(cache, 1000):
        pass
    assert [p.display_name for p in search_people(cache, "lefe")] == [
        "Lefe Bright",
        "Léa Lefebvre",
        "Thomas Lefèvre",
    ]
    assert [p.display_name for p in search_people(cache, "lefevre")] == ["Thomas Lefèvre"]
    assert [p.display_name for p in search_people(cache, "lea")] == ["Léa Lefebvre"]


def test_people_by_name_or_handle_prefix(cache: Cache, world: World) -> None:
    assert world.names(search_people(cache, "al")) == ["alice"]
    assert world.names(search_people(cache, "CAR")) == ["carol"]
    assert world.names(search_people(cache, "@bo")) == ["bob"]
    assert search_people(cache, "%") == [] and search_people(cache, "  ") == []
    alice = person(cache, world["alice"])
    assert alice is not None and alice.followed_by_me and alice.department == "Sales"
    bob = person(cache, world["bob"])
    assert bob is not None and not bob.followed_by_me


def test_my_communities(cache: Cache, world: World) -> None:
    mine = my_communities(cache)
    assert [(c.name, c.my_role) for c in mine] == [("Cafe", "member"), ("Printers", "moderator")]
    sales = community(cache, world["sales"])
    assert sales is not None and sales.my_role is None


def test_search_puts_solved_questions_first_with_snippets(cache: Cache, world: World) -> None:
    hits = search(cache, "printer password")
    assert [(h.kind, h.id) for h in hits[:2]] == [("post", world["p7"]), ("comment", world["c2"])]
    assert hits[0].solved and hits[1].solved and hits[1].post_id == world["p7"]
    assert f"{HIGHLIGHT_START}printer{HIGHLIGHT_END}" in hits[0].snippet
    assert f"{HIGHLIGHT_START}password{HIGHLIGHT_END}" in hits[1].snippet


def test_search_ranks_by_bm25_within_a_tier(cache: Cache, world: World) -> None:
    hits = search(cache, "printer", kinds=["post"], prefix_last=False)
    assert [world.names([h])[0] for h in hits] == ["p7", "p1"]  # solved first, then the rest by score
    assert hits[0].title == "Reset printer password"


def test_search_kinds_filter_and_people(cache: Cache, world: World) -> None:
    assert {h.kind for h in search(cache, "printer")} == {"post", "comment", "wiki_page", "user"}
    people = search(cache, "printer", kinds=["user"])
    assert [(h.kind, h.id, h.title) for h in people] == [("user", world["carol"], "Carol Alvarez")]
    wiki = search(cache, "vpn client", kinds=["wiki_page"])
    assert [h.id for h in wiki] == [world["w_vpn"]]
    with pytest.raises(ValueError, match="unknown search kinds"):
        search(cache, "x", kinds=["posts"])


def test_search_input_is_never_fts_syntax(cache: Cache, world: World) -> None:
    search(cache, '"unbalanced AND OR NEAR( * -x ^')  # must not raise
    assert search(cache, "   ") == []
    typing = search(cache, "coff", kinds=["post"])  # search as you type: the last word is a prefix
    assert [h.id for h in typing] == [world["p8"]]
    assert search(cache, "coff ", kinds=["post"]) == []  # a finished word is matched whole (stemmed)
    assert search(cache, "coff", kinds=["post"], prefix_last=False) == []


def test_search_ranks_only_the_newest_candidates_of_a_very_common_term(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = f.community("Busy")
    posts = [f.post(group["id"], None, "common word " + "filler " * n) for n in range(30)]
    apply_sync_page(cache, [f.upsert("post", p) for p in posts], "c1")
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    hits = search(cache, "common", kinds=["post"], limit=20)
    assert {h.id for h in hits} == {p["id"] for p in posts[-5:]}


def test_a_common_query_ranks_its_newest_matches_title_first_without_bm25(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = f.community("Busy")
    old_title = f.post(group["id"], None, "common text", title="common in the title")
    others = [f.post(group["id"], None, f"common word {n}") for n in range(10)]
    new_title = f.post(group["id"], None, "more text", title="common again")
    solved = f.post(group["id"], None, "common question", kind="question", accepted_comment_id="c")
    posts = [old_title, *others, new_title, solved]
    apply_sync_page(cache, [f.upsert("post", p) for p in posts], "c1")
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 8)
    hits = search(cache, "common", kinds=["post"], limit=5)
    assert [h.id for h in hits] == [
        solved["id"],
        new_title["id"],
        others[-1]["id"],
        others[-2]["id"],
        others[-3]["id"],
    ]
    assert all(h.score == 0.0 for h in hits)  # ranked by recency: bm25 would read every match
    chatter = [f.upsert("comment", f.comment(others[0]["id"], ME, f"common reply {n}")) for n in range(12)]
    people = [f.upsert("user", f.user(f"common{n}", f"Common Person {n}")) for n in range(12)]
    pages = [f.upsert("wiki_page", f.wiki_page(None, f"p{n}", f"Common page {n}")) for n in range(12)]
    apply_sync_page(cache, chatter + people + pages, "c2")
    assert {h.kind for h in search(cache, "common", limit=50)} == {"post", "comment", "user", "wiki_page"}
    rare = search(cache, "question", kinds=["post"], prefix_last=False)
    assert [h.id for h in rare] == [solved["id"]] and rare[0].score < 0  # few matches: bm25


def test_a_specific_query_with_a_very_common_word_skips_bm25(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = f.community("Busy")
    posts = [f.post(group["id"], None, f"the text {n}") for n in range(10)]
    special = f.post(group["id"], None, "the zx81 manual")
    apply_sync_page(cache, [f.upsert("post", p) for p in [*posts, special]], "c1")
    assert search(cache, "the zx81 ")[0].score < 0  # every word is rare enough: bm25
    assert search(cache, "the zx81")[0].score == 0.0  # a prefix (as you type) is never scored
    monkeypatch.setattr(search_module, "IDF_LIMIT", 5)  # now "the" is too common to score
    hits = search(cache, "the zx81 ", kinds=["post"])
    assert [(h.id, h.score) for h in hits] == [(special["id"], 0.0)]


def test_typing_a_common_whole_word_does_not_expand_it(cache: Cache, monkeypatch: pytest.MonkeyPatch) -> None:
    group = f.community("Busy")
    posts = [f.post(group["id"], None, f"printer jam {n}") for n in range(10)]
    printers = f.post(group["id"], None, "two printers")
    apply_sync_page(cache, [f.upsert("post", p) for p in [printers, *posts]], "c1")
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    exact_word = search(cache, "printer jam", kinds=["post"], limit=20)  # "jam" has > 5 matches: taken whole
    assert {h.id for h in exact_word} == {p["id"] for p in posts[-5:]}
    assert search(cache, "printers tw", kinds=["post"]) == []  # "tw" is too short to be a prefix
    assert [h.id for h in search(cache, "two printe", kinds=["post"])] == [printers["id"]]  # rare: expanded
    assert (
        f"{HIGHLIGHT_START}printers{HIGHLIGHT_END}" in search(cache, "two printe", kinds=["post"])[0].snippet
    )
