"""A sample chat written the way the WhatsApp app exports it: Android's `date, time - author:`
lines or iOS's `[date, time] author:` lines with their invisible marks, WhatsApp's own words in
the phone's language, and the media either attached (a .zip holding the files, named as the app
names them) or left out (a placeholder in a .txt)."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eazybe_tasks.demo.export_chats import ME, ExportChat, Line, Media
from eazybe_tasks.demo.media_files import pdf, png

LRM = "\u200e"
NARROW_NBSP = "\u202f"  # what current Android versions put before AM/PM

ANDROID_FILE = {"en": "WhatsApp Chat with {}", "de": "WhatsApp-Chat mit {}", "pt": "Conversa do WhatsApp com {}",
                "es": "Chat de WhatsApp con {}"}
ANDROID_ATTACHED = {"en": "file attached", "de": "Datei angehängt", "pt": "arquivo anexado", "es": "archivo adjunto"}
ANDROID_OMITTED = {"en": "<Media omitted>", "de": "<Medien ausgeschlossen>", "pt": "<Mídia oculta>",
                   "es": "<Multimedia omitido>"}
IOS_IMAGE_OMITTED = {"en": "image omitted", "de": "Bild weggelassen", "pt": "imagem ocultada", "es": "imagen omitida"}
IOS_ONE_PAGE = {"en": "1 page", "de": "1 Seite", "pt": "1 página", "es": "1 página"}
IOS_DOCUMENT_OMITTED = {"en": "document omitted", "de": "Dokument weggelassen", "pt": "documento omitido",
                        "es": "documento omitido"}


@dataclass(frozen=True)
class WrittenExport:
    path: Path
    chat: ExportChat


class _Render:
    """One export's text and files; media are numbered in the order they appear, as the app does."""

    def __init__(self, chat: ExportChat, now: datetime) -> None:
        self.chat, self.now = chat, now
        self.files: dict[str, bytes] = {}

    def text(self) -> str:
        newline = "\r\n" if self.chat.layout == "ios" else "\n"
        return newline.join(self._line(line) for line in self.chat.lines) + newline

    def _line(self, line: Line) -> str:
        local = line.when.local(self.now, self.chat.business.time_zone)
        author = self.chat.me if line.who == ME else line.who
        body = line.text if line.media is None else self._media(line.media, local, line.text)
        if self.chat.layout == "android":
            header = f"{local.strftime(self.chat.date_format)}, {self._clock(local)} - "
            return header + (body if author is None else f"{author}: {body}")
        mark = LRM if line.media is not None or author is None else ""
        header = f"{mark}[{local.strftime(self.chat.date_format)}, {local:%H:%M:%S}] "
        return header + (f"{self.chat.title}: {LRM}{body}" if author is None else f"{author}: {body}")

    def _clock(self, local: datetime) -> str:
        if not self.chat.clock_12h:
            return f"{local:%H:%M}"
        return f"{local.hour % 12 or 12}:{local:%M}{NARROW_NBSP}{'AM' if local.hour < 12 else 'PM'}"

    def _media(self, media: Media, local: datetime, caption: str) -> str:
        language, number = self.chat.language, len(self.files) + 1
        content = png(media.name) if media.kind == "image" else pdf(media.lines[0], media.lines[1:])
        if self.chat.layout == "android":
            name = f"IMG-{local:%Y%m%d}-WA{number:04d}.png" if media.kind == "image" else media.name
            shown = f"{LRM}{name} ({ANDROID_ATTACHED[language]})" if self.chat.zipped else ANDROID_OMITTED[language]
        else:
            name = (f"{number:08d}-PHOTO-{local:%Y-%m-%d-%H-%M-%S}.png" if media.kind == "image"
                    else f"{number:08d}-{media.name}")
            title = "" if media.kind == "image" else f"{media.name} • {IOS_ONE_PAGE[language]} {LRM}"
            omitted = (IOS_IMAGE_OMITTED if media.kind == "image" else IOS_DOCUMENT_OMITTED)[language]
            shown = f"{LRM}{title}<attached: {name}>" if self.chat.zipped else f"{LRM}{title}{omitted}"
        self.files[name] = content
        return shown + (f"\n{caption}" if caption else "")


def export_name(chat: ExportChat) -> str:
    if chat.layout == "ios":
        return f"WhatsApp Chat - {chat.title}"
    return ANDROID_FILE[chat.language].format(chat.title)


def write_export(chat: ExportChat, folder: Path, now: datetime) -> WrittenExport:
    """Writes `chat` into `folder` as the app would share it: .zip with media, else .txt."""
    render = _Render(chat, now)
    text = render.text().encode("utf-8")
    name = export_name(chat)
    folder.mkdir(parents=True, exist_ok=True)
    if not chat.zipped:
        path = folder / f"{name}.txt"
        path.write_bytes(text)
        return WrittenExport(path, chat)
    path = folder / f"{name}.zip"
    fixed = (1980, 1, 1, 0, 0, 0)  # the same day writes the same bytes
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        inner = "_chat.txt" if chat.layout == "ios" else f"{name}.txt"
        archive.writestr(zipfile.ZipInfo(inner, fixed), text, zipfile.ZIP_DEFLATED)
        for file_name, content in render.files.items():
            archive.writestr(zipfile.ZipInfo(file_name, fixed), content, zipfile.ZIP_DEFLATED)
    return WrittenExport(path, chat)
