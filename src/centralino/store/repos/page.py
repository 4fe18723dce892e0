"""A page of rows and the total they were taken from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Select, func, select

T = TypeVar("T")


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def fetch_page(
    conn: Connection, query: Select[Any], limit: int, offset: int
) -> tuple[list[Any], int]:
    total = conn.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    rows = conn.execute(query.limit(limit).offset(offset)).all()
    return list(rows), int(total)
