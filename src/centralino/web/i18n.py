"""Translations (gettext catalogs read from the .po files with Babel) and local times."""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES: tuple[str, ...] = ("en", "it", "pl")
LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "pl": "Polski"}
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def N_(text: str) -> str:
    """Marks text for extraction; it is translated where it is shown."""
    return text


# Values shown through `_()` in templates that Babel cannot see there.
DYNAMIC_MESSAGES = (
    N_("company"), N_("site"), N_("room"), N_("shift"), N_("team"), N_("home"), N_("partner"),
    N_("create"), N_("update"), N_("delete"),
)  # fmt: skip


@cache
def translations(locale: str) -> NullTranslations:
    """The catalog for a locale, compiled in memory from its .po file (English is the source)."""
    po = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def negotiate(accept_language: str | None, default: str = "en") -> str:
    if not accept_language:
        return default
    wanted = []
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().replace("-", "_")
        if tag:
            wanted.append(tag)
    found = Locale.negotiate(wanted, list(LOCALES), sep="_")
    return str(found.language) if found else default


def local_time(value: datetime | None, tz: str, locale: str, fmt: str = "medium") -> str:
    """A UTC datetime shown in the viewer's time zone and language."""
    if value is None:
        return ""
    return format_datetime(value, format=fmt, tzinfo=ZoneInfo(tz), locale=locale)
