"""Images the app serves for LINE to fetch: QR codes of a link, under a sealed, short-lived token.

LINE shows an image message by fetching its https URLs (originalContentUrl, previewImageUrl:
JPEG or PNG, at most 10 MB and 1 MB). A QR code of a household's confirmation link holds its
code, so the URL carries only the link sealed with the data key and its expiry: unguessable,
useless once expired, the same on every worker, and nothing personal or secret in plain sight.
"""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort

from bot.chat.replies import Image
from storage.crypto import PREFIX, SealedValueError
from storage.sealed import keyring

images = Blueprint("images", __name__)

# Long enough to show the code at the visit and the next day, short beside the code's 14 days.
QR_LIFE = timedelta(days=2)
# Pixels per QR module: ~500 px for the picture, ~250 px for the chat's preview (a few KB each).
FULL_SCALE, PREVIEW_SCALE = 12, 6
PURPOSE = "qr1"  # sealed together with the text, so no other sealed value is ever drawn


def qr_image(base_url: str | None, text: str, now: datetime) -> Image | None:
    """The image message of a QR code of `text` (None when the app has no public address)."""
    if not base_url:
        return None
    expires = int((now + QR_LIFE).timestamp())
    token = keyring().seal(f"{PURPOSE}|{expires}|{text}").removeprefix(PREFIX + ":").replace(":", ".", 1)
    return Image(url=f"{base_url}/qr/{token}.png", preview_url=f"{base_url}/qr/{token}/preview.png")


def opened(token: str, now: float) -> str | None:
    """The text a token holds while it is valid, else None."""
    try:
        purpose, expires, text = keyring().open(f"{PREFIX}:{token.replace('.', ':', 1)}").split("|", 2)
    except (SealedValueError, ValueError):
        return None
    return text if purpose == PURPOSE and expires.isdigit() and int(expires) > now else None


def qr_png(text: str, scale: int) -> bytes:
    """A QR code of the text as PNG (medium error correction survives a phone screen's glare)."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


@images.get("/qr/<token>.png")
def qr_full(token: str) -> Response:
    """The QR picture LINE shows full size."""
    return _served(token, FULL_SCALE)


@images.get("/qr/<token>/preview.png")
def qr_preview(token: str) -> Response:
    """The QR picture LINE shows in the chat."""
    return _served(token, PREVIEW_SCALE)


def _served(token: str, scale: int) -> Response:
    """The picture, or 404 for a token that is wrong or expired (never saying which)."""
    text = opened(token, time.time())
    if text is None:
        abort(404)
    response = Response(qr_png(text, scale), mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
