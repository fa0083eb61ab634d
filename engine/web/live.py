"""Live updates: server-sent events (``GET /events``) telling open pages that the audit database changed.

The server looks at the audit writer's latest hash-chain block every
``web.poll_seconds`` (one indexed read, read-only); when it moved, every open
page gets an ``change`` event and re-fetches its own content
(``?fragment=1``), so nothing reloads.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from .app import require_api_principal, web
from .auth import Principal

router = APIRouter(include_in_schema=False)
KEEP_ALIVE_SECONDS = 15.0


@router.get("/events")
async def events(request: Request, principal: Principal = Depends(require_api_principal)) -> StreamingResponse:
    state = web(request)

    async def stream():
        version = await asyncio.to_thread(state.reader.version)
        yield f"retry: 2000\nevent: hello\ndata: {version}\n\n"
        quiet = 0.0
        while not await request.is_disconnected():
            await asyncio.sleep(state.settings.poll_seconds)
            current = await asyncio.to_thread(state.reader.version)
            if current != version:
                version, quiet = current, 0.0
                yield f"event: change\ndata: {version}\n\n"
            else:
                quiet += state.settings.poll_seconds
                if quiet >= KEEP_ALIVE_SECONDS:
                    quiet = 0.0
                    yield ": keep-alive\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache",
                                                                               "X-Accel-Buffering": "no"})
