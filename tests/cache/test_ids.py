"""Change ids of objects without an ``id`` field: a reaction's names its target first."""

from __future__ import annotations

from atrium.cache import reaction_id, reaction_target, uuid7


def test_a_reaction_id_names_its_target_and_sorts_after_its_prefix() -> None:
    post, user = uuid7(), uuid7()
    rid = reaction_id("post", post, user)
    assert reaction_target(rid) == ("post", post)
    assert f"post:{post}:" < rid < f"post:{post};"  # the key range the cache reads a target's likes by
    assert reaction_target(reaction_id("comment", post, user, "celebrate")) == ("comment", post)


def test_new_ids_sort_by_time() -> None:
    assert uuid7(at_ms=1_000) < uuid7(at_ms=2_000) < uuid7()
