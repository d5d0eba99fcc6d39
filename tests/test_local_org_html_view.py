"""The local org's HTML view as a person sees it: a real org over HTTPS with the project deployed,
records made through simple-salesforce, then headless Chromium (driven over the DevTools
protocol) signs in and reads the Contact and WhatsApp chat pages. Chromium trusts the org's own
certificate by its public-key hash; nothing turns certificate checks off. A record page's sections
follow the page layout deployed for its object, read back over HTTP after a redeploy."""
from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import logging
import struct
import subprocess
import time
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import lxml.html
import pytest
import requests
import websocket
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cumulusci.salesforce_api.metadata import ApiDeploy
from lxml import etree

from eazybe_local_org.metadata_api.package import METADATA_NS
from eazybe_local_org.tls import ensure_tls
from local_org_fixture import RunningOrg, local_org
from repo_paths import DEFAULT
from test_local_org_cumulusci import cci

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-port=0", "--window-size=1280,1000",
]
CHAT_LAYOUT = "WhatsApp_Chat__c-WhatsApp Chat Layout"
TRANSCRIPT = "[18:01] Jane Doe: Hello <b>there</b>, is the blue one in stock?\n[18:02] EazyBe Agent: Yes, sending a photo."

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium package is not installed")


@dataclass(frozen=True)
class Seeded:
    contact_id: str
    chat_ids: tuple[str, str]
    image_version_id: str


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG built by hand: enough for the browser to decode and lay out."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def spki_hash(certificate: Path) -> str:
    """What --ignore-certificate-errors-spki-list takes: base64 SHA-256 of the public key."""
    key = x509.load_pem_x509_certificate(certificate.read_bytes()).public_key()
    return base64.b64encode(hashlib.sha256(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).digest()).decode()


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOrg]:
    with local_org(tmp_path_factory.mktemp("orgs")) as running:
        result = cci(tmp_path_factory.mktemp("home"), running, "task", "run", "deploy", "--org", "local", "-o", "path", "force-app")
        assert result.returncode == 0, result.stdout + result.stderr
        yield running


@pytest.fixture(scope="module")
def seeded(org: RunningOrg) -> Seeded:
    sf = org.client()
    contact = sf.Contact.create({
        "FirstName": "Jane", "LastName": "Doe", "Email": "jane@example.com",
        "WhatsApp_Last_Synced__c": "2026-11-24T18:30:00.000+0000",
        "WhatsApp_Last_Message_At__c": "2026-11-24T18:02:00.000+0000",
    })["id"]
    chats = tuple(
        sf.WhatsApp_Chat__c.create({
            "Name": f"WhatsApp · Jane Doe · {day}", "Contact__c": contact, "Chat_Date__c": day, "Message_Count__c": count,
            "Last_Message_At__c": f"{day}T18:02:00.000+0000", "Transcript__c": TRANSCRIPT,
        })["id"]
        for day, count in (("2026-11-23", 4), ("2026-11-24", 2))
    )
    sf.Note.create({"ParentId": contact, "Title": "Prefers WhatsApp over email", "Body": "Call after 6pm."})
    image = sf.ContentVersion.create({
        "Title": "Blue mug photo", "PathOnClient": "blue-mug.png", "FirstPublishLocationId": chats[0],
        "VersionData": base64.b64encode(png(48, 32, (30, 90, 200))).decode(),
    })["id"]
    return Seeded(contact, (chats[0], chats[1]), image)


@dataclass
class Browser:
    """The few DevTools protocol calls a reader needs: open a page, read it, photograph it."""

    socket: websocket.WebSocket
    ids: Iterator[int] = field(default_factory=itertools.count)
    events: list[str] = field(default_factory=list)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        self.socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == call_id:
                assert "error" not in message, message
                return message["result"]
            self.events.append(message.get("method", ""))

    def _wait_for_load(self) -> None:
        while "Page.loadEventFired" not in self.events:
            self.events.append(json.loads(self.socket.recv()).get("method", ""))

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self._wait_for_load()

    def evaluate(self, expression: str, *, navigates: bool = False) -> Any:
        self.events.clear()
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in answer, answer
        if navigates:
            self._wait_for_load()
        return answer["result"].get("value")

    def text(self) -> str:
        return self.evaluate("document.body.innerText")

    def screenshot(self, path: Path) -> Path:
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        print(f"screenshot: {path}")
        return path


def _devtools_port(profile: Path, process: subprocess.Popen[bytes]) -> int:
    active = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while not active.exists() or not active.read_text().strip():
        assert process.poll() is None and time.monotonic() < deadline, "chromium did not start"
        time.sleep(0.1)
    return int(active.read_text().split()[0])


