"""What every service needs: a way to open a unit of work, the bus, the time and the hasher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import Engine

from centralino.eventbus import EventBus
from centralino.settings import Settings
from centralino.store.uow import UnitOfWork


@dataclass(slots=True)
class ServiceContext:
    settings: Settings
    engine: Engine
    bus: EventBus
    now: Callable[[], datetime]
    hasher: PasswordHasher

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def publish(self, uow: UnitOfWork) -> None:
        for event in uow.collect_events():
            self.bus.publish(event)


def make_hasher(profile: str) -> PasswordHasher:
    if profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()
