"""Charts of the report, drawn by matplotlib (Agg, no display) as inline SVG: no file, no font or script
fetched when the page is opened, so the report works offline and prints the same in the PDF."""
from __future__ import annotations

import io

# SVG with the glyphs as paths: the chart looks the same on a machine without the font
_RC = {"svg.fonttype": "path", "svg.hashsalt": "sikkep", "font.size": 9, "axes.spines.top": False,
       "axes.spines.right": False}
BLUE, RED, GREEN, GREY, ORANGE = "#1f5f9e", "#c0392b", "#2e8b57", "#9aa5b1", "#e08e0b"


def _figure(height: float):
    from matplotlib.figure import Figure  # not pyplot: no global state, safe in a Dagster worker

    return Figure(figsize=(7.2, height), dpi=96, layout="constrained")


def _svg(fig, title: str) -> str:
    import matplotlib

    with matplotlib.rc_context(_RC):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    start = text.index("<svg")
    # a title inside the SVG: what a screen reader says
    head_end = text.index(">", start) + 1
    return (text[start:head_end].replace("<svg", f'<svg role="img" aria-label="{_attr(title)}"', 1)
            + text[head_end:])


def _attr(text: str) -> str:
    return str(text).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _num(v) -> float:
    return float(v) if v is not None else 0.0


def _bars(labels: list[str], series: list[tuple[str, list, str]], title: str, xlabel: str, *, stacked: bool,
          height: float) -> str:
    """Horizontal bars, labels top to bottom: one bar per label and series side by side, or stacked."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(height)
        ax = fig.add_subplot()
        width = 0.8 if stacked else 0.8 / max(len(series), 1)
        left = [0.0] * len(labels)
        for i, (name, values, color) in enumerate(series):
            vals = [_num(v) for v in values]
            offset = 0.0 if stacked else (i - (len(series) - 1) / 2) * width
            ax.barh([k + offset for k in range(len(labels))], vals, height=width, color=color, label=name,
                    left=left if stacked else None)
            if stacked:
                left = [a + b for a, b in zip(left, vals)]
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left", fontsize=10)
        ax.grid(axis="x", color="#e5e8eb")
        ax.set_axisbelow(True)
        if len(series) > 1:
            ax.legend(loc="lower right", frameon=False)
        return _svg(fig, title)


def horizontal_bars(labels: list[str], series: list[tuple[str, list, str]], title: str, xlabel: str) -> str:
    n = max(len(labels), 1) * max(len(series), 1)
    return _bars(labels, series, title, xlabel, stacked=False, height=min(1.2 + 0.17 * n, 11))


def stacked_bars(labels: list[str], series: list[tuple[str, list, str]], title: str, xlabel: str) -> str:
    return _bars(labels, series, title, xlabel, stacked=True, height=min(1.2 + 0.32 * max(len(labels), 1), 12))


def trend(periods: list[str], series: list[tuple[str, list, str]], title: str, ylabel: str) -> str:
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(2.8)
        ax = fig.add_subplot()
        for name, values, color in series:
            ax.plot(periods, [_num(v) for v in values], marker="o", color=color, label=name)
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left", fontsize=10)
        ax.grid(axis="y", color="#e5e8eb")
        ax.set_ylim(bottom=0)
        ax.legend(frameon=False)
        return _svg(fig, title)
