"""Server-rendered SVG bar chart: allowed and blocked decisions per day.

Hand-made SVG (no script, no external assets, colours from the console CSS classes),
with a <title> on every bar for hover text and an accessible name and description.
"""
from __future__ import annotations

import math
from datetime import date

from markupsafe import Markup, escape

LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 36


def _tick_step(value: int) -> int:
    """A round whole-number step such that four steps reach at least `value`."""
    need = max(1, math.ceil(value / 4))
    for power in range(0, 12):
        for mult in (1, 2, 2.5, 5):
            step = mult * 10 ** power
            if step == int(step) and step >= need:
                return int(step)
    return need


def daily_bars(rows: list[tuple[date, int, int]], title: str = "Allowed and blocked per day", *,
               width: int = 760, height: int = 260, css: str = "chart", key: str = "chart") -> Markup:
    """An SVG chart of (day, allowed, blocked) rows.

    `width`/`height` set the drawing's own size (text is 11 units high, so a narrow
    drawing keeps its labels readable on a phone); `key` makes element ids unique."""
    step = _tick_step(max([max(a, b) for _, a, b in rows] + [0]))
    top = 4 * step
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    slot = plot_w / max(len(rows), 1)
    bar = max(min(slot * 0.36, 22), 1.5)
    total_allowed = sum(a for _, a, _ in rows)
    total_blocked = sum(b for _, _, b in rows)
    desc = (f"{len(rows)} days from {rows[0][0]:%b %d} to {rows[-1][0]:%b %d}: "
            f"{total_allowed} allowed, {total_blocked} blocked.") if rows else "No days."
    parts = [f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{key}-t {key}-d" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(desc)}</desc>']
    for i in range(5):
        value = step * i
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    label_every = max(1, math.ceil(len(rows) / max(2, plot_w // 58)))
    for i, (day, allowed, blocked) in enumerate(rows):
        x0 = LEFT + slot * i + (slot - 2 * bar) / 2
        for j, (value, kind) in enumerate(((allowed, "allowed"), (blocked, "blocked"))):
            h = plot_h * value / top
            parts.append(f'<rect class="bar-{kind}" x="{x0 + j * bar:.1f}" y="{TOP + plot_h - h:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}"><title>{day:%a %b %d}: {value} {kind}</title></rect>')
        if i % label_every == 0:
            cx = LEFT + slot * i + slot / 2
            parts.append(f'<text x="{cx:.1f}" y="{height - BOTTOM + 16}" text-anchor="middle">{day:%b %d}</text>')
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{width - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
