"""``GET /events``: server-sent wake-ups for the signed-in user."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import StreamingResponse

from ..context import Caller, current_caller

router = APIRouter(tags=["sync"])
HEARTBEAT_SECONDS = 20.0  # the protocol asks for a comment line at least every 25 s
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
                try:
                    # HEARTBEAT_SECONDS is read on every round, so tests can shorten it. asyncio.timeout
                    # (not wait_for) adds no task per round: cheap with thousands of idle streams.
                    async with asyncio.timeout(HEARTBEAT_SECONDS):
                        await subscriber.pending.wait()
                except TimeoutError:
                    yield HEARTBEAT
                    continue
                subscriber.pending.clear()
                # The hint is null: the client's own cursor is what it syncs from.
                yield CHANGED
        finally:
            hub.unsubscribe(subscriber)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
