"""The scale benchmark's input: a seeded WhatsApp history of any size over several business
accounts, as the toolkit receives it, and the Contacts and Leads that own most of its numbers.

Four accounts export their chats from the phone app ("Export chat" .txt files: Android and iOS
layouts, 12- and 24-hour clocks, English, German, Portuguese and Spanish), two are on the Cloud API
(webhook deliveries as Meta signs them, several messages and statuses to a delivery). Each chat
has about 200 messages over about 20 days of the past year, about 10 to a chat-day; 3% of the
export chats are groups. 70% of the customers' numbers belong to a Contact, 15% to a Lead, 2% of
the people asked not to be logged and 1% of the numbers are shared by two Contacts; the rest
match nobody. Numbers are typed into Salesforce the way people in that country type them.

Everything is written as it is made (one chat in memory at a time), so generating 1,000,000
messages takes no more memory than generating 10,000. Files under `folder`:
exports/<account>/<n>/WhatsApp Chat with <name>.txt, exports.jsonl (what each import is told: the
date order only where no day of the file is above 12, as a person must tell it),
deliveries.txt (one signature and body per line), people.jsonl (records to create)."""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator, TextIO
from zoneinfo import ZoneInfo

import phonenumbers

from eazybe_tasks.sources.cloud_api import sign

APP_SECRET = "scale-benchmark-app-secret"  # a fake: the benchmark signs and verifies its own deliveries
MESSAGES_PER_CHAT = 200
MESSAGES_PER_DAY = 10
HISTORY_DAYS = 360
EXPORT_SHARE = 0.8  # of the messages; the rest arrive as webhooks
GROUP_SHARE = 0.03  # of the export chats
DELIVERY_MESSAGES = (1, 15)  # messages in one webhook delivery: Meta batches under load


@dataclass(frozen=True)
class ExportLayout:
    """How one app, in one language, writes an export."""

    header: Callable[[datetime], str]  # an entry's date and time, from the phone's local time
    date_order: str  # "dmy" or "mdy": what an import is told when no day of the file is above 12
    notice: str  # the end-to-end encryption line every export opens with
    media_omitted: str
    deleted: str
    edited: str  # appended to an edited message
    newline: str
    words: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _clock12(moment: datetime, am: str, pm: str) -> str:
    return f"{(moment.hour - 1) % 12 + 1}:{moment:%M}{am if moment.hour < 12 else pm}"


