"""The event bus behind an interface; the in-process bus fans events out to asyncio queues.

A NATS or Redis adapter implements the same `EventBus` protocol: `publish` may be called
from any thread, `subscribe` is used from the web server's event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from centralino.domain.events import Event

Filter = Callable[[Event], bool]


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[Event]: ...

    def close(self) -> None: ...


class EventBus(Protocol):
    def publish(self, event: Event) -> None: ...

    def subscribe(
        self, accept: Filter, maxsize: int = 1000, user_id: int | None = None
    ) -> Subscription:
        """`accept` decides which events the subscriber receives; with `user_id`, the
        events addressed to another user (`Event.user_id`) are not even offered to it."""
        ...


class _QueueSubscription:
    def __init__(
        self, bus: InMemoryEventBus, accept: Filter, maxsize: int, user_id: int | None
    ) -> None:
        self.bus = bus
        self.accept = accept
        self.user_id = user_id
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0

    def offer(self, event: Event) -> None:
        # Runs on the subscriber's loop; a slow subscriber loses events, never blocks others.
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            yield await self.queue.get()

    def close(self) -> None:
        self.bus._remove(self)


class InMemoryEventBus:
    """An event addressed to one user (an operator's own phone) is offered only to that
    user's subscriptions and those of no user, so it costs the same with 5 subscribers
    or 5,000; an event for everyone who may see it is offered to every subscription."""

    def __init__(self) -> None:
        self._subs: list[_QueueSubscription] = []
        self._anyone: list[_QueueSubscription] = []  # subscribed without a user
        self._by_user: dict[int, list[_QueueSubscription]] = {}
        self._lock = threading.Lock()

    def publish(self, event: Event) -> None:
        with self._lock:
            if event.user_id is None:
                subs = list(self._subs)
            else:
                subs = [*self._anyone, *self._by_user.get(event.user_id, ())]
        for sub in subs:
            if not sub.accept(event):
                continue
            try:
                sub.loop.call_soon_threadsafe(sub.offer, event)
            except RuntimeError:  # the subscriber's loop has closed
                self._remove(sub)

    def subscribe(
        self, accept: Filter, maxsize: int = 1000, user_id: int | None = None
    ) -> _QueueSubscription:
        sub = _QueueSubscription(self, accept, maxsize, user_id)
        with self._lock:
            self._subs.append(sub)
            self._of(sub).append(sub)
        return sub

    def _of(self, sub: _QueueSubscription) -> list[_QueueSubscription]:
        if sub.user_id is None:
            return self._anyone
        return self._by_user.setdefault(sub.user_id, [])

    def _remove(self, sub: _QueueSubscription) -> None:
        with self._lock:
            if sub not in self._subs:
                return
            self._subs.remove(sub)
            self._of(sub).remove(sub)
            if sub.user_id is not None and not self._by_user[sub.user_id]:
                del self._by_user[sub.user_id]

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subs)
