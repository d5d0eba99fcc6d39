"""The receiver's secrets and limits, read from the environment, never from the repository.

The verify token and the app secret are the two values set in the Meta app's webhook
configuration. They are kept out of reprs so a logged settings object shows no secret."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

VERIFY_TOKEN_VARIABLE = "EAZYBE_WEBHOOK_VERIFY_TOKEN"
APP_SECRET_VARIABLE = "EAZYBE_WHATSAPP_APP_SECRET"
# Meta's deliveries are a few kilobytes; a megabyte leaves room for large batches.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class WebhookSettings:
    verify_token: str = field(repr=False)
    app_secret: str = field(repr=False)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @classmethod
    def from_environment(cls, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> "WebhookSettings":
        missing = [v for v in (VERIFY_TOKEN_VARIABLE, APP_SECRET_VARIABLE) if not os.environ.get(v)]
        if missing:
            raise RuntimeError(f"set {' and '.join(missing)} before serving the webhook")
        return cls(
            verify_token=os.environ[VERIFY_TOKEN_VARIABLE],
            app_secret=os.environ[APP_SECRET_VARIABLE],
            max_body_bytes=max_body_bytes,
        )
