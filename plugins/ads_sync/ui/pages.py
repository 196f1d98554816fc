"""HTML for the view: Jinja2 templates (autoescaped) in ui/templates, the stylesheet inlined."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ads_sync.ui import chart, days

if TYPE_CHECKING:
    import jinja2

    from ads_sync.registry import Account
    from ads_sync.ui.data import AccountView
    from ads_sync.ui.rest import Triggered

HERE = Path(__file__).resolve().parent
ERROR_SHORT = 70


@cache
def _env() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.globals.update(css=(HERE / "templates" / "style.css").read_text(), labels=days.LABELS)
    env.filters.update(when=_when, short=_short, q=lambda v: quote(str(v), safe=""), duration=_duration)
    return env


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "–"


def _short(text: str | None, width: int = ERROR_SHORT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "–"
    seconds = int(value.total_seconds())
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def render(name: str, **context: Any) -> str:
    return _env().get_template(name).render(**context)


def dag_links(account: Account, root: str) -> list[tuple[str, str]]:
    from ads_sync.dag_factory import dag_id, kinds_for

    return [(kind.replace("_", " "), f"{root}/dags/{quote(dag_id(account, kind), safe='')}")
            for kind in kinds_for(account)]


def accounts_page(
    rows: Sequence[dict[str, Any]], *, root: str, platform: str, state: str, platforms: Sequence[str]
) -> str:
    shown = [r for r in rows if (not platform or r["platform"] == platform) and (not state or r["status"] == state)]
    states = sorted({r["status"] for r in rows})
    return render(
        "accounts.html", rows=shown, total=len(rows), root=root, platform=platform, state=state,
        platforms=platforms, states=states,
    )


def account_page(view: AccountView, *, root: str, may_act: bool, tab: bool) -> str:
    gap_set = {d.date for row in view.reports.values() for d in row if d.state == "gap"}
    svg = chart.spend_svg(view.dates, view.spend, gap_set, view.account.currency, so_far=view.so_far)
    return render(
        "account.html", v=view, a=view.account, row=view.row, root=root, may_act=may_act, tab=tab,
        dags=dag_links(view.account, root), spend_svg=svg,
        months=_months(view.dates),
    )


def _months(dates: Sequence[Any]) -> list[tuple[str, int]]:
    """(label, number of days) per month of the calendar, for its header row."""
    out: list[tuple[str, int]] = []
    for day in dates:
        label = f"{day:%b %Y}"
        if out and out[-1][0] == label:
            out[-1] = (label, out[-1][1] + 1)
        else:
            out.append((label, 1))
    return out


def actions_page(account: Account, what: str, dag_id: str, results: Sequence[Triggered], *, root: str) -> str:
    return render(
        "actions.html", a=account, what=what, dag_id=dag_id, results=results, root=root,
        dag_url=f"{root}/dags/{quote(dag_id, safe='')}",
    )


def message_page(title: str, text: str) -> str:
    return render("message.html", title=title, text=text)
