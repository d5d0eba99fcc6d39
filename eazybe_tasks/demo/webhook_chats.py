"""The sample chats that reach the store through the Cloud API webhook: customers writing to the
US and UK numbers (a Mexican customer in Spanish, a group, numbers nobody has), statuses of the
business's replies, a day-5 message outside the sync's window, and the deliveries that arrive
while the demo runs, which the scheduled sync picks up."""
from __future__ import annotations

from eazybe_tasks.demo.cast import UK, US
from eazybe_tasks.demo.deliveries import Delivery, Inbound, Status
from eazybe_tasks.demo.moments import ago, at

MICHI_ASKS = Inbound(at(2, "10:05:00"), "+525512345678", "Michi 🌵", "text",
                     "Hola, ¿tienen la mochila de 35 litros en color verde?")
JEFF_PHOTO = Inbound(at(1, "09:30:00"), "+447700900456", "Jeff S.", "image", "Is this the right connector?")
GROUP = "120363041234567890"

HISTORY = (
    Delivery(US, messages=(
        MICHI_ASKS,
        Inbound(at(2, "10:06:30"), "+525512345678", "Michi 🌵", "text", "Es para un regalo 🎁", replies_to=MICHI_ASKS),
        Inbound(at(1, "18:20:00"), "+525512345678", "Michi 🌵", "text", "¡Gracias! La recojo el sábado"),
    )),
    Delivery(US, messages=(
        Inbound(at(2, "14:12:00"), "+16505550111", "Cass", "image", "Receipt for the return"),
        Inbound(at(2, "14:13:00"), "+16505550111", "Cass", "document", "Return form RMA-2210.pdf"),
    )),
    Delivery(US, messages=(
        Inbound(at(1, "11:45:00"), "+14155550178", "Glen | Worldwide Samples", "text",
                "Hi, can you call me back about invoice 5521?"),
    )),
    Delivery(US, messages=(  # day 5: history the 3-day sync leaves alone
        Inbound(at(5, "16:00:00"), "+14155550178", "Glen | Worldwide Samples", "text", "Last week's order arrived, thanks"),
    )),
    Delivery(US, messages=(
        Inbound(at(1, "08:02:00"), "+12025550199", "DC Events", "text", "Do you rent tents for 200 people?"),
        Inbound(at(1, "08:03:10"), "+33612345678", "Camille", "text", "Bonjour, livrez-vous en France ?"),
    )),
    Delivery(UK, messages=(
        JEFF_PHOTO,
        Inbound(at(1, "09:31:00"), "+447700900456", "Jeff S.", "reaction", "👍", replies_to=JEFF_PHOTO),
        Inbound(at(1, "09:40:00"), "+447700900456", "Jeff S.", "location", "Unit 4 Kennet Park, Reading RG1 3JJ"),
    )),
    Delivery(UK, messages=(
        Inbound(at(2, "16:20:00"), "+442079460321", "Richard V", "text", "Team, the delivery slot moved to 3pm",
                group_id=GROUP),
        Inbound(at(2, "16:22:00"), "+447700900456", "Jeff S.", "text", "Noted, I'll be at the dock", group_id=GROUP),
        Inbound(at(2, "16:25:00"), "+61412345678", "Mia (Sydney office)", "text", "Can someone share the BOL?",
                group_id=GROUP),
    )),
    Delivery(UK, statuses=(
        Status(at(1, "09:35:00"), "+447700900456", "sent", "reply to Jeff's photo"),
        Status(at(1, "09:35:02"), "+447700900456", "delivered", "reply to Jeff's photo"),
        Status(at(1, "09:36:40"), "+447700900456", "read", "reply to Jeff's photo"),
    )),
)

LIVE = (
    Delivery(US, messages=(
        Inbound(ago(4), "+525512345678", "Michi 🌵", "text", "¿A qué hora abren el sábado?"),
    )),
    Delivery(UK, messages=(
        Inbound(ago(3), "+447700900456", "Jeff S.", "text", "Connector fits, thanks for the quick help"),
        Inbound(ago(2), "+919812300000", "Arjun", "text", "Hello, is this the support number?"),
    )),
)
