"""Where the project's files are, for every test module."""
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FORCE_APP = REPO / "force-app"
DEFAULT = FORCE_APP / "main" / "default"
VENV_BIN = REPO / ".venv" / "bin"
NODE_BIN = REPO / "node_modules" / ".bin"
CORPUS = REPO.parent / "shared" / "corpus"
