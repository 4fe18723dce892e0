"""Background checks that run inside the web server: the service-level check (QA-1)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from centralino.services.context import ServiceContext
from centralino.services.service_levels import Watch

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def watching(ctx: ServiceContext, every: float) -> AsyncIterator[Watch]:
    """Run the service-level check every `every` seconds while the application runs."""
    watch = Watch(ctx)

    async def loop() -> None:
        while True:
            try:
                await asyncio.to_thread(watch.tick)
            except Exception:
                log.exception("service level check failed")
            await asyncio.sleep(every)

    task = asyncio.create_task(loop())
    try:
        yield watch
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
