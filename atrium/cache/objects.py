"""The protocol's object types as cache rows: which fields, which checks, which upsert statement.

Validation is deliberately strict on what the cache relies on (identity, relations, sort keys:
the NOT NULL columns) and lenient on the rest: an optional field may be missing or null, but a
field that is present must have the protocol's JSON type. Unknown extra fields are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import orjson


class Kind(Enum):
    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    LIST = "list"  # a JSON array, stored as TEXT


class InvalidObject(ValueError):
    """Raised by ``build_row``; apply.py turns it into MalformedPageError with the change's index."""


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    default: Any = None


def _req(name: str, kind: Kind = Kind.TEXT) -> Field:
    return Field(name, kind, required=True)


RowBuilder = Callable[[str, dict[str, Any]], tuple[Any, ...]]
_PYTHON_TYPES = {Kind.TEXT: str, Kind.INT: int, Kind.BOOL: bool, Kind.LIST: list}
_MAX_KNOWN_SHAPES = 4096


@dataclass(frozen=True)
class ObjectSpec:
    """One protocol type and its table. ``has_id``: the object carries ``id`` (== the change id)."""

    type: str
    table: str
    has_id: bool
    fields: tuple[Field, ...]
    local_reset: tuple[str, ...] = ()  # local columns an upsert from the server resets to 0
    upsert_sql: dict[bool, str] = field(init=False, compare=False)
    build_row: RowBuilder = field(init=False, compare=False, repr=False)
    """``build_row(change_id, data)``: the row (change id first, then the fields) for an upsert of
    ``data``; raises InvalidObject when its shape is wrong. Generated per type (_compile_row_builder)."""

    def __post_init__(self) -> None:
        columns = ["id", *(f.name for f in self.fields)]
        placeholders = ", ".join("?" for _ in columns)
        assignments = [f"{c} = excluded.{c}" for c in columns[1:]]
        assignments.append("pending = excluded.pending")
        assignments.extend(f"{c} = 0" for c in self.local_reset)
        statements = {
            pending: f"INSERT INTO {self.table} ({', '.join(columns)}, pending) "
            f"VALUES ({placeholders}, {int(pending)}) "
            f"ON CONFLICT (id) DO UPDATE SET {', '.join(assignments)}"
            for pending in (False, True)
        }
        object.__setattr__(self, "upsert_sql", statements)
        object.__setattr__(self, "build_row", _compile_row_builder(self))

    def check(self, values: Sequence[Any]) -> None:
        """Raise InvalidObject unless VALUES (one per field, in order) have the protocol's types."""
        for spec, value in zip(self.fields, values, strict=True):
            if value is None:
                if spec.required:
                    raise InvalidObject(f"{self.type}.{spec.name} is missing")
            elif type(value) is not _PYTHON_TYPES[spec.kind]:
                expected = {Kind.TEXT: "a string", Kind.INT: "an integer", Kind.BOOL: "true or false"}
                raise InvalidObject(f"{self.type}.{spec.name} must be {expected.get(spec.kind, 'an array')}")


def _compile_row_builder(spec: ObjectSpec) -> RowBuilder:
    """SPEC's ``build_row``, generated as straight-line code (as dataclasses and namedtuple do).

    The hot path of a first sync: one ``data.get`` per field into a local, the tuple of the
    values' Python types looked up in a set of shapes already checked (``check`` runs once per
    new shape), defaults, booleans (as 1/0) and JSON arrays filled in inline. Twice as fast as a
    loop over the fields.
    """
    values = [f"v{index}" for index in range(len(spec.fields))]
    lines = ["def build_row(object_id, data):"]
    if spec.has_id:
        lines += [
            "    if data.get('id') != object_id:",
            "        raise InvalidObject(f\"{TYPE} data id {data.get('id')!r} differs from the change id\")",
        ]
    lines.append("    get = data.get")
    lines += [f"    {value} = get({f.name!r})" for value, f in zip(values, spec.fields, strict=True)]
    shape = ", ".join(f"type({value})" for value in values)
    lines += [
        f"    shape = ({shape},)",
        "    if shape not in known:",
        f"        learn(shape, ({', '.join(values)},))",
    ]
    cells = ["object_id"]
    for value, f in zip(values, spec.fields, strict=True):
        if f.kind is Kind.LIST:  # stored as JSON text; an empty list needs no encoder
            empty = "'[]'" if f.default == "[]" else f"('[]' if {value} is not None else {f.default!r})"
            cells.append(f"(dumps({value}).decode() if {value} else {empty})")
        elif f.kind is Kind.BOOL:  # as 1/0: sqlite3 binds a bool only after a slow adapter search
            missing = "None" if f.default is None else repr(int(f.default))
            cells.append(f"({missing} if {value} is None else 1 if {value} else 0)")
        elif f.default is not None:
            cells.append(f"({f.default!r} if {value} is None else {value})")
        else:
            cells.append(value)
    lines.append(f"    return ({', '.join(cells)},)")

    known: set[tuple[type, ...]] = set()

    def learn(shape: tuple[type, ...], row: tuple[Any, ...]) -> None:
        spec.check(row)
        if len(known) < _MAX_KNOWN_SHAPES:
            known.add(shape)

    namespace: dict[str, Any] = {
        "InvalidObject": InvalidObject,
        "TYPE": spec.type,
        "known": known,
        "learn": learn,
        "dumps": orjson.dumps,
    }
    exec("\n".join(lines), namespace)  # the source is built above from SPECS' own field names
    builder: RowBuilder = namespace["build_row"]
    return builder


