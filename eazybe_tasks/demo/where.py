"""What the demo asks the org: whether the sample people are loaded already (a second `make demo`
must not load them twice), and which Contact to show: the one with the most WhatsApp chat-days."""
from __future__ import annotations

from collections import Counter

from simple_salesforce import Salesforce

SHOWCASE_ACCOUNT = "Worldwide Samples Inc"  # datasets/dev/dev.recipe.yml's "one of each format" people


def has_sample_people(sf: Salesforce) -> bool:
    return sf.query(f"SELECT COUNT() FROM Account WHERE Name = '{SHOWCASE_ACCOUNT}'")["totalSize"] > 0


def busiest_contact(sf: Salesforce) -> tuple[str, str, int] | None:
    """(Contact id, name, chat-day records) of the Contact with the most, or None."""
    records = sf.query_all("SELECT Contact__c, Contact__r.Name FROM WhatsApp_Chat__c WHERE Contact__c != null")["records"]
    counts = Counter(record["Contact__c"] for record in records)
    if not counts:
        return None
    names = {record["Contact__c"]: record["Contact__r"]["Name"] for record in records}
    contact, chats = max(counts.items(), key=lambda item: (item[1], names[item[0]]))
    return contact, names[contact], chats
