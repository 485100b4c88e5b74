"""Charts for a report (issue 17, point 4: look rather than read), written as SVG text: a bar chart per
subject comparing this period with the previous one, each an image with a title and a description
(role="img", aria-labelledby) and followed on the page by the table it draws. Only published figures
are drawn (a hidden number is drawn as no bar and marked "hidden"), so a chart shows nothing its table
does not. Every piece of text is escaped."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 210
BAR_HEIGHT = 14
GAP = 10
# Two colours with 3:1 contrast against white and each other's pattern (solid and outlined), so the
# two periods can be told apart without colour.
THIS_FILL = "#1d70b8"
PREVIOUS_FILL = "#ffffff"
PREVIOUS_STROKE = "#0b0c0c"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int | None]  # None: hidden


def bar_chart(chart_id: str, title: str, description: str, labels: list[str], series: list[Series]) -> SafeString:
    """Horizontal grouped bars: one group per label, one bar per series."""
    shown = [v for s in series for v in s.values if v is not None]
    top = max([*shown, 1])
    plot = WIDTH - LABEL_WIDTH - 60
    group = BAR_HEIGHT * len(series) + GAP
    legend_height = 22
    height = legend_height + group * len(labels) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
             f'height="{height}" viewBox="0 0 {WIDTH} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(description)}</desc>']
    x = LABEL_WIDTH
    for k, s in enumerate(series):
        fill, stroke = (THIS_FILL, THIS_FILL) if k == 0 else (PREVIOUS_FILL, PREVIOUS_STROKE)
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{fill}" stroke="{stroke}"/>')
        parts.append(f'<text x="{x + 16}" y="14" font-size="12">{escape(s.name)}</text>')
        x += 16 + 8 * len(s.name) + 20
    for i, label in enumerate(labels):
        y0 = legend_height + i * group
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y0 + BAR_HEIGHT * len(series) / 2 + 4:.0f}" '
                     f'font-size="12" text-anchor="end">{escape(label[:32])}</text>')
        for k, s in enumerate(series):
            value = s.values[i]
            y = y0 + k * BAR_HEIGHT
            fill, stroke = (THIS_FILL, THIS_FILL) if k == 0 else (PREVIOUS_FILL, PREVIOUS_STROKE)
            if value is None:
                parts.append(f'<text x="{LABEL_WIDTH + 4}" y="{y + 11}" font-size="11">hidden</text>')
                continue
            width = round(plot * value / top)
            if width:
                parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 1}" width="{width}" height="{BAR_HEIGHT - 2}" '
                             f'fill="{fill}" stroke="{stroke}"/>')
            parts.append(f'<text x="{LABEL_WIDTH + width + 4}" y="{y + 11}" font-size="11">{value}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every piece of text above is escaped
