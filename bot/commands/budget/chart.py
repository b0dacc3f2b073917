"""The bar chart of `!budget diagram`: granted vs spent per insats, as a PNG. matplotlib
(with numpy and PIL, some 40 MiB and a second of start-up) is imported only when a chart
is drawn, so a bot that never draws one never loads it."""

from __future__ import annotations

import io

from storage.budget import YearTable

GRANTED = "#4C78A8"
SPENT = "#F58518"


def _thousands(value: float, _pos: int) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


def bar_chart(table: YearTable, title: str, bars: int = 30) -> bytes:
    """Horizontal bars, one pair per insats, biggest grant on top. Uses the object API
    (no pyplot), so it is safe in the worker threads commands run in."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    rows = list(reversed(table.rows[:bars]))  # rows come largest grant first
    height = max(3.0, 0.5 * len(rows) + 1.5)
    figure = Figure(figsize=(9, height), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = range(len(rows))
    granted = [r.granted_ore / 100 for r in rows]
    spent = [r.spent_ore / 100 for r in rows]
    axes.barh([p + 0.2 for p in positions], granted, height=0.4, color=GRANTED,
              label="Beviljat")
    axes.barh([p - 0.2 for p in positions], spent, height=0.4, color=SPENT, label="Utfall")
    axes.set_yticks(list(positions), [r.name for r in rows])
    axes.xaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.set_xlabel("kronor")
    axes.set_title(title)
    axes.legend(loc="best")
    axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
