"""Every text the pages show has an Italian and a Polish translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from centralino.web.i18n import LOCALES, TRANSLATIONS_DIR, negotiate, translations

SRC = Path(__file__).resolve().parents[2] / "src" / "centralino"
METHODS = [
    ("web/**.py", "python"),
    ("domain/roles.py", "python"),
    ("web/templates/**.html", "jinja2"),
]
KEYWORDS = {"_": None, "N_": None, "_label": None, "gettext": None, "ngettext": (1, 2)}


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        SRC, METHODS, {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}, KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en"])
def test_every_message_is_translated(locale: str) -> None:
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = source_messages() - translated
    assert not missing, f"{locale} lacks: {sorted(missing)} (run `make i18n` and translate)"
    assert len(translated) > 100


# Words spelled the same in Italian and Polish.
SAME_IN_BOTH = {"List", "room", "Date"}


def test_polish_is_not_italian() -> None:
    """A Polish entry copied from the Italian catalog reads as Italian to a Polish user."""
    catalogs = {}
    for locale in ("it", "pl"):
        with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalogs[locale] = {m.id: m.string for m in read_po(f) if m.id and m.string}
    same = {
        k for k, v in catalogs["pl"].items()
        if catalogs["it"].get(k) == v and v != k and k not in SAME_IN_BOTH
    }  # fmt: skip
    assert not same, sorted(same)


def test_catalogs_load_and_translate() -> None:
    assert translations("it").gettext("Log in") == "Accedi"
    assert translations("pl").gettext("Log in") == "Zaloguj się"
    assert translations("en").gettext("Log in") == "Log in"


def test_language_negotiation() -> None:
    assert negotiate("pl-PL,pl;q=0.9,en;q=0.5") == "pl"
    assert negotiate("it-IT") == "it"
    assert negotiate("fr-FR,de;q=0.8") == "en"
    assert negotiate(None, default="it") == "it"
