"""parse_export against the public corpus of real exports and the project's own fixtures."""
from __future__ import annotations

import gc
import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from eazybe_tasks.sources.exports import DateOrder, ExportEntry, parse_export
from eazybe_tasks.sources.model import MessageType, SourceError
from repo_paths import CORPUS_EXPORTS, EVERY_EXPORT, FIXTURE_EXPORTS, corpus_export

AMBIGUOUS_IN_CORPUS = {"android__WhatsApp Chat with Group Chat XXX Android.txt"}  # all dates 11/01


def parse(path: Path, **options) -> list[ExportEntry]:
    return list(parse_export(path, **options))


def corpus(name: str) -> list[ExportEntry]:
    return parse(corpus_export(name))


@pytest.mark.parametrize("path", CORPUS_EXPORTS, ids=lambda p: p.name)
def test_every_corpus_export_parses(path: Path) -> None:
    order = DateOrder.DMY if path.name in AMBIGUOUS_IN_CORPUS else None
    entries = parse(path, date_order=order)
    assert 9 <= len(entries) <= 70
    assert all(e.timestamp.year in (2019, 2020, 2021, 2022, 2023) for e in entries)
    assert all((e.kind == "system") == (e.author is None) for e in entries)
    assert all("\u200e" not in e.text and "\u200f" not in e.text for e in entries)
    assert [e.line_number for e in entries] == sorted({e.line_number for e in entries})


def test_ambiguous_corpus_file_needs_a_date_order() -> None:
    path = corpus_export("android__WhatsApp Chat with Group Chat XXX Android.txt")
    with pytest.raises(SourceError, match="ambiguous date order.*-o date_order dmy"):
        parse(path)
    entries = parse(path, date_order="dmy")
    assert len(entries) == 20
    assert entries[1].text == 'Dmitry S created group "Group Chat"'
    assert sum(e.kind == "system" for e in entries) == 16
    assert entries[-2].type is MessageType.DELETED
    assert entries[-1] == ExportEntry(20, datetime(2023, 1, 11, 16, 57), "Dmitry S", "We", "message",
                                      MessageType.TEXT)


# name, entry count, first timestamp, first entry's (author, text start), second entry's author
FIRST_ENTRIES = [
    ("languages__english_android.txt", 60, datetime(2022, 3, 23, 13, 31), None, "Messages and calls"),
    ("languages__czech_android.txt", 60, datetime(2022, 3, 23, 13, 31), None, "Zprávy a hovory"),
    ("languages__russian_android.txt", 60, datetime(2022, 3, 23, 13, 31), None, "Сообщения и звонки"),
    ("languages__deutch_android_media.txt", 41, datetime(2022, 3, 23, 13, 31), None, "Berichten en oproepen"),
    ("languages__english_ios.txt", 23, datetime(2022, 3, 18, 14, 56, 1), None, "Messages and calls"),
    ("languages__deutch_ios.txt", 23, datetime(2022, 3, 18, 14, 56), None, "Nachrichten und Anrufe"),
    ("languages__czech_ios.txt", 23, datetime(2022, 3, 18, 14, 56), None, "Zprávy a hovory"),
    ("languages__indonesian_ios.txt", 23, datetime(2022, 3, 18, 14, 56, 1), None, "Pesan dan panggilan"),
    ("languages__vietnamese_ios.txt", 23, datetime(2022, 3, 18, 14, 56, 1), None, "Tin nhắn và cuộc gọi"),
    ("languages__arabic_ios.txt", 23, datetime(2022, 3, 18, 14, 56), None, "الرسائل والمكالمات"),
    ("languages__arabic2_ios.txt", 23, datetime(2022, 3, 18, 14, 56, 1), None, "الرسائل والمكالمات"),
    ("calendars__Buddhist iOS.txt", 28, datetime(2022, 3, 18, 14, 56, 1), None, "Messages and calls"),
    ("calendars__Japanese iOS.txt", 28, datetime(2022, 3, 18, 14, 56, 1), None, "Messages and calls"),
    ("ios__iOS Japanese.txt", 28, datetime(2022, 3, 18, 14, 56), None, "メッセージと通話"),
    ("ios__iOS Thai.txt", 28, datetime(2022, 3, 18, 14, 56, 1), None, "ข้อความและการโทร"),
    ("chatminer__test_mmddyyyy_12hrs.txt", 9, datetime(2019, 1, 1, 11, 25), "John Doe", "Lorem ipsum dolor sit amet."),
    ("chatminer__test_yyyymmdd_24hrs.txt", 9, datetime(2019, 1, 1, 11, 25), "John Doe", "Lorem ipsum dolor sit amet."),
    ("chatminer__test_[mmddyy]_24hrs.txt", 9, datetime(2019, 1, 1, 11, 25), "John Doe", "Lorem ipsum dolor sit amet."),
    ("pustur__whatsapp-chat-parser-example.zip", 52, datetime(2019, 6, 20, 15, 58, 47), None, "Messages to this group"),
]


