"""Keyset cursors for the API's lists: an opaque token over (time, id), stable under inserts."""
from __future__ import annotations

import base64
from datetime import datetime, timezone

from .errors import InvalidInput


def encode_cursor(at: datetime, row_id: str) -> str:
    raw = f"{at.astimezone(timezone.utc).isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(time, id) of a cursor this API returned, else a 400 naming `cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, row_id = raw.split("|", 1)
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None or not row_id:
            raise ValueError(cursor)
        return moment, row_id
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("cursor is not one this API returned", details={"cursor": "invalid cursor"}) from None
