"""The project's keychain key: made once by make (owner-only), and org configs CumulusCI wrote in
the clear before it existed are encrypted with it by `make setup`'s step, so cci reads them all."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from repo_paths import REPO, VENV_BIN
from tools import tool_env

KEY = "k" * 8 + "0123ABCD"


def cci(home: Path, key: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in tool_env().items() if name != "CUMULUSCI_KEY"}
    env.update(HOME=str(home), **({"CUMULUSCI_KEY": key} if key else {}))
    return subprocess.run([str(VENV_BIN / "cci"), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_make_creates_an_owner_only_key_once(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "cumulusci.env"
    make = ["make", "--no-print-directory", "-s", f"KEY_FILE={key_file}", str(key_file)]
    subprocess.run(make, cwd=REPO, check=True, capture_output=True, timeout=60)
    first = key_file.read_text()
    assert re.fullmatch(r"CUMULUSCI_KEY=[A-Za-z0-9]{16}\n", first)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    subprocess.run(make, cwd=REPO, check=True, capture_output=True, timeout=60)
    assert key_file.read_text() == first  # never replaced: it would make the keychain unreadable


def test_plain_org_configs_are_encrypted_and_then_readable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    plain = cci(home, None, "org", "list")  # CumulusCI writes the scratch configs, in the clear
    assert "Unable to store an encryption key" in plain.stdout + plain.stderr
    folder = home / ".cumulusci" / "eazybe-salesforce"
    before = {path.name: path.read_bytes() for path in folder.glob("*.org")}
    assert {"dev.org", "qa.org"} <= set(before)
    unreadable = cci(home, KEY, "org", "list")
    assert "Cannot parse config" in unreadable.stdout + unreadable.stderr

    env = {**os.environ, "HOME": str(home), "CUMULUSCI_KEY": KEY}
    migrated = subprocess.run([sys.executable, "-m", "eazybe_tasks.keychain"], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.count("encrypted ") == len(before)
    for name, content in before.items():
        assert (folder / name).read_bytes() != content and re.fullmatch(rb"[A-Za-z0-9+/=]+", (folder / name).read_bytes())
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    listed = cci(home, KEY, "org", "list")
    assert listed.returncode == 0 and "dev" in listed.stdout, listed.stdout + listed.stderr
    assert "Unable to store an encryption key" not in listed.stdout + listed.stderr
    again = subprocess.run([sys.executable, "-m", "eazybe_tasks.keychain"], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and again.stdout == ""  # encrypted files are left alone
