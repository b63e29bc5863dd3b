"""Atrium's local store: the desktop's offline cache in one SQLite file (headless; no Qt).

Imports only the stdlib, sqlite-utils and orjson. Everything a pane shows is read from here;
only the sync engine (server rows) and the outbox (optimistic rows) write. Every write happens
in one transaction and returns a ``ChangeSet`` ({protocol type: ids touched}) — the "cache
changed" event panes use to refresh only what is theirs.

Opening — ``store.py``
    open_cache(path, *, read_only=False, verify=None) -> Cache
        WAL, synchronous=NORMAL, foreign keys; migrations on PRAGMA user_version (migrations.py).
        Newer file → CacheTooNewError. Damaged file (not SQLite, truncated, failing quick_check) →
        moved to ``<name>.corrupt-<time>``, fresh cache, ``cache.recovered_from`` set (tell the
        user). quick_check reads the whole file, so by default it runs only after an unclean
        shutdown or weekly (``verify=True``: always). ``read_only`` = a reader for another thread.
    Cache: .path .conn .recovered_from .files_dir .transaction() .close()
           .catch_up_search(max_rows=None) -> int   .reindex_search()   .search_backlog() -> int
    set_aside(path) -> Path   — a newer Atrium's file (CacheTooNewError) to ``<name>.newer-<time>``,
        kept (its unsent work may matter); the next open_cache starts afresh. set_aside_copies(path).
    wipe(path)   — revoked device: db, -wal, -shm, moved-aside copies and attachment files.

Every function below takes ``target``: a Cache, or its ``conn`` inside a caller's transaction.

Sync — ``apply.py``, ``sync_state.py``
    apply_sync_page(target, changes, cursor, *, index_now=None, commit=True) -> ChangeSet
        The page's changes in order + the cursor, in ONE transaction. MalformedPageError (nothing
        written) for a malformed change; unknown types are skipped; ``scope``/``drop`` purges a
        community. Search: small pages are indexed at once; after a big first sync call
        ``catch_up_search`` (in slices: ``max_rows``) until it returns 0. ``commit=False`` leaves
        the transaction open for the next pages to join; ``commit_held(target)`` commits them.
    apply_changes(target, changes, *, pending=False) -> ChangeSet   — same shapes, no cursor.
    read_sync_state(target) -> SyncState(server, user_id, cursor, last_sync_at)
    set_identity(target, server, user_id)
    ids: uuid7(), membership_id(), reaction_id(), reaction_target(), follow_id() — ids for client-made objects.

Outbox — ``outbox.py``
    enqueue(target, kind, method, path, body=None, object_type=None, object_id=None, *,
            optimistic_rows=(), op_id=None) -> Enqueued(entry, changes)
        Optimistic rows (pending=1, shaped like sync changes) + the entry, in ONE transaction.
    next_due(target, now=None, limit=50) -> list[OutboxEntry]   mark_sending(target, op_id)
    mark_done(target, op_id)   mark_failed(target, op_id, error, *, retry_at=None, permanent=False)
    retry(target, op_id)   discard(target, op_id) -> ChangeSet   entries(target)
    revise(target, op_id, body)   — the request to send instead (a merged wiki edit)
    settle(target) -> ChangeSet   — after a full pull: what accepted changes left as it was
    enqueue(..., fold=True): amend or undo an untried entry instead (an unlike, an edit, a delete)
    pending_counts(target) -> {"pending": n, "failed": n}
    enqueue(..., draft_key=KEY) deletes that draft in the same transaction (it was just sent).
    enqueue records what its rows replace and discard puts it back (``undo.py``: the server's
    state again, unless the server wrote the object since).   read_object(target, kind, id)

Drafts — ``drafts.py`` (typed, not sent; never synced, never evicted)
    save_draft(target, key, fields) -> ChangeSet   delete_draft(target, key) -> ChangeSet
    load_draft(target, key) -> Draft(key, fields, updated_at) | None
    drafts(target, prefix="") -> list[Draft]   draft_count(target) -> int

Reading — ``feed.py``, ``threads.py``, ``wiki.py``, ``people.py``, ``notifications.py``, ``search.py``
    personal_feed(target, *, filter="all"|"following"|"announcements"|"questions"|"blogs",
                  before=None, limit=30) -> FeedPage(items, next_before)     (pinned first)
    community_feed(target, community_id, *, kind=None, before=None, limit=30) -> FeedPage
    questions(target, *, state="open"|"solved"|"all", community_id=None, before=None) -> FeedPage
    person_posts(target, user_id, *, before=None) -> FeedPage
    thread(target, post_id) -> Thread(post, comments) | None
    wiki_page(target, id) / wiki_page_by_path(target, community_id, path) -> WikiPage | None
    wiki_tree(target, community_id) -> list[WikiTreeNode]
    add_wiki_conflict(...) / wiki_conflicts(target, page_id=None) / resolve_wiki_conflict(target, id)
    notifications(target, *, limit=50, offset=0) -> list[Notification]   (unread first, newest)
    unread_count(target) -> int   unread_entries(target) -> int (likes of one target once)
    person(target, user_id) / search_people(target, prefix) / community(target, id) / my_communities(target)
    search(target, text, *, kinds=None, limit=20, prefix_last=True) -> list[SearchHit]
        Solved questions first, then bm25; a very common query ranks only its newest matches
        (search.py says how). Snippets mark terms with HIGHLIGHT_START / HIGHLIGHT_END.
    "me" is the user stored by set_identity (every reader also takes ``me=`` explicitly).

Keeping — ``retention.py``, ``attachments.py``
    enforce_retention(target, days=90, size_cap_bytes=None) -> RetentionReport
    mark_read(target, post_id)   database_size(target) -> int
    store_attachment(target, sha256, bytes_or_path, *, cap_bytes=...) -> Path   (hash verified)
    attachment_path(target, sha256) -> Path | None   set_keep_offline(target, sha256, keep)
    attachments_to_fetch(target) -> list[str]   evict_attachments(target, cap_bytes) -> list[str]
    kept_files_to_fetch(target) -> [FileToFetch]   offline_files(target, shas) -> OfflineFiles
    store_file(target, sha, data, cap_bytes=) -> (path, ChangeSet)   mark_fetch_failed(...)
    release_unreachable_files(target) -> ChangeSet   (kept files no cached post carries)

For the sync engine
    - Parse a page with orjson and hand ``changes`` over as they are; validation is here.
    - After a round ends (``has_more`` false) call ``catch_up_search(max_rows=20_000)`` until it
      returns 0 (bounded write locks); search shows "indexing…" while ``search_backlog()`` > 0.
    - A server upsert replaces an optimistic row even while its outbox entry is unsent (the
      entry still holds the user's edit and wins when it reaches the server).
    - A ``scope`` drop purges the community's rows, optimistic ones included; their outbox
      entries stay and fail visibly (403/404), so no unsent text is lost.
    - Run ``enforce_retention`` after syncs or daily; close every Cache before ``wipe``.
"""

