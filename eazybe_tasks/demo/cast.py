"""Who talks in the demo: the business accounts, and the customers' numbers as the sample people
of datasets/dev/dev.recipe.yml have them (its fixed "one of each format" block and the González
household), or numbers nobody has."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Business:
    number: str  # E.164
    label: str  # the store's account label, also the outbound sender in transcripts
    region: str  # numbers typed without a country code are read in it
    time_zone: str


US = Business("+14155550100", "Sales US", "US", "America/Los_Angeles")
UK = Business("+442079460000", "Sales UK", "GB", "Europe/London")
INDIA = Business("+919876500000", "Pune Desk", "IN", "Asia/Kolkata")
BRAZIL = Business("+551134560000", "Vendas Brasil", "BR", "America/Sao_Paulo")
GERMANY = Business("+493012345000", "Vertrieb Berlin", "DE", "Europe/Berlin")
SPAIN = Business("+34912345000", "Ventas España", "ES", "Europe/Madrid")
BUSINESSES = (US, UK, INDIA, BRAZIL, GERMANY, SPAIN)

# Customers known to the recipe: E.164, and the number as the recipe types it.
RECIPE_PEOPLE = {
    "+14155550134": "(415) 555-0134",
    "+14155550178": "415.555.0178 x204",
    "+16505550111": "1-650-555-0111",
    "+447700900123": "0044 7700 900123",
    "+447700900456": "+44-7700-900456",
    "+442079460321": "+44 (0)20 7946 0321",
    "+919876543210": "098765 43210",
    "+5511912345678": "(11) 91234-5678",
    "+4915123456789": "0049 151 23456789",
    "+525512345678": "+52 (55) 1234-5678",
    "+34612345678": "612 345 678",  # María and Carlos González share it
}

# Numbers no Contact or Lead has: their chats are "unmatched" in the audit.
UNKNOWN = ("+33612345678", "+61412345678", "+34699123456", "+12025550199", "+919812300000")
