"""The phone directory: every Contact's and Lead's numbers, indexed by match key, and the linking
rules the toolkit follows.

Rules: a Contact wins over a Lead with the same number; converted Leads are never linked (their
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


@dataclass(frozen=True)
class Link:
    person: Person
    number: str  # the person's number, E.164

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
        found = self._by_key.get(parsed.match_key, [])
        contacts = [link for link in found if link.person.object_name == "Contact"]
        return contacts or list(found)
