"""The spend-by-day chart as inline SVG: one bar per loaded date; a date with no data gets a gap mark
on the axis, never a zero bar; a day still moving (intraday) is a lighter bar labelled "so far". Amounts stay
Decimal; only the bar geometry is computed in floats."""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal
from html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM = 1000, 150, 70, 18


def spend_svg(
    dates: Sequence[date], cost: Mapping[date, Decimal], gap_dates: set[date], currency: str,
    *, so_far: Collection[date] = frozenset(),
) -> str:
    top = max(cost.values(), default=Decimal(0))
    step = (WIDTH - PAD_LEFT) / max(len(dates), 1)
    plot = HEIGHT - PAD_BOTTOM
    parts = [
        f'<svg class="spend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Spend by day, {escape(currency)}">',
        f'<line class="axis" x1="{PAD_LEFT}" y1="{plot}" x2="{WIDTH}" y2="{plot}"/>',
        f'<text class="tick" x="{PAD_LEFT - 6}" y="10" text-anchor="end">{_money(top)}</text>',
        f'<text class="tick" x="{PAD_LEFT - 6}" y="{plot}" text-anchor="end">0 {escape(currency)}</text>',
    ]
    for i, day in enumerate(dates):
        x = PAD_LEFT + i * step
        if day in cost:
            h = float(cost[day] / top) * (plot - 4) if top > 0 else 0.0
            partial = day in so_far
            parts.append(
                f'<rect class="bar{" sofar" if partial else ""}" x="{x + 1:.1f}" y="{plot - h:.1f}" '
                f'width="{max(step - 2, 1):.1f}" height="{h:.1f}"><title>{day}: {_money(cost[day])} '
                f'{escape(currency)}{" so far" if partial else ""}</title></rect>'
            )
        elif day in gap_dates:
            parts.append(
                f'<rect class="nodata" x="{x + 1:.1f}" y="{plot + 3}" width="{max(step - 2, 1):.1f}" height="6">'
                f"<title>{day}: no data</title></rect>"
            )
    for i, day in enumerate(dates):
        if day.day == 1:
            x = PAD_LEFT + i * step
            anchor = "end" if x > WIDTH - 40 else "start"
            parts.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 2}" text-anchor="{anchor}">{day:%b %-d}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,}"
