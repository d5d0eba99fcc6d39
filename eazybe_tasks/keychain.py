"""The project's CumulusCI keychain, encrypted on disk with the project's key.

`make` creates the key once (`.eazybe/cumulusci.env`, `CUMULUSCI_KEY=...`, owner-only) and exports
it to every command it runs. CumulusCI encrypts what it writes with that key, but reads everything
with it too: an org config written before the key existed (CumulusCI writes its scratch org
configs on a project's first command), or by a cci run without the key, would make every later
command fail ("Cannot parse config"). `python -m eazybe_tasks.keychain`, run by `make setup`,
encrypts such plain files of this project's keychain with the key, so none is left in the clear
and nothing has to be connected again."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml
from cumulusci.core.keychain.serialization import load_config_from_json_or_pickle
from cumulusci.utils.encryption import encrypt_and_b64

KEY_VARIABLE = "CUMULUSCI_KEY"
PROJECT_FILE = Path(__file__).resolve().parent.parent / "cumulusci.yml"


def project_keychain_folder(home: Path, project_file: Path = PROJECT_FILE) -> Path:
    """Where CumulusCI keeps this project's orgs: ~/.cumulusci/<project name>/."""
    name = yaml.safe_load(project_file.read_text(encoding="utf-8"))["project"]["name"]
    return home / ".cumulusci" / name


def _is_plain(content: bytes) -> bool:
    """A config CumulusCI wrote without a key (pickle or JSON); encrypted ones are base64 text."""
    try:
        return isinstance(load_config_from_json_or_pickle(content), dict)
    except Exception:  # base64 text does not unpickle: whatever the library raises, it is not plain
        return False


def encrypt_plain_configs(folder: Path, key: str) -> list[Path]:
    """Encrypts the plain org configs in `folder` in place (modes kept); the files it encrypted."""
    encrypted = []
    for path in sorted(folder.glob("*.org")) if folder.is_dir() else []:
        content = path.read_bytes()
        if _is_plain(content):
            mode = path.stat().st_mode & 0o777
            replacement = path.with_name(path.name + ".encrypting")
            replacement.write_bytes(encrypt_and_b64(content, key))
            os.chmod(replacement, mode)
            os.replace(replacement, path)
            encrypted.append(path)
    return encrypted


def main() -> None:
    key = os.environ.get(KEY_VARIABLE)
    if not key:
        sys.exit(f"{KEY_VARIABLE} is not set: run `make setup`, or `. .venv/bin/activate` in your shell")
    folder = project_keychain_folder(Path.home())
    for path in encrypt_plain_configs(folder, key):
        print(f"encrypted {path} with the project's keychain key")


if __name__ == "__main__":
    main()
