"""Where the project's files are, for every test module."""
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FORCE_APP = REPO / "force-app"
DEFAULT = FORCE_APP / "main" / "default"
VENV_BIN = REPO / ".venv" / "bin"
NODE_BIN = REPO / "node_modules" / ".bin"
# Other projects' published test files, one folder per source with its LICENSE and NOTICE.
CORPUS = REPO / "tests" / "corpus"
CORPUS_WEBHOOKS = CORPUS / "pywa"
_EXPORT_SOURCES = ("whats_json", "chat-miner", "Pustur")
_NOT_DATA = {"LICENSE", "NOTICE"}
CORPUS_EXPORTS = tuple(sorted((path for source in _EXPORT_SOURCES for path in (CORPUS / source).iterdir()
                               if path.name not in _NOT_DATA), key=lambda path: path.name))
CORPUS_WEBHOOK_FILES = tuple(sorted(CORPUS_WEBHOOKS.glob("pywa__*.json")))
FIXTURE_EXPORTS = REPO / "tests" / "fixtures" / "exports"
# Every export file the tests have: the corpus's, then the project's own fixtures.
EVERY_EXPORT = (*CORPUS_EXPORTS, *sorted(FIXTURE_EXPORTS.iterdir()))


def corpus_export(name: str) -> Path:
    """The corpus export file of that name, whichever source folder holds it."""
    (path,) = (path for path in CORPUS_EXPORTS if path.name == name)
    return path
