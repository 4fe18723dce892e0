"""The one place that wires settings, database, bus, services and the web application."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from centralino.eventbus import EventBus, InMemoryEventBus
from centralino.services.context import ServiceContext, make_hasher
from centralino.settings import Settings
from centralino.store import migrate
from centralino.store.db import make_engine


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_context(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    bus: EventBus | None = None,
    upgrade: bool = True,
) -> ServiceContext:
    settings = settings or Settings()
    engine = engine or make_engine(settings.resolved_database_url)
    if upgrade:
        migrate.upgrade(engine)
    return ServiceContext(
        settings=settings,
        engine=engine,
        bus=bus or InMemoryEventBus(),
        now=utc_now,
        hasher=make_hasher(settings.password_hashing),
    )


def build_app(ctx: ServiceContext):  # type: ignore[no-untyped-def]
    """The web application, with the live engine running alongside when enabled."""
    import contextlib
    from contextlib import asynccontextmanager

    from centralino.api.app import create_app
    from centralino.live import LiveCenter, running
    from centralino.watch import watching

    app = create_app(ctx)
    every = ctx.settings.service_level_check_seconds
    live = None
    if ctx.settings.dialer == "sim":
        live = LiveCenter(
            ctx,
            bots=ctx.settings.demo_bots,
            callers_per_hour=ctx.settings.demo_callers_per_hour if ctx.settings.demo_bots else 0,
        )
        app.state.live = live

    @asynccontextmanager
    async def lifespan(_app):  # type: ignore[no-untyped-def]
        async with contextlib.AsyncExitStack() as stack:
            if live is not None:
                await stack.enter_async_context(running(live))
            if every > 0:
                app.state.watch = await stack.enter_async_context(watching(ctx, every))
            yield

    app.router.lifespan_context = lifespan
    return app