@contextmanager
def chromium(profile: Path, trusted_certificate: Path) -> Iterator[Browser]:
    command = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               f"--ignore-certificate-errors-spki-list={spki_hash(trusted_certificate)}", "about:blank"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port = _devtools_port(profile, process)
        targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        target = next(t for t in targets if t["type"] == "page")
        socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        try:
            browser = Browser(socket)
            browser.call("Page.enable")
            yield browser
        finally:
            socket.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(org: RunningOrg, seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium signed in through the login page, as a person would."""
    certificate = ensure_tls(org.ca_bundle.parent).certificate
    with chromium(tmp_path_factory.mktemp("chromium-profile"), certificate) as signed_in:
        signed_in.open(f"{org.url}/view/r/{seeded.contact_id}")
        assert "Sign in" in signed_in.text()
        signed_in.evaluate(
            f"document.querySelector('[name=username]').value = {json.dumps(org.credentials.username)};"
            f"document.querySelector('[name=password]').value = {json.dumps(org.credentials.password)};"
            "document.querySelector('form.login').submit()",
            navigates=True,
        )
        assert "Objects" in signed_in.text()
        yield signed_in


def test_pages_send_strangers_to_the_login_page(org: RunningOrg, seeded: Seeded) -> None:
    for path in ("/view/", "/view/o/Contact", f"/view/r/{seeded.contact_id}", f"/view/file/{seeded.image_version_id}"):
        answer = requests.get(f"{org.url}{path}", allow_redirects=False, timeout=30)
        assert answer.status_code == 303 and answer.headers["location"] == "/view/login", path


def test_login_sets_a_strict_secure_http_only_cookie(org: RunningOrg) -> None:
    wrong = requests.post(f"{org.url}/view/login", data={"username": org.credentials.username, "password": "nope"},
                          allow_redirects=False, timeout=30)
    assert wrong.status_code == 401 and "Set-Cookie" not in wrong.headers
    right = requests.post(f"{org.url}/view/login", allow_redirects=False, timeout=30,
                          data={"username": org.credentials.username, "password": org.credentials.password})
    assert right.status_code == 303 and right.headers["location"] == "/view/"
    cookie = right.headers["set-cookie"].lower()
    assert all(flag in cookie for flag in ("httponly", "secure", "samesite=strict", "path=/view"))
    home = requests.get(f"{org.url}/view/", cookies=right.cookies, timeout=30)
    assert home.status_code == 200 and "WhatsApp Chats by EazyBe" in home.text


@needs_chromium
def test_home_counts_records_and_lists_page_them(browser: Browser, org: RunningOrg, tmp_path: Path) -> None:
    browser.open(f"{org.url}/view/")
    assert "WhatsApp Chats by EazyBe\tWhatsApp_Chat__c\t2" in browser.text()
    browser.evaluate("document.querySelector('a[href=\"/view/o/WhatsApp_Chat__c\"]').click()", navigates=True)
    browser.screenshot(tmp_path / "chat-list.png")
    seen = browser.text()
    assert "2 records, most recently changed first." in seen and "Page 1 of 1" in seen
    assert seen.index("WhatsApp · Jane Doe · 2026-11-24") < seen.index("WhatsApp · Jane Doe · 2026-11-23")


@needs_chromium
def test_contact_page_shows_chats_note_and_whatsapp_sync(browser: Browser, org: RunningOrg, seeded: Seeded, tmp_path: Path) -> None:
    browser.open(f"{org.url}/view/r/{seeded.contact_id}")
    seen = browser.text()
    browser.screenshot(tmp_path / "contact.png")
    assert "Jane Doe" in seen
    assert "WhatsApp Last Synced\n24 Nov 2026, 18:30 UTC" in seen
    assert "WhatsApp Last Message At\n24 Nov 2026, 18:02 UTC" in seen
    assert "WhatsApp Chats by EazyBe (2)" in seen
    assert "WhatsApp · Jane Doe · 2026-11-23" in seen and "WhatsApp · Jane Doe · 2026-11-24" in seen
    assert "Prefers WhatsApp over email" in seen and "Call after 6pm." in seen
    chat_links = browser.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert {f"/view/r/{chat_id}" for chat_id in seeded.chat_ids} <= set(chat_links)


@needs_chromium
def test_chat_page_shows_transcript_and_image(browser: Browser, org: RunningOrg, seeded: Seeded, tmp_path: Path) -> None:
    browser.open(f"{org.url}/view/r/{seeded.chat_ids[0]}")
    browser.screenshot(tmp_path / "chat.png")
    assert browser.evaluate("document.querySelector('pre.transcript').innerText") == TRANSCRIPT
    assert browser.evaluate("document.querySelectorAll('pre.transcript b').length") == 0  # shown, not interpreted
    image = browser.evaluate("(() => { const i = document.querySelector('.files img');"
                             " return {src: i.getAttribute('src'), width: i.naturalWidth}; })()")
    assert image == {"src": f"/view/file/{seeded.image_version_id}", "width": 48}
    contact = browser.evaluate(f"document.querySelector('a[href=\"/view/r/{seeded.contact_id}\"]').innerText")
    assert contact == "Jane Doe"


def view_session(org: RunningOrg) -> requests.Session:
    """Signed in through the login form, as the browser is."""
    session = requests.Session()
    answer = session.post(f"{org.url}/view/login", allow_redirects=False, timeout=30,
                          data={"username": org.credentials.username, "password": org.credentials.password})
    assert answer.status_code == 303
    return session


def sections(html: str) -> dict[str, list[str]]:
    """Each field section of a record page (a card of label: value rows or blocks of text) by
    title: its field labels, in order."""
    cards = lxml.html.fromstring(html).xpath("//section[@class='card'][dl or pre or p[@class='long']]")
    return {card.findtext("h2").strip(): [label.text_content() for label in card.xpath("dl//dt | h3")] for card in cards}


def deploy_layout(org: RunningOrg, full_name: str, xml: bytes) -> None:
    """One Layout through the org's Metadata API, with CumulusCI's own deploy call."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("package.xml", f'<Package xmlns="{METADATA_NS}"><types><members>{full_name}</members>'
                                        "<name>Layout</name></types><version>67.0</version></Package>")
        package.writestr(f"layouts/{full_name}.layout", xml)
    task = SimpleNamespace(
        logger=logging.getLogger("deploy"),
        project_config=SimpleNamespace(project__package__api_version="67.0"),
        org_config=SimpleNamespace(instance_url=org.url, org_id="00D", access_token=org.token(), refresh_token=None,
                                   org_type="Developer Edition", is_sandbox=False),
    )
    call = ApiDeploy(task, base64.b64encode(buffer.getvalue()).decode(), purge_on_delete=False)
    call.check_interval = 0
    assert call() == "Success"


