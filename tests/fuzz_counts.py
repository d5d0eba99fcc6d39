"""How many inputs each fuzz suite tried, printed in pytest's terminal summary at the end of the
session, so every CI log states the figure. A pytest plugin, registered from tests/conftest.py
(`pytest_plugins = ["fuzz_counts"]`); a suite counts each input with `tried(suite, outcome)`."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

_COUNTS: defaultdict[str, Counter[str]] = defaultdict(Counter)


def tried(suite: str, outcome: str) -> None:
    """One more input tried by `suite`; `outcome` says what became of it (parsed, rejected...)."""
    _COUNTS[suite][outcome] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _COUNTS:
        return
    terminalreporter.section("fuzz inputs tried")
    for suite, outcomes in sorted(_COUNTS.items()):
        detail = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        terminalreporter.write_line(f"{suite}: {sum(outcomes.values())} inputs ({detail})")
