"""What a user's clone and the built package hold: the test corpus lives in the repository with its
licences, nothing reads outside the clone, and the sdist and wheel carry the code, not the tests."""
from __future__ import annotations

import re
import subprocess
import tarfile
import zipfile
from pathlib import Path

from repo_paths import CORPUS, CORPUS_EXPORTS, CORPUS_WEBHOOK_FILES, REPO, VENV_BIN
from tools import run

SOURCES = {"whats_json": "GNU GENERAL PUBLIC LICENSE", "chat-miner": "MIT", "Pustur": "MIT", "pywa": "MIT"}


def _tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [REPO / name for name in listed.decode().split("\0") if name]


def test_each_corpus_source_carries_its_licence_and_origin() -> None:
    assert sorted(path.name for path in CORPUS.iterdir() if path.is_dir()) == sorted(SOURCES)
    for source, licence in SOURCES.items():
        folder = CORPUS / source
        assert licence in (folder / "LICENSE").read_text(encoding="utf-8").splitlines()[0], source
        notice = (folder / "NOTICE").read_text(encoding="utf-8")
        assert re.search(r"\w[\w.-]*/[\w.-]+ @ [0-9a-f]{40}, (folders?|file) \S+", notice), source
    assert len(CORPUS_EXPORTS) == 53 and len(CORPUS_WEBHOOK_FILES) == 7


def test_nothing_in_the_repository_reads_beside_the_clone() -> None:
    outside = re.compile(r"\.\./shared|parent\s*/\s*[\"']shared[\"']")
    readers = [path.relative_to(REPO) for path in _tracked_files()
               if path.suffix in {".py", ".ipynb", ".md", ".yml", ".yaml", ".toml", ".cfg", ".json", ".sh", ""}
               and path.is_file() and outside.search(path.read_text(encoding="utf-8", errors="replace"))]
    assert readers == []


def test_the_built_package_leaves_the_tests_and_corpus_out(tmp_path: Path) -> None:
    built = run(VENV_BIN / "python", "-m", "build", "--outdir", tmp_path, REPO, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    (sdist,) = tmp_path.glob("*.tar.gz")
    (wheel,) = tmp_path.glob("*.whl")
    with tarfile.open(sdist) as archive:
        in_sdist = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = archive.namelist()
    for names in (in_sdist, in_wheel):
        assert not [name for name in names if name.startswith(("tests/", "benchmarks/")) or "corpus" in name]
    assert "LICENSE" in in_sdist and any(name.endswith("licenses/LICENSE") for name in in_wheel)
    assert "eazybe_tasks/sources/exports/_header_split.pyx" in in_sdist  # the sdist builds
    assert "BSD 3-Clause" in (REPO / "LICENSE").read_text(encoding="utf-8")
