"""Which column holds what: guessed from Italian, Polish and English header names (and,
for phones, from the values), then confirmed or given explicitly.

Columns not mapped to a role are kept as they are, for the operator to see during the call.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from centralino.domain.errors import InvalidInput


class Role(StrEnum):
    PHONE = "phone"  # one or more columns, tried in order: the first valid number wins
    NAME = "name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    COMPANY = "company"
    EMAIL = "email"
    TIMEZONE = "timezone"
    PRIORITY = "priority"


ROLE_NAMES = ", ".join(r.value for r in Role)

_SYNONYMS: dict[Role, frozenset[str]] = {
    Role.PHONE: frozenset({
        "telefono", "tel", "telefoni", "telephone", "phone", "phone number", "phonenumber",
        "numero", "numero telefono", "numero di telefono", "numero tel", "n telefono",
        "nr telefono", "num telefono", "cellulare", "cell", "cellphone", "cell phone",
        "mobile", "mobile phone", "telefono cellulare", "tel cellulare", "telefono fisso",
        "fisso", "landline", "home phone", "work phone", "utenza", "utenza telefonica",
        "recapito", "recapito telefonico", "msisdn", "numer", "numer telefonu", "nr telefonu",
        "nr tel", "telefon", "telefon komorkowy", "komorka", "tel kom", "numer komorki",
        "telefon stacjonarny", "contatto telefonico", "phone1", "tel1",
    }),
    Role.NAME: frozenset({
        "nome e cognome", "cognome e nome", "nominativo", "name", "full name", "fullname",
        "nome completo", "contatto", "contact", "contact name", "customer", "customer name",
        "cliente", "intestatario", "imie i nazwisko", "nazwisko i imie", "klient",
    }),
    Role.FIRST_NAME: frozenset({"nome", "first name", "firstname", "given name", "imie"}),
    Role.LAST_NAME: frozenset({
        "cognome", "surname", "last name", "lastname", "family name", "nazwisko",
    }),
    Role.COMPANY: frozenset({
        "ragione sociale", "azienda", "societa", "ditta", "company", "company name",
        "business name", "organisation", "organization", "firma", "nazwa", "nazwa firmy",
        "denominazione",
    }),
    Role.EMAIL: frozenset({
        "email", "e mail", "mail", "posta elettronica", "indirizzo email",
        "indirizzo e mail", "email address", "e mail address", "adres email", "adres e mail",
    }),
    Role.TIMEZONE: frozenset({
        "timezone", "time zone", "tz", "fuso orario", "fuso", "zona oraria", "strefa czasowa",
    }),
    Role.PRIORITY: frozenset({"priority", "priorita", "priorytet", "prio", "prioritat"}),
}  # fmt: skip
_PHONE_WORDS = frozenset({
    "tel", "telefono", "telefoni", "telephone", "phone", "cellulare", "cell", "mobile",
    "telefon", "komorka", "msisdn", "cellphone", "telefonu", "komorki", "fisso", "landline",
})  # fmt: skip
_NOT_PHONE_WORDS = frozenset({"fax", "prefisso", "prefix", "esito", "note", "notes", "data"})
_PHONE_VALUE = re.compile(r"^\+?[\d\s()./-]{6,24}$")
_GUESS_SHARE = 0.6


class MappingError(InvalidInput):
    """A mapping that cannot be used; names the role or column and lists the choices."""

    error_id = "bad-mapping"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="mapping")


def normalise_header(text: str) -> str:
    """Lower case, no accents, words of letters and digits: 'N° Telefono' -> 'n telefono'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("ł", "l").replace("ß", "ss").replace("ø", "o")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def _without_number(words: str) -> str:
    """'telefono 2' -> 'telefono'; 'phone1' -> 'phone'."""
    return re.sub(r"\s*\d+$", "", words).strip()


def role_of_header(header: str) -> Role | None:
    key = normalise_header(header)
    bare = _without_number(key)
    for role, names in _SYNONYMS.items():
        if key in names or bare in names:
            return role
    words = set(key.split())
    if words & _PHONE_WORDS and not words & _NOT_PHONE_WORDS:
        return Role.PHONE
    return None


@dataclass(slots=True, frozen=True)
class ColumnMapping:
    """Column indexes per role; `phones` in the order they are tried."""

    headers: tuple[str, ...]
    phones: tuple[int, ...] = ()
    single: dict[Role, int] = field(default_factory=dict)

    def get(self, role: Role) -> int | None:
        return self.single.get(role)

    @property
    def mapped(self) -> frozenset[int]:
        return frozenset(self.phones) | frozenset(self.single.values())

    def as_json(self) -> dict[str, object]:
        """Every role with its column name(s); None for a role left unmapped."""
        out: dict[str, object] = {Role.PHONE.value: [self.headers[i] for i in self.phones]}
        for role in Role:
            if role is not Role.PHONE:
                i = self.single.get(role)
                out[role.value] = None if i is None else self.headers[i]
        return out

    def describe(self) -> str:
        parts = [f"phone <- {', '.join(self.headers[i] for i in self.phones) or '?'}"]
        parts += [f"{r.value} <- {self.headers[i]}" for r, i in self.single.items()]
        return "; ".join(parts)