@pytest.mark.parametrize("name, count, first_time, author, text", FIRST_ENTRIES, ids=[c[0] for c in FIRST_ENTRIES])
def test_first_entry_and_count(name: str, count: int, first_time: datetime, author: str | None, text: str) -> None:
    entries = corpus(name)
    assert len(entries) == count
    assert entries[0].timestamp == first_time
    assert entries[0].author == author
    assert entries[0].text.startswith(text)
    assert entries[0].line_number == 1


def test_day_month_order_is_read_from_the_whole_file() -> None:
    dmy = corpus("chatminer__test_ddmmyy_24hrs.txt")
    mdy = corpus("chatminer__test_mmddyy_24hrs.txt")
    assert [e.timestamp for e in dmy] == [e.timestamp for e in mdy]
    assert dmy[3].timestamp == datetime(2020, 6, 10, 15, 55)
    assert dmy[1] == ExportEntry(2, datetime(2019, 1, 20, 11, 23), "John Doe", ".", "message", MessageType.TEXT)


def test_multi_line_messages_and_system_lines_chatminer() -> None:
    entries = corpus("chatminer__test_mmddyyyy_12hrs.txt")
    assert entries[2].text == "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero."
    assert entries[2].timestamp == datetime(2019, 1, 30, 20, 49)  # 08:49 p. m.
    assert entries[3].text == "Lorem ipsum : dolor sit amet."
    assert [(e.kind, e.text) for e in entries[4:6]] == [
        ("system", '+12 345 578 created group "Groupname"'), ("system", "You were added")]


def test_arabic_digits_pm_marker_and_embedded_phone_number() -> None:
    entries = corpus("languages__arabic_ios.txt")
    assert entries[1].timestamp == datetime(2022, 3, 27, 21, 41, 35)  # ٩:٤١:٣٥ م
    assert entries[1].author == "Dmitry S"
    assert entries[0].kind == "system"
    assert entries[-3].author == "+40 521 028 61 88"
    assert entries[-3].type is MessageType.DELETED
    assert entries[2].type is MessageType.IMAGE and entries[2].attachments[0].omitted


def test_vietnamese_time_before_date() -> None:
    entries = corpus("ios__iOS Vietnamese.txt")
    assert entries[1].timestamp == datetime(2022, 3, 27, 21, 41, 35)
    assert entries[0].text.startswith("Tin nhắn")
    assert entries[2].type is MessageType.IMAGE


def test_ios_english_media_types_and_system_notices() -> None:
    entries = corpus("ios__WhatsApp Chat - Elon Musk (EN).txt")
    types = [e.type for e in entries]
    assert types[:6] == [MessageType.SYSTEM, MessageType.TEXT, MessageType.IMAGE, MessageType.IMAGE,
                         MessageType.VIDEO, MessageType.AUDIO]
    assert entries[6].type is MessageType.LOCATION  # foursquare venue
    assert entries[8].type is MessageType.CONTACTS
    document = entries[12]
    assert document.type is MessageType.DOCUMENT
    assert document.attachments[0].file_name == "Resume-Dmitry-Starkov.pdf"
    assert document.attachments[0].mime_type == "application/pdf"
    assert entries[14].type is MessageType.DELETED and entries[14].text == "You deleted this message."
    assert entries[16].type is MessageType.VIDEO  # GIF omitted
    assert entries[-1].kind == "system" and entries[-1].author is None
    assert entries[-1].text == "Your security code with Elon changed. Tap to learn more."


