"""Rendering a run comparison: a Markdown table and a standalone HTML page with an inline SVG
bar chart (no plotting library)."""

from __future__ import annotations

from html import escape

from evals.compare import Report


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _ci(ci: tuple[float, float] | None) -> str:
    return "–" if ci is None else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def _verdict(delta_ci: tuple[float, float] | None) -> str:
    if delta_ci is None:
        return ""
    if delta_ci[0] > 0:
        return "better"
    if delta_ci[1] < 0:
        return "worse"
    return "no clear change"


def render_markdown(report: Report) -> str:
    lines = [f"# Eval comparison: {report.run_a} → {report.run_b}", "",
             "| metric | A | A 95% CI | B | B 95% CI | Δ (B−A) | Δ 95% CI (bootstrap) | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    for m in report.metrics:
        lines.append(f"| {m.name} | {_fmt(m.a)} | {_ci(m.a_ci)} | {_fmt(m.b)} | {_ci(m.b_ci)} | "
                     f"{_fmt(m.delta)} | {_ci(m.delta_ci)} | {_verdict(m.delta_ci)} |")
    if report.prompts_changed:
        lines += ["", "## Prompts changed", ""]
        lines += [f"- {k}: {a} → {b}" for k, (a, b) in report.prompts_changed.items()]
    lines += ["", f"## Cases that changed ({len(report.cases)})", ""]
    lines += [f"- `{c.id}` ({c.kind}): {c.a_passed} → {c.b_passed}" for c in report.cases] or ["None."]
    return "\n".join(lines) + "\n"


def bar_chart_svg(report: Report, width: int = 720, row: int = 26) -> str:
    """Horizontal bars, A (grey) over B (blue), one pair per metric on a 0–1 scale."""
    label_w, bar_w = 230, width - 290
    height = row * 2 * len(report.metrics) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="metrics A vs B">']
    for i, m in enumerate(report.metrics):
        y = 20 + i * row * 2
        parts.append(f'<text x="0" y="{y + row - 8}" font-size="12">{escape(m.name)}</text>')
        for j, (value, colour, tag) in enumerate(((m.a, "#9e9e9e", "A"), (m.b, "#1f6feb", "B"))):
            w = int(bar_w * (value or 0.0))
            yy = y + j * (row - 6)
            parts.append(f'<rect x="{label_w}" y="{yy}" width="{w}" height="{row - 10}" fill="{colour}">'
                         f"<title>{tag} {escape(m.name)}: {_fmt(value)}</title></rect>")
            parts.append(f'<text x="{label_w + w + 4}" y="{yy + row - 12}" font-size="11">{tag} {_fmt(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: Report) -> str:
    rows = "".join(
        f"<tr><td>{escape(m.name)}</td><td>{_fmt(m.a)}</td><td>{_ci(m.a_ci)}</td><td>{_fmt(m.b)}</td>"
        f"<td>{_ci(m.b_ci)}</td><td>{_fmt(m.delta)}</td><td>{_ci(m.delta_ci)}</td><td>{_verdict(m.delta_ci)}</td></tr>"
        for m in report.metrics)
    cases = "".join(f"<li><code>{escape(c.id)}</code> ({escape(c.kind)}): {c.a_passed} → {c.b_passed}</li>"
                    for c in report.cases) or "<li>None.</li>"
    prompts = "".join(f"<li>{escape(k)}: {escape(str(a))} → {escape(str(b))}</li>"
                      for k, (a, b) in report.prompts_changed.items())
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Eval comparison {escape(report.run_a)} → {escape(report.run_b)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}</style>"
        f"</head><body><h1>Eval comparison</h1><p>A = {escape(report.run_a)}, B = {escape(report.run_b)}</p>"
        f"{bar_chart_svg(report)}"
        "<table><tr><th>metric</th><th>A</th><th>A 95% CI</th><th>B</th><th>B 95% CI</th><th>Δ</th>"
        f"<th>Δ 95% CI</th><th>verdict</th></tr>{rows}</table>"
        + (f"<h2>Prompts changed</h2><ul>{prompts}</ul>" if prompts else "")
        + f"<h2>Cases that changed ({len(report.cases)})</h2><ul>{cases}</ul></body></html>\n"
    )