def reordered(layout: bytes) -> bytes:
    """The layout with its sections in reverse order and Counts cut down to one column of two
    fields, last message first."""
    document = etree.fromstring(layout)
    ns = {"md": METADATA_NS}
    found = document.findall("md:layoutSections", ns)
    anchor = found[-1].getnext()
    for section in found:
        document.remove(section)
    for section in found:
        anchor.addprevious(section)
        anchor = section
    counts = next(s for s in found if s.findtext("md:label", namespaces=ns) == "Counts")
    columns = counts.findall("md:layoutColumns", ns)
    items = {item.findtext("md:field", namespaces=ns): item for column in columns for item in column}
    for column in columns[1:]:
        counts.remove(column)
    for item in list(columns[0]):
        columns[0].remove(item)
    columns[0].extend([items["Last_Message_At__c"], items["Message_Count__c"]])
    counts.find("md:style", ns).text = "OneColumn"
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def test_the_record_page_follows_the_deployed_layout(org: RunningOrg, seeded: Seeded) -> None:
    session = view_session(org)
    chat_page = f"{org.url}/view/r/{seeded.chat_ids[0]}"
    shipped = sections(session.get(chat_page, timeout=30).text)
    assert list(shipped) == ["Conversation", "Transcript", "People", "Counts", "Sync"]
    assert shipped["Counts"] == ["Messages", "First Message At", "Inbound Messages", "Last Message At",
                                 "Outbound Messages", "Attachments"]
    original = (DEFAULT / "layouts" / f"{CHAT_LAYOUT}.layout-meta.xml").read_bytes()
    deploy_layout(org, CHAT_LAYOUT, reordered(original))
    try:
        redeployed = sections(session.get(chat_page, timeout=30).text)
        assert list(redeployed) == ["Sync", "Counts", "People", "Transcript", "Conversation"]
        assert redeployed["Counts"] == ["Last Message At", "Messages"]
        assert redeployed["People"] == shipped["People"]
    finally:
        deploy_layout(org, CHAT_LAYOUT, original)
    assert sections(session.get(chat_page, timeout=30).text) == shipped


def test_an_object_without_a_layout_gets_generated_sections(org: RunningOrg) -> None:
    account = org.client().Account.create({"Name": "Blue Mugs Ltd", "Industry": "Retail", "BillingCity": "Porto"})["id"]
    shown = sections(view_session(org).get(f"{org.url}/view/r/{account}", timeout=30).text)
    assert list(shown) == ["Details", "Billing Address", "System Information"]
    assert "Account Name" in shown["Details"] and "Billing City" in shown["Billing Address"]