@pytest.mark.parametrize("name, image_omitted, deleted", [
    ("languages__spanish_ios.txt", "imagen omitida", "Eliminaste este mensaje."),
    ("languages__portugal_ios.txt", "imagem não revelada", "Apagou esta mensagem."),
    ("languages__french_ios.txt", "image absente", "Vous avez supprimé ce message."),
    ("languages__italian_ios.txt", "immagine omessa", "Hai eliminato questo messaggio."),
    ("languages__deutch_ios.txt", "Bild weggelassen", "Du hast diese Nachricht gelöscht."),
    ("languages__hindi_ios.txt", "फ़ोटो हटाई गई", "आपने यह मैसेज डिलीट किया."),
])
def test_localized_ios_notices(name: str, image_omitted: str, deleted: str) -> None:
    entries = corpus(name)
    assert entries[0].kind == "system"
    assert entries[2].type is MessageType.IMAGE and entries[2].attachments[0].omitted
    assert [e.text for e in entries if e.type is MessageType.DELETED][0] == deleted
    assert entries[-1].type is MessageType.LOCATION or entries[-1].kind == "system"
    assert sum(e.type is MessageType.DOCUMENT for e in entries) == 3
    del image_omitted  # kept in the table to document what each locale writes


def test_android_captions_and_attached_file_names() -> None:
    entries = corpus("languages__english_android_media.txt")
    captioned = entries[3]
    assert captioned.text == "<Media omitted>\nCaption"
    assert captioned.attachments[0].omitted and captioned.attachments[0].caption == "Caption"
    voice = entries[6]
    assert voice.type is MessageType.VOICE
    assert voice.attachments[0].file_name == "PTT-20220323-WA0000.opus"
    assert voice.attachments[0].content is None  # a .txt export carries no media
    assert entries[7].type is MessageType.LOCATION
    assert entries[9].attachments[0].caption == "Титл"
    assert entries[12].type is MessageType.CONTACTS
    assert entries[13].type is MessageType.STICKER
    assert [e.type for e in entries].count(MessageType.DELETED) == 8


def test_pustur_zip_links_media_bytes_to_entries() -> None:
    entries = corpus("pustur__whatsapp-chat-parser-example.zip")
    with_media = {e.attachments[0].file_name: e for e in entries if e.attachments}
    photo = with_media["00000001-PHOTO-2019-06-20-16-00-15.jpg"]
    assert photo.type is MessageType.IMAGE and photo.author == "Loris"
    assert photo.attachments[0].content[:3] == b"\xff\xd8\xff"
    assert photo.attachments[0].mime_type == "image/jpeg"
    assert len(with_media["00000002-VIDEO-2019-06-20-16-01-42.mp4"].attachments[0].content) == 64825
    assert with_media["00000003-AUDIO-2019-06-20-16-03-55.mp3"].type is MessageType.AUDIO
    assert entries[1].text == "Loris created group “WhatsApp Chat Parser Example”"
    assert entries[1].kind == "system"
    assert entries[23].text == "Come on...\ndon't be so mysterious and show us!"


# ---- the project's own fixtures -------------------------------------------------------------


def fixture(name: str, **options) -> list[ExportEntry]:
    return parse(FIXTURE_EXPORTS / name, **options)


def test_current_android_12h_with_narrow_no_break_space() -> None:
    entries = fixture("android_en_12h_nnbsp.txt")
    assert len(entries) == 9
    assert entries[1] == ExportEntry(2, datetime(2024, 1, 15, 9, 42), "Maya Patel",
                                     "Hi, is the blue sofa still available?", "message", MessageType.TEXT)
    assert entries[4].attachments[0].file_name == "IMG-20240115-WA0003.jpg"
    assert entries[4].attachments[0].caption == "Front view"
    assert entries[5].timestamp == datetime(2024, 1, 15, 12, 5)  # 12:05 PM
    assert entries[6].timestamp == datetime(2024, 1, 15, 0, 30)  # 12:30 AM
    assert entries[7].author == "+1 415 555 0142" and entries[7].type is MessageType.LOCATION


def test_ios_english_fixture() -> None:
    entries = fixture("ios_en.txt")
    assert entries[0].kind == "system" and entries[0].timestamp == datetime(2024, 1, 15, 9, 41, 5)
    assert entries[4].text == "Sent twice, sorry" and entries[4].edited
    assert entries[5].timestamp == datetime(2024, 1, 15, 21, 2, 13)
    assert entries[6].type is MessageType.CONTACTS
    assert entries[7].kind == "system" and entries[7].text.startswith("Your security code")


