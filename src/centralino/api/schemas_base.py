"""Base for request bodies: unknown fields rejected, strings stripped and bounded."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from centralino.web.i18n import LOCALES


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Patch(Body):
    """A partial update: absent fields stay; null is accepted only where a value may be empty."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Username = Annotated[
    str, StringConstraints(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256, strip_whitespace=False)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]

_ZONES = available_timezones()


def _tz(value: str) -> str:
    if value not in _ZONES:
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Rome")
    return value


def _locale(value: str) -> str:
    if value not in LOCALES:
        raise ValueError(f"unsupported locale {value!r}; choose one of {', '.join(LOCALES)}")
    return value


TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_tz)]
Locale = Annotated[str, StringConstraints(max_length=8), AfterValidator(_locale)]
