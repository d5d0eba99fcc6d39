"""The Snowfakery sample people: generated offline with Snowfakery, their phone numbers typed the
many ways people type them, and the special cases the sync must handle all present."""
from __future__ import annotations

import json
from collections import Counter, defaultdict

import phonenumbers
import pytest
from snowfakery import generate_data

from eazybe_tasks.metadata.source_tree import read_source_tree
from repo_paths import FORCE_APP, REPO

RECIPE = REPO / "datasets" / "dev" / "dev.recipe.yml"
# The recipe's country names, and the region a number typed without a country code belongs to.
REGIONS = {
    "United States": "US", "United Kingdom": "GB", "India": "IN", "Brazil": "BR",
    "Germany": "DE", "Spain": "ES", "Mexico": "MX",
}


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out = tmp_path_factory.mktemp("sample") / "people.json"
    generate_data(str(RECIPE), output_format="json", output_file=str(out))
    return json.loads(out.read_text())


def _people(records: list[dict]) -> list[dict]:
    return [r for r in records if r["_table"] in ("Contact", "Lead")]


def _numbers(person: dict) -> list[str]:
    return [str(person[f]) for f in ("Phone", "MobilePhone") if person.get(f)]


def _region(person: dict) -> str:
    return REGIONS[person.get("MailingCountry") or person["Country"]]


def test_recipe_is_where_load_sample_data_finds_it() -> None:
    assert RECIPE.exists()


def test_contacts_and_leads_from_several_countries(records: list[dict]) -> None:
    tables = Counter(r["_table"] for r in records)
    assert tables["Contact"] >= 20 and tables["Lead"] >= 15 and tables["Account"] >= 5
    assert {_region(p) for p in _people(records)} == set(REGIONS.values())


def test_numbers_are_typed_the_ways_people_type_them(records: list[dict]) -> None:
    numbers = [n for p in _people(records) for n in _numbers(p)]
    assert all(isinstance(n, str) for n in numbers)
    assert any(n.startswith("+") for n in numbers)
    assert any(n.startswith("00") for n in numbers)
    assert any(not n.startswith(("+", "00")) for n in numbers), "some without a country code"
    assert any("(" in n for n in numbers)
    assert any("-" in n for n in numbers)
    assert any("." in n for n in numbers)
    assert any(" " not in n and "-" in n for n in numbers)
    extensions = [n for p in _people(records) for n in _numbers(p)
                  if phonenumbers.parse(n, _region(p)).extension]
    assert extensions


def test_every_number_is_a_possible_number_in_its_country(records: list[dict]) -> None:
    for person in _people(records):
        for typed in _numbers(person):
            parsed = phonenumbers.parse(typed, _region(person))
            assert phonenumbers.is_possible_number(parsed), (typed, _region(person))
            # Fictional ranges (US 555-01xx, UK 07700 900xxx) are possible but not valid, so the
            # country is checked by its calling code.
            regions = phonenumbers.region_codes_for_country_code(parsed.country_code)
            assert _region(person) in regions, typed


def test_special_cases_for_linking(records: list[dict]) -> None:
    people = _people(records)
    converted = [p for p in people if p["_table"] == "Lead" and str(p.get("IsConverted")) == "True"]
    assert converted and all(p["Status"] == "Closed - Converted" for p in converted)
    do_not_log = Counter(p["_table"] for p in people if str(p.get("WhatsApp_Do_Not_Log__c")) == "True")
    assert do_not_log["Contact"] >= 1 and do_not_log["Lead"] >= 1

    owners: dict[str, set[str]] = defaultdict(set)
    for person in people:
        for typed in _numbers(person):
            e164 = phonenumbers.format_number(
                phonenumbers.parse(typed, _region(person)), phonenumbers.PhoneNumberFormat.E164
            )
            owners[e164].add(f"{person['_table']}:{person['id']}")
    assert len(owners["+34612345678"]) == 2, "the household's shared mobile"
    assert {o.split(":")[0] for o in owners["+14155550134"]} == {"Contact", "Lead"}


def test_custom_fields_the_recipe_sets_exist_in_force_app(records: list[dict]) -> None:
    tree = read_source_tree(FORCE_APP)
    for person in _people(records):
        for field in person:
            if field.endswith("__c"):
                assert field in tree.objects[person["_table"]].fields, field