@pytest.mark.parametrize("name, system, edited_text, omitted_type", [
    ("android_es.txt", 4, "Mañana a las 10", MessageType.MEDIA),
    ("android_pt_br.txt", 2, "Obrigada!", MessageType.MEDIA),
    ("android_de.txt", 1, "Danke!", MessageType.MEDIA),
    ("ios_fr.txt", 1, "À demain", MessageType.IMAGE),
    ("android_it.txt", 2, None, MessageType.MEDIA),
])
def test_localized_fixtures(name: str, system: int, edited_text: str | None, omitted_type: MessageType) -> None:
    entries = fixture(name)
    assert sum(e.kind == "system" for e in entries) == system
    assert [e.text for e in entries if e.edited] == ([edited_text] if edited_text else [])
    assert sum(e.type is MessageType.DELETED for e in entries) == 1
    omitted = [e for e in entries if e.attachments and e.attachments[0].omitted]
    assert [e.type for e in omitted] == [omitted_type]
    assert entries[0].timestamp == datetime(2024, 1, 15, 9, 41, 5 if name.startswith("ios") else 0)


def test_spanish_12h_a_m_p_m() -> None:
    entries = fixture("android_es.txt")
    assert entries[4].timestamp == datetime(2024, 1, 15, 13, 15)  # 1:15 p. m.
    assert entries[1].text == 'Lucía Fernández creó el grupo "Ventas Madrid"'


# Headers with a word between the date and the time (vocab.DATE_TIME_WORDS): language, export
# text, the entries' line numbers, and the second entry's (line, time, author, text). Each export
# also holds a continuation line that starts like a header but is none (no " - " or "]" after the time).
WORD_HEADERS = [
    ("french-android", "20/11/2026 à 09:15 - Les messages sont chiffrés de bout en bout.\n"
     "20/11/2026 à 09:16 - Camille Martin: Bonjour, la commande est prête ?\n20/11/2026 à 10:00 sinon\n"
     "21/11/2026 à 18:05 - Boutique Lumière: <Médias omis>\n", [1, 2, 4],
     (2, datetime(2026, 11, 20, 9, 16), "Camille Martin", "Bonjour, la commande est prête ?\n20/11/2026 à 10:00 sinon")),
    ("portuguese-android", "20/11/2026 às 09:15 - Beatriz Souza: Bom dia!\n"
     "20/11/2026 às 21:40 - Loja Central: Saiu sim\n21/11/2026 às 08:00 chega amanhã\n", [1, 2],
     (2, datetime(2026, 11, 20, 21, 40), "Loja Central", "Saiu sim\n21/11/2026 às 08:00 chega amanhã")),
    ("german-android", "20.11.26 um 09:15 - Jonas Becker: Guten Morgen\n"
     "20.11.26 um 14:30 - Müller GmbH: Ist unterwegs\n21.11.26 um 10:00 kommt es\n", [1, 2],
     (2, datetime(2026, 11, 20, 14, 30), "Müller GmbH", "Ist unterwegs\n21.11.26 um 10:00 kommt es")),
    ("dutch-android", "20-11-2026 om 09:15 - Sanne de Vries: Goedemorgen\n"
     "20-11-2026 om 09:17 - Fietsenwinkel: <Media weggelaten>\n20-11-2026 om 9:30 kan ook\n", [1, 2],
     (2, datetime(2026, 11, 20, 9, 17), "Fietsenwinkel", "<Media weggelaten>\n20-11-2026 om 9:30 kan ook")),
    ("finnish-android", "13.6.2018 klo 21.25.15 - Matias Virtanen: Moi\n"
     "14.6.2018 klo 8.05.00 - Sami Ström: Huomenta\n14.6.2018 klo 9.00 sopii\n", [1, 2],
     (2, datetime(2018, 6, 14, 8, 5), "Sami Ström", "Huomenta\n14.6.2018 klo 9.00 sopii")),
    ("finnish-ios", "[12.3.2022 klo 14.08.18] Space Rocket: \u200eViestit ja puhelut ovat täysin salattuja.\n"
     "[13.3.2022 klo 14.17.25] Sami Ström: Blah blah\n[13.3.2022 klo 14.20 ei otsikko\n", [1, 2],
     (2, datetime(2022, 3, 13, 14, 17, 25), "Sami Ström", "Blah blah\n[13.3.2022 klo 14.20 ei otsikko")),
]


@pytest.mark.parametrize("text, lines, second", [case[1:] for case in WORD_HEADERS],
                         ids=[case[0] for case in WORD_HEADERS])
