"""Fetching webhook media through the Graph API: `GET /{media-id}` gives a short-lived URL, which
is then fetched with the same bearer token.

Transient failures (429, 5xx, timeouts) are retried with backoff; a file over the size limit, or
whose bytes do not match the SHA-256 Meta declared, is refused rather than stored."""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
# WhatsApp's own ceiling for media is 100 MB (documents).
DEFAULT_MAX_BYTES = 100 * 1024 * 1024


class MediaDownloadError(Exception):
    pass


@dataclass(frozen=True)
class DownloadedMedia:
    content: bytes
    mime_type: str | None
    sha256: str


class GraphMediaClient:
    def __init__(
        self, token: str, base_url: str = DEFAULT_GRAPH_URL, *, max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float = 30.0, retries: int = 3,
    ):
        if not token:
            raise ValueError("a Graph API access token is needed to download media")
        self.base_url = base_url.rstrip("/")
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        retry = Retry(
            total=retries, backoff_factor=0.5, status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=("GET",), raise_on_status=False,
        )
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))

    def _get(self, url: str, **kwargs: object) -> requests.Response:
        try:
            response = self.session.get(url, timeout=self.timeout, **kwargs)  # type: ignore[arg-type]
        except requests.RequestException as error:
            raise MediaDownloadError(f"GET {url.split('?')[0]}: {type(error).__name__}") from error
        if response.status_code != 200:
            raise MediaDownloadError(f"GET {url.split('?')[0]}: HTTP {response.status_code}")
        return response

    def _read_capped(self, response: requests.Response) -> bytes:
        content = bytearray()
        for chunk in response.iter_content(64 * 1024):
            content += chunk
            if len(content) > self.max_bytes:
                raise MediaDownloadError(f"the file is over the {self.max_bytes}-byte limit")
        return bytes(content)

    def fetch(self, media_id: str) -> DownloadedMedia:
        meta = self._get(f"{self.base_url}/{media_id}").json()
        declared_size = meta.get("file_size")
        if isinstance(declared_size, int) and declared_size > self.max_bytes:
            raise MediaDownloadError(f"the file is {declared_size} bytes, over the {self.max_bytes}-byte limit")
        if not isinstance(meta.get("url"), str):
            raise MediaDownloadError(f"the Graph API gave no download URL for media {media_id}")
        with self._get(meta["url"], stream=True) as response:
            content = self._read_capped(response)
        digest = hashlib.sha256(content).digest()
        declared = _declared_digest(meta.get("sha256"))
        if declared is not None and declared != digest:
            raise MediaDownloadError(f"the bytes do not match the declared SHA-256 of media {media_id}")
        return DownloadedMedia(content, meta.get("mime_type"), digest.hex())


def _declared_digest(value: object) -> bytes | None:
    """Meta writes the SHA-256 as hex in some responses and base64 in others; anything that is
    neither a 32-byte hex nor a 32-byte base64 digest is not checked."""
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 64:
            return bytes.fromhex(value)
        decoded = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return None
    return decoded if len(decoded) == 32 else None
