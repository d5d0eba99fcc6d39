"""Phone numbers as people type them, turned into E.164 and into a key that two spellings of the
same number share.

`phonenumbers` does the parsing. A number that is *possible* counts even when the library does not
call it *valid*: numbering plans move faster than its data, and demos use fictional ranges. Only
impossible input is reported. Three countries write the same mobile two ways, and WhatsApp ids use
one of them: Mexico (+52 1 before mobiles, dropped in 2019), Argentina (+54 9 before mobiles) and
Brazil (the ninth digit added to mobiles in 2012-2016); the match key removes the difference."""
from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


@dataclass(frozen=True)
class ParsedNumber:
    e164: str
    match_key: str


@dataclass(frozen=True)
class ImpossibleNumber:
    typed: str
    reason: str


def _digits_after(e164: str, country_code: str) -> str:
    return e164[1 + len(country_code):]


def match_key(e164: str) -> str:
    """The form two spellings of one mobile share: +54 9 / +54, and Brazil with or without the
    ninth digit. (Mexico's +52 1 is gone from the number itself: see `parse_number`.)"""
    if e164.startswith("+549") and len(e164) == 14:
        return "+54" + e164[4:]
    if e164.startswith("+55"):
        national = _digits_after(e164, "55")
        if len(national) == 11 and national[2] == "9":
            return "+55" + national[:2] + national[3:]
    return e164


def parse_number(typed: str, default_region: str) -> ParsedNumber | ImpossibleNumber:
    """E.164 and match key of what a person typed ("(415) 555-0134 ext. 12", "0044 7700 900123"),
    read in `default_region` when it has no country code; the extension is dropped."""
    text = typed.strip()
    if not text:
        return ImpossibleNumber(typed, "empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, default_region)
    except NumberParseException as error:
        return ImpossibleNumber(typed, str(error))
    if not phonenumbers.is_possible_number(parsed) and parsed.country_code == 52:
        national = str(parsed.national_number)
        if len(national) == 11 and national.startswith("1"):  # Mexico's mobile 1, dropped in 2019
            parsed.national_number = int(national[1:])
    if not phonenumbers.is_possible_number(parsed):
        return ImpossibleNumber(typed, "not a possible number for its country")
    parsed.extension = None
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    return ParsedNumber(e164, match_key(e164))


def whatsapp_number(wa_id_or_e164: str) -> ParsedNumber | ImpossibleNumber:
    """A WhatsApp id ("447700900123") is always international: never read it in a default region."""
    digits = wa_id_or_e164.lstrip("+")
    return parse_number("+" + digits, "ZZ")