def test_headers_with_a_word_between_date_and_time(tmp_path: Path, text: str, lines: list[int], second: tuple) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(text, encoding="utf-8")
    entries = parse(path)  # the day-first order is read from the file (a day above 12)
    assert [e.line_number for e in entries] == lines
    assert (entries[1].line_number, entries[1].timestamp, entries[1].author, entries[1].text) == second
    assert entries[0].timestamp < second[1] and entries[0].line_number == 1


def test_french_android_word_header_12_hour_and_zipped(tmp_path: Path) -> None:
    """The word form with 12-hour times and in a zip; a word WhatsApp does not write (a wrong
    accent, a comma before the word) makes no header."""
    path = tmp_path / "chat.txt"
    path.write_text("20/11/2026 à 9:15 AM - Camille: un\n20/11/2026 à 9:16\u202fPM - Camille: deux\n"
                    "20/11/2026 á 9:17 PM - Camille: trois\n20/11/2026, à 9:18 PM - Camille: quatre\n",
                    encoding="utf-8")
    entries = parse(path)
    assert [(e.timestamp, e.text) for e in entries] == [
        (datetime(2026, 11, 20, 9, 15), "un"),
        (datetime(2026, 11, 20, 21, 16),
         "deux\n20/11/2026 á 9:17 PM - Camille: trois\n20/11/2026, à 9:18 PM - Camille: quatre"),
    ]
    archive = _zip(tmp_path, {"WhatsApp Chat with Camille.txt": path.read_bytes()})
    assert parse(archive) == entries


def test_group_events_fixture() -> None:
    entries = fixture("group_events_en.txt")
    kinds = [(e.kind, e.type) for e in entries]
    assert kinds.count(("system", MessageType.SYSTEM)) == 9
    assert entries[4].text == 'Ravi Kumar changed the subject from "Launch Team" to "Launch: Q2"'
    assert entries[4].author is None
    assert entries[7].author == "+44 7700 900123" and entries[7].edited and entries[7].text == "Thanks!"
    assert entries[8].text == "+44 7700 900123 changed to +44 7700 900456"
    assert [e.type for e in entries[9:11]] == [MessageType.DELETED, MessageType.DELETED]


def test_multi_line_fixture() -> None:
    entries = fixture("multiline.txt")
    assert [e.line_number for e in entries] == [1, 6, 8]
    assert entries[0].text == "Order summary:\n- 2x chair\n- 1x table\n\nTotal: $340"
    assert entries[1].text == "12:30 works for delivery\n12/31 is too late though"


def test_ambiguous_date_order_fixture() -> None:
    path = FIXTURE_EXPORTS / "ambiguous_dates.txt"
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.where == str(path)
    assert "-o date_order dmy|mdy|ymd" in caught.value.problem
    assert fixture("ambiguous_dates.txt", date_order=DateOrder.DMY)[1].timestamp == datetime(2024, 4, 3, 11, 30)
    assert fixture("ambiguous_dates.txt", date_order=DateOrder.MDY)[1].timestamp == datetime(2024, 3, 4, 11, 30)


def _zip(tmp_path: Path, members: dict[str, bytes], name: str = "export.zip") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


IOS_GROUP_CHAT = "\r\n".join([
    "[3/14/24, 10:00:00] Launch Team: \u200eMessages and calls are end-to-end encrypted.",
    "[3/14/24, 10:00:01] Launch Team: \u200eRavi Kumar added Ana Silva",
    "\u200e[3/14/24, 10:01:00] Ravi Kumar: \u200e<attached: 00000002-PHOTO-2024-03-14-10-01-00.jpg>",
    "\u200e[3/14/24, 10:02:00] Ana Silva: \u200e<attached: 00000003-AUDIO-2024-03-14-10-02-00.opus>",
    "\u200e[3/14/24, 10:03:00] Ana Silva: Spec.pdf \u200e<attached: 00000004-Spec.pdf>",
    "[3/14/24, 10:04:00] Launch Team: \u200eAna Silva left",
    "",
]).encode()


