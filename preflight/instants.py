"""Parsing instants from input: ISO-8601 with a UTC offset, or a 400 naming the field."""
from __future__ import annotations

from datetime import datetime

from .errors import InvalidInput


def parse_aware(value, field: str) -> datetime:
    """An aware datetime from a datetime or ISO-8601 text; naive or malformed -> InvalidInput."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{field} is not an ISO-8601 date-time",
                               details={field: "not an ISO-8601 date-time"}) from None
    if not isinstance(value, datetime):
        raise InvalidInput(f"{field} must be an ISO-8601 date-time", details={field: "not a date-time"})
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{field} must include a UTC offset",
                           details={field: "missing UTC offset (e.g. -05:00 or Z)"})
    return value
