"""Reading configuration from JSON-like dicts with messages that name the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from centralino.domain.errors import InvalidInput

T = TypeVar("T")
D = TypeVar("D")


def get(data: Mapping[str, object], key: str, kind: type[T], where: str, default: D) -> T | D:
    """`data[key]` checked against `kind`; `default` when absent or null."""
    value = data.get(key)
    if value is None:
        return default
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise InvalidInput(f"{where}.{key} must be {kind.__name__}, got {value!r}", where)
    return value


def need(data: Mapping[str, object], key: str, kind: type[T], where: str) -> T:
    value = get(data, key, kind, where, None)
    if value is None:
        raise InvalidInput(f"{where}.{key} is required", where)
    return value
