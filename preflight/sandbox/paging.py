"""List paging in Twilio's two shapes.

The 2010 API answers with top-level `first_page_uri`, `next_page_uri`, ... (paths
relative to api.twilio.com); the v1 APIs answer with a `meta` object whose URLs are
absolute (https://messaging.twilio.com/...). Both carry a `PageToken` in the next and
previous links: "PA" + the sid of the last record of this page (records after it) or
"PB" + the sid of the first record (records before it). Tokens keep paging stable
when records are added meanwhile, as Twilio's do.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_PAGING_KEYS = {"Page", "PageSize", "PageToken"}


@dataclass
class Window:
    """One page of records and where its neighbours start."""

    records: list[dict]
    page: int
    page_size: int
    start: int
    filters: list[tuple[str, str]]
    next_token: str | None
    previous_token: str | None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def window(records: list[dict], args) -> Window:
    """Cut the page that the request's Page/PageSize/PageToken ask for.

    `args` is the request's query (a werkzeug MultiDict). Other query arguments are
    filters the caller already applied; they are carried into the page links."""
    page_size = min(max(_int(args.get("PageSize"), DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE)
    page = max(_int(args.get("Page"), 0), 0)
    start = page * page_size
    token = args.get("PageToken") or ""
    sids = [r["sid"] for r in records]
    if token[:2] in ("PA", "PB") and token[2:] in sids:
        anchor = sids.index(token[2:])
        start = anchor + 1 if token.startswith("PA") else max(anchor - page_size, 0)
    chunk = records[start:start + page_size]
    more = start + len(chunk) < len(records)
    return Window(
        records=chunk, page=page, page_size=page_size, start=start,
        filters=[(k, v) for k, v in args.items(multi=True) if k not in _PAGING_KEYS],
        next_token="PA" + chunk[-1]["sid"] if chunk and more else None,
        previous_token="PB" + chunk[0]["sid"] if chunk and start > 0 else None,
    )


def _link(base: str, w: Window, page: int, token: str | None = None) -> str:
    query = [*w.filters, ("PageSize", str(w.page_size)), ("Page", str(page))]
    if token:
        query.append(("PageToken", token))
    return f"{base}?{urlencode(query)}"


def list_2010(path: str, key: str, w: Window) -> dict:
    """A 2010-04-01 list body: `path` is the list's path, `key` the records' key."""
    return {
        "end": w.start + max(len(w.records) - 1, 0),
        "first_page_uri": _link(path, w, 0),
        key: w.records,
        "next_page_uri": _link(path, w, w.page + 1, w.next_token) if w.next_token else None,
        "page": w.page,
        "page_size": w.page_size,
        "previous_page_uri": (_link(path, w, max(w.page - 1, 0), w.previous_token)
                              if w.previous_token else None),
        "start": w.start,
        "uri": _link(path, w, w.page),
    }


def list_v1(url: str, key: str, w: Window) -> dict:
    """A v1 list body: `url` is the list's absolute URL, `key` the records' key."""
    return {
        key: w.records,
        "meta": {
            "page": w.page,
            "page_size": w.page_size,
            "first_page_url": _link(url, w, 0),
            "previous_page_url": (_link(url, w, max(w.page - 1, 0), w.previous_token)
                                  if w.previous_token else None),
            "url": _link(url, w, w.page),
            "next_page_url": _link(url, w, w.page + 1, w.next_token) if w.next_token else None,
            "key": key,
        },
    }
