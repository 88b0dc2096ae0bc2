"""Report charts as self-contained SVG (pygal), embedded as data URIs.

pygal's default config links tooltip JavaScript from the internet; reports set
``js=[]`` so a rendered PDF never fetches anything, and drop the XML declaration so
the SVG can be embedded.

Importing pygal appends a legacy ``sys.meta_path`` finder (for its map plugins) that has
no ``find_spec``; from then on every failed optional import in the process raises
ImportWarning (an error under ``-W error``). Reports use no maps, so the finder is
removed right after the import.
"""
from __future__ import annotations

import base64
import sys

import pygal
from pygal.style import Style

sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

STYLE = Style(background="white", plot_background="white", foreground="#222", foreground_strong="#111",
              foreground_subtle="#666", font_family="DejaVu Sans, Helvetica, Arial, sans-serif",
              label_font_size=11, major_label_font_size=11, value_font_size=10, legend_font_size=11,
              title_font_size=13, guide_stroke_color="#e3e6ea", major_guide_stroke_color="#e3e6ea",
              guide_stroke_dasharray="1,0", major_guide_stroke_dasharray="1,0", colors=("#2f6db5", "#c8473d", "#e09b2d", "#3f9b5a", "#7a5ba6",
                                          "#5e8c9c", "#b0568a", "#8a8a3a"))
_BASE = dict(style=STYLE, js=[], disable_xml_declaration=True, explicit_size=True, print_values=True,
             show_legend=False, show_x_guides=False, show_y_guides=False)


def _data_uri(chart) -> str:
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _ticks(top: int) -> list[int]:
    """Whole-number axis ticks from 0 to at least `top` (about five of them)."""
    step = 1
    while top / step > 5:
        for mult in (2, 2.5, 2):
            step = int(step * mult)
            if top / step <= 5:
                break
    return list(range(0, top + step, step))


def bar_chart(series: str, items: list[tuple[str, int]], *, width: int = 640) -> str | None:
    """Horizontal bars of (label, count) pairs, labels on the axis, as an SVG data URI
    (untitled: the report's heading names it); None when there is nothing to draw."""
    if not items:
        return None
    chart = pygal.HorizontalBar(width=width, height=70 + 30 * len(items),
                                y_labels=_ticks(max(n for _label, n in items)), **_BASE)
    items = items[::-1]  # pygal draws the first bar at the bottom; list the largest on top
    chart.x_labels = [label for label, _n in items]
    chart.add(series, [n for _label, n in items])
    return _data_uri(chart)


def pie_chart(title: str, items: list[tuple[str, int]]) -> str | None:
    """A donut chart of (label, count) pairs as an SVG data URI; None when all counts are zero."""
    items = [(label, n) for label, n in items if n]
    if not items:
        return None
    chart = pygal.Pie(title=title, inner_radius=0.45, width=420, height=280,
                      **{**_BASE, "show_legend": True, "legend_at_bottom": True})
    for label, count in items:
        chart.add(label, count)
    return _data_uri(chart)


def audit_charts(data: dict) -> dict:
    """The audit report's charts from its data dict."""
    decisions = data["decisions"]
    return {
        "outcome": pie_chart("Decisions by outcome", sorted(decisions["by_outcome"].items())),
        "reasons": bar_chart("Blocked decisions by reason",
                             [(r["code"], r["count"]) for r in decisions["by_reason"][:12]]),
        "consent": bar_chart("Consent events by method or channel",
                             [(r["method"], r["count"]) for r in data["consent_events"]["by_method"][:12]]),
    }
