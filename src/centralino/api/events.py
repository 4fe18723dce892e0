"""The live event stream: a WebSocket that sends each subscriber only what it may see."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from centralino.api.deps import SESSION_COOKIE
from centralino.services import auth
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext

router = APIRouter()


async def _identify(ws: WebSocket, ctx: ServiceContext) -> Identity | None:
    header = ws.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return await run_in_threadpool(auth.identity_from_token, ctx, token.strip())
    cookie = ws.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    # A cookie rides along on cross-site requests: accept it only from our own origin.
    origin = ws.headers.get("origin")
    if origin and urlsplit(origin).netloc != ws.headers.get("host"):
        return None
    return await run_in_threadpool(auth.identity_from_session, ctx, cookie)


@router.websocket("/events")
async def events(ws: WebSocket) -> None:
    """Subscribe to live events. Authenticate with the session cookie or a bearer token."""
    ctx: ServiceContext = ws.app.state.ctx
    identity = await _identify(ws, ctx)
    if identity is None:
        await ws.close(code=4401, reason="authentication required")
        return
    principal = identity.principal
    sub = ctx.bus.subscribe(lambda e: e.visible_to(principal), user_id=principal.user_id)
    await ws.accept()
    await ws.send_json({"kind": "hello", "user": identity.user.username})

    async def pump() -> None:
        async for event in sub:
            await ws.send_json(event.as_json())

    sender = asyncio.create_task(pump())
    try:
        while True:
            msg = await ws.receive_text()
            if msg == "ping":
                await ws.send_json({"kind": "pong"})
    except WebSocketDisconnect:
        pass
    finally:
        sub.close()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
