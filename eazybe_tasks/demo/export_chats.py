"""The sample chats that reach the store as "Export chat" files: what was said, by whom, when,
and how each phone writes it (layout, language, clock). Days 1 and 2 are inside the sync's 3-day
window; days 5 and 6 are history the sync must leave alone."""
from __future__ import annotations

from dataclasses import dataclass

from eazybe_tasks.demo.cast import BRAZIL, GERMANY, INDIA, SPAIN, UK, US, Business
from eazybe_tasks.demo.moments import Moment, at

ME = "\0me"  # stands for the business user, whatever the export calls them
SYSTEM = None


@dataclass(frozen=True)
class Media:
    name: str  # the file's own name for documents; a seed for pictures
    kind: str  # "image" or "pdf"
    lines: tuple[str, ...] = ()  # a PDF's text


@dataclass(frozen=True)
class Line:
    when: Moment
    who: str | None  # ME, the author as the export shows them, or SYSTEM
    text: str = ""
    media: Media | None = None


@dataclass(frozen=True)
class ExportChat:
    business: Business
    layout: str  # "android" or "ios"
    language: str  # en, de, pt, es: WhatsApp's own strings
    date_format: str  # strftime format of the date as the phone writes it
    clock_12h: bool
    title: str  # the chat's name, as in the file name
    me: str  # the business user's name as the export writes it
    lines: tuple[Line, ...]
    other_number: str | None = None  # a 1:1 chat whose other party shows as a saved name
    zipped: bool = False  # exported "with media": a .zip with the files, else a .txt with placeholders

    @property
    def date_order(self) -> str:
        return "mdy" if self.date_format.startswith("%m") else "dmy"


QUOTE = Media("Quote Q-2026-117.pdf", "pdf", (
    "Golden Gate Outfitters - Quote Q-2026-117",
    "24 x Trail backpack 35L, olive            USD 89.00",
    "12 x Rain shell, unisex M/L                USD 129.00",
    "Delivery: 5 business days from order. Valid 14 days.",
))

MARCUS_US = ExportChat(
    US, "android", "en", "%m/%d/%y", True, "Worldwide Samples (buyer)", "Dana Whitfield", other_number="+14155550134",
    zipped=True, lines=(
        Line(at(6, "10:02:00"), SYSTEM, "Messages and calls are end-to-end encrypted. No one outside of this chat, "
             "not even WhatsApp, can read or listen to them. Tap to learn more."),
        Line(at(6, "10:02:00"), "Worldwide Samples (buyer)", "Hi Dana, it's about the spring order"),
        Line(at(6, "10:15:00"), ME, "Hi! Happy to help. Same quantities as last year?"),
        Line(at(2, "09:12:00"), "Worldwide Samples (buyer)", "Good morning! Could you send the quote for the backpacks?"),
        Line(at(2, "09:20:00"), ME, "Sure, here it is", QUOTE),
        Line(at(2, "09:31:00"), "Worldwide Samples (buyer)", "Thanks. Can you do olive instead of black?"),
        Line(at(2, "09:33:00"), ME, "Yes, olive is in stock.\nShipping stays 5 business days."),
        Line(at(1, "16:48:00"), "Worldwide Samples (buyer)", "This is the shelf where they'll go",
             Media("shelf", "image")),
        Line(at(1, "16:52:00"), ME, "Looks great 👍 I'll confirm the order tomorrow morning"),
    ))

UK_IOS = ExportChat(
    UK, "ios", "en", "%d/%m/%Y", False, "+44 7700 900123", "Sales UK", zipped=True, lines=(
        Line(at(5, "11:20:05"), SYSTEM, "Messages and calls are end-to-end encrypted. No one outside of "
             "this chat, not even WhatsApp, can read or listen to them."),
        Line(at(5, "11:20:05"), "+44 7700 900123", "Hello, do you deliver to Reading?"),
        Line(at(2, "08:41:10"), "+44 7700 900123", "Morning, the pallet arrived but one box is damaged"),
        Line(at(2, "08:41:52"), "+44 7700 900123", "", Media("damaged-box", "image")),
        Line(at(2, "08:55:30"), ME, "Sorry about that! We'll send a replacement today."),
        Line(at(2, "08:56:02"), ME, "", Media("Delivery note DN-4471.pdf", "pdf", (
            "Thames Valley Logistics - Delivery note DN-4471",
            "1 x Replacement carton, 12 units",
            "Collection of the damaged box: Thursday, 10:00-12:00",
        ))),
        Line(at(1, "14:03:44"), "+44 7700 900123", "Replacement received, cheers"),
    ))

