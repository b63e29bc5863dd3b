"""``GET /events``: server-sent wake-ups for the signed-in user."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import StreamingResponse

from ..context import Caller, current_caller

router = APIRouter(tags=["sync"])
HEARTBEAT_SECONDS = 20.0


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
            yield b": connected\nretry: 3000\n\n"
            while True:
                with contextlib.suppress(TimeoutError):
                    # HEARTBEAT_SECONDS is read on every round, so tests can shorten it.
                    await asyncio.wait_for(subscriber.pending.wait(), timeout=HEARTBEAT_SECONDS)
                if subscriber.pending.is_set():
                    subscriber.pending.clear()
                    # The hint is null: the client's own cursor is what it syncs from.
                    yield b'event: changed\ndata: {"hint": null}\n\n'
                else:
                    yield b": heartbeat\n\n"
        finally:
            hub.unsubscribe(subscriber)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
