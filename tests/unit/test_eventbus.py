"""The in-process bus: an event addressed to one user is offered to that user's
subscriptions (and those of no user) only; others go to every subscription's filter."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from centralino.domain.access import Place
from centralino.domain.events import Event
from centralino.domain.roles import Permission
from centralino.eventbus import InMemoryEventBus, _QueueSubscription


def _event(kind: str, user_id: int | None = None) -> Event:
    place = Place(1, "/1/")
    return Event(
        kind, datetime(2026, 12, 5, tzinfo=UTC), place, Permission.CALLS_HANDLE, {}, user_id
    )


def _drain(sub: _QueueSubscription) -> list[str]:
    out = []
    while not sub.queue.empty():
        out.append(sub.queue.get_nowait().kind)
    return out


def test_personal_events_reach_their_user_only_and_others_every_filter() -> None:
    async def scenario() -> None:
        bus = InMemoryEventBus()
        offered: dict[str, list[str]] = {"seven": [], "eight": [], "anyone": []}

        def accept(name: str, user_id: int | None):  # type: ignore[no-untyped-def]
            def check(e: Event) -> bool:
                offered[name].append(e.kind)
                return e.user_id is None or user_id is None or e.user_id == user_id

            return check

        seven = bus.subscribe(accept("seven", 7), user_id=7)
        eight = bus.subscribe(accept("eight", 8), user_id=8)
        anyone = bus.subscribe(accept("anyone", None))
        bus.publish(_event("phone.state", 7))
        bus.publish(_event("group.updated"))
        await asyncio.sleep(0)  # offers go through the subscribers' loop
        assert offered == {
            "seven": ["phone.state", "group.updated"],
            "eight": ["group.updated"],  # 7's event is not even offered to 8
            "anyone": ["phone.state", "group.updated"],
        }
        assert _drain(seven) == ["phone.state", "group.updated"]
        assert _drain(eight) == ["group.updated"]
        assert _drain(anyone) == ["phone.state", "group.updated"]

        assert bus.subscriber_count == 3
        seven.close()
        seven.close()  # twice is harmless
        assert bus.subscriber_count == 2
        again = bus.subscribe(accept("seven", 7), user_id=7)
        bus.publish(_event("phone.offer", 7))
        await asyncio.sleep(0)
        assert _drain(seven) == [] and _drain(again) == ["phone.offer"]
        assert _drain(eight) == []

    asyncio.run(scenario())
