"""The phone directory: every Contact's and Lead's numbers, indexed by match key, and their
WhatsApp user ids (WhatsApp_User_Id__c), and the linking rules the toolkit follows.

Rules: a business-scoped user id (BSUID) the org knows links before any phone (a user who adopted
a username may send no phone at all); a Contact wins over a Lead with the same number; converted Leads are never linked (their
Contact is); a number shared by several people links to each of them; a person marked
WhatsApp Do Not Log is found but marked, so nothing is written for them and the audit says why."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from eazybe_tasks.phone_numbers import ImpossibleNumber, ParsedNumber, parse_number, whatsapp_number


@dataclass(frozen=True)
class Person:
    record_id: str
    object_name: str  # "Contact" or "Lead"
    name: str
    phones: tuple[str, ...]  # as typed: Phone, MobilePhone
    is_converted: bool = False
    do_not_log: bool = False
    user_id: str | None = None  # WhatsApp_User_Id__c


@dataclass(frozen=True)
class Link:
    person: Person
    number: str  # the person's number, E.164; "" when linked by WhatsApp user id

    @property
    def logged(self) -> bool:
        return not self.person.do_not_log


@dataclass(frozen=True)
class UnreadableNumber:
    person: Person
    typed: str
    reason: str


@dataclass
class PhoneDirectory:
    default_region: str
    _by_key: dict[str, list[Link]] = field(default_factory=lambda: defaultdict(list))
    _by_user_id: dict[str, list[Link]] = field(default_factory=lambda: defaultdict(list))
    unreadable: list[UnreadableNumber] = field(default_factory=list)

    @classmethod
    def build(cls, people: list[Person], default_region: str) -> "PhoneDirectory":
        directory = cls(default_region)
        for person in people:
            directory.add(person)
        return directory

    def add(self, person: Person) -> None:
        if person.object_name == "Lead" and person.is_converted:
            return
        seen: set[str] = set()
        if person.user_id:
            self._by_user_id[person.user_id].append(Link(person, ""))
        for typed in person.phones:
            parsed = parse_number(typed, self.default_region)
            if isinstance(parsed, ImpossibleNumber):
                self.unreadable.append(UnreadableNumber(person, typed, parsed.reason))
            elif parsed.match_key not in seen:
                seen.add(parsed.match_key)
                self._by_key[parsed.match_key].append(Link(person, parsed.e164))

    def links(self, number: str) -> list[Link]:
        """Who a WhatsApp number belongs to: the Contacts if any has it, else the Leads."""
        parsed = whatsapp_number(number)
        if not isinstance(parsed, ParsedNumber):
            return []
        return _contacts_first(self._by_key.get(parsed.match_key, []))

    def links_by_user_id(self, user_id: str) -> list[Link]:
        """Who has this BSUID in WhatsApp_User_Id__c: the Contacts if any has it, else the Leads."""
        return _contacts_first(self._by_user_id.get(user_id, []))


def _contacts_first(found: list[Link]) -> list[Link]:
    contacts = [link for link in found if link.person.object_name == "Contact"]
    return contacts or list(found)
