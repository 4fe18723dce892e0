"""Phone numbers to E.164 with the campaign's default region.

Lists come from spreadsheets, so numbers arrive as floats (393331234567.0), in scientific
notation, without their leading zero, with `+` or `00`, spaces, dots, dashes and
extensions. Clean digit strings take a fast path (country code and national number split
by hand, then validated by phonenumbers against the region's patterns); anything else goes
through `phonenumbers.parse`. Results are cached by the raw text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Final, NamedTuple

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumber, PhoneNumberType
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

_EXTENSION = re.compile(
    r"[\s,;]*(?:ext\.?|extension|x|int\.?|interno|wewn?\.?|#)\s*(\d{1,7})\s*$", re.IGNORECASE
)
_SCIENTIFIC = re.compile(r"^\+?(\d)(?:[.,](\d*))?[eE]\+?(\d{1,2})$")
_SEPARATORS = str.maketrans("", "", " \t\u00a0\u2009\u202f.-/()\u2010\u2011\u2012\u2013\u2014")
_PARENS = str.maketrans("", "", "()")
# Regions whose national numbers keep their leading 0 after the country code, so a
# spreadsheet that stored 0612345678 as a number lost part of the number itself.
_LEADING_ZERO_REGIONS: Final = frozenset({"IT", "SM", "VA"})
_LANDLINE: Final = (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_CACHE_LIMIT = 50_000
_MAX_DIGITS = 17


class PhoneError(ValueError):
    """Why a value is not a phone number, in words for the error report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Phone(NamedTuple):
    """A valid number (immutable: results are shared through the cache)."""

    e164: str
    extension: str | None
    zones: tuple[str, ...]
    """IANA zones of the number's prefix; empty when the prefix says nothing."""


_new_tuple = tuple.__new__  # Phone from a plain tuple, without NamedTuple's __new__
_ZONE_CACHE: dict[str, tuple[str, ...]] = {}


def zones_for(e164: str) -> tuple[str, ...]:
    """The time zones of a valid E.164 number, by its longest known prefix."""
    digits = e164[1 : 1 + TIMEZONE_LONGEST_PREFIX]  # no prefix in the data is longer
    hit = _ZONE_CACHE.get(digits)
    if hit is not None:
        return hit
    zones: tuple[str, ...] = ()
    for n in range(len(digits), 0, -1):
        found = TIMEZONE_DATA.get(digits[:n])
        if found is not None:
            zones = tuple(z for z in found if z != "Etc/Unknown")
            break
    if len(_ZONE_CACHE) >= _CACHE_LIMIT:
        _ZONE_CACHE.clear()
    _ZONE_CACHE[digits] = zones
    return zones


@cache
def _country_codes_by_prefix() -> dict[str, tuple[int, int]]:
    """(length, country code) of a number written with +, by its first 1-3 digits (or
    all of them when shorter): the code of the shortest length that is one."""
    found: dict[str, tuple[int, int]] = {}
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
    for width in (1, 2, 3):
        for k in range(10**width):
            prefix = f"{k:0{width}d}"
            for n in (1, 2, 3):
                if int(prefix[:n]) in regions:
                    found[prefix] = (n, int(prefix[:n]))
                    break
    return found


_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail", "fixed_line", "mobile",
)  # fmt: skip


class _RegionPatterns:
    """A region's validity test compiled once: phonenumbers calls a number valid when it
    matches the general description and one typed description (pattern and length).

    Both tests are one regular expression per length: the general description as a
    lookahead over the whole number, then the typed descriptions of that length."""

    __slots__ = ("by_length",)

    def __init__(self, meta: PhoneMetadata) -> None:
        general = meta.general_desc
        pattern = general.national_number_pattern if general is not None else None
        lengths = (general.possible_length if general is not None else None) or ()
        typed = [getattr(meta, name) for name in _TYPES]
        typed = [d for d in typed if d is not None and d.national_number_pattern]
        self.by_length: dict[int, re.Pattern[str]] = {}
        for length in frozenset(lengths):
            fits = [
                d.national_number_pattern
                for d in typed
                if not d.possible_length or length in d.possible_length
            ]
            if fits:
                either = "|".join(f"(?:{p})" for p in fits)
                whole = f"(?=(?:{pattern or '(?!)'})\\Z)"  # the general description
                self.by_length[length] = re.compile(f"{whole}(?:{either})")

    def valid(self, national: str) -> bool:
        rx = self.by_length.get(len(national))
        return rx is not None and rx.fullmatch(national) is not None


