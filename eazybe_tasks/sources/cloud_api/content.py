"""What a Cloud API message says, per message type: the normalized type, a readable body and
the media to fetch. Kept apart from the envelope so that a new type is one function here."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any, Callable

from eazybe_tasks.sources.cloud_api.errors import ErrorList, summarize
from eazybe_tasks.sources.cloud_api.fields import (
    as_bool,
    as_id,
    as_list,
    as_number,
    as_object,
    as_str,
    child,
    optional_list,
    optional_object,
    optional_str,
    required,
)
from eazybe_tasks.sources.model import AttachmentRef, MessageType, SourceError


@dataclass(frozen=True)
class Content:
    type: MessageType
    body: str = ""
    attachments: tuple[AttachmentRef, ...] = ()
    reacts_to: str | None = None  # reactions name the message they react to here, not in context


Converter = Callable[[Any, str], Content]  # (the value under the type's key, its path)

# A customer opening the chat (from a link, a QR code or an ad) before writing anything: Meta
# sends a message of type request_welcome with no content of its own. An event, as WhatsApp's
# other notices are: shown in the transcript, not counted as a message.
WELCOME = Content(MessageType.SYSTEM, body="The customer opened the chat")
FLOW_ANSWER_CHARS = 100  # one answer of a WhatsApp Flow, as shown in the transcript
FLOW_SUMMARY_CHARS = 500  # all of them
REFERRAL_CHARS = 200  # an ad's headline, and its URL
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # what no database keeps as text (see text_repair)


def convert_content(message: dict[str, Any], where: str, errors: ErrorList) -> Content:
    """The content of `message` (a message, or the new version inside an edit). `errors` are the
    ones Meta attached to it: a message WhatsApp could not deliver carries them instead of a body.
    A message the customer sent from an ad (click-to-WhatsApp) says which after its text."""
    content = _content(message, where, errors)
    referral = _referral(message, where)
    if referral:
        content = replace(content, body="\n".join(filter(None, (content.body, referral))))
    return content


def _content(message: dict[str, Any], where: str, errors: ErrorList) -> Content:
    kind = optional_str(message, "type", where)
    if kind is None and not errors:
        raise SourceError(child(where, "type"), "required field is missing")
    if kind == "request_welcome":
        return WELCOME
    if kind is None or kind == "unsupported" or (kind in CONVERTERS and kind not in message and errors):
        return Content(MessageType.UNSUPPORTED, body=summarize(errors))
    converter = CONVERTERS.get(kind)
    if converter is None:
        return Content(MessageType.UNKNOWN, body=summarize(errors))
    return converter(required(message, kind, where), child(where, kind))


def _text(value: Any, where: str) -> Content:
    text = as_object(value, where)
    return Content(MessageType.TEXT, body=as_str(required(text, "body", where), child(where, "body")))


def _media(kind: MessageType) -> Converter:
    def convert(value: Any, where: str) -> Content:
        media = as_object(value, where)
        return Content(kind, body=optional_str(media, "caption", where) or "",
                       attachments=(_attachment(media, where),))

    return convert


def _audio(value: Any, where: str) -> Content:
    audio = as_object(value, where)
    voice = audio.get("voice") is not None and as_bool(audio["voice"], child(where, "voice"))
    return _media(MessageType.VOICE if voice else MessageType.AUDIO)(audio, where)


def _attachment(media: dict[str, Any], where: str) -> AttachmentRef:
    return AttachmentRef(
        media_id=as_id(required(media, "id", where), child(where, "id")),
        mime_type=optional_str(media, "mime_type", where),
        sha256=optional_str(media, "sha256", where),
        file_name=optional_str(media, "filename", where),
        caption=optional_str(media, "caption", where),
    )


def _location(value: Any, where: str) -> Content:
    location = as_object(value, where)
    latitude = as_number(required(location, "latitude", where), child(where, "latitude"))
    longitude = as_number(required(location, "longitude", where), child(where, "longitude"))
    place = ", ".join(filter(None, (optional_str(location, key, where) for key in ("name", "address"))))
    coordinates = f"({latitude}, {longitude})"
    return Content(MessageType.LOCATION, body=f"{place} {coordinates}" if place else coordinates)


def _contacts(value: Any, where: str) -> Content:
    cards = [_contact_card(as_object(card, child(where, i)), child(where, i))
             for i, card in enumerate(as_list(value, where))]
    return Content(MessageType.CONTACTS, body="\n".join(cards))


def _contact_card(card: dict[str, Any], where: str) -> str:
    """ "Chandler Bing: +1 555-555-5555 (CELL)" """
    name_where = child(where, "name")
    name = optional_object(card, "name", where)
    full_name = optional_str(name, "formatted_name", name_where) or " ".join(
        filter(None, (optional_str(name, key, name_where) for key in ("first_name", "last_name")))
    )
    phones = []
    for index, item in enumerate(optional_list(card, "phones", where)):
        phone_where = child(child(where, "phones"), index)
        phone = as_object(item, phone_where)
        number = optional_str(phone, "phone", phone_where) or optional_str(phone, "wa_id", phone_where)
        label = optional_str(phone, "type", phone_where)
        phones.append(f"{number} ({label})" if label else str(number))
    return f"{full_name or '(no name)'}: {', '.join(phones) or '(no phone)'}"


def _interactive(value: Any, where: str) -> Content:
    """Button and list replies say what was picked in `title`; flow replies (`nfm_reply`) carry a
    `body` ("Sent") and the answers in `response_json`, shown after it."""
    interactive = as_object(value, where)
    kind = as_str(required(interactive, "type", where), child(where, "type"))
    reply_where = child(where, kind)
    reply = as_object(required(interactive, kind, where), reply_where)
    body = optional_str(reply, "title", reply_where) or optional_str(reply, "body", reply_where)
    if kind == "nfm_reply":
        answers = _flow_answers(optional_str(reply, "response_json", reply_where))
        body = "\n".join(filter(None, (body, answers)))
    return Content(MessageType.INTERACTIVE, body=body or "")


def _flow_answers(response_json: str | None) -> str:
    """ "name: Jane Doe, email: jane@example.com, plan: pro" from a flow's response_json (a JSON
    object in a string, its shape the flow's own), without the flow_token the business set.
    Text that is not a JSON object is shown as it is; either way cut to FLOW_SUMMARY_CHARS."""
    if not response_json:
        return ""
    try:
        answers = json.loads(response_json)
        if not isinstance(answers, dict):
            return _readable(response_json, FLOW_SUMMARY_CHARS)
        pairs = [f"{_readable(str(key), FLOW_ANSWER_CHARS)}: {_answer(value)}"
                 for key, value in answers.items() if key != "flow_token"]
    except (ValueError, RecursionError):  # not JSON, or nested past what Python reads
        return _readable(response_json, FLOW_SUMMARY_CHARS)
    return _readable(", ".join(pairs), FLOW_SUMMARY_CHARS)


def _answer(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return _readable(text, FLOW_ANSWER_CHARS)


def _readable(text: str, limit: int) -> str:
    """`text` on one line, with what no database stores replaced, cut to `limit` characters."""
    text = _UNSTORABLE.sub("\ufffd", " ".join(text.split()))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _referral(message: dict[str, Any], where: str) -> str:
    """ "From an ad: Spring sale (https://fb.me/...)" for a message sent from a click-to-WhatsApp
    ad or post (`referral`: headline, body, source_url, source_type "ad" or "post"); "" otherwise."""
    referral_where = child(where, "referral")
    referral = optional_object(message, "referral", where)
    if not referral:
        return ""
    headline = optional_str(referral, "headline", referral_where) or optional_str(referral, "body", referral_where)
    url = optional_str(referral, "source_url", referral_where)
    origin = "a post" if optional_str(referral, "source_type", referral_where) == "post" else "an ad"
    line = f"From {origin}: {_readable(headline, REFERRAL_CHARS)}" if headline else f"From {origin}"
    return f"{line} ({_readable(url, REFERRAL_CHARS)})" if url else line


def _button(value: Any, where: str) -> Content:
    """A quick-reply button of a template: `text` is what the customer saw and tapped."""
    button = as_object(value, where)
    return Content(MessageType.BUTTON, body=as_str(required(button, "text", where), child(where, "text")))


def _reaction(value: Any, where: str) -> Content:
    """An empty or absent emoji is the customer taking the reaction back."""
    reaction = as_object(value, where)
    return Content(
        MessageType.REACTION,
        body=optional_str(reaction, "emoji", where) or "",
        reacts_to=as_id(required(reaction, "message_id", where), child(where, "message_id")),
    )


def _order(value: Any, where: str) -> Content:
    """ "Order (catalog 3541...): 3 x HAMBURGER at 30 ILS, ..." then the customer's note."""
    order = as_object(value, where)
    catalog = optional_str(order, "catalog_id", where)
    items = []
    for index, item in enumerate(optional_list(order, "product_items", where)):
        item_where = child(child(where, "product_items"), index)
        product = as_object(item, item_where)
        name = as_str(required(product, "product_retailer_id", item_where),
                      child(item_where, "product_retailer_id"))
        quantity = as_number(required(product, "quantity", item_where), child(item_where, "quantity"))
        price = product.get("item_price")
        currency = optional_str(product, "currency", item_where) or ""
        priced = "" if price is None else f" at {as_number(price, child(item_where, 'item_price'))} {currency}"
        items.append(f"{quantity} x {name}{priced.rstrip()}")
    heading = f"Order (catalog {catalog})" if catalog else "Order"
    note = optional_str(order, "text", where)
    return Content(MessageType.ORDER, body="\n".join(filter(None, [f"{heading}: {', '.join(items)}", note])))


def _media_placeholder(value: Any, where: str) -> Content:
    """A media message of a Business-app history whose file Meta did not share (it shares media
    of the last 14 days only): kept as omitted media, as an export's "<Media omitted>" is."""
    return Content(MessageType.MEDIA, attachments=(AttachmentRef(omitted=True),))


def _system(value: Any, where: str) -> Content:
    system = as_object(value, where)
    return Content(MessageType.SYSTEM, body=optional_str(system, "body", where) or "")


CONVERTERS: dict[str, Converter] = {
    "text": _text,
    "image": _media(MessageType.IMAGE),
    "video": _media(MessageType.VIDEO),
    "document": _media(MessageType.DOCUMENT),
    "sticker": _media(MessageType.STICKER),
    "audio": _audio,
    "location": _location,
    "contacts": _contacts,
    "interactive": _interactive,
    "button": _button,
    "reaction": _reaction,
    "order": _order,
    "system": _system,
    "media_placeholder": _media_placeholder,
}