def test_zip_media_bytes_go_to_the_right_entry(tmp_path: Path) -> None:
    path = _zip(tmp_path, {
        "_chat.txt": IOS_GROUP_CHAT,
        "00000002-PHOTO-2024-03-14-10-01-00.jpg": b"\xff\xd8\xff\xe0 tiny jpeg",
        "00000003-AUDIO-2024-03-14-10-02-00.opus": b"OggS tiny opus",
        "__MACOSX/._00000002-PHOTO-2024-03-14-10-01-00.jpg": b"resource fork",
        "__MACOSX/._chat.txt": b"\x00\x05\x16\x07 not text",
    })
    entries = parse(path)
    assert [e.kind for e in entries] == ["system", "system", "message", "message", "message", "system"]
    assert entries[1].text == "Ravi Kumar added Ana Silva"
    photo, audio, document = (e.attachments[0] for e in entries[2:5])
    assert entries[2].author == "Ravi Kumar" and photo.content == b"\xff\xd8\xff\xe0 tiny jpeg"
    assert audio.content == b"OggS tiny opus" and entries[3].type is MessageType.AUDIO
    assert audio.mime_type == "audio/ogg"
    assert document.file_name == "00000004-Spec.pdf" and document.content is None  # not in the zip
    assert document.caption == "Spec.pdf" and entries[4].type is MessageType.DOCUMENT


def test_repeated_messages_keep_their_media_and_line_numbers(tmp_path: Path) -> None:
    photo = "00000002-PHOTO-2024-03-14-10-01-00.jpg"
    chat = "\n".join([
        f"[3/14/24, 10:01:00] Ravi Kumar: <attached: {photo}>",
        f"[3/14/24, 10:02:00] Ravi Kumar: <attached: {photo}>",
        "[3/14/24, 10:03:00] Ana Silva: ok",
        "[3/14/24, 10:04:00] Ana Silva: ok",
    ]).encode()
    path = _zip(tmp_path, {"_chat.txt": chat, photo: b"\xff\xd8\xff tiny jpeg"})
    entries = parse(path)
    assert [e.attachments[0].content for e in entries[:2]] == [b"\xff\xd8\xff tiny jpeg"] * 2
    assert [(e.line_number, e.text, e.type) for e in entries[2:]] == [
        (3, "ok", MessageType.TEXT), (4, "ok", MessageType.TEXT)]


def test_progress_bar_written_once_where_output_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    entries = parse(FIXTURE_EXPORTS / "ios_en.txt", progress=True)
    assert len(entries) == 8
    shown = capsys.readouterr().out
    assert shown.count("ios_en.txt") == 1 and "\r" not in shown  # the final state, not every redraw


# ---- bad input: always a SourceError saying where -----------------------------------------


