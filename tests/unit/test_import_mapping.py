"""Column mapping: guessed from Italian, Polish and English headers, then given explicitly."""

from __future__ import annotations

import pytest

from centralino.imports.mapping import (
    MappingError,
    Role,
    guess_mapping,
    normalise_header,
    parse_map_options,
    resolve_mapping,
    role_of_header,
)


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Telefono", Role.PHONE), ("TEL.", Role.PHONE), ("N° Telefono", Role.PHONE),
        ("Cellulare", Role.PHONE), ("Telefono 2", Role.PHONE), ("Numer telefonu", Role.PHONE),
        ("Nr tel.", Role.PHONE), ("Komórka", Role.PHONE), ("Mobile phone", Role.PHONE),
        ("phone_1", Role.PHONE), ("Tel. ufficio", Role.PHONE), ("Fax", None),
        ("Numero fax", None), ("Nome", Role.FIRST_NAME), ("Imię", Role.FIRST_NAME),
        ("Cognome", Role.LAST_NAME), ("Nazwisko", Role.LAST_NAME),
        ("Nominativo", Role.NAME), ("Imię i nazwisko", Role.NAME), ("Full name", Role.NAME),
        ("Ragione sociale", Role.COMPANY), ("E-mail", Role.EMAIL), ("Adres e-mail", Role.EMAIL),
        ("Fuso orario", Role.TIMEZONE), ("Strefa czasowa", Role.TIMEZONE),
        ("Priorità", Role.PRIORITY), ("Priorytet", Role.PRIORITY), ("Città", None),
        ("Esito telefonata", None),
    ],
)  # fmt: skip
def test_role_of_header(header: str, role: Role | None) -> None:
    assert role_of_header(header) is role


def test_normalise_header() -> None:
    assert normalise_header("  N° Telefono/Cell. ") == "n telefono cell"
    assert normalise_header("Łódź") == "lodz"


def test_guess_names_and_phones_in_order() -> None:
    m = guess_mapping(["Nome", "Cognome", "Telefono", "Cellulare", "Email", "Note"])
    assert m.phones == (2, 3)
    assert m.get(Role.FIRST_NAME) == 0 and m.get(Role.LAST_NAME) == 1
    assert m.get(Role.EMAIL) == 4 and 5 not in m.mapped


def test_nome_alone_is_the_name() -> None:
    m = guess_mapping(["Nome", "Tel"])
    assert m.get(Role.NAME) == 0 and m.get(Role.FIRST_NAME) is None


def test_phone_guessed_from_values_when_no_header_says_so() -> None:
    sample = [["Mario", "333 1234567", 12], ["Anna", 393331234567.0, 7], ["Eva", "", 3]]
    assert guess_mapping(["chi", "dove", "quanto"], sample).phones == (1,)


def test_explicit_mapping_wins_and_takes_the_column_from_the_guess() -> None:
    headers = ["Telefono", "Nome", "Riferimento"]
    m = resolve_mapping(headers, {"phone": "Riferimento", "name": "telefono"})
    assert m.phones == (2,) and m.get(Role.NAME) == 0
    assert resolve_mapping(headers, {"name": None}).get(Role.NAME) is None
    assert resolve_mapping(headers, {"phone": [3, "Telefono"]}).phones == (2, 0)


def test_as_json_round_trips() -> None:
    headers = ["Tel", "Nome", "Cognome"]
    m = resolve_mapping(headers)
    again = resolve_mapping(headers, m.as_json())
    assert again == m and m.as_json()["email"] is None


@pytest.mark.parametrize(
    ("explicit", "message"),
    [
        ({}, "no phone column"),
        ({"phone": "Telefono"}, "no column named 'Telefono'; the columns are: 'Nome', 'Città'"),
        ({"fone": "Nome"}, "unknown role 'fone'; the roles are: phone, name"),
        ({"phone": "Nome", "name": "Nome"}, "column 'Nome' is mapped to both phone and name"),
        ({"phone": "Nome", "email": ["Città", 2]}, "email takes one column"),
        ({"phone": {"x": 1}}, "a column is given by its name or its number"),
    ],
)
def test_bad_mappings_say_what_to_do(explicit: dict[str, object], message: str) -> None:
    with pytest.raises(MappingError) as err:
        resolve_mapping(["Nome", "Città"], explicit)
    assert message in str(err.value)


def test_map_options() -> None:
    assert parse_map_options(["phone=Tel", "PHONE=Cell", "name="]) == {
        "phone": ["Tel", "Cell"],
        "name": [],
    }
    with pytest.raises(MappingError, match="write role=column"):
        parse_map_options(["phone"])