INDIA_ANDROID = ExportChat(
    INDIA, "android", "en", "%d/%m/%Y", False, "Worldwide Samples India", "Pune Desk", other_number="+919876543210",
    lines=(
        Line(at(2, "11:05:00"), "Worldwide Samples India", "Namaste! Cotton samples kab tak bhej sakte ho?"),
        Line(at(2, "11:09:00"), ME, "Namaste ji, sample box kal dispatch ho jayega"),
        Line(at(2, "11:10:00"), ME, "", Media("swatches", "image")),
        Line(at(1, "15:22:00"), "Worldwide Samples India", "धन्यवाद! Courier tracking number please"),
        Line(at(1, "15:40:00"), ME, "Tracking: PNQ-448120-IN"),
    ))

BRAZIL_IOS = ExportChat(
    BRAZIL, "ios", "pt", "%d/%m/%Y", False, "+55 11 91234-5678", "Vendas Brasil", zipped=True, lines=(
        Line(at(2, "10:14:21"), "+55 11 91234-5678", "Bom dia! Vocês têm café em grão para entrega em São Paulo?"),
        Line(at(2, "10:20:03"), ME, "Bom dia! Temos sim, o catálogo está na foto"),
        Line(at(2, "10:20:40"), ME, "", Media("catalogo", "image")),
        Line(at(1, "17:45:12"), "+55 11 91234-5678", "Perfeito, quero 10 kg do Catuaí amarelo"),
        Line(at(1, "17:50:00"), ME, "Pedido anotado, entrega na sexta"),
    ))

GERMANY_ANDROID = ExportChat(
    GERMANY, "android", "de", "%d.%m.%y", False, "Einkauf Worldwide Samples", "Vertrieb Berlin",
    other_number="+4915123456789", lines=(
        Line(at(2, "13:30:00"), "Einkauf Worldwide Samples", "Hallo, können Sie die Lieferung auf Montag verschieben?"),
        Line(at(2, "13:42:00"), ME, "Hallo! Ja, Montag zwischen 8 und 12 Uhr passt."),
        Line(at(2, "13:43:00"), "Einkauf Worldwide Samples", "", Media("lieferschein", "image")),
        Line(at(1, "09:05:00"), "Einkauf Worldwide Samples", "Danke, und bitte die Rechnung an die neue Adresse"),
        Line(at(1, "09:12:00"), ME, "Erledigt ✅"),
    ))

SPAIN_GROUP = ExportChat(
    SPAIN, "ios", "es", "%d/%m/%y", False, "Pedido boda González", "Ventas España", zipped=True, lines=(
        Line(at(5, "18:00:00"), SYSTEM, "Ventas España creó el grupo “Pedido boda González”"),
        Line(at(5, "18:00:10"), SYSTEM, "Ventas España añadió a +34 612 34 56 78"),
        Line(at(5, "18:01:00"), ME, "¡Hola! Aquí coordinamos el pedido de la boda"),
        Line(at(2, "12:10:15"), "+34 612 34 56 78", "Hola, somos 120 invitados. ¿Nos mandáis el presupuesto?"),
        Line(at(2, "12:30:00"), ME, "Claro, aquí lo tenéis", Media("Presupuesto P-8812.pdf", "pdf", (
            "Ventas Espana - Presupuesto P-8812",
            "120 x Menu degustacion                 EUR 48,00",
            "Bebidas y servicio incluidos. Validez: 30 dias.",
        ))),
        Line(at(2, "12:41:27"), "+34 699 12 34 56", "Soy la organizadora, ¿podemos cambiar el postre?"),
        Line(at(1, "19:02:00"), "+34 612 34 56 78", "Esta es la mesa que queremos", Media("mesa", "image")),
        Line(at(1, "19:15:45"), ME, "¡Preciosa! Lo apuntamos todo"),
    ))

EXPORT_CHATS = (MARCUS_US, UK_IOS, INDIA_ANDROID, BRAZIL_IOS, GERMANY_ANDROID, SPAIN_GROUP)
