"""Salesforce ids: the case-safe checksum is checked against ids recorded from real orgs."""
from __future__ import annotations

import pytest

from eazybe_local_org import ids

# 18-character ids from CumulusCI's recorded responses (real orgs), incl. the Master record type id.
REAL_IDS = [
    "0019H00000H1RMDQA3",
    "005P000000AyPpYIAV",
    "0039H00000Bc8vtQAB",
    "003P000001avB5SIAU",
    "0035500001H9dBXAAZ",
    "01254000001upcKAAQ",
    "012000000000000AAA",
    "0059H0000059qXZQAY",
]


@pytest.mark.parametrize("real", REAL_IDS)
def test_checksum_matches_real_ids(real: str) -> None:
    assert ids.to_18(real[:15]) == real
    assert ids.normalize(real[:15]) == real
    assert ids.normalize(real) == real


@pytest.mark.parametrize(
    "bad", ["", "001", "0019H00000H1RMD!", "0019H00000H1RMDQA4", "0019h00000H1RMDQA3", "0019H00000H1RMDQA", None]
)
def test_normalize_rejects_malformed_or_wrong_checksum(bad) -> None:
    assert ids.normalize(bad) is None


def test_to_18_rejects_non_15_character_input() -> None:
    with pytest.raises(ValueError):
        ids.to_18("0019H00000H1RMDQA3")


def test_key_prefix() -> None:
    assert ids.key_prefix("0039H00000Bc8vtQAB") == "003"
    assert ids.key_prefix("00Q5g000001abcd") == "00Q"


def test_make_id_is_pure_and_valid() -> None:
    first = ids.make_id("003", 1)
    assert first == ids.make_id("003", 1)
    assert first.startswith("0035g") and len(first) == 18
    assert ids.normalize(first) == first
    assert ids.make_id("003", 62) != ids.make_id("003", 1)
    with pytest.raises(ValueError):
        ids.make_id("03", 1)


def test_generator_continues_from_persisted_counters() -> None:
    generator = ids.IdGenerator()
    issued = generator.next("001", 3) + generator.next("003")
    assert len(set(issued)) == 4
    assert generator.counters == {"001": 3, "003": 1}
    restarted = ids.IdGenerator(generator.counters)
    assert restarted.next("001") == [ids.make_id("001", 4)]
    assert not set(restarted.next("003", 2)) & set(issued)
