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

    def subscribe(self, accept: Filter, maxsize: int = 1000) -> Subscription: ...


class _QueueSubscription:
    def __init__(self, bus: InMemoryEventBus, accept: Filter, maxsize: int) -> None:
        self.bus = bus
        self.accept = accept
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
    def __init__(self) -> None:
        self._subs: list[_QueueSubscription] = []
        self._lock = threading.Lock()

    def publish(self, event: Event) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            if not sub.accept(event):
                continue
            try:
                sub.loop.call_soon_threadsafe(sub.offer, event)
            except RuntimeError:  # the subscriber's loop has closed
                self._remove(sub)

    def subscribe(self, accept: Filter, maxsize: int = 1000) -> _QueueSubscription:
        sub = _QueueSubscription(self, accept, maxsize)
        with self._lock:
            self._subs.append(sub)
        return sub

    def _remove(self, sub: _QueueSubscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subs)
