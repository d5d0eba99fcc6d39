"""Linking WhatsApp numbers to Contacts and Leads, however people typed their numbers."""
from __future__ import annotations

import pytest

from eazybe_tasks.matching.directory import Person, PhoneDirectory
from eazybe_tasks.phone_numbers import ImpossibleNumber, ParsedNumber, parse_number, whatsapp_number


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("(415) 555-0134", "US", "+14155550134"),
        ("415.555.0134 x204", "US", "+14155550134"),
        ("1-415-555-0134", "US", "+14155550134"),
        ("+44 7700 900123", "US", "+447700900123"),
        ("0044 7700 900123", "US", "+447700900123"),
        ("07700 900123", "GB", "+447700900123"),
        ("+44 (0)20 7946 0321", "GB", "+442079460321"),
        ("030/1234-567 x12", "DE", "+49301234567"),
        ("098765 43210", "IN", "+919876543210"),
        ("(11) 91234-5678", "BR", "+5511912345678"),
    ],
)
def test_typed_numbers_become_e164(typed: str, region: str, e164: str) -> None:
    parsed = parse_number(typed, region)
    assert isinstance(parsed, ParsedNumber) and parsed.e164 == e164


@pytest.mark.parametrize("typed", ["", "n/a", "12", "+1 555"])
def test_impossible_numbers_are_reported_not_guessed(typed: str) -> None:
    assert isinstance(parse_number(typed, "US"), ImpossibleNumber)


@pytest.mark.parametrize(
    ("wa_id", "typed", "region"),
    [
        ("5215512345678", "+52 55 1234 5678", "MX"),  # Mexico's old mobile 1
        ("5491123456789", "+54 11 2345-6789", "AR"),  # Argentina's mobile 9
        ("551187654321", "(11) 98765-4321", "BR"),  # Brazil without and with the ninth digit
    ],
)
def test_country_quirks_share_a_match_key(wa_id: str, typed: str, region: str) -> None:
    whatsapp, directory = whatsapp_number(wa_id), parse_number(typed, region)
    assert isinstance(whatsapp, ParsedNumber) and isinstance(directory, ParsedNumber)
    assert whatsapp.match_key == directory.match_key


def test_wa_id_is_never_read_in_a_default_region() -> None:
    parsed = whatsapp_number("447700900123")
    assert isinstance(parsed, ParsedNumber) and parsed.e164 == "+447700900123"


def test_linking_rules() -> None:
    jane = Person("003A", "Contact", "Jane", ("+1 (415) 555-0134",))
    jane_lead = Person("00QA", "Lead", "Jane (lead)", ("+1 415 555 0134",))
    maria = Person("003B", "Contact", "María", ("+34 612 34 56 78",))
    carlos = Person("003C", "Contact", "Carlos", ("612 345 678",))
    converted = Person("00QB", "Lead", "Old lead", ("+44 7700 900999",), is_converted=True)
    lead_only = Person("00QC", "Lead", "Prospect", ("07700 900555",))
    private = Person("003D", "Contact", "Private", ("+49 151 23456789",), do_not_log=True)
    broken = Person("003E", "Contact", "Typo", ("555-01",))
    directory = PhoneDirectory.build([jane, jane_lead, maria, carlos, converted, lead_only, private, broken], "ES")

    assert [l.person for l in directory.links("14155550134")] == [jane]  # the Contact wins
    assert {l.person.record_id for l in directory.links("34612345678")} == {"003B", "003C"}  # shared
    assert directory.links("447700900999") == []  # converted Lead: never
    assert directory.links("+447700900555") == []  # typed without +44 in a Spanish directory: unreadable
    assert [l.person for l in directory.links("4915123456789")][0].do_not_log
    assert not directory.links("4915123456789")[0].logged
    assert [u.typed for u in directory.unreadable] == ["07700 900555", "555-01"]