ANDROID_EN_US = ExportLayout(
    header=lambda m: f"{m.month}/{m.day}/{m:%y}, {_clock12(m, chr(0x202F) + 'AM', chr(0x202F) + 'PM')} - ",
    date_order="mdy",
    notice="Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
           "can read or listen to them. Tap to learn more.",
    media_omitted="<Media omitted>", deleted="This message was deleted", edited=" <This message was edited>",
    newline="\n",
    words=tuple("hi is the blue sofa still available price quote delivery tomorrow today invoice thanks "
                "ok great order shipping 👍 can you send a photo please when".split()),
    first_names=("Maya", "Oliver", "Ava", "Noah", "Emma", "Liam", "Sofia", "Ethan"),
    last_names=("Patel", "Grant", "Nguyen", "Johnson", "Garcia", "Kim", "Brown", "Lopez"),
)
IOS_EN_GB = ExportLayout(
    header=lambda m: f"[{m:%d/%m/%Y, %H:%M:%S}] ",
    date_order="dmy",
    notice="\u200eMessages and calls are end-to-end encrypted. No one outside of this chat, not even "
           "WhatsApp, can read or listen to them.",
    media_omitted="\u200eimage omitted", deleted="\u200eThis message was deleted.",
    edited=" \u200e<This message was edited>", newline="\r\n",
    words=tuple("morning did the invoice go out cheers lovely brilliant parcel courier tomorrow "
                "afternoon quote sorted mate ta 🙂 could you ring me".split()),
    first_names=("Oliver", "Amelia", "Harry", "Isla", "George", "Freya", "Jack", "Poppy"),
    last_names=("Grant", "Taylor", "Davies", "Evans", "Wilson", "Hughes", "Clarke", "Walker"),
)
ANDROID_DE = ExportLayout(
    header=lambda m: f"{m:%d.%m.%y, %H:%M} - ",
    date_order="dmy",
    notice="Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann "
           "sie lesen oder anhören, nicht einmal WhatsApp. Tippe, um mehr zu erfahren.",
    media_omitted="<Medien ausgeschlossen>", deleted="Diese Nachricht wurde gelöscht",
    edited=" <Diese Nachricht wurde bearbeitet>", newline="\n",
    words=tuple("guten morgen ist die lieferung unterwegs danke rechnung angebot morgen heute bitte "
                "größe preis straße 🙂 können sie mir ein foto schicken".split()),
    first_names=("Jonas", "Lena", "Lukas", "Mia", "Felix", "Hannah", "Paul", "Sophie"),
    last_names=("Becker", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Hoffmann"),
)
ANDROID_PT_BR = ExportLayout(
    header=lambda m: f"{m:%d/%m/%Y %H:%M} - ",
    date_order="dmy",
    notice="As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e ficam "
           "somente entre você e os participantes desta conversa.",
    media_omitted="<Mídia oculta>", deleted="Mensagem apagada", edited=" <Mensagem editada>", newline="\n",
    words=tuple("bom dia o pedido já saiu obrigada segue o comprovante entrega amanhã hoje preço "
                "orçamento ótimo 👍 pode mandar uma foto por favor".split()),
    first_names=("Beatriz", "João", "Ana", "Pedro", "Mariana", "Lucas", "Júlia", "Gabriel"),
    last_names=("Souza", "Silva", "Santos", "Oliveira", "Pereira", "Costa", "Rodrigues", "Almeida"),
)
ANDROID_ES = ExportLayout(
    header=lambda m: f"{m.day}/{m.month}/{m:%y}, {_clock12(m, ' a. m.', ' p. m.')} - ",
    date_order="dmy",
    notice="Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat, "
           "ni siquiera WhatsApp, puede leerlos ni escucharlos. Toca para obtener más información.",
    media_omitted="<Multimedia omitido>", deleted="Se eliminó este mensaje", edited=" <Se editó este mensaje.>",
    newline="\n",
    words=tuple("hola buenos días el pedido ya salió gracias factura presupuesto mañana hoy precio "
                "envío perfecto 👍 me puede mandar una foto por favor".split()),
    first_names=("Lucía", "Javier", "Carmen", "Diego", "Elena", "Pablo", "Marta", "Sergio"),
    last_names=("Fernández", "Ruiz", "García", "Martínez", "López", "Sánchez", "Romero", "Navarro"),
)


@dataclass(frozen=True)
class BusinessAccount:
    number: str  # E.164
    label: str  # the business user's name, as its exports write it
    time_zone: str
    region: str  # where its customers live, and how they type numbers
    customer_prefix: str  # the customers' numbers: this, then `subscriber_digits` digits
    subscriber_digits: int
    layout: ExportLayout | None  # None: the account is on the Cloud API


EXPORT_ACCOUNTS = (
    BusinessAccount("+14155550100", "Acme Furniture", "America/Los_Angeles", "US", "+1415", 7, ANDROID_EN_US),
    BusinessAccount("+442079460100", "Northwind Sales", "Europe/London", "GB", "+447700", 6, IOS_EN_GB),
    BusinessAccount("+493090182000", "Müller GmbH", "Europe/Berlin", "DE", "+49151", 8, ANDROID_DE),
    BusinessAccount("+551130000100", "Loja Central", "America/Sao_Paulo", "BR", "+55119", 8, ANDROID_PT_BR),
)
WEBHOOK_ACCOUNTS = (
    BusinessAccount("+16505550100", "Bay Bikes", "America/Los_Angeles", "US", "+1650", 7, None),
    BusinessAccount("+34910000100", "Tienda Sol", "Europe/Madrid", "ES", "+346", 8, None),
)
ACCOUNTS = EXPORT_ACCOUNTS + WEBHOOK_ACCOUNTS


@dataclass(frozen=True)
class History:
    """What `generate` wrote, and the window a backfill of all of it takes."""

    messages: int
    export_files: int
    deliveries: int
    people: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class _Moment:
    local: datetime  # naive, the account's local time
    utc: datetime


class _Numbers:
    """Distinct customer numbers, possible ones, per account."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self, account: BusinessAccount) -> str:
        while True:
            digits = str(self.rng.randint(2, 9)) + "".join(
                self.rng.choice("0123456789") for _ in range(account.subscriber_digits - 1))
            number = account.customer_prefix + digits
            if number not in self.used and phonenumbers.is_possible_number(phonenumbers.parse(number)):
                self.used.add(number)
                return number


def _typed(number: str, rng: random.Random) -> str:
    """As a person types it into Salesforce: mostly the national way, sometimes international."""
    parsed = phonenumbers.parse(number)
    style = phonenumbers.PhoneNumberFormat.NATIONAL if rng.random() < 0.7 else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def _chat_moments(rng: random.Random, count: int, zone: ZoneInfo, first_day: date) -> list[_Moment]:
    """`count` message times over about count/10 days of the history, 08:00 to 22:00 local."""
    days = sorted(rng.sample(range(HISTORY_DAYS), min(HISTORY_DAYS, max(1, round(count / MESSAGES_PER_DAY)))))
    per_day = [1] * len(days)
    for _ in range(count - len(days)):
        per_day[rng.randrange(len(days))] += 1
    moments = []
    for offset, n in zip(days, per_day):
        day = first_day + timedelta(days=offset)
        seconds = sorted(rng.randint(8 * 3600, 22 * 3600 - 1) for _ in range(n))
        for second in seconds:
            local = datetime.combine(day, time()) + timedelta(seconds=second)
            moments.append(_Moment(local, local.replace(tzinfo=zone).astimezone(timezone.utc)))
    return moments


def _words(rng: random.Random, layout_words: tuple[str, ...]) -> str:
    return " ".join(rng.choice(layout_words) for _ in range(rng.randint(2, 14)))


class _Generator:
    def __init__(self, folder: Path, size: int, seed: int, now: datetime) -> None:
        self.folder = folder
        self.size = size
        self.rng = random.Random(seed)
        self.numbers = _Numbers(self.rng)
        self.now = now.replace(microsecond=0)
        self.first_day = (self.now - timedelta(days=HISTORY_DAYS + 1)).date()
        self.customers: dict[str, list[str]] = {a.number: [] for a in ACCOUNTS}  # for group members
        self.files = self.deliveries = self.people = 0

    # -- people --------------------------------------------------------------------------------
    def person(self, out: TextIO, number: str, name: tuple[str, str]) -> None:
        """The Contacts or Lead with this number, if any (15% of numbers match nobody)."""
        kind = self.rng.random()
        if kind >= 0.85:
            return
        object_name = "Contact" if kind < 0.70 else "Lead"
        owners = 2 if object_name == "Contact" and self.rng.random() < 0.01 else 1
        for owner in range(owners):
            record = {"FirstName": name[0] if owner == 0 else self.rng.choice(("Sam", "Alex", "Kim")),
                      "LastName": name[1], "MobilePhone": _typed(number, self.rng),
                      "WhatsApp_Do_Not_Log__c": self.rng.random() < 0.02}
            if object_name == "Lead":
                record["Company"] = f"{name[1]} & Co"
            out.write(json.dumps({"object": object_name, "record": record}, ensure_ascii=False) + "\n")
            self.people += 1

    # -- exports -------------------------------------------------------------------------------
    def export_chat(self, account: BusinessAccount, count: int, manifest: TextIO, people: TextIO) -> None:
        layout = account.layout
        assert layout is not None
        rng = self.rng
        is_group = rng.random() < GROUP_SHARE and len(self.customers[account.number]) >= 4
        name = (rng.choice(layout.first_names), rng.choice(layout.last_names))
        if is_group:
            members = rng.sample(self.customers[account.number], rng.randint(3, 5))
            authors = [phonenumbers.format_number(phonenumbers.parse(n), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
                       for n in members]
            title, other = f"{name[1]} Family Orders {self.files}", None
        else:
            other = self.numbers.new(account)
            self.customers[account.number].append(other)
            self.person(people, other, name)
            authors, title = [f"{name[0]} {name[1]}"], f"{name[0]} {name[1]}"
        path = self.folder / "exports" / account.number.lstrip("+") / str(self.files) / f"WhatsApp Chat with {title}.txt"
        path.parent.mkdir(parents=True)
        moments = _chat_moments(rng, count, ZoneInfo(account.time_zone), self.first_day)
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write(layout.header(moments[0].local) + layout.notice + layout.newline)
            for index, moment in enumerate(moments):
                author = account.label if index % 3 == 1 else rng.choice(authors)
                out.write(f"{layout.header(moment.local)}{author}: {self.export_text(layout)}{layout.newline}")
        ambiguous = all(moment.local.day <= 12 for moment in moments)  # as a person would, they pass the order
        manifest.write(json.dumps({"path": str(path), "account": account.number, "me": account.label,
                                   "other_number": other, "is_group": is_group,
                                   "date_order": layout.date_order if ambiguous else None}) + "\n")
        self.files += 1

    def export_text(self, layout: ExportLayout) -> str:
        roll = self.rng.random()
        if roll < 0.04:
            return layout.media_omitted
        if roll < 0.05:
            return layout.deleted
        text = _words(self.rng, layout.words)
        if roll < 0.10:
            return text + layout.newline + _words(self.rng, layout.words)  # a multi-line message
        return text + layout.edited if roll < 0.11 else text

    # -- webhooks ------------------------------------------------------------------------------
    def webhook_chat(self, account: BusinessAccount, count: int, people: TextIO) -> Iterator[dict]:
        """The chat's messages as Cloud API `messages` entries, with the sender's profile."""
        rng = self.rng
        number = self.numbers.new(account)
        layout = ANDROID_ES if account.region == "ES" else ANDROID_EN_US
        name = (rng.choice(layout.first_names), rng.choice(layout.last_names))
        self.person(people, number, name)
        wa_id = number.lstrip("+")
        earlier: list[str] = []
        for index, moment in enumerate(_chat_moments(rng, count, ZoneInfo(account.time_zone), self.first_day)):
            message_id = f"wamid.{hashlib.sha256(f'{number}/{index}'.encode()).hexdigest()[:40]}"
            message = {"from": wa_id, "id": message_id, "timestamp": str(int(moment.utc.timestamp()))}
            roll = rng.random()
            if roll < 0.05:
                message |= {"type": "image", "image": {"id": f"media{message_id[-12:]}", "mime_type": "image/jpeg",
                                                       "sha256": hashlib.sha256(message_id.encode()).hexdigest(),
                                                       "caption": _words(rng, layout.words)}}
            elif roll < 0.08 and earlier:
                message |= {"type": "reaction", "reaction": {"message_id": rng.choice(earlier), "emoji": "👍"}}
            elif roll < 0.10:
                message |= {"type": "location", "location": {"latitude": 37.77, "longitude": -122.42,
                                                             "name": "Showroom", "address": "1 Market St"}}
            elif roll < 0.12:
                message |= {"type": "interactive", "interactive": {
                    "type": "button_reply", "button_reply": {"id": "confirm", "title": "Confirm order"}}}
            else:
                message |= {"type": "text", "text": {"body": _words(rng, layout.words)}}
            earlier = (earlier + [message_id])[-20:]
            yield {"message": message, "name": f"{name[0]} {name[1]}", "wa_id": wa_id, "account": account}

    def delivery(self, items: list[dict]) -> str:
        """One signed delivery line: its messages, their senders' profiles, and a few statuses of
        messages the business sent (which the store keeps as statuses)."""
        account: BusinessAccount = items[0]["account"]
        contacts = {item["wa_id"]: {"profile": {"name": item["name"]}, "wa_id": item["wa_id"]} for item in items}
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": account.number.lstrip("+"), "phone_number_id": "1098765432"},
                 "contacts": list(contacts.values()), "messages": [item["message"] for item in items]}
        if self.rng.random() < 0.3:
            last = items[-1]["message"]
            value["statuses"] = [{"id": f"wamid.out{last['id'][-20:]}", "status": status, "timestamp": last["timestamp"],
                                  "recipient_id": items[-1]["wa_id"]} for status in ("sent", "delivered", "read")]
        raw = json.dumps({"object": "whatsapp_business_account",
                          "entry": [{"id": "1234567890", "changes": [{"field": "messages", "value": value}]}]},
                         ensure_ascii=False)
        self.deliveries += 1
        return f"{sign(raw.encode(), APP_SECRET)}\t{raw}\n"

    # -- the whole history -----------------------------------------------------------------------
    def chat_sizes(self, total: int) -> Iterator[int]:
        """Message counts of consecutive chats, 20 to 380 each, adding up to `total`."""
        while total > 0:
            count = min(total, self.rng.randint(MESSAGES_PER_CHAT // 10, MESSAGES_PER_CHAT * 19 // 10))
            total -= count
            yield count

    def run(self) -> History:
        exports_total = round(self.size * EXPORT_SHARE)
        with (self.folder / "exports.jsonl").open("w") as manifest, \
                (self.folder / "people.jsonl").open("w", encoding="utf-8") as people, \
                (self.folder / "deliveries.txt").open("w", encoding="utf-8") as deliveries:
            for n, count in enumerate(self.chat_sizes(exports_total)):
                self.export_chat(EXPORT_ACCOUNTS[n % len(EXPORT_ACCOUNTS)], count, manifest, people)
            pending: list[dict] = []
            target = self.rng.randint(*DELIVERY_MESSAGES)
            for n, count in enumerate(self.chat_sizes(self.size - exports_total)):
                for item in self.webhook_chat(WEBHOOK_ACCOUNTS[n % len(WEBHOOK_ACCOUNTS)], count, people):
                    if pending and pending[0]["account"] is not item["account"]:
                        deliveries.write(self.delivery(pending))
                        pending = []
                    pending.append(item)
                    if len(pending) >= target:
                        deliveries.write(self.delivery(pending))
                        pending, target = [], self.rng.randint(*DELIVERY_MESSAGES)
            if pending:
                deliveries.write(self.delivery(pending))
        start = datetime.combine(self.first_day - timedelta(days=1), time(), timezone.utc)
        return History(self.size, self.files, self.deliveries, self.people, start, self.now)


def generate(folder: Path, size: int, seed: int = 7, now: datetime | None = None) -> History:
    """Writes a history of `size` messages under `folder` (see the module's docstring)."""
    return _Generator(folder, size, seed, now or datetime.now(timezone.utc)).run()
