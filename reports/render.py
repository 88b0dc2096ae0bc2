"""HTML from the Jinja templates in templates/reports/, then PDF with WeasyPrint.

The PDF renderer may load only data: URIs and files under templates/; anything else
(an evidence URL in the data, a remote font) is refused, so rendering never reaches
the network.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import weasyprint
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint.urls import URLFetcher

from preflight import TEMPLATES

from .common import zone

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _when(tz_name: str):
    tz = zone(tz_name)

    def when(value: str | datetime | None) -> str:
        """'2026-06-02T16:00:00Z (12:00 EDT, 2 Jun 2026)': UTC ISO and the workspace's local time."""
        if value is None:
            return "-"
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
        moment = moment.astimezone(timezone.utc).replace(microsecond=0)
        local = moment.astimezone(tz)
        return (f"{moment.isoformat().replace('+00:00', 'Z')} "
                f"({local.strftime('%Y-%m-%d %H:%M %Z')})")

    return when


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = float(seconds)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if abs(seconds) >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.1f} s"


def render_html(template: str, **context) -> str:
    """Render `template` (a path under templates/) with the report's context."""
    tz_name = context["data"]["workspace"]["time_zone"]
    helpers = {"when": _when(tz_name), "duration": _duration, "num": lambda n: f"{int(n or 0):,}",
               "pretty": lambda v: json.dumps(v, indent=2, sort_keys=True, ensure_ascii=False, default=str)}
    return _env.get_template(template).render(**helpers, **context)


class _LocalOnly(URLFetcher):
    """Fetches data: URIs and files under templates/, nothing else."""

    def __init__(self):
        super().__init__(allowed_protocols={"data", "file"})

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(url.split("?")[0][len("file://"):]).resolve()
            if not path.is_relative_to(TEMPLATES.resolve()):
                raise ValueError(f"reports load no files outside templates/ ({url[:60]})")
        return super().fetch(url, headers)


def html_to_pdf(html: str, attachments: list[tuple[str, str, str]] = (), when: datetime | None = None) -> bytes:
    """The PDF for an HTML string rendered from templates/reports/, with files attached
    (``(name, text, description)``) and dated `when`."""
    files = [weasyprint.Attachment(string=text, name=name, description=description, created=when,
                                   modified=when, url_fetcher=_LocalOnly())
             for name, text, description in attachments]
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES / "reports") + "/",
                           url_fetcher=_LocalOnly()).write_pdf(attachments=files)
