"""Order forms (OUT-7, the Italian *PDA*): a form designed per campaign, filled in by the
operator during the call; an order's values are checked against it field by field.

A form is a list of fields of five kinds (text, number, choice, date, checkbox), each
maybe required, with simple checks: a pattern for text, bounds for numbers and dates,
the options of a choice. Every error names the field it is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from centralino.domain.errors import InvalidInput

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 50
MAX_TEXT = 1000
MAX_CHOICES = 50

Value = str | float | int | bool


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"
    DATE = "date"
    CHECKBOX = "checkbox"


@dataclass(slots=True, frozen=True)
class OrderField:
    """One field of the form. `minimum`/`maximum` bound a number (or a date, as ISO
    text); `pattern` is a regular expression a text must match in full."""

    name: str
    label: str
    kind: FieldKind
    required: bool = False
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_date: date | None = None
    max_date: date | None = None

    def check(self) -> None:
        """The definition itself: raises naming the field when it cannot work."""
        where = self.name or "field"
        if not NAME.match(self.name):
            raise InvalidInput(
                f"field name {self.name!r} must start with a lower-case letter and hold only "
                "lower-case letters, digits and _ (at most 40)",
                where,
            )
        if not self.label.strip() or len(self.label) > 100:
            raise InvalidInput(f"field {self.name}: the label must have 1 to 100 characters", where)
        if self.kind is FieldKind.CHOICE:
            if not self.choices:
                raise InvalidInput(f"field {self.name}: a choice needs at least one option", where)
            if len(self.choices) > MAX_CHOICES or len(set(self.choices)) != len(self.choices):
                raise InvalidInput(
                    f"field {self.name}: the options must be distinct, at most {MAX_CHOICES}",
                    where,
                )
            if any(not c.strip() or len(c) > 100 for c in self.choices):
                raise InvalidInput(
                    f"field {self.name}: each option must have 1 to 100 characters", where
                )
        elif self.choices:
            raise InvalidInput(f"field {self.name}: only a choice has options", where)
        if self.pattern is not None:
            if self.kind is not FieldKind.TEXT:
                raise InvalidInput(f"field {self.name}: only a text has a pattern", where)
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise InvalidInput(f"field {self.name}: bad pattern: {exc}", where) from None
        if (self.minimum is not None or self.maximum is not None) and (
            self.kind is not FieldKind.NUMBER
        ):
            raise InvalidInput(f"field {self.name}: only a number has a minimum or maximum", where)
        if (self.min_date is not None or self.max_date is not None) and (
            self.kind is not FieldKind.DATE
        ):
            raise InvalidInput(f"field {self.name}: only a date has date bounds", where)
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise InvalidInput(f"field {self.name}: the minimum is above the maximum", where)
        if self.min_date and self.max_date and self.min_date > self.max_date:
            raise InvalidInput(f"field {self.name}: the first date is after the last", where)

    def clean(self, raw: object) -> Value | None:
        """The value as stored (None when empty and not required), or InvalidInput naming
        the field."""
        name = self.name
        if self.kind is FieldKind.CHECKBOX:
            if raw is None or raw == "":
                raw = False
            if not isinstance(raw, bool):
                raise InvalidInput(f"{name}: must be true or false", name)
            if self.required and not raw:
                raise InvalidInput(f"{name}: must be ticked", name)
            return raw
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise InvalidInput(f"{name}: is required", name)
            return None
        if self.kind is FieldKind.NUMBER:
            return self._number(raw)
        if isinstance(raw, bool) or not isinstance(raw, str):
            raise InvalidInput(f"{name}: must be text", name)
        text = raw.strip()
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"{name}: at most {MAX_TEXT} characters", name)
        if self.kind is FieldKind.CHOICE:
            if text not in self.choices:
                raise InvalidInput(f"{name}: must be one of {', '.join(self.choices)}", name)
            return text
        if self.kind is FieldKind.DATE:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise InvalidInput(f"{name}: must be a date (YYYY-MM-DD)", name) from None
            if self.min_date and day < self.min_date:
                raise InvalidInput(f"{name}: must be on or after {self.min_date}", name)
            if self.max_date and day > self.max_date:
                raise InvalidInput(f"{name}: must be on or before {self.max_date}", name)
            return day.isoformat()
        if self.pattern is not None and not re.fullmatch(self.pattern, text):
            raise InvalidInput(f"{name}: does not match the expected format", name)
        return text

    def _number(self, raw: object) -> float | int:
        name = self.name
        value: float | int
        if isinstance(raw, bool):
            raise InvalidInput(f"{name}: must be a number", name)
        if isinstance(raw, int | float):
            value = raw
        elif isinstance(raw, str):
            try:
                value = float(raw.strip().replace(",", "."))
            except ValueError:
                raise InvalidInput(f"{name}: must be a number", name) from None
        else:
            raise InvalidInput(f"{name}: must be a number", name)
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidInput(f"{name}: must be a number", name)
        if self.minimum is not None and value < self.minimum:
            raise InvalidInput(f"{name}: must be at least {self.minimum:g}", name)
        if self.maximum is not None and value > self.maximum:
            raise InvalidInput(f"{name}: must be at most {self.maximum:g}", name)
        return int(value) if float(value).is_integer() else value

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "label": self.label, "kind": self.kind.value,
            "required": self.required, "choices": list(self.choices), "pattern": self.pattern,
            "minimum": self.minimum, "maximum": self.maximum,
            "min_date": self.min_date.isoformat() if self.min_date else None,
            "max_date": self.max_date.isoformat() if self.max_date else None,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OrderField:
        name = str(data.get("name") or "")
        try:
            kind = FieldKind(str(data.get("kind")))
        except ValueError:
            kinds = ", ".join(k.value for k in FieldKind)
            raise InvalidInput(f"field {name}: the kind must be one of {kinds}", name) from None

        def day(key: str) -> date | None:
            v = data.get(key)
            if v in (None, ""):
                return None
            try:
                return date.fromisoformat(str(v))
            except ValueError:
                raise InvalidInput(f"field {name}: {key} must be a date", name) from None

        def num(key: str) -> float | None:
            v = data.get(key)
            if v is None:
                return None
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise InvalidInput(f"field {name}: {key} must be a number", name)
            return float(v)

        return cls(
            name=name,
            label=str(data.get("label") or ""),
            kind=kind,
            required=bool(data.get("required", False)),
            choices=tuple(str(c) for c in data.get("choices") or ()),
            pattern=data.get("pattern") or None,
            minimum=num("minimum"),
            maximum=num("maximum"),
            min_date=day("min_date"),
            max_date=day("max_date"),
        )


@dataclass(slots=True, frozen=True)
class OrderForm:
    """A campaign's order form: its fields in the order the operator sees them."""

    fields: tuple[OrderField, ...] = ()

    def check(self) -> None:
        if len(self.fields) > MAX_FIELDS:
            raise InvalidInput(f"a form has at most {MAX_FIELDS} fields", "fields")
        seen: set[str] = set()
        for f in self.fields:
            f.check()
            if f.name in seen:
                raise InvalidInput(f"field name {f.name} is used twice", f.name)
            seen.add(f.name)

    def validate(self, values: Mapping[str, object]) -> dict[str, Value | None]:
        """An order's values checked against the form, cleaned; unknown names refused."""
        if not self.fields:
            raise InvalidInput("this campaign has no order form", "values")
        known = {f.name for f in self.fields}
        for key in values:
            if key not in known:
                raise InvalidInput(f"{key}: the form has no such field", key)
        return {f.name: f.clean(values.get(f.name)) for f in self.fields}

    def as_json(self) -> list[dict[str, Any]]:
        return [f.as_json() for f in self.fields]

    @classmethod
    def from_json(cls, data: Sequence[Mapping[str, Any]]) -> OrderForm:
        form = cls(tuple(OrderField.from_json(d) for d in data))
        form.check()
        return form