from __future__ import annotations

from .apply import DIRECT_INDEX_LIMIT, apply_changes, apply_sync_page
from .attachments import (
    ATTACHMENT,
    OfflineFiles,
    attachment_path,
    attachments_size,
    attachments_to_fetch,
    evict_attachments,
    kept_files_to_fetch,
    mark_fetch_failed,
    offline_files,
    release_unreachable_files,
    set_keep_offline,
    store_attachment,
    store_file,
)
from .changeset import ChangeSet
from .db import CacheLike, commit_held
from .drafts import DRAFT, Draft, delete_draft, draft_count, drafts, load_draft, save_draft
from .errors import (
    AttachmentHashMismatchError,
    CacheDamagedError,
    CacheError,
    CacheTooNewError,
    MalformedPageError,
    UnknownOutboxEntryError,
)
from .feed import community_feed, person_posts, personal_feed, questions
from .ids import follow_id, membership_id, reaction_id, reaction_target, uuid7
from .migrations import LATEST_VERSION
from .models import (
    Comment,
    Community,
    FeedPage,
    Notification,
    Person,
    Post,
    SearchHit,
    Thread,
    WikiConflict,
    WikiPage,
    WikiTreeNode,
)
from .notifications import notifications, unread_count, unread_entries
from .outbox import (
    Enqueued,
    OutboxEntry,
    apply_answer,
    discard,
    enqueue,
    entries,
    mark_done,
    mark_failed,
    mark_sending,
    next_due,
    pending_counts,
    retry,
    revise,
    settle,
)
from .people import community, my_communities, person, search_people
from .retention import RetentionReport, database_size, enforce_retention, mark_read
from .search import HIGHLIGHT_END, HIGHLIGHT_START, SEARCH_KINDS, search
from .search_index import catch_up_search, reindex_search, search_backlog
from .store import Cache, mark_damaged, open_cache, set_aside, set_aside_copies, wipe
from .sync_state import SyncState, read_sync_state, set_identity
from .threads import thread
from .undo import read_object
from .wiki import (
    add_wiki_conflict,
    resolve_wiki_conflict,
    wiki_conflicts,
    wiki_page,
    wiki_page_by_path,
    wiki_tree,
)

__all__ = [
    "ATTACHMENT",
    "DIRECT_INDEX_LIMIT",
    "DRAFT",
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "LATEST_VERSION",
    "SEARCH_KINDS",
    "AttachmentHashMismatchError",
    "Cache",
    "CacheDamagedError",
    "CacheError",
    "CacheLike",
    "CacheTooNewError",
    "ChangeSet",
    "Comment",
    "Community",
    "Draft",
    "Enqueued",
    "FeedPage",
    "MalformedPageError",
    "Notification",
    "OfflineFiles",
    "OutboxEntry",
    "Person",
    "Post",
    "RetentionReport",
    "SearchHit",
    "SyncState",
    "Thread",
    "UnknownOutboxEntryError",
    "WikiConflict",
    "WikiPage",
    "WikiTreeNode",
    "add_wiki_conflict",
    "apply_answer",
    "apply_changes",
    "apply_sync_page",
    "attachment_path",
    "attachments_size",
    "attachments_to_fetch",
    "catch_up_search",
    "commit_held",
    "community",
    "community_feed",
    "database_size",
    "delete_draft",
    "discard",
    "draft_count",
    "drafts",
    "enforce_retention",
    "enqueue",
    "entries",
    "evict_attachments",
    "follow_id",
    "kept_files_to_fetch",
    "load_draft",
    "mark_damaged",
    "mark_done",
    "mark_failed",
    "mark_fetch_failed",
    "mark_read",
    "mark_sending",
    "membership_id",
    "my_communities",
    "next_due",
    "notifications",
    "offline_files",
    "open_cache",
    "pending_counts",
    "person",
    "person_posts",
    "personal_feed",
    "questions",
    "reaction_id",
    "reaction_target",
    "read_object",
    "read_sync_state",
    "reindex_search",
    "release_unreachable_files",
    "resolve_wiki_conflict",
    "retry",
    "revise",
    "save_draft",
    "search",
    "search_backlog",
    "search_people",
    "set_aside",
    "set_aside_copies",
    "set_identity",
    "set_keep_offline",
    "settle",
    "store_attachment",
    "store_file",
    "thread",
    "unread_count",
    "unread_entries",
    "uuid7",
    "wiki_conflicts",
    "wiki_page",
    "wiki_page_by_path",
    "wiki_tree",
    "wipe",
]
