"""Phone numbers from spreadsheets to E.164, with the campaign's default region."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centralino.imports.phones import PhoneError, PhoneNormalizer, plain_text, zones_for

IT = PhoneNormalizer("IT")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("333 123 4567", "+393331234567"),
        ("+39 333 123 4567", "+393331234567"),
        ("0039 333-123.4567", "+393331234567"),
        ("(+39) 333/1234567", "+393331234567"),
        (393331234567.0, "+393331234567"),  # Excel: a float, the + lost
        (393331234567, "+393331234567"),
        ("3.93331234567E+11", "+393331234567"),  # CSV saved from Excel
        ("3,93331234567E+11", "+393331234567"),  # ... in an Italian locale
        ("0612345678", "+390612345678"),
        (612345678.0, "+390612345678"),  # a Rome landline that lost its leading 0
        ("02 1234567", "+39021234567"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("48601234567", "+48601234567"),  # a Polish mobile that lost its +
        ("+1 212 555 1234", "+12125551234"),
        ("\u00a0333\u00a01234567 ", "+393331234567"),
    ],
)
def test_normalise(raw: object, e164: str) -> None:
    assert IT.normalise(raw).e164 == e164


@pytest.mark.parametrize(
    ("raw", "extension"),
    [
        ("06 1234567 int. 12", "12"),
        ("+39 06 1234567 x123", "123"),
        ("+39 06 1234567 ext. 9", "9"),
        ("061234567 interno 45", "45"),
        ("+48 22 123 45 67 wew. 120", "120"),
    ],
)
def test_extensions_are_split_off(raw: str, extension: str) -> None:
    phone = IT.normalise(raw)
    assert phone.extension == extension and "x" not in phone.e164


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "no phone number"),
        (None, "no phone number"),
        ("abc", "letters in a phone number"),
        ("333 ABC 4567", "letters in a phone number"),
        ("123", "too short"),
        (12.5, "decimals"),
        (0.0, "formula"),
        ("3.93331E+11", "shortened the number"),
        ("+999 1234567", "unknown country code"),
        ("+39 333 123 4567 8901 2345", "too long"),
        (True, "true/false"),
    ],
)
def test_rejections_give_a_reason(raw: object, reason: str) -> None:
    with pytest.raises(PhoneError) as err:
        IT.normalise(raw)
    assert reason in err.value.reason


def test_other_default_regions() -> None:
    gb, pl, us = PhoneNormalizer("GB"), PhoneNormalizer("PL"), PhoneNormalizer("US")
    assert gb.normalise("07911 123456").e164 == "+447911123456"
    assert pl.normalise("601 234 567").e164 == "+48601234567"
    assert pl.normalise("0048 601 234 567").e164 == "+48601234567"
    assert us.normalise("(212) 555-1234").e164 == "+12125551234"
    assert us.normalise("011 39 333 1234567").e164 == "+393331234567"


def test_zones_come_from_the_number() -> None:
    assert IT.normalise("+1 212 555 1234").zones == ("America/New_York",)
    assert IT.normalise("+48601234567").zones == ("Europe/Warsaw",)
    assert "Europe/Rome" in IT.normalise("3331234567").zones
    assert zones_for("+80012345678") == ()


def test_plain_text() -> None:
    assert plain_text(393331234567.0) == "393331234567"
    assert plain_text(" 3.93331234567E+11 ") == "393331234567"
    assert plain_text(None) == ""


def _reference(text: str, region: str) -> str | None:
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


@settings(max_examples=400)
@given(
    region=st.sampled_from(["IT", "PL", "GB", "DE", "US", "FR", "ES"]),
    cc=st.sampled_from(["", "+39", "+48", "+44", "+49", "+1", "+33", "+34", "0039", "0048"]),
    digits=st.text(alphabet="0123456789", min_size=5, max_size=13),
)
def test_the_fast_path_agrees_with_phonenumbers(region: str, cc: str, digits: str) -> None:
    """Whatever the fast path accepts, phonenumbers accepts with the same E.164."""
    text = cc + digits
    try:
        mine = PhoneNormalizer(region).normalise(text).e164
    except PhoneError:
        return
    ref = _reference(text, region) or _reference("+" + text.lstrip("+"), region)
    if ref is None and text.startswith("00"):
        ref = _reference("+" + text[2:], region)  # 00 as the international prefix anywhere
    if ref is None and region == "IT":
        ref = _reference("0" + text, region)  # a restored leading zero
    assert mine == ref, (region, text)


SEPARATED = st.lists(
    st.tuples(
        st.sampled_from([" ", "-", ".", "/", "", "  "]),
        st.text("0123456789", min_size=1, max_size=4),
    ),
    min_size=2,
    max_size=5,
)


@settings(max_examples=400)
@given(
    region=st.sampled_from(["IT", "PL", "SM", "DE", "GB"]),
    cc=st.sampled_from(["", "+39 ", "+48 ", "0039 ", "0048 ", "+39", "(+39) ", "+44 (0)"]),
    groups=SEPARATED,
)
def test_usual_spellings_agree_with_phonenumbers(
    region: str, cc: str, groups: list[tuple[str, str]]
) -> None:
    """Digits in groups with spaces, dashes, dots or slashes: whatever is accepted,
    phonenumbers accepts with the same E.164 (the usual Italian and Polish spellings)."""
    text = cc + "".join(sep + digits for sep, digits in groups).strip(" -./")
    try:
        mine = PhoneNormalizer(region).normalise(text).e164
    except PhoneError:
        return
    compact = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    ref = _reference(text, region) or _reference("+" + compact.lstrip("+"), region)
    if ref is None and compact.startswith("00"):
        ref = _reference("+" + compact[2:], region)
    if ref is None and region in ("IT", "SM"):
        ref = _reference("0" + compact, region)
    assert mine == ref, (region, text)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+39 320 000 0001", "+393200000001"),
        ("3200000001", "+393200000001"),
        ("0039 320-0000001", "+393200000001"),
        ("320.000.0001", "+393200000001"),
        ("+48 601-234-567", "+48601234567"),
        ("0048 601 234 567", "+48601234567"),
        ("n/d", None),
    ],
)
def test_usual_spellings(raw: str, e164: str | None) -> None:
    if e164 is None:
        with pytest.raises(PhoneError):
            IT.normalise(raw)
    else:
        assert IT.normalise(raw).e164 == e164
        assert IT.normalise(raw) == IT.normalise(raw)  # the second from the cache


def test_usual_polish_spellings() -> None:
    pl = PhoneNormalizer("PL")
    for raw in ("601 234 567", "601-234-567", "+48 601 234 567", "0048 601234567", "48601234567"):
        assert pl.normalise(raw).e164 == "+48601234567", raw


def test_a_cached_rejection_is_raised_afresh() -> None:
    it = PhoneNormalizer("IT")
    errors = []
    for _ in range(3):
        with pytest.raises(PhoneError) as err:
            it.normalise("n/d")
        errors.append(err.value)
    assert errors[0] is not errors[1] and errors[0].reason == errors[2].reason


@settings(max_examples=300)
@given(
    region=st.sampled_from(["IT", "VA", "SM", "PL", "GB", "DE", "US", "FR", "ES", "CH", "AT"]),
    national=st.text(alphabet="0123456789", min_size=4, max_size=13),
)
def test_one_regex_per_length_is_phonenumbers_two_tests(region: str, national: str) -> None:
    """The compiled validity test: the general description and one typed description."""
    from phonenumbers import PhoneMetadata

    from centralino.imports.phones import _TYPES, _RegionPatterns

    meta = PhoneMetadata.metadata_for_region(region)
    assert meta is not None
    general = meta.general_desc
    expected = bool(
        general is not None
        and len(national) in (general.possible_length or ())
        and re.fullmatch(general.national_number_pattern or "(?!)", national)
        and any(
            d is not None
            and d.national_number_pattern
            and (not d.possible_length or len(national) in d.possible_length)
            and re.fullmatch(d.national_number_pattern, national)
            for d in (getattr(meta, t) for t in _TYPES)
        )
    )
    assert _RegionPatterns(meta).valid(national) == expected


@settings(max_examples=500)
@given(
    region=st.sampled_from(["IT", "SM", "PL", "GB", "DE", "US", "CH"]),
    cc=st.sampled_from(["", "+", "+39 ", "+48", "0039 ", "00", "0048 ", "(+39) ", "011 ", "+0"]),
    groups=st.lists(
        st.tuples(
            st.sampled_from([" ", "-", ".", "", "", "/", "\u00a0", "x", "e", "+", "٣"]),
            st.text("0123456789", min_size=1, max_size=4),
        ),
        min_size=1,
        max_size=5,
    ),
    tail=st.sampled_from(["", "", " int. 12", "E+11", " x5", "-"]),
)
def test_the_fast_path_of_a_text_cell_is_what_normalise_gives(
    region: str, cc: str, groups: list[tuple[str, str]], tail: str
) -> None:
    """`fast_e164` settles a text only as `normalise` would, without an extension."""
    text = (cc + "".join(sep + digits for sep, digits in groups) + tail).strip()
    fast = PhoneNormalizer(region).fast_e164(text)
    try:
        phone = PhoneNormalizer(region).normalise(text)
    except PhoneError:
        assert fast is None, text
        return
    assert fast is None or (fast == phone.e164 and phone.extension is None), text


@pytest.mark.parametrize(
    "raw", ["+39 320 000 0001", "3200000001", "0039 320-0000001", "320.000.0001", "+48601234567"]
)
def test_the_usual_spellings_take_the_fast_path(raw: str) -> None:
    assert IT.fast_e164(raw) == IT.normalise(raw).e164


def test_the_fast_path_drops_a_national_prefix() -> None:
    assert PhoneNormalizer("GB").fast_e164("020 7946 0958") == "+442079460958"
    assert PhoneNormalizer("PL").fast_e164("601-234-567") == "+48601234567"
