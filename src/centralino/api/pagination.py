"""Limit/offset pagination shared by every list route."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from centralino.store.repos.page import Page as StorePage

T = TypeVar("T")
S = TypeVar("S")


@dataclass(slots=True, frozen=True)
class PageParams:
    limit: int
    offset: int


def page_params(
    limit: int = Query(50, ge=1, le=500, description="Rows per page"),
    offset: int = Query(0, ge=0, le=10_000_000, description="Rows to skip"),
) -> PageParams:
    return PageParams(limit, offset)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def to_page(page: StorePage[Any], convert: Callable[[Any], S]) -> dict[str, Any]:
    return {
        "items": [convert(i) for i in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }
