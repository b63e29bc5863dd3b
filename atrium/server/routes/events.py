"""``GET /events``: server-sent wake-ups for the signed-in user.

The per-process ``EventHub`` (``atrium/server/events.py``) decides when a stream hears
``changed`` and when its heartbeat comment is due (``events.HEARTBEAT_SECONDS``); this
route only subscribes and writes what the hub rings for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import StreamingResponse

from ..context import Caller, current_caller

router = APIRouter(tags=["sync"])
CONNECTED = b": connected\nretry: 3000\n\n"
CHANGED = b'event: changed\ndata: {"hint": null}\n\n'
HEARTBEAT = b": heartbeat\n\n"


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "A stream of `changed` events"}},
)
async def events(request: Request, caller: Annotated[Caller, Depends(current_caller)]) -> StreamingResponse:
    hub = request.app.state.events

    async def stream() -> AsyncIterator[bytes]:
        # Subscribe inside the generator: its `finally` then always unsubscribes, even when
        # the client is gone before the first byte (a generator never started runs no `finally`).
        subscriber = await hub.subscribe(caller.user_id)
        try:
            # Sent once subscribed: from here on, no change in the caller's scopes goes unannounced.
            yield CONNECTED
            while True:
                changed, beat = await subscriber.next_message()
                # The hint is null: the client's own cursor is what it syncs from.
                yield (CHANGED if changed else b"") + (HEARTBEAT if beat else b"")
        finally:
            hub.unsubscribe(subscriber)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