def test_non_utf8_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("15/01/24, 09:41 - Zoë: hi\n15/01/24, 09:42 - Zoë: café\n".encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.where == f"{path}:1"
    assert "UTF-8" in caught.value.problem


def test_non_utf8_on_a_later_line(tmp_path: Path) -> None:
    path = tmp_path / "late.txt"
    path.write_bytes(b"15/01/24, 09:41 - Al: hi\n15/01/24, 09:42 - Al: ok\nbroken \xff here\n")
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.where == f"{path}:3"


@pytest.mark.parametrize("content, line", [
    (b"", 1),
    (b"\n\n", 1),
    (b"hello there\n15/01/24, 09:41 - Al: hi\n", 1),
    (b"\nnot a chat at all\n", 2),
])
def test_no_recognizable_entry_line(tmp_path: Path, content: bytes, line: int) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.where == f"{path}:{line}"


def test_impossible_date_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "feb30.txt"
    path.write_bytes(b"13/01/24, 09:41 - Al: hi\n30/02/24, 09:42 - Al: ok\n")
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.where == f"{path}:2"


def test_truncated_zip(tmp_path: Path) -> None:
    whole = _zip(tmp_path, {"_chat.txt": IOS_GROUP_CHAT})
    path = tmp_path / "truncated.zip"
    path.write_bytes(whole.read_bytes()[:60])
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.where == str(path) and "zip" in caught.value.problem


def test_corrupt_zip_member(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", IOS_GROUP_CHAT * 20)
    data = bytearray(buffer.getvalue())
    data[60:80] = b"\x00" * 20  # inside the compressed chat text
    path = tmp_path / "corrupt.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(SourceError) as caught:
        parse(path)
    assert caught.value.where.startswith(f"{path}!_chat.txt")


def test_zip_without_chat_text(tmp_path: Path) -> None:
    path = _zip(tmp_path, {"00000001-PHOTO.jpg": b"\xff\xd8", "__MACOSX/._chat.txt": b"x"})
    with pytest.raises(SourceError, match="no chat .txt"):
        parse(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        parse(tmp_path / "nope.txt")
    assert caught.value.where == str(tmp_path / "nope.txt")


# ---- reading in blocks: results must not depend on where the blocks are cut -------------------


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_block_size_does_not_change_entries(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    from eazybe_tasks.sources.exports import archive

    def entries(path: Path) -> list[ExportEntry] | str:
        order = DateOrder.DMY if path.name in AMBIGUOUS_IN_CORPUS | {"ambiguous_dates.txt"} else None
        try:
            return parse(path, date_order=order)
        except SourceError as error:
            return str(error)

    whole = {path: entries(path) for path in EVERY_EXPORT}
    monkeypatch.setattr(archive, "CHUNK", chunk)
    assert {path: entries(path) for path in EVERY_EXPORT} == whole


def test_message_spanning_blocks_with_crlf_and_marks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from eazybe_tasks.sources.exports import archive

    monkeypatch.setattr(archive, "CHUNK", 16)
    lines = ["[1/15/24, 9:41:05\u202fAM] Team: \u200eRavi added Ana", "[1/15/24, 9:42:00\u202fAM] Ana: Order:"]
    lines += [f"- item {n}\r\r" for n in range(40)]
    lines += ["[1/15/24, 9:43:00\u202fPM] Ana: \u200eimage omitted", "\r"]
    path = tmp_path / "chat.txt"
    path.write_bytes("\r\n".join(lines).encode())
    entries = parse(path, date_order=DateOrder.MDY)
    assert [(e.line_number, e.kind) for e in entries] == [(1, "system"), (2, "message"), (43, "message")]
    assert entries[0].text == "Ravi added Ana" and entries[0].timestamp == datetime(2024, 1, 15, 9, 41, 5)
    assert entries[1].text == "Order:\n" + "\n".join(f"- item {n}" for n in range(40))
    assert entries[2].type is MessageType.IMAGE and entries[2].timestamp == datetime(2024, 1, 15, 21, 43)
    assert entries[2].text == "image omitted\n"


def test_nul_character_is_refused_at_its_line(tmp_path: Path) -> None:
    """Valid UTF-8, but no chat's text holds it, and PostgreSQL cannot store it as text."""
    path = tmp_path / "nul.txt"
    path.write_bytes(b"15/01/24, 09:41 - Al: hi\n15/01/24, 09:42 - Al: there\nand h\x00ere\n")
    with pytest.raises(SourceError) as caught:
        list(parse_export(path, date_order=DateOrder.DMY))
    assert caught.value.where == f"{path}:3" and "NUL" in caught.value.problem


def test_bad_byte_in_a_later_block_comes_after_the_entries_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eazybe_tasks.sources.exports import archive

    monkeypatch.setattr(archive, "CHUNK", 4096)
    path = tmp_path / "late.txt"
    path.write_bytes(b"15/01/24, 09:41 - Al: hi\n" * 3000 + b"15/01/24, 09:42 - Al: ok \xe9\n")
    seen: list[ExportEntry] = []
    with pytest.raises(SourceError) as caught:
        seen.extend(parse_export(path, date_order=DateOrder.DMY))
    assert caught.value.where == f"{path}:3001" and "column 26" in caught.value.problem
    assert len(seen) == 2999  # the last good entry's end is unknown until the bad line is read


def test_entries_are_ordinary_immutable_export_entries() -> None:
    entry = fixture("multiline.txt")[0]
    assert type(entry) is ExportEntry and len(entry) == 8
    assert entry == ExportEntry(*entry) and hash(entry) == hash(entry._replace())
    assert repr(entry).startswith("ExportEntry(line_number=1, ")
    with pytest.raises(AttributeError):
        entry.text = "changed"  # type: ignore[misc]


def test_entries_hold_each_of_their_fields_once() -> None:
    """Entries built in C take one reference to each field, and give it back when they go."""
    text_type = MessageType.TEXT
    gc.collect()  # what earlier tests left behind
    before = sys.getrefcount(text_type)
    entries = [entry for _ in range(50) for entry in fixture("multiline.txt")]
    texts = sum(1 for entry in entries if entry.type is text_type)
    assert texts > 50 and sys.getrefcount(text_type) >= before + texts
    del entries
    gc.collect()
    assert sys.getrefcount(text_type) == before