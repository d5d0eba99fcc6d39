"""Cloud API webhook payloads: every real payload of the public corpus, hand-built deliveries,
malformed ones, and the signature check."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from functools import cache
from typing import Any

import pytest

from eazybe_tasks.sources.cloud_api import (
    Delivery,
    SignatureError,
    parse_delivery,
    sign,
    verify_signature,
)
from eazybe_tasks.sources.model import AttachmentRef, Direction, MessageType, Source, SourceError
from repo_paths import CORPUS_WEBHOOK_FILES, CORPUS_WEBHOOKS


# Two cases are Meta's reference templates, not recorded deliveries: their numbers are
# placeholders like "<BUSINESS_DISPLAY_PHONE_NUMBER>". Rejected as they are; parsed once filled.
PLACEHOLDERS = {
    "<BUSINESS_DISPLAY_PHONE_NUMBER>": "15550783881",
    "<WHATSAPP_USER_PHONE_NUMBER>": "16505551234",
    "<GROUP_PARTICIPANT_USER_PHONE_NUMBER>": "16505559876",
}
TEMPLATE_CASES = {("deleted_message", "revoke"), ("status", "group")}


@cache
def corpus_file(name: str) -> dict[str, Any]:
    return json.loads((CORPUS_WEBHOOKS / f"pywa__{name}.json").read_text(encoding="utf-8"))


def case(name: str, key: str) -> dict[str, Any]:
    """A fresh copy, so a test may change it."""
    return copy.deepcopy(corpus_file(name)[key])


def filled(payload: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(payload)
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


def all_cases() -> list[tuple[str, str]]:
    return [(path.stem.removeprefix("pywa__"), key)
            for path in CORPUS_WEBHOOK_FILES for key in json.loads(path.read_text(encoding="utf-8"))]


def only_message(payload: dict[str, Any]):
    delivery = parse_delivery(payload)
    assert len(delivery.messages) == 1 and not delivery.statuses
    return delivery.messages[0]


def only_status(payload: dict[str, Any]):
    delivery = parse_delivery(payload)
    assert len(delivery.statuses) == 1 and not delivery.messages
    return delivery.statuses[0]


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def test_the_corpus_is_there():
    assert len(CORPUS_WEBHOOK_FILES) == 7
    assert len(all_cases()) == 39


@pytest.mark.parametrize("name,key", all_cases(), ids=lambda value: str(value))
def test_every_corpus_case_parses(name: str, key: str):
    payload = case(name, key)
    if (name, key) in TEMPLATE_CASES:
        with pytest.raises(SourceError) as error:
            parse_delivery(payload)
        assert error.value.where == "entry[0].changes[0].value.metadata.display_phone_number"
        payload = filled(payload)
    delivery = parse_delivery(payload)
    assert len(delivery.messages) + len(delivery.statuses) == 1
    for message in delivery.messages:
        assert message.source is Source.CLOUD_API
        assert message.account_number.startswith("+") and message.account_number[1:].isdigit()
        assert message.sent_at.tzinfo is timezone.utc
        assert message.raw is not None
    for status in delivery.statuses:
        assert status.at.tzinfo is timezone.utc


def test_text_message():
    message = only_message(case("message", "text"))
    assert message.source_id == "wamid.xyzxyz"
    assert message.account_number == "+972123456789"
    assert message.chat_id == message.sender == "+972987654321"
    assert not message.is_group
    assert message.sender_name == "Test Name"
    assert message.direction is Direction.INBOUND
    assert message.type is MessageType.TEXT
    assert message.body == "Body Text"
    assert message.sent_at == at(1697043223)
    assert message.reply_to is None and not message.edited and message.attachments == ()
    assert message.raw == case("message", "text")["entry"][0]["changes"][0]["value"]["messages"][0]


def test_reply_points_at_the_answered_message():
    assert only_message(case("message", "reply")).reply_to == "wamid.xyzxyz=="


@pytest.mark.parametrize("key", ["forwarded", "forwarded_many_times", "referral"])
def test_forwards_and_ad_referrals_are_plain_text(key: str):
    message = only_message(case("message", key))
    assert message.type is MessageType.TEXT and message.reply_to is None


def test_document_with_caption_and_file_name():
    message = only_message(case("message", "document"))
    assert message.type is MessageType.DOCUMENT
    assert message.body == "caption"
    assert message.attachments == (AttachmentRef(
        file_name="filename.pdf", mime_type="application/pdf", media_id="1234567890987654321",
        sha256="grwfwe/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=", caption="caption"),)


@pytest.mark.parametrize("key,kind,mime_type", [
    ("image", MessageType.IMAGE, "image/jpeg"),
    ("media_with_url", MessageType.IMAGE, "image/jpeg"),
    ("video", MessageType.VIDEO, "video/mp4"),
    ("audio", MessageType.AUDIO, "audio/ogg; codecs=opus"),
    ("voice", MessageType.VOICE, "audio/ogg; codecs=opus"),
    ("static_sticker", MessageType.STICKER, "image/webp"),
    ("animated_sticker", MessageType.STICKER, "image/webp"),
])
def test_media_become_attachment_refs(key: str, kind: MessageType, mime_type: str):
    message = only_message(case("message", key))
    assert message.type is kind
    [attachment] = message.attachments
    assert attachment.media_id and attachment.sha256
    assert attachment.mime_type == mime_type
    assert attachment.content is None and not attachment.omitted


def test_reaction_and_its_removal():
    reaction = only_message(case("message", "reaction"))
    assert reaction.type is MessageType.REACTION
    assert reaction.body == "\N{FACE WITH OPEN MOUTH}"
    assert reaction.reply_to == "wamid.yzxyzx="
    for key in ("unreaction_empty", "unreaction_no_emoji"):
        removal = only_message(case("message", key))
        assert (removal.type, removal.body, removal.reply_to) == (MessageType.REACTION, "", "wamid.yzxyzx=")


def test_locations_are_readable():
    assert only_message(case("message", "current_location")).body == "(12.25089, 43.90539)"
    chosen = only_message(case("message", "chosen_location"))
    assert chosen.type is MessageType.LOCATION
    assert chosen.body == "Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025 (37.4611978, -122.2164385)"


def test_shared_contacts_are_readable():
    message = only_message(case("message", "contacts"))
    assert message.type is MessageType.CONTACTS
    assert message.body.splitlines() == [
        "Chandler Bing: +1 555-555-5555 (CELL)",
        "Monica: +1 666-666-6666 (HOME)",
        "Rachel Green: +1 777-777-7777 (WORK)",
    ]
    assert message.sender_name == "Test Name"  # the profile, not the shared cards


def test_order_lists_its_items():
    message = only_message(case("message", "order"))
    assert message.type is MessageType.ORDER
    assert message.body == ("Order (catalog 354160437058781): 3 x HAMBURGER at 30 ILS, "
                            "2 x FRENCH_FRIES at 35 ILS, 2 x SODA at 10 ILS")


@pytest.mark.parametrize("key", ["unsupported", "unsupported_with_type"])
def test_unsupported_messages_say_why(key: str):
    message = only_message(case("message", key))
    assert message.type is MessageType.UNSUPPORTED
    assert message.body == "Message type unknown (131051): Message type is currently not supported."


def test_message_whose_content_meta_could_not_deliver():
    payload = case("message", "interactive_message_with_err")
    delivery = parse_delivery(payload)
    [message] = delivery.messages
    assert message.type is MessageType.UNSUPPORTED
    assert message.body == "Something went wrong (131000): Unsupported webhook payload"
    assert message.reply_to == "wamid.gvwegfretge=="
    assert delivery.errors == payload["entry"][0]["changes"][0]["value"]["errors"]


@pytest.mark.parametrize("name,key,kind", [
    ("callback_button", "button", MessageType.INTERACTIVE),
    ("callback_selection", "callback", MessageType.INTERACTIVE),
    ("callback_selection", "description", MessageType.INTERACTIVE),
    ("callback_button", "quick_reply", MessageType.BUTTON),
    ("callback_button", "quick_reply_without_context", MessageType.BUTTON),
])
def test_button_and_list_replies_carry_the_picked_title(name: str, key: str, kind: MessageType):
    message = only_message(case(name, key))
    assert (message.type, message.body) == (kind, "title")


def test_quick_reply_answers_the_template():
    assert only_message(case("callback_button", "quick_reply")).reply_to == "wamid.xyzxyz=="
    assert only_message(case("callback_button", "quick_reply_without_context")).reply_to is None


def test_system_messages():
    change = only_message(case("system", "phone_number_change"))
    assert (change.type, change.direction) == (MessageType.SYSTEM, Direction.SYSTEM)
    assert change.body == "User A changed from 972987654321 to 972912345678"
    assert change.sender_name is None  # that payload has no contacts
    identity = only_message(case("system", "identity_change"))
    assert (identity.body, identity.sender_name) == ("User identity changed", "User A")


def test_edit_is_a_new_version_of_the_original_message():
    message = only_message(case("edited_message", "image"))
    assert message.source_id == "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="
    assert message.edited
    assert (message.type, message.body) == (MessageType.IMAGE, "Updated image caption")
    assert message.attachments[0].media_id == "1234567890"
    assert message.chat_id == "+16505551234"
    assert message.account_number == "+15550783881"
    assert message.sent_at == at(1749854575)


def test_revoke_deletes_the_original_message():
    message = only_message(filled(case("deleted_message", "revoke")))
    assert message.source_id == "<ORIGINAL_WHATSAPP_MESSAGE_ID>"
    assert (message.type, message.body, message.edited) == (MessageType.DELETED, "", False)
    assert message.chat_id == "+16505551234"


@pytest.mark.parametrize("key", ["sent", "delivered", "read", "played", "with_tracker"])
def test_statuses(key: str):
    status = only_status(case("status", key))
    assert status.source_id == "wamid.xyzxyz"
    assert status.status == ("sent" if key == "with_tracker" else key)
    assert status.recipient == "+972987654321"
    assert status.account_number == "+972123456789"
    assert status.errors == ()


def test_failed_status_keeps_its_errors():
    status = only_status(case("status", "failed"))
    assert (status.status, status.at) == ("failed", at(1689380458))
    [error] = status.errors
    assert error["code"] == 130472
    assert error["error_data"]["details"].startswith("Failed to send message")


def test_group_status_names_the_participant_not_the_group():
    status = only_status(filled(case("status", "group")))
    assert (status.status, status.recipient) == ("read", "+16505559876")


def test_status_without_contacts_or_recipient_number():
    payload = case("status", "read")
    value = payload["entry"][0]["changes"][0]["value"]
    del value["contacts"]
    del value["statuses"][0]["recipient_id"]
    assert only_status(payload).recipient is None


def test_group_message_is_logged_in_the_group_chat():
    payload = case("message", "text")
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["group_id"] = "120363025246125486"
    message = only_message(payload)
    assert (message.chat_id, message.is_group, message.sender) == (
        "120363025246125486", True, "+972987654321")


def test_user_known_only_by_business_scoped_id():
    payload = case("callback_button", "quick_reply_without_context")
    value = payload["entry"][0]["changes"][0]["value"]
    del value["messages"][0]["from"]
    del value["contacts"][0]["wa_id"]
    message = only_message(payload)
    assert message.sender is None
    assert message.chat_id == "US.13491208655302741918"
    assert message.sender_name == "Test Name"


def test_unknown_type_is_kept_not_dropped():
    payload = case("message", "text")
    raw = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    raw["type"] = "hologram"
    raw["hologram"] = {"id": "1"}
    message = only_message(payload)
    assert (message.type, message.body, message.raw) == (MessageType.UNKNOWN, "", raw)


def test_interactive_flow_reply_uses_its_body():
    payload = case("callback_button", "button")
    raw = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    raw["interactive"] = {"type": "nfm_reply", "nfm_reply": {"body": "Sent", "response_json": "{}"}}
    assert only_message(payload).body == "Sent"


def test_every_entry_and_every_change_is_read():
    def change(template: tuple[str, str]) -> dict[str, Any]:
        return case(*template)["entry"][0]["changes"][0]

    envelope = {"object": "whatsapp_business_account", "entry": [
        {"id": "1", "changes": [change(("message", "text")), change(("status", "read")),
                                change(("message", "image"))]},
        {"id": "2", "changes": [
            {"field": "message_template_status_update", "value": {"event": "APPROVED"}},
            change(("message", "reaction")),
            change(("edited_message", "image")),
        ]},
    ]}
    delivery = parse_delivery(envelope)
    assert [m.type for m in delivery.messages] == [
        MessageType.TEXT, MessageType.IMAGE, MessageType.REACTION, MessageType.IMAGE]
    assert [m.account_number for m in delivery.messages] == ["+972123456789"] * 3 + ["+15550783881"]
    assert [s.status for s in delivery.statuses] == ["read"]


def test_several_messages_in_one_change():
    payload = case("message", "text")
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] += case("message", "voice")["entry"][0]["changes"][0]["value"]["messages"]
    assert [m.type for m in parse_delivery(payload).messages] == [MessageType.TEXT, MessageType.VOICE]


def test_other_webhook_fields_give_nothing():
    envelope = {"object": "whatsapp_business_account", "entry": [
        {"changes": [{"field": "account_update", "value": {"whatever": 1}}]}]}
    assert parse_delivery(envelope) == Delivery()


def _break(path: list[str | int], value: Any, base: tuple[str, str] = ("message", "text")) -> SourceError:
    """Sets the value at `path` (deleting it when value is DELETE) and returns the error."""
    payload = case(*base)
    target = payload
    for step in path[:-1]:
        target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    with pytest.raises(SourceError) as error:
        parse_delivery(payload)
    return error.value


DELETE = object()
MESSAGE = ["entry", 0, "changes", 0, "value", "messages", 0]


@pytest.mark.parametrize("path,value,where,problem", [
    (["object"], "page", "object", "expected 'whatsapp_business_account', got 'page'"),
    (["entry"], {}, "entry", "expected a list, got {}"),
    (["entry", 0, "changes"], DELETE, "entry[0].changes", "required field is missing"),
    (["entry", 0, "changes", 0], "x", "entry[0].changes[0]", "expected an object, got 'x'"),
    (["entry", 0, "changes", 0, "value", "metadata"], DELETE,
     "entry[0].changes[0].value.metadata", "required field is missing"),
    (["entry", 0, "changes", 0, "value", "metadata", "display_phone_number"], "n/a",
     "entry[0].changes[0].value.metadata.display_phone_number",
     "expected the business phone number, got 'n/a'"),
    ([*MESSAGE, "timestamp"], "abc", "entry[0].changes[0].value.messages[0].timestamp",
     "expected a unix timestamp string, got 'abc'"),
    ([*MESSAGE, "timestamp"], 1697043223, "entry[0].changes[0].value.messages[0].timestamp",
     "expected a unix timestamp string, got 1697043223"),
    ([*MESSAGE, "from"], "+972987654321", "entry[0].changes[0].value.messages[0].from",
     "expected a WhatsApp number (7-15 digits), got '+972987654321'"),
    ([*MESSAGE, "from"], DELETE, "entry[0].changes[0].value.messages[0].from",
     "required field is missing (and no from_user_id)"),
    ([*MESSAGE, "id"], "", "entry[0].changes[0].value.messages[0].id",
     "expected a non-empty id string, got ''"),
    ([*MESSAGE, "text"], DELETE, "entry[0].changes[0].value.messages[0].text",
     "required field is missing"),
    ([*MESSAGE, "text", "body"], None, "entry[0].changes[0].value.messages[0].text.body",
     "expected a string, got None"),
    ([*MESSAGE, "context"], [], "entry[0].changes[0].value.messages[0].context",
     "expected an object, got []"),
])
def test_malformed_payload_names_the_path(path, value, where, problem):
    error = _break(path, value)
    assert (error.where, error.problem) == (where, problem)


def test_path_counts_entries_changes_and_messages():
    payload = case("message", "text")
    change = payload["entry"][0]["changes"][0]
    second = copy.deepcopy(change)
    second["value"]["messages"].append(copy.deepcopy(second["value"]["messages"][0]))
    second["value"]["messages"][1]["timestamp"] = "soon"
    payload["entry"].append({"changes": [change, second]})
    with pytest.raises(SourceError) as error:
        parse_delivery(payload)
    assert error.value.where == "entry[1].changes[1].value.messages[1].timestamp"
    assert str(error.value) == ("entry[1].changes[1].value.messages[1].timestamp: "
                                "expected a unix timestamp string, got 'soon'")


@pytest.mark.parametrize("base,path,value,where", [
    (("message", "chosen_location"), [*MESSAGE, "location", "latitude"], "37.4",
     "entry[0].changes[0].value.messages[0].location.latitude"),
    (("message", "contacts"), [*MESSAGE, "contacts", 1, "phones", 0], "+1 666",
     "entry[0].changes[0].value.messages[0].contacts[1].phones[0]"),
    (("message", "voice"), [*MESSAGE, "audio", "voice"], "yes",
     "entry[0].changes[0].value.messages[0].audio.voice"),
    (("message", "image"), [*MESSAGE, "image", "id"], DELETE,
     "entry[0].changes[0].value.messages[0].image.id"),
    (("message", "reaction"), [*MESSAGE, "reaction", "message_id"], DELETE,
     "entry[0].changes[0].value.messages[0].reaction.message_id"),
    (("message", "order"), [*MESSAGE, "order", "product_items", 2, "quantity"], "2",
     "entry[0].changes[0].value.messages[0].order.product_items[2].quantity"),
    (("status", "failed"), ["entry", 0, "changes", 0, "value", "statuses", 0, "errors", 0], "oops",
     "entry[0].changes[0].value.statuses[0].errors[0]"),
    (("status", "read"), ["entry", 0, "changes", 0, "value", "statuses", 0, "recipient_id"], 972,
     "entry[0].changes[0].value.statuses[0].recipient_id"),
    (("edited_message", "image"), [*MESSAGE, "edit", "original_message_id"], DELETE,
     "entry[0].changes[0].value.messages[0].edit.original_message_id"),
])
def test_malformed_content_names_the_path(base, path, value, where):
    assert _break(path, value, base).where == where


def test_body_that_is_not_an_object():
    with pytest.raises(SourceError) as error:
        parse_delivery(["not", "a", "delivery"])
    assert error.value.where == "(delivery)"


# --- signature ---------------------------------------------------------------------------------

SECRET = "app-secret-from-meta"
BODY = (CORPUS_WEBHOOKS / "pywa__message.json").read_bytes()


def test_sign_is_the_known_hmac():
    assert sign(b"", "key") == (
        "sha256=5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0")


def test_valid_signature_passes():
    verify_signature(BODY, sign(BODY, SECRET), SECRET)


def test_uppercase_hex_digest_passes():
    header = sign(BODY, SECRET)
    verify_signature(BODY, "sha256=" + header.removeprefix("sha256=").upper(), SECRET)


@pytest.mark.parametrize("header,problem", [
    (None, "missing"),
    ("", "missing"),
    ("sha1=" + "0" * 40, "expected it to start with 'sha256='"),
    ("SHA256=" + "0" * 64, "expected it to start with 'sha256='"),
    (sign(BODY, SECRET).removeprefix("sha256="), "expected it to start with 'sha256='"),
    ("sha256=" + "z" * 64, "the digest is not hexadecimal"),
    ("sha256= " + "0" * 63, "the digest is not hexadecimal"),
    (sign(BODY, SECRET)[:-2], "the digest has 62 hex digits, expected 64"),
    (sign(BODY, SECRET) + "00", "the digest has 66 hex digits, expected 64"),
    (sign(BODY, "forged-secret"), "does not match the body: not signed with this app's secret"),
])
def test_bad_signatures(header: str | None, problem: str):
    with pytest.raises(SignatureError) as error:
        verify_signature(BODY, header, SECRET)
    assert error.value.problem == problem
    assert isinstance(error.value, SourceError)


def test_body_changed_by_one_byte_does_not_verify():
    header = sign(BODY, SECRET)
    for index in (0, len(BODY) // 2, len(BODY) - 1):
        changed = bytearray(BODY)
        changed[index] ^= 0x01
        with pytest.raises(SignatureError):
            verify_signature(bytes(changed), header, SECRET)


def test_reserialized_json_does_not_verify():
    header = sign(BODY, SECRET)
    reserialized = json.dumps(json.loads(BODY)).encode("utf-8")
    assert json.loads(reserialized) == json.loads(BODY)
    with pytest.raises(SignatureError):
        verify_signature(reserialized, header, SECRET)


def test_empty_app_secret_is_a_configuration_error():
    with pytest.raises(ValueError) as error:
        verify_signature(BODY, sign(BODY, "x"), "")
    assert not isinstance(error.value, SignatureError)