def plain_text(value: object) -> str:
    """The text of a cell as a phone number: integral floats without `.0`, scientific
    notation expanded when no digit was lost."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise PhoneError("a true/false cell is not a phone number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise PhoneError("not a number")
        if not value.is_integer():
            raise PhoneError("a number with decimals is not a phone number")
        return str(int(value))
    if not isinstance(value, str):
        raise PhoneError(f"a {type(value).__name__} cell is not a phone number")
    text = value.strip()
    m = _SCIENTIFIC.match(text) if "e" in text or "E" in text else None
    if m:
        rest, exponent = (m.group(2) or ""), int(m.group(3))
        if len(rest) < exponent:
            raise PhoneError(
                f"the spreadsheet shortened the number to {text}: digits are lost; "
                "format the column as text and export it again"
            )
        if rest[exponent:].strip("0"):
            raise PhoneError("a number with decimals is not a phone number")
        return str(int(Decimal(text.replace(",", ".").lstrip("+"))))
    return text


class PhoneNormalizer:
    """Normalises numbers for one default region; keeps a bounded cache by raw text."""

    def __init__(self, default_region: str) -> None:
        region = default_region.upper()
        meta = PhoneMetadata.metadata_for_region(region)
        if meta is None:
            raise ValueError(f"unknown region {default_region!r}")
        self.region = region
        self.cc: int = meta.country_code or 0
        self._cc_text = str(self.cc)
        self._national_prefix = meta.national_prefix or ""
        idd = meta.international_prefix or ""
        self._idd = idd if idd.isdigit() else "00"
        self._regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        self._cc_of_prefix = _country_codes_by_prefix()
        self._by_length: dict[int, dict[int, tuple[re.Pattern[str], ...]]] = {}
        # results as plain tuples (the collector forgets them, not Phone objects) or the
        # reason of a rejection (raised as a new exception each time: raising one again
        # would chain every traceback, and the frames it holds, onto it)
        self._cache: dict[str, tuple[str, str | None, tuple[str, ...]] | str] = {}

    def normalise(self, value: object) -> Phone:
        """The number as E.164 with extension and zones, or PhoneError with the reason."""
        # a text cell is its own cache key (its result depends on nothing else); other
        # cells are keyed by their text as a number, which is the text of a digits-only cell
        key = value if type(value) is str else plain_text(value)
        hit = self._cache.get(key)
        if hit is not None:
            if isinstance(hit, str):
                raise PhoneError(hit)
            return _new_tuple(Phone, hit)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        try:
            if key is value:  # plain_text of a text cell, without the call
                text = key.strip()
                if "e" in text or "E" in text:
                    text = plain_text(text)
            else:
                text = key
            phone = self._normalise(text)
        except PhoneError as exc:
            self._cache[key] = exc.reason
            raise
        self._cache[key] = (phone.e164, phone.extension, phone.zones)
        return phone

    def fast_e164(self, text: str) -> str | None:
        """The E.164 form of a stripped text cell in one of the usual spellings (digits,
        maybe + or the international prefix, spaces, dashes, dots) that the fast path
        settles, without an extension: what `normalise(text).e164` gives. None means
        anything else (ask `normalise`): nothing is cached, nothing raised.

        The fast path of `_normalise`, written out: it runs once a row."""
        compact = text.replace(" ", "").replace("-", "").replace(".", "")
        plus = compact[:1] == "+"
        digits = compact[1:] if plus else compact
        if not (digits.isdigit() and digits.isascii()):
            return None
        if not plus:  # as _digits does
            idd = self._idd
            if digits.startswith(idd) and len(digits) > len(idd) + 6:
                plus, digits = True, digits[len(idd) :]
            elif idd != "00" and digits.startswith("00") and len(digits) > 8:
                plus, digits = True, digits[2:]
        if digits.strip("0") == "":
            return None
        if plus:  # as _fast does, and _valid
            code = self._cc_of_prefix.get(digits[:3])
            if code is None:
                return None
            n, cc = code
            national = digits[n:]
        else:
            cc, prefix = self.cc, self._national_prefix
            national = digits[len(prefix) :] if prefix and digits.startswith(prefix) else digits
        if national and len(national) <= _MAX_DIGITS and national.strip("0"):
            by_length = self._by_length.get(cc) or self._lengths_of(cc)
            for rx in by_length.get(len(national), ()):
                if rx.fullmatch(national) is not None:
                    return f"+{cc}{national}"
        if not plus and digits.startswith(self._cc_text):
            return self._valid(cc, digits[len(self._cc_text) :])
        return None

    def _valid(self, cc: int, national: str) -> str | None:
        """`+<cc><national>` when phonenumbers would call it valid, else None."""
        if not national or len(national) > _MAX_DIGITS or national.strip("0") == "":
            return None
        by_length = self._by_length.get(cc) or self._lengths_of(cc)
        for rx in by_length.get(len(national), ()):
            if rx.fullmatch(national) is not None:
                return f"+{cc}{national}"
        return None

    def _lengths_of(self, cc: int) -> dict[int, tuple[re.Pattern[str], ...]]:
        """The validity tests of a country code's regions (_RegionPatterns), by length."""
        metas = [
            PhoneMetadata.metadata_for_region_or_calling_code(cc, r)
            for r in self._regions.get(cc, ())
        ]
        found: dict[int, tuple[re.Pattern[str], ...]] = {}
        for m in metas:
            if m is not None:
                for length, rx in _RegionPatterns(m).by_length.items():
                    found[length] = (*found.get(length, ()), rx)
        self._by_length[cc] = found
        return found

    def _fast(self, digits: str, plus: bool) -> str | None:
        if plus:
            code = self._cc_of_prefix.get(digits[:3])
            if code is None:
                return None
            n, cc = code
            return self._valid(cc, digits[n:])
        national = digits
        if self._national_prefix and digits.startswith(self._national_prefix):
            national = digits[len(self._national_prefix) :]
        found = self._valid(self.cc, national)
        if found is None and digits.startswith(self._cc_text):
            found = self._valid(self.cc, digits[len(self._cc_text) :])
        return found

    def _normalise(self, text: str) -> Phone:
        if not text:
            raise PhoneError("no phone number")
        # the usual spellings first: digits, maybe a leading +, spaces, dashes and dots
        compact = text.replace(" ", "").replace("-", "").replace(".", "")
        if compact.isascii():
            plus = compact[:1] == "+"
            digits = compact[1:] if plus else compact
            if digits.isdigit():
                return self._digits(text, digits, plus)
            compact = text.translate(_SEPARATORS)
        else:
            compact = text.translate(_SEPARATORS)
        extension = None
        if not compact.lstrip("+").isdigit():  # only then can there be an extension
            m = _EXTENSION.search(text)
            if m and m.start() > 0:
                extension = m.group(1)
                text = text[: m.start()]
                compact = text.translate(_SEPARATORS)
        plus = compact.startswith("+")
        digits = compact[1:] if plus else compact
        if digits.isascii() and digits.isdigit():
            return self._digits(text, digits, plus, extension)
        if not plus and digits.startswith(self._idd) and len(digits) > len(self._idd) + 6:
            plus, digits = True, digits[len(self._idd) :]
        elif not plus and self._idd != "00" and digits.startswith("00") and len(digits) > 8:
            plus, digits = True, digits[2:]
        return self._slow(text, digits, plus, extension)

    def _digits(self, text: str, digits: str, plus: bool, extension: str | None = None) -> Phone:
        """A number that is ASCII digits once its separators are gone (`plus` when it
        was written with +)."""
        idd = self._idd
        if not plus and digits.startswith(idd) and len(digits) > len(idd) + 6:
            plus, digits = True, digits[len(idd) :]
        elif not plus and idd != "00" and digits.startswith("00") and len(digits) > 8:
            plus, digits = True, digits[2:]
        if digits.strip("0") == "":
            raise PhoneError(f"{text!r} is not a phone number (a formula cell never calculated?)")
        found = self._fast(digits, plus)
        if found is not None:
            return _new_tuple(Phone, (found, extension, zones_for(found)))
        return self._slow(text, digits, plus, extension)

    def _slow(self, text: str, digits: str, plus: bool, extension: str | None) -> Phone:
        if any(ch.isalpha() for ch in text):
            raise PhoneError("letters in a phone number")
        # (text to parse, whether it must be a landline: only for a restored leading 0)
        attempts = [(("+" + digits) if plus else text.translate(_PARENS), False)]
        if plus:
            attempts.append((text, False))
        if not plus and digits.isdigit():
            attempts.append(("+" + digits, False))  # an international number that lost its +
            if self.region in _LEADING_ZERO_REGIONS and not digits.startswith("0"):
                attempts.append(("0" + digits, True))  # a landline that lost its leading 0
        first_error: str | None = None
        for candidate, landline in attempts:
            try:
                num = phonenumbers.parse(candidate, self.region)
            except NumberParseException as exc:
                first_error = first_error or _parse_reason(exc)
                continue
            if not phonenumbers.is_valid_number(num):
                first_error = first_error or self._invalid_reason(num)
                continue
            if landline and phonenumbers.number_type(num) not in _LANDLINE:
                continue
            e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
            return Phone(e164, extension or num.extension, zones_for(e164))
        raise PhoneError(first_error or "not a valid phone number")

    def _invalid_reason(self, num: PhoneNumber) -> str:
        why = phonenumbers.is_possible_number_with_reason(num)
        where = f"+{num.country_code}"
        if why == phonenumbers.ValidationResult.TOO_SHORT:
            return f"too short for a {where} number"
        if why == phonenumbers.ValidationResult.TOO_LONG:
            return f"too long for a {where} number"
        if why == phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
            return "unknown country code"
        return f"not a valid {where} number"


def _parse_reason(exc: NumberParseException) -> str:
    return {
        NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
        NumberParseException.NOT_A_NUMBER: "not a phone number",
        NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
        NumberParseException.TOO_SHORT_NSN: "too short to be a phone number",
        NumberParseException.TOO_LONG: "too long to be a phone number",
    }.get(exc.error_type, "not a phone number")
