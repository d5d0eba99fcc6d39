"""Words WhatsApp itself writes into exports, per app language.

Collected from real exports (English, Spanish, Portuguese, German, French, Italian, Dutch, Czech,
Russian, Ukrainian, Arabic, Hindi, Japanese, Vietnamese, Thai, Indonesian). Adding a language is
adding strings here; no pattern elsewhere knows a language.
"""
from __future__ import annotations

from eazybe_tasks.sources.model import MessageType

# The word some app languages write between a header's date and its time, as in the French
# Android header "26/09/2019 à 22:39 - " or the Finnish "13.6.2018 klo 21.25.15 - " and iOS
# "[12.3.2022 klo 14.08.18] ". French and Finnish are seen in real exports; Portuguese, German and
# Dutch are the same date-and-time pattern of the phone's locale data (CLDR: "{1} 'às' {0}",
# "{1} 'um' {0}", "{1} 'om' {0}", as French "{1} 'à' {0}" and Finnish "{1} 'klo' {0}").
DATE_TIME_WORDS = ("à", "às", "klo", "um", "om")

# Android writes one generic placeholder for every omitted media type.
GENERIC_MEDIA_OMITTED = (
    "<Media omitted>", "<Multimedia omitido>", "<Archivo omitido>", "<Mídia oculta>",
    "<Arquivo de mídia oculto>", "<Medien ausgeschlossen>", "<Médias omis>", "<Media omessi>",
    "<Media weggelaten>", "<Média vynechány>", "<Без медиафайлов>", "<Медіафайли пропущено>",
)

# iOS names the type of what it left out; documents are preceded by their title.
TYPED_MEDIA_OMITTED: dict[MessageType, tuple[str, ...]] = {
    MessageType.IMAGE: (
        "image omitted", "imagen omitida", "imagem ocultada", "imagem não revelada",
        "Bild weggelassen", "image absente", "immagine omessa", "afbeelding weggelaten",
        "obrázek vynechán", "изображение отсутствует", "зображення відсутнє",
        "لم يتم إدراج الصورة", "फ़ोटो हटाई गई", "画像は含まれていません", "đã bỏ qua hình ảnh",
        "ไม่มีรูปภาพ", "gambar tidak disertakan",
    ),
    MessageType.VIDEO: (
        "video omitted", "Video omitido", "vídeo ocultado", "vídeo não revelado",
        "Video weggelassen", "vidéo absente", "video omesso", "video weggelaten", "video vynecháno",
        "видео отсутствует", "відео відсутнє", "لم يتم إدراج الفيديوهات", "वीडियो छोड़ा गया",
        "ビデオは含まれていません", "đã bỏ video", "วิดีโอถูกลบ", "video tidak disertakan",
        # WhatsApp GIFs are short mp4 videos.
        "GIF omitted", "GIF omitido", "GIF ocultado", "GIF não revelada", "GIF weggelassen",
        "GIF retiré", "GIF esclusa", "GIF weggelaten", "GIF vynechán", "GIF отсутствует",
        "GIF-анімацію пропущено", "لم يتم إدراج صورة GIF", "GIF छोड़ा गया", "GIFは含まれていません",
        "Đã bỏ qua ảnh GIF", "ละเว้น GIF", "GIF tidak disertakan",
    ),
    MessageType.AUDIO: (
        "audio omitted", "audio omitido", "áudio ocultado", "ficheiro de áudio não revelado",
        "Audio weggelassen", "audio omis", "audio omesso", "audio weggelaten",
        "zvukový soubor vynechán", "аудиофайл отсутствует", "аудіо відсутнє",
        "لم يتم إدراج المقاطع الصوتية", "ऑडियो हटाई गयी", "音声は含まれていません",
        "bỏ qua tệp âm thanh", "ไม่มีไฟล์เสียง", "audio tidak disertakan",
    ),
    MessageType.STICKER: (
        "sticker omitted", "sticker omitido", "figurinha omitida", "sticker não revelado",
        "Sticker weggelassen", "sticker omis", "sticker non incluso", "sticker weggelaten",
        "nálepka vynechána", "стикер не добавлен", "Наклейку не додано", "تم حذف الملصقات",
        "स्टिकर छोड़ा गया", "スタンプは含まれていません", "đã bỏ sticker", "ไม่มีสติกเกอร์",
        "stiker tidak disertakan",
    ),
    MessageType.CONTACTS: (
        "Contact card omitted", "Tarjeta de contacto omitida", "Cartão de contato omitido",
        "Contacto não revelado", "Kontaktkarte ausgelassen", "Fiche contact manquante",
        "Scheda contatto omessa", "Contactkaart weggelaten", "Vizitka vynechána",
        "Карточка контакта отсутствует", "Картка контакту відсутня", "لم يتم إدراج بطاقة جهة اتصال",
        "कॉन्टैक्ट कार्ड छोड़ा गया", "連絡先カードを省略", "Bỏ qua thẻ liên lạc",
        "บัตรรายชื่อที่ละเว้น", "Kartu kontak tidak disertakan",
    ),
}

DOCUMENT_OMITTED = (
    "document omitted", "documento omitido", "documento ocultado", "documento não revelado",
    "Dokument weggelassen", "document manquant", "documento omesso", "document weggelaten",
    "dokument vynechán", "документ отсутствует", "документ пропущено", "لم يتم إدراج المستند",
    "डॉक्यूमेंट छोड़ा गया", "ドキュメントは含まれていません", "đã bỏ qua tài liệu",
    "ละเว้นเอกสาร", "dokumen tidak disertakan",
)