_TEXT, _INT, _BOOL, _LIST = Kind.TEXT, Kind.INT, Kind.BOOL, Kind.LIST

SPECS: dict[str, ObjectSpec] = {
    spec.type: spec
    for spec in (
        ObjectSpec(
            "user",
            "users",
            True,
            (
                _req("handle"),
                _req("display_name"),
                Field("title"),
                Field("department"),
                Field("location"),
                Field("avatar_url"),
                Field("is_admin", _BOOL, default=0),
            ),
        ),
        ObjectSpec(
            "community",
            "communities",
            True,
            (
                Field("slug"),
                _req("name"),
                Field("description"),
                _req("kind"),
                _req("visibility"),
                Field("member_count", _INT, default=0),
                Field("created_at"),
            ),
        ),
        ObjectSpec(
            "membership",
            "memberships",
            False,
            (_req("community_id"), _req("user_id"), _req("role"), Field("joined_at")),
        ),
        ObjectSpec(
            "follow",
            "follows",
            False,
            (_req("user_id"), _req("target_type"), _req("target_id"), Field("created_at")),
        ),
        ObjectSpec(
            "post",
            "posts",
            True,
            (
                _req("community_id"),
                Field("author_id"),
                Field("app_id"),
                _req("kind"),
                Field("title"),
                _req("body"),
                _req("created_at"),
                Field("edited_at"),
                Field("pinned", _BOOL, default=0),
                Field("comments_enabled", _BOOL, default=1),
                Field("accepted_comment_id"),
                Field("mentions", _LIST, default="[]"),
                Field("topics", _LIST, default="[]"),
                Field("attachments", _LIST, default="[]"),
                Field("like_count", _INT, default=0),
                Field("comment_count", _INT, default=0),
            ),
            local_reset=("body_evicted",),
        ),
        ObjectSpec(
            "comment",
            "comments",
            True,
            (
                _req("post_id"),
                _req("author_id"),
                Field("parent_id"),
                _req("body"),
                _req("created_at"),
                Field("edited_at"),
                Field("like_count", _INT, default=0),
            ),
            local_reset=("body_evicted",),
        ),
        ObjectSpec(
            "reaction",
            "reactions",
            False,
            (_req("target_type"), _req("target_id"), _req("user_id"), _req("kind"), Field("created_at")),
        ),
        ObjectSpec(
            "wiki_page",
            "wiki_pages",
            True,
            (
                Field("community_id"),
                _req("path"),
                _req("title"),
                Field("revision_id"),
                _req("body"),
                Field("created_at"),
                Field("updated_at"),
                Field("updated_by"),
            ),
        ),
        ObjectSpec(
            "app",
            "apps",
            True,
            (
                _req("name"),
                _req("url"),
                Field("icon_url"),
                Field("description"),
                Field("allowed_origins", _LIST, default="[]"),
                Field("position", _INT, default=0),
                Field("community_id"),
            ),
        ),
        ObjectSpec(
            "notification",
            "notifications",
            True,
            (
                _req("kind"),
                Field("actor_id"),
                Field("target_type"),
                Field("target_id"),
                Field("community_id"),
                _req("created_at"),
                Field("read", _BOOL, default=0),
            ),
        ),
    )
}


def post_tags(post_id: str, data: dict[str, Any]) -> list[tuple[str, str, str, str, int]]:
    """``post_tags`` rows for a post: ``topic:<name>`` and ``mention:<user_id>`` (feed lookups)."""
    created_at, kind, pinned = data["created_at"], data["kind"], int(data.get("pinned") is True)
    tags = {f"topic:{topic.lower()}" for topic in data.get("topics") or () if type(topic) is str}
    tags.update(f"mention:{user}" for user in data.get("mentions") or () if type(user) is str)
    return [(post_id, tag, created_at, kind, pinned) for tag in tags]
