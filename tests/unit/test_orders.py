"""Order forms (OUT-7): a form's definition is checked field by field, and an order's
values are checked against it; every error names the field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from centralino.domain.errors import InvalidInput
from centralino.domain.orders import FieldKind, OrderField, OrderForm

FORM = OrderForm.from_json(
    [
        {"name": "offerta", "label": "Offerta", "kind": "choice", "required": True,
         "choices": ["Casa Luce", "Casa Gas"]},
        {"name": "potenza_kw", "label": "Potenza kW", "kind": "number", "required": True,
         "minimum": 1.5, "maximum": 30},
        {"name": "iban", "label": "IBAN", "kind": "text", "required": True,
         "pattern": r"IT\d{2}[A-Z]\d{10}[0-9A-Z]{12}"},
        {"name": "data_attivazione", "label": "Data attivazione", "kind": "date",
         "min_date": "2026-01-01"},
        {"name": "note", "label": "Note", "kind": "text"},
        {"name": "consenso_privacy", "label": "Consenso privacy", "kind": "checkbox",
         "required": True},
    ]
)  # fmt: skip
IBAN = "IT60X0542811101000000123456"
GOOD: dict[str, Any] = {
    "offerta": "Casa Gas", "potenza_kw": "4,5", "iban": IBAN,
    "data_attivazione": "2026-12-20", "consenso_privacy": True,
}  # fmt: skip


def test_good_values_come_back_cleaned() -> None:
    assert FORM.validate(GOOD) == {
        "offerta": "Casa Gas", "potenza_kw": 4.5, "iban": IBAN,
        "data_attivazione": "2026-12-20", "note": None, "consenso_privacy": True,
    }  # fmt: skip
    assert FORM.validate({**GOOD, "potenza_kw": 3})["potenza_kw"] == 3


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"offerta": None}, "offerta", "is required"),
        ({"offerta": "Casa Acqua"}, "offerta", "must be one of Casa Luce, Casa Gas"),
        ({"potenza_kw": "tanta"}, "potenza_kw", "must be a number"),
        ({"potenza_kw": 0.5}, "potenza_kw", "must be at least 1.5"),
        ({"potenza_kw": 31}, "potenza_kw", "must be at most 30"),
        ({"potenza_kw": True}, "potenza_kw", "must be a number"),
        ({"iban": "IT60 not an iban"}, "iban", "does not match the expected format"),
        ({"data_attivazione": "20/12/2026"}, "data_attivazione", "must be a date"),
        ({"data_attivazione": "2025-12-31"}, "data_attivazione", "on or after 2026-01-01"),
        ({"consenso_privacy": False}, "consenso_privacy", "must be ticked"),
        ({"consenso_privacy": "yes"}, "consenso_privacy", "must be true or false"),
        ({"colour": "red"}, "colour", "the form has no such field"),
        ({"note": 12}, "note", "must be text"),
    ],
)
def test_each_bad_value_is_refused_naming_its_field(
    change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as e:
        FORM.validate({**GOOD, **change})
    assert e.value.field == field
    assert message in e.value.message and e.value.message.startswith(field)


def test_no_form_takes_no_order() -> None:
    with pytest.raises(InvalidInput, match="no order form"):
        OrderForm().validate({})


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"name": "Offerta", "label": "x", "kind": "text"}, "lower-case"),
        ({"name": "a", "label": " ", "kind": "text"}, "label"),
        ({"name": "a", "label": "A", "kind": "choice"}, "at least one option"),
        ({"name": "a", "label": "A", "kind": "choice", "choices": ["x", "x"]}, "distinct"),
        ({"name": "a", "label": "A", "kind": "text", "choices": ["x"]}, "only a choice"),
        ({"name": "a", "label": "A", "kind": "text", "pattern": "("}, "bad pattern"),
        ({"name": "a", "label": "A", "kind": "number", "pattern": "x"}, "only a text"),
        ({"name": "a", "label": "A", "kind": "text", "minimum": 1}, "only a number"),
        ({"name": "a", "label": "A", "kind": "number", "minimum": 5, "maximum": 1}, "above"),
        ({"name": "a", "label": "A", "kind": "date", "min_date": "2026-02-01",
          "max_date": "2026-01-01"}, "after"),
        ({"name": "a", "label": "A", "kind": "text", "min_date": "2026-02-01"}, "only a date"),
        ({"name": "a", "label": "A", "kind": "colour"}, "kind must be one of"),
        ({"name": "a", "label": "A", "kind": "number", "minimum": "1"}, "must be a number"),
    ],
)  # fmt: skip
def test_a_bad_definition_is_refused_naming_the_field(field: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as e:
        OrderForm.from_json([field])
    assert message in e.value.message
    assert e.value.field == field["name"]


def test_a_name_used_twice_is_refused() -> None:
    twice = [{"name": "a", "label": "A", "kind": "text"}] * 2
    with pytest.raises(InvalidInput, match="used twice"):
        OrderForm.from_json(twice)


def test_a_form_survives_its_json() -> None:
    again = OrderForm.from_json(FORM.as_json())
    assert again == FORM
    assert again.fields[3] == OrderField(
        "data_attivazione", "Data attivazione", FieldKind.DATE, min_date=date(2026, 1, 1)
    )
