"""``GET /events``: server-sent wake-ups for the signed-in user.

The per-process ``EventHub`` (``atrium/server/events.py``) decides when a stream hears
``changed`` and when its heartbeat comment is due (``events.HEARTBEAT_SECONDS``); a stream
only subscribes and writes what the hub rings for.

One process holds thousands of these streams for hours, so each is kept small: ``EventStream``
writes to the ASGI connection itself, with one helper task that waits for the disconnect,
instead of ``StreamingResponse`` (a task group, two tasks and a generator per stream); and
``serve_event_stream`` answers the path before FastAPI's middleware and routing, which would
otherwise stay suspended on every stream too. Python objects per stream: ~200 -> ~60 —
fewer objects for every full garbage collection to walk (bench/RESULTS.md). The route below
documents the endpoint and serves it when the shortcut does not apply.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from ..context import Caller, bearer_token_of, caller_from_token, current_caller, unauthorized
from ..events import EventHub, Subscriber
from ..problems import Problem, problem_response

log = logging.getLogger(__name__)

router = APIRouter(tags=["sync"])
CONNECTED = b": connected\nretry: 3000\n\n"
CHANGED = b'event: changed\ndata: {"hint": null}\n\n'
HEARTBEAT = b": heartbeat\n\n"
_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),
]


class EventStream(Response):
    """The event stream of one signed-in caller, written straight to the connection."""

    def __init__(self, hub: EventHub, caller: Caller) -> None:
        super().__init__(media_type="text/event-stream")
        self._hub = hub
        self._caller = caller

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscriber = await self._hub.subscribe(self._caller.user_id)
        watcher: asyncio.Task[None] | None = None
        try:
            await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
            # Sent once subscribed: from here on, no change in the caller's scopes goes unannounced.
            await send({"type": "http.response.body", "body": CONNECTED, "more_body": True})
            watcher = asyncio.ensure_future(_hang_up_on_disconnect(receive, subscriber))
            while True:
                changed, beat = await subscriber.next_message()
                if subscriber.closed:
                    return
                # The hint is null: the client's own cursor is what it syncs from.
                body = (CHANGED if changed else b"") + (HEARTBEAT if beat else b"")
                await send({"type": "http.response.body", "body": body, "more_body": True})
        finally:
            if watcher is not None:
                watcher.cancel()
            self._hub.unsubscribe(subscriber)


async def _hang_up_on_disconnect(receive: Receive, subscriber: Subscriber) -> None:
    """Wait for the client to go; then ring the subscriber so its stream ends."""
    while (await receive())["type"] != "http.disconnect":
        pass
    subscriber.closed = True
    subscriber.pending.set()


@router.get(
    "/events",
    response_class=StreamingResponse,  # for the OpenAPI document; the answer is an EventStream
    responses={200: {"content": {"text/event-stream": {}}, "description": "A stream of `changed` events"}},
)
async def events(request: Request, caller: Annotated[Caller, Depends(current_caller)]) -> EventStream:
    return EventStream(request.app.state.events, caller)


async def serve_event_stream(app: Any, scope: Scope, receive: Receive, send: Send) -> None:
    """``GET /api/v1/events`` answered before the middleware and router (see the module
    docstring): sign-in as ``current_caller`` checks it, then the stream."""
    try:
        token = bearer_token_of(scope)
        if token is None:
            raise unauthorized("Sign in first: this call needs 'Authorization: Bearer <token>'.")
        caller = await run_in_threadpool(caller_from_token, app.state.atrium, token)
    except Problem as problem:
        await problem_response(problem)(scope, receive, send)
        return
    except Exception:
        log.exception("could not open an event stream")
        await problem_response(Problem(500, "Server error", "Something went wrong on the server."))(
            scope, receive, send
        )
        return
    await EventStream(app.state.events, caller)(scope, receive, send)