# Android: "IMG-20200101-WA0001.jpg (file attached)".
FILE_ATTACHED = (
    "file attached", "archivo adjunto", "arquivo anexado", "ficheiro anexado", "Datei angehängt",
    "fichier joint", "file allegato", "bestand bijgevoegd", "soubor byl přiložen",
    "файл добавлен", "файл додано", "الملف مرفق", "फ़ाइल संलग्न है", "ファイル添付",
    "tệp đính kèm", "ไฟล์แนบ", "file terlampir",
)

DELETED = (
    "This message was deleted", "You deleted this message",
    "Se eliminó este mensaje", "Eliminaste este mensaje", "Este mensaje fue eliminado",
    "Esta mensagem foi apagada", "Mensagem apagada", "Você apagou esta mensagem",
    "Apagou esta mensagem", "Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht",
    "Ce message a été supprimé", "Vous avez supprimé ce message",
    "Questo messaggio è stato eliminato", "Hai eliminato questo messaggio",
    "Dit bericht is verwijderd", "U hebt dit bericht verwijderd", "Je hebt dit bericht verwijderd",
    "Tato zpráva byla odstraněna", "Tato zpráva byla smazána", "Tuto zprávu jste odstranil/a",
    "Tuto zprávu jste smazal/a", "Данное сообщение удалено", "Вы удалили данное сообщение",
    "Це повідомлення було видалено", "Ви видалили це повідомлення", "تم حذف هذه الرسالة",
    "أنت حذفت هذه الرسالة", "لقد حذَفت هذه الرسالة", "यह मैसेज डिलीट कर दिया गया है",
    "आपने यह मैसेज डिलीट किया", "このメッセージは削除されました", "このメッセージを削除しました",
    "Tin nhắn này đã bị xóa", "Bạn đã xoá tin nhắn này", "ข้อความนี้ถูกลบแล้ว",
    "คุณได้ลบข้อความนี้", "Pesan ini dihapus", "Anda menghapus pesan ini",
)

# Appended to the text of an edited message, in angle brackets.
EDITED = (
    "This message was edited", "Se editó este mensaje.", "Se editó este mensaje",
    "Mensagem editada", "Esta mensagem foi editada", "Diese Nachricht wurde bearbeitet",
    "Ce message a été modifié", "Questo messaggio è stato modificato", "Dit bericht is bewerkt",
    "Zpráva byla upravena", "Сообщение изменено", "Повідомлення змінено",
)

# Text WhatsApp writes about the chat rather than a person's message: group events, encryption
# and security notices. iOS writes them after the chat's name, so they are recognized by these
# fragments (only in text iOS marked as its own, or in a line without author).
SYSTEM_FRAGMENTS = (
    # English
    "end-to-end encrypted", "end-to-end encryption", "security code", "created group",
    "created this group", " added ", " added you", "You were added", " removed ", " left",
    "joined using", "changed the subject", "changed the group", "changed this group",
    "deleted this group", "changed their phone number", "changed to +", "now an admin",
    "no longer an admin", "message timer", "disappearing messages",
    # Spanish
    "cifrados de extremo a extremo", "código de seguridad", "creó el grupo", " añadió ",
    " eliminó a ", " salió", "se unió", "cambió el asunto", "cambió la descripción",
    "cambió el ícono", "cambió la imagen", "cambió su número", "Te añadieron",
    # Portuguese
    "criptografadas de ponta a ponta", "encriptadas ponto a ponto", "código de segurança",
    "criou o grupo", " adicionou ", " removeu ", " saiu", "entrou usando", "mudou o assunto",
    "mudou a descrição", "mudou a imagem", "alterou o nome", "alterou a imagem",
    "mudou seu número", "mudou o número", "alterou o número",
    # German
    "Ende-zu-Ende-verschlüsselt", "Sicherheitsnummer", "hat die Gruppe", " hinzugefügt",
    " entfernt", "verlassen", "beigetreten", "hat den Betreff", "hat das Gruppenbild",
    "hat die Gruppenbeschreibung", "Telefonnummer geändert", "Nummer geändert",
    # French
    "chiffrés de bout en bout", "code de sécurité", "a créé le groupe", " a ajouté ",
    " a retiré ", " est parti", " a rejoint", "a modifié le sujet", "a changé le sujet",
    "a changé l'icône", "a modifié l'icône", "a modifié la description", "a changé de numéro",
    "a changé son numéro",
    # Italian
    "crittografati end-to-end", "codice di sicurezza", "ha creato il gruppo", " ha aggiunto ",
    " ha rimosso ", " è uscito", " è uscita", "si è unito", "si è unita", "ha cambiato l'oggetto",
    "ha modificato l'oggetto", "ha cambiato l'immagine", "ha cambiato la descrizione",
    "ha cambiato il suo numero", "ha cambiato numero",
    # Other languages of the public corpus: encryption and security-code notices.
    "end-to-end versleuteld", "koncovým šifrováním", "Bezpečnostní kód", "сквозным шифрованием",
    "код безопасности", "наскрізним шифруванням", "Код безпеки", "مشفرة تمامًا", "رمز أمانك",
    "एंड-टू-एंड एन्क्रिप्टेड", "सुरक्षा कोड", "エンドツーエンド暗号化", "セキュリティコード",
    "mã hóa đầu cuối", "Mã bảo mật", "ต้นทางถึงปลายทาง", "รหัสความปลอดภัย",
    "terenkripsi secara end-to-end", "Kode keamanan",
)

# Verbs of group events whose quoted subject may hold ": " (so the line looks like it has an author).
QUOTED_EVENT_VERBS = (
    "created", "changed", "creó", "cambió", "criou", "mudou", "alterou", "erstellt", "geändert",
    "créé", "changé", "modifié", "creato", "cambiato", "modificato", "aangemaakt", "gewijzigd",
)
QUOTES = "\"“”„«»"
