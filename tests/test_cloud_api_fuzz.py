"""Property tests: whatever arrives, parse_delivery fails only with SourceError and
verify_signature only with SignatureError (and passes only for the right signature)."""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eazybe_tasks.sources.cloud_api import SignatureError, parse_delivery, sign, verify_signature
from eazybe_tasks.sources.model import SourceError
from fuzz_counts import tried
from repo_paths import CORPUS_WEBHOOK_FILES

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PAYLOADS = "Cloud API payload parser"
SIGNATURES = "Cloud API signature check"

CORPUS_CASES = [envelope for path in CORPUS_WEBHOOK_FILES
                for envelope in json.loads(path.read_text(encoding="utf-8")).values()]

leaves = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
          | st.sampled_from(["1697043223", "972987654321", "text", "image", "messages", "",
                             "whatsapp_business_account", "edit", "revoke", "unsupported"]))
json_like = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12) | st.sampled_from(
        ["type", "id", "from", "timestamp", "text", "body", "errors", "context", "group_id"]),
        children, max_size=4),
    max_leaves=20,
)


def parses_or_source_error(body: Any) -> None:
    try:
        delivery = parse_delivery(body)
    except SourceError:
        tried(PAYLOADS, "rejected")
        return
    tried(PAYLOADS, "parsed")
    for message in delivery.messages:
        assert message.account_number.startswith("+")
        assert message.sent_at.utcoffset() is not None


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into a JSON value, the value's own () included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


@FUZZ
@given(st.data())
def fuzz_mutated_corpus(data: st.DataObject) -> None:
    body = copy.deepcopy(data.draw(st.sampled_from(CORPUS_CASES)))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths(body)))
        if not path:
            body = data.draw(json_like)
            continue
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_like)
    parses_or_source_error(body)


@FUZZ
@given(json_like)
def fuzz_random_json(body: Any) -> None:
    parses_or_source_error(body)


@FUZZ
@given(json_like)
def fuzz_random_change_value(value: Any) -> None:
    """Random values where a change's value goes, to get past the envelope checks."""
    parses_or_source_error({"object": "whatsapp_business_account",
                            "entry": [{"changes": [{"field": "messages", "value": value}]}]})


@FUZZ
@given(json_like, st.sampled_from(CORPUS_CASES))
def fuzz_random_message(message: Any, template: dict[str, Any]) -> None:
    body = copy.deepcopy(template)
    body["entry"][0]["changes"][0]["value"]["messages"] = [message]
    parses_or_source_error(body)


header_texts = st.none() | st.text(max_size=80) | st.builds(
    lambda digits: "sha256=" + digits, st.text("0123456789abcdefABCDEF", max_size=70))


@FUZZ
@given(st.binary(max_size=200), header_texts, st.text(min_size=1, max_size=20))
def fuzz_signature_headers(body: bytes, header: str | None, secret: str) -> None:
    expected = sign(body, secret)
    try:
        verify_signature(body, header, secret)
    except SignatureError:
        tried(SIGNATURES, "rejected")
        assert header is None or header.lower() != expected
        return
    tried(SIGNATURES, "passed")
    assert header is not None and header.lower() == expected


@FUZZ
@given(st.binary(min_size=1, max_size=200), st.text(min_size=1, max_size=20), st.data())
def fuzz_signed_bodies(body: bytes, secret: str, data: st.DataObject) -> None:
    header = sign(body, secret)
    verify_signature(body, header, secret)
    index = data.draw(st.integers(0, len(body) - 1))
    changed = bytearray(body)
    changed[index] ^= data.draw(st.integers(1, 255))
    with pytest.raises(SignatureError):
        verify_signature(bytes(changed), header, secret)
    tried(SIGNATURES, "signed, then changed")


@pytest.mark.parametrize("fuzz", [fuzz_mutated_corpus, fuzz_random_json, fuzz_random_change_value,
                                  fuzz_random_message])
def test_parse_delivery_raises_only_source_error(fuzz):
    fuzz()


@pytest.mark.parametrize("fuzz", [fuzz_signature_headers, fuzz_signed_bodies])
def test_verify_signature_raises_only_signature_error(fuzz):
    fuzz()