def guess_mapping(headers: Sequence[str], sample: Sequence[Sequence[object]] = ()) -> ColumnMapping:
    """The best guess from header names; phones also from values when no header says so."""
    phones: list[int] = []
    single: dict[Role, int] = {}
    for i, h in enumerate(headers):
        role = role_of_header(h)
        if role is Role.PHONE:
            phones.append(i)
        elif role is not None and role not in single:
            single[role] = i
    if not phones and sample:
        phones = [
            i for i in range(len(headers)) if i not in single.values() and _phone_like(sample, i)
        ]
    _settle_names(single)
    return ColumnMapping(tuple(headers), tuple(phones), single)


def _settle_names(single: dict[Role, int]) -> None:
    """'Nome' alone is a name; with 'Cognome' it is a first name."""
    if Role.FIRST_NAME in single and Role.LAST_NAME not in single and Role.NAME not in single:
        single[Role.NAME] = single.pop(Role.FIRST_NAME)


def _phone_like(sample: Sequence[Sequence[object]], i: int) -> bool:
    values = [row[i] for row in sample if i < len(row) and row[i] not in (None, "")]
    if not values:
        return False
    hits = 0
    for v in values:
        if isinstance(v, bool):
            continue
        if isinstance(v, int | float):
            hits += float(v).is_integer() and 1e5 <= abs(v) < 1e16
        elif isinstance(v, str):
            hits += bool(_PHONE_VALUE.match(v.strip())) and sum(c.isdigit() for c in v) >= 6
    return hits >= _GUESS_SHARE * len(values)


def _column(headers: Sequence[str], ref: str) -> int:
    ref = ref.strip()
    for i, h in enumerate(headers):
        if h == ref:
            return i
    folded = [i for i, h in enumerate(headers) if h.casefold() == ref.casefold()]
    if len(folded) == 1:
        return folded[0]
    if ref.isdigit() and 1 <= int(ref) <= len(headers):
        return int(ref) - 1
    shown = ", ".join(repr(h) for h in headers[:60])
    more = f" and {len(headers) - 60} more" if len(headers) > 60 else ""
    raise MappingError(f"no column named {ref!r}; the columns are: {shown}{more}")


def resolve_mapping(
    headers: Sequence[str],
    explicit: MappingType[str, object] | None = None,
    sample: Sequence[Sequence[object]] = (),
) -> ColumnMapping:
    """The guess, overridden role by role by `explicit` ({role: column, or [columns] for
    phone, or None/"" to leave a role unmapped}); refuses a mapping without a phone."""
    guess = guess_mapping(headers, sample)
    phones = list(guess.phones)
    single = dict(guess.single)
    given: dict[int, Role] = {}
    for key, value in (explicit or {}).items():
        try:
            role = Role(str(key).strip().lower())
        except ValueError:
            raise MappingError(f"unknown role {key!r}; the roles are: {ROLE_NAMES}") from None
        refs = _refs(value)
        columns = [_column(headers, r) for r in refs]
        for c in columns:
            if c in given and given[c] is not role:
                raise MappingError(
                    f"column {headers[c]!r} is mapped to both {given[c].value} and {role.value}"
                )
            given[c] = role
        if role is Role.PHONE:
            phones = list(dict.fromkeys(columns))
        elif len(columns) > 1:
            raise MappingError(f"{role.value} takes one column, not {len(columns)}")
        elif columns:
            single[role] = columns[0]
        else:
            single.pop(role, None)
    # a column given explicitly leaves the guess for whatever role it had
    phones = [c for c in phones if given.get(c, Role.PHONE) is Role.PHONE]
    single = {r: c for r, c in single.items() if given.get(c, r) is r}
    if not set(given.values()) & {Role.NAME, Role.FIRST_NAME, Role.LAST_NAME}:
        _settle_names(single)
    if not phones:
        shown = ", ".join(repr(h) for h in headers[:60])
        raise MappingError(
            "no phone column: none of the columns is named like a phone number (telefono, "
            f"cellulare, phone, numer telefonu...); the columns are: {shown}. "
            "Map one explicitly: phone=<column>"
        )
    return ColumnMapping(tuple(headers), tuple(phones), single)


def _refs(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list | tuple) and all(isinstance(v, str | int) for v in value):
        return [str(v) for v in value if str(v).strip()]
    raise MappingError(f"a column is given by its name or its number, not {value!r}")


def parse_map_options(items: Sequence[str]) -> dict[str, list[str]]:
    """`role=column` pairs from the command line; repeating a role adds columns."""
    out: dict[str, list[str]] = {}
    for item in items:
        role, sep, column = item.partition("=")
        if not sep or not role.strip():
            raise MappingError(f"--map {item!r}: write role=column, e.g. phone=Cellulare")
        out.setdefault(role.strip().lower(), [])
        if column.strip():
            out[role.strip().lower()].append(column.strip())
    return out
