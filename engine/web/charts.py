"""Small inline SVG line charts (no JavaScript, no CDN): today's equity and P&L from the account snapshots."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_Y = 640, 160, 80, 12, 16


def line_chart(points: list[tuple[str, str | None]], *, label: str, css_class: str, zero_line: bool = False) -> str:
    """An SVG of ``points`` = [(time text, decimal text)], time on x by order; empty text if < 1 point."""
    values = [(t, _dec(v)) for t, v in points]
    values = [(t, v) for t, v in values if v is not None]
    if not values:
        return ""
    low, high = min(v for _, v in values), max(v for _, v in values)
    if zero_line:
        low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if high == low:
        high, low = high + 1, low - 1
    span_x = max(len(values) - 1, 1)
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - 2 * PAD_Y

    def x(i: int) -> float:
        return PAD_LEFT + inner_w * i / span_x

    def y(v: Decimal) -> float:
        return PAD_Y + float((high - v) / (high - low)) * inner_h

    path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(values))
    if len(values) == 1:
        path = f"{PAD_LEFT:.1f},{y(values[0][1]):.1f} {WIDTH - PAD_RIGHT:.1f},{y(values[0][1]):.1f}"
    parts = [f'<svg class="chart {escape(css_class)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(label)}" preserveAspectRatio="none">',
             f'<text class="axis" x="4" y="{PAD_Y + 4}">{escape(_money(high))}</text>',
             f'<text class="axis" x="4" y="{HEIGHT - PAD_Y + 4}">{escape(_money(low))}</text>',
             f'<line class="frame" x1="{PAD_LEFT}" y1="{PAD_Y}" x2="{PAD_LEFT}" y2="{HEIGHT - PAD_Y}"/>']
    if zero_line and low < 0 < high:
        parts.append(f'<line class="zero" x1="{PAD_LEFT}" y1="{y(Decimal(0)):.1f}" x2="{WIDTH - PAD_RIGHT}" '
                     f'y2="{y(Decimal(0)):.1f}"/>')
    parts.append(f'<polyline class="line" points="{path}"/>')
    parts.append(f'<text class="axis" x="{PAD_LEFT}" y="{HEIGHT - 2}">{escape(values[0][0][11:19])}</text>')
    parts.append(f'<text class="axis end" x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 2}" text-anchor="end">'
                 f'{escape(values[-1][0][11:19])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _dec(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"
