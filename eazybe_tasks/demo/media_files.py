"""Small real files for the sample exports' attachments, made with the standard library: a PNG
picture and a one-page PDF, valid enough for any viewer (and the local org's HTML view)."""
from __future__ import annotations

import hashlib
import struct
import zlib


def png(seed: str, width: int = 96, height: int = 64) -> bytes:
    """A picture of soft diagonal bands in colours drawn from `seed`, so each name gets its own."""
    r0, g0, b0 = hashlib.sha256(seed.encode()).digest()[:3]
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            shade = ((x + y) // 8) % 2 * 40
            rows += bytes(((r0 + shade) % 256, (g0 + y * 2) % 256, (b0 + x) % 256))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b"")


def _pdf_text(text: str) -> str:
    """A PDF string literal in the standard Latin-1 encoding of Helvetica."""
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def pdf(title: str, lines: tuple[str, ...]) -> bytes:
    """One A4 page: the title, then the lines (Latin-1 text)."""
    commands = ["BT", "/F1 18 Tf", "56 780 Td", f"{_pdf_text(title)} Tj", "/F1 11 Tf"]
    for line in lines:
        commands += ["0 -22 Td", f"{_pdf_text(line)} Tj"]
    stream = "\n".join(commands + ["ET"]).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
