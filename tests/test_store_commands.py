"""The store's commands through their real entry point, `cci task run ...`, with no org."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import requests

from asgi_server import _free_port
from eazybe_tasks.sources.cloud_api import HEADER, sign
from repo_paths import CORPUS_WEBHOOKS, REPO, VENV_BIN
from tools import run, tool_env

CCI = VENV_BIN / "cci"
FEED = REPO / "tests" / "fixtures" / "feed"
EXPORTS = REPO / "tests" / "fixtures" / "exports"


def cci(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return run(CCI, "task", "run", *args)


def test_register_account_and_status(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    made = cci("register_account", "-o", "number", "+442079460000", "-o", "label", "Sales UK", "-o", "store_url", store)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "region GB, time zone Europe/London" in made.stdout
    status = cci("store_status", "-o", "store_url", store)
    assert status.returncode == 0
    assert "+442079460000" in status.stdout and "Sales UK" in status.stdout


def test_import_feed_then_again(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    first = cci("import_feed", "-o", "path", FEED / "valid.jsonl", "-o", "store_url", store)
    assert first.returncode == 0, first.stdout + first.stderr
    records = [json.loads(line) for line in (FEED / "valid.jsonl").read_text().splitlines() if line.strip()]
    distinct = len({r["id"] for r in records})  # an edit carries the id of the message it edits
    notices = sum(r["direction"] == "system" for r in records)  # WhatsApp's notices: events, counted apart
    read = f"{len(records) - notices} messages and {notices} WhatsApp notices read"
    assert notices and f"{read}, {distinct} new" in first.stdout, first.stdout
    again = cci("import_feed", "-o", "path", FEED / "valid.jsonl", "-o", "store_url", store)
    assert f"{read}, 0 new" in again.stdout


def test_bad_feed_stores_nothing_and_names_the_line(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    bad = cci("import_feed", "-o", "path", FEED / "bad_lines.jsonl", "-o", "store_url", store)
    assert bad.returncode != 0
    assert "nothing was stored" in bad.stdout + bad.stderr
    assert "bad_lines.jsonl:" in bad.stdout + bad.stderr
    status = cci("store_status", "-o", "store_url", store)
    assert "0 ingests" in status.stdout and "no webhook deliveries refused" in status.stdout


def test_serve_webhook_stores_a_signed_delivery(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    port = _free_port()
    env = {**tool_env(), "EAZYBE_WEBHOOK_VERIFY_TOKEN": "verify-me", "EAZYBE_WHATSAPP_APP_SECRET": "s3cret-for-tests"}
    server = subprocess.Popen(
        [str(CCI), "task", "run", "serve_webhook", "-o", "port", str(port), "-o", "store_url", store],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/webhook"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, "serve_webhook did not start"
                time.sleep(0.2)
        envelope = json.loads((CORPUS_WEBHOOKS / "pywa__message.json").read_text())["text"]
        raw = json.dumps(envelope).encode()
        answer = requests.post(url, data=raw, headers={HEADER: sign(raw, "s3cret-for-tests")}, timeout=10)
        assert answer.status_code == 200 and answer.json()["stored"] == 1
        forged = requests.post(url, data=raw, headers={HEADER: sign(raw, "another-secret")}, timeout=10)
        assert forged.status_code == 403
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0]
    assert "s3cret-for-tests" not in output and "verify-me" not in output
    assert f"webhook delivery refused: 403 bad_signature, {len(raw)} bytes: " in output
    status = cci("store_status", "-o", "store_url", store)
    assert "+972123456789" in status.stdout
    # the refusals: the forged delivery, and the handshakes without a token that waited for the start
    assert "Webhook refusals" in status.stdout
    [forged_row] = [line for line in status.stdout.splitlines() if "bad_signature" in line]
    assert "403" in forged_row and "does not match the body" in forged_row
    assert "verification_failed" in status.stdout


def test_serve_webhook_without_secrets_says_which_to_set(tmp_path: Path) -> None:
    env_less = {k: v for k, v in os.environ.items() if not k.startswith("EAZYBE_")}
    result = subprocess.run(
        [str(CCI), "task", "run", "serve_webhook", "-o", "store_url", f"sqlite:///{tmp_path / 's.db'}"],
        cwd=REPO, env={**tool_env(), **env_less, "HOME": str(tmp_path / "home")},  # no keychain service either
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "EAZYBE_WEBHOOK_VERIFY_TOKEN" in result.stdout + result.stderr


def test_import_chat_export_then_an_overlapping_one(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    full = EXPORTS / "ios_en.txt"
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    first_half = tmp_path / "WhatsApp Chat - first half.txt"
    first_half.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    authors = {line.split("] ", 1)[1].split(":", 1)[0] for line in lines if line.startswith("[") and ": " in line}
    me = sorted(authors)[0]
    common = ("-o", "account", "+14155550100", "-o", "me", me, "-o", "other_number", "+14155550123",
              "-o", "store_url", store)
    half = cci("import_chat_export", "-o", "path", first_half, *common)
    assert half.returncode == 0, half.stdout + half.stderr
    whole = cci("import_chat_export", "-o", "path", full, *common)
    assert whole.returncode == 0, whole.stdout + whole.stderr
    again = cci("import_chat_export", "-o", "path", full, *common)
    said = re.search(r"(\d+) messages(?: and (\d+) WhatsApp notices)? read, 0 new", again.stdout)
    assert said, again.stdout
    read = int(said[1]) + int(said[2] or 0)  # the store counts both
    status = cci("store_status", "-o", "store_url", store)
    assert f"│ {read} " in status.stdout or f" {read} " in status.stdout


def test_import_chat_export_asks_who_is_me(tmp_path: Path) -> None:
    result = cci("import_chat_export", "-o", "path", EXPORTS / "ios_en.txt", "-o", "account", "+14155550100",
                 "-o", "me", "Nobody", "-o", "store_url", f"sqlite:///{tmp_path / 's.db'}")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "no author is called 'Nobody'" in output and "(-o me)" in output  # as `cci task info` spells it


def test_import_chat_export_asks_for_the_other_number_as_cci_spells_options(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Jane Doe.txt"
    chat.write_text("15/01/2026, 09:41 - Jane Doe: hi\n15/01/2026, 09:42 - Sales: hello Jane\n", encoding="utf-8")
    result = cci("import_chat_export", "-o", "path", chat, "-o", "account", "+14155550100", "-o", "me", "Sales",
                 "-o", "store_url", f"sqlite:///{tmp_path / 's.db'}")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "which number does Jane Doe have?" in output
    assert "-o other_number" in output and "--other-number" not in output, output
