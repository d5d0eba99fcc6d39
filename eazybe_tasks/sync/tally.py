"""What a stage of side writes (Notes, Files) achieved: how many writes Salesforce acknowledged,
and which chat-days had one refused, so the run can retry those chat-days like a failed record."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Tally:
    acknowledged: int = 0
    refused: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # chat key -> (code, message)

    def refuse(self, chat_key: str, code: str, message: str | None) -> None:
        self.refused.setdefault(chat_key, (code, message))
