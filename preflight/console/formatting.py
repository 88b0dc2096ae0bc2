"""Display helpers for console templates: times in the workspace's zone, masked secrets."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup, escape


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_iso(value) -> datetime | None:
    """A datetime from a datetime or an ISO-8601 string ('Z' allowed); None otherwise."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def time_tag(value, tz_name: str | None, fmt: str = "%b %d, %Y %H:%M") -> Markup:
    """`<time>` showing the workspace-local time, with the UTC instant on hover."""
    when = parse_iso(value)
    if when is None:
        return Markup('<span class="muted">never</span>') if value is None else Markup(escape(str(value)))
    local = when.astimezone(zone(tz_name))
    utc = when.astimezone(timezone.utc)
    return Markup('<time datetime="{iso}" title="{utc} UTC">{local} {abbr}</time>').format(
        iso=utc.isoformat().replace("+00:00", "Z"), utc=utc.strftime("%Y-%m-%d %H:%M:%S"),
        local=local.strftime(fmt), abbr=local.strftime("%Z"))


def local_text(value, tz_name: str | None, fmt: str = "%b %d, %Y %H:%M") -> str:
    """Plain text of a local time with its zone abbreviation (where markup is not allowed)."""
    when = parse_iso(value)
    if when is None:
        return ""
    local = when.astimezone(zone(tz_name))
    return f"{local.strftime(fmt)} {local.strftime('%Z')}"


def local_day_bounds(day: date, tz_name: str | None) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC."""
    tz = zone(tz_name)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def local_date(value: datetime, tz_name: str | None) -> date:
    return value.astimezone(zone(tz_name)).date()


def parse_date(value: str | None) -> date | None:
    """YYYY-MM-DD (what <input type=date> sends), else None."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def masked(last4: str | None) -> str:
    return f"•••• •••• {last4}" if last4 else "not set"
