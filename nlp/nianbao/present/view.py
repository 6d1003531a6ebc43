"""A self-contained HTML page to review one report's extraction (``nianbao view``).

One file, no network: inline CSS and JS, system fonts. The report text is shown with
its sections, paragraphs (role/theme badges), entities and facts marked; Tables 2/3/4
are rebuilt from canonical keys (key in each cell's tooltip); failing checks outline
their cells and link to them; prose-vs-table conflicts link to both the fact in the
text and the table cell. Every piece of report text goes through ``html.escape``.

Stable hooks for tests and user styles: ``#report-header``, ``#report-text``,
``.section[data-section]``, ``.paragraph``, ``mark.ent[data-label]``,
``mark.fact[data-metric]``, ``table.table3 td[data-key="table3.new_requests.total"]``,
``.check-fail``, ``.conflict``, ``#warnings .warning``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from nianbao.errors import NianbaoError
from nianbao.resources import load_yaml
from nianbao.schema import Cell, Check, Merged, Report


def esc(s: object) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def cell_anchor(key: str) -> str:
    """Element id of a table cell (dots are awkward in CSS selectors)."""
    return "cell-" + key.replace(".", "__")


def text_cell_anchor(key: str) -> str:
    return "txt-" + key.replace(".", "__")


def _hue(label: str) -> int:
    return int(hashlib.sha1(label.encode("utf-8")).hexdigest()[:4], 16) % 360


def _num(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _short(metric: str) -> str:
    return metric.removeprefix("narrative.")


# --- text with nested marks ---------------------------------------------------------------


@dataclass
class _Mark:
    start: int
    end: int
    level: int  # lower = outer (section < paragraph < warning/cell < fact < entity)
    open: str  # first opening tag (carries the id)
    frag: str  # opening tag of a continuation fragment (no id)
    close: str
    tail: str = ""  # html emitted inside the element just before its final close (a label)


def _nest(text: str, marks: Iterable[_Mark]) -> str:
    """Escape ``text`` and wrap the marks, splitting elements that cross so the HTML nests."""
    n = len(text)
    items = sorted((m for m in marks if 0 <= m.start < m.end <= n), key=lambda m: (m.start, m.level, -m.end))
    bounds = sorted({0, n, *(m.start for m in items), *(m.end for m in items)})
    out: list[str] = []
    stack: list[_Mark] = []
    i = 0
    pos = 0
    for b in bounds:
        out.append(esc(text[pos:b]))
        pos = b
        if any(m.end <= b for m in stack):
            reopen: list[_Mark] = []
            while any(m.end <= b for m in stack):
                m = stack.pop()
                if m.end <= b:
                    out.append(m.tail + m.close)
                else:
                    out.append(m.close)
                    reopen.append(m)
            for m in reversed(reopen):
                out.append(m.frag)
                stack.append(m)
        while i < len(items) and items[i].start == b:
            m = items[i]
            i += 1
            out.append(m.open)
            stack.append(m)
    while stack:  # marks are clipped to the text, so this only closes zero-length leftovers
        m = stack.pop()
        out.append(m.tail + m.close)
    return "".join(out)


def _attrs(d: dict[str, object]) -> str:
    return "".join(f' {k}="{esc(v)}"' for k, v in d.items() if v is not None)


def _text_marks(report: Report, fails: dict[str, list[int]], conflict_spans: set[tuple[int, int]]) -> list[_Mark]:
    marks: list[_Mark] = []
    for sec in report.sections:
        a = {"class": "section", "data-section": sec.key, "data-title": sec.title}
        marks.append(_Mark(sec.start, sec.end, 0, f'<div id="sec-{esc(sec.key)}"{_attrs(a)}>',
                           f"<div{_attrs({**a, 'class': 'section frag'})}>", "</div>"))
    for i, p in enumerate(report.paragraphs):
        a = {"class": f"paragraph role-{p.role or 'none'}", "data-role": p.role or "", "data-themes": ",".join(p.themes),
             "data-section": p.section or ""}
        badges = [f'<span class="badge role role-{esc(p.role)}">{esc(p.role)}</span>'] if p.role else []
        badges += [f'<span class="badge theme" title="{esc(f"{t}: {p.scores[t]:.2f}" if t in p.scores else t)}">'
                   f"{esc(t)}</span>" for t in p.themes]
        head = f'<span class="badges" aria-hidden="true">{"".join(badges)}</span>' if badges else ""
        marks.append(_Mark(p.start, p.end, 1, f'<span id="para-{i}"{_attrs(a)}>{head}',
                           f"<span{_attrs({**a, 'class': a['class'] + ' frag'})}>", "</span>"))
    for i, w in enumerate(report.warnings):
        if w.start is not None and w.end is not None:
            a = {"class": "warn-mark", "title": f"{w.code}: {w.message}"}
            marks.append(_Mark(w.start, w.end, 2, f'<span id="warn-{i}"{_attrs(a)}>', f"<span{_attrs(a)}>", "</span>"))
    for key, c in report.tables.items():
        if c.start is None or c.end is None:
            continue
        cls = "cellref" + (" check-fail" if key in fails else "")
        a = {"class": cls, "data-key": key, "title": f"{key} = {_num(c.value)} ({c.status})"}
        marks.append(_Mark(c.start, c.end, 2, f'<a id="{text_cell_anchor(key)}" href="#{cell_anchor(key)}"{_attrs(a)}>',
                           f'<a href="#{cell_anchor(key)}"{_attrs(a)}>', "</a>"))
    for i, f in enumerate(report.facts):
        conflict = (f.start, f.end) in conflict_spans
        tip = f"{f.metric} = {_num(f.value)}{' ' + f.unit if f.unit else ''} ({f.qualifier})"
        a = {"class": "fact" + (" conflict-mark" if conflict else ""), "data-metric": f.metric,
             "data-value": _num(f.value), "data-unit": f.unit, "data-qualifier": f.qualifier, "title": tip,
             "style": f"--h:{_hue(f.metric)}"}
        marks.append(_Mark(f.start, f.end, 3, f'<mark id="fact-{i}"{_attrs(a)}>', f"<mark{_attrs({**a, 'title': tip})}>",
                           "</mark>", f'<span class="lbl">{esc(_short(f.metric))}</span>'))
    for i, e in enumerate(report.entities):
        a = {"class": "ent", "data-label": e.label, "title": e.label, "style": f"--h:{_hue(e.label)}"}
        marks.append(_Mark(e.start, e.end, 4, f'<mark id="ent-{i}"{_attrs(a)}>', f"<mark{_attrs(a)}>", "</mark>",
                           f'<span class="lbl">{esc(e.label)}</span>'))
    return marks


# --- tables ---------------------------------------------------------------------------------


def _cell_td(key: str, cell: Cell | None, fails: dict[str, list[int]], conflicts: dict[str, list[str]]) -> str:
    if cell is None:
        return f'<td class="missing" data-key="{esc(key)}" title="{esc(key)}: not in this report"></td>'
    classes = ["cell", f"status-{cell.status}"]
    if key in fails:
        classes.append("check-fail")
    if key in conflicts:
        classes.append("conflict-cell")
    tip = [key, f"value: {_num(cell.value)}", f"raw: {cell.raw!r}", f"status: {cell.status}"]
    if cell.unit:
        tip.append(f"unit: {cell.unit}")
    if cell.raw_label:
        tip.append(f"label: {cell.raw_label}")
    if cell.candidates:
        tip.append("candidates: " + ", ".join(_num(v) for v in cell.candidates))
    if key in fails:
        tip.append("failing checks: " + ", ".join(f"#{i}" for i in fails[key]))
    if key in conflicts:
        tip.append("conflicts with text: " + ", ".join(conflicts[key]))
    shown = _num(cell.value) if cell.value is not None else (cell.raw or "")
    inner = esc(shown) if cell.start is None else f'<a href="#{text_cell_anchor(key)}">{esc(shown)}</a>'
    a = {"id": cell_anchor(key), "class": " ".join(classes), "data-key": key, "data-status": cell.status,
         "data-checks": ",".join(str(i) for i in fails.get(key, [])) or None, "title": "\n".join(tip)}
    return f"<td{_attrs(a)}>{inner}</td>"


def _tables_html(report: Report, fails: dict[str, list[int]], conflicts: dict[str, list[str]]) -> str:
    layout = load_yaml("view.yaml")["tables"]
    parts: list[str] = []
    shown: set[str] = set()
    for tname, spec in layout.items():
        rows = [(r, lbl) for r, lbl in spec["rows"] if any(f"{tname}.{r}.{c}" in report.tables for c, _ in spec["columns"])]
        cols = [(c, lbl) for c, lbl in spec["columns"] if any(f"{tname}.{r}.{c}" in report.tables for r, _ in rows)]
        if not rows:
            why = "not found in this report"
            if report.format_id == "legacy_2008":  # the 2008–2018 reports have no such table, only the annex
                why = "not part of the 2008–2018 format" + (" (see the statistics annex below)" if report.legacy_stats else "")
            parts.append(f'<div class="table-block" id="{tname}"><h3>{esc(spec["title"])}</h3>'
                         f'<p class="empty">{esc(why)}</p></div>')
            continue
        head = "".join(f'<th title="{esc(c)}">{esc(lbl)}</th>' for c, lbl in cols)
        body = []
        for r, rlbl in rows:
            tds = []
            for c, _ in cols:
                key = f"{tname}.{r}.{c}"
                shown.add(key)
                tds.append(_cell_td(key, report.tables.get(key), fails, conflicts))
            body.append(f'<tr data-row="{esc(r)}"><th scope="row" title="{esc(tname + "." + r)}">{esc(rlbl)}</th>'
                        f'{"".join(tds)}</tr>')
        parts.append(f'<div class="table-block" id="{tname}"><h3>{esc(spec["title"])}</h3>'
                     f'<div class="scroll"><table class="grid {tname}"><thead><tr><th></th>{head}</tr></thead>'
                     f'<tbody>{"".join(body)}</tbody></table></div></div>')
    parts.append(_legacy_html(report))
    rest = sorted(k for k in report.tables if k not in shown)
    if rest:
        rows_html = "".join(f'<tr><th scope="row">{esc(k)}</th>{_cell_td(k, report.tables[k], fails, conflicts)}</tr>'
                            for k in rest)
        parts.append(f'<div class="table-block" id="other-cells"><h3>Other cells</h3>'
                     f'<table class="grid other-cells"><tbody>{rows_html}</tbody></table></div>')
    return "".join(parts)


def _legacy_html(report: Report) -> str:
    """The 2008–2018 statistics annex: one row per indicator, one column per period, cells linked to the text."""
    if not report.legacy_stats:
        return ""
    periods: list[str] = []
    rows: dict[tuple[str, str], dict[str, dict[str, object]]] = {}
    for e in report.legacy_stats:
        period = str(e.get("column") or "")
        if period not in periods:
            periods.append(period)
        rows.setdefault((str(e.get("label") or ""), str(e.get("unit") or "")), {})[period] = dict(e)
    head = "".join(f"<th>{esc(p)}</th>" for p in periods)
    body = []
    for i, ((lbl, unit), vals) in enumerate(rows.items()):
        tds = []
        for j, p in enumerate(periods):
            e = vals.get(p)
            if e is None:
                tds.append('<td class="missing"></td>')
                continue
            status = str(e.get("status") or "ok")
            shown = _num(e.get("value")) if e.get("value") is not None else str(e.get("raw") or "")
            tip = [f"{lbl} · {p}", f"raw: {e.get('raw')!r}", f"status: {status}"]
            if e.get("candidates"):
                tip.append(f"candidates: {e.get('candidates')}")
            start, end = e.get("start"), e.get("end")
            inner = esc(shown)
            if isinstance(start, int) and isinstance(end, int):
                inner = f'<a href="#legacy-txt-{i}-{j}">{esc(shown)}</a>'
            a = {"id": f"legacy-{i}-{j}", "class": f"cell status-{status}", "data-status": status,
                 "data-label": lbl, "data-period": p, "title": "\n".join(tip)}
            tds.append(f"<td{_attrs(a)}>{inner}</td>")
        body.append(f'<tr><th scope="row">{esc(lbl)}</th><td class="unit">{esc(unit)}</td>{"".join(tds)}</tr>')
    return (f'<div class="table-block" id="legacy-stats"><h3>统计表 (2008–2018 statistics annex)</h3>'
            f'<div class="scroll"><table class="grid legacy"><thead><tr><th></th><th>单位</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div></div>')


def _legacy_marks(report: Report) -> list[_Mark]:
    """Text anchors of the annex values, so table cells link to where they were read."""
    index: dict[tuple[str, str], int] = {}
    periods: list[str] = []
    marks: list[_Mark] = []
    for e in report.legacy_stats:
        period = str(e.get("column") or "")
        if period not in periods:
            periods.append(period)
        i = index.setdefault((str(e.get("label") or ""), str(e.get("unit") or "")), len(index))
        start, end = e.get("start"), e.get("end")
        if isinstance(start, int) and isinstance(end, int):
            j = periods.index(period)
            a = {"class": "cellref legacyref", "title": f"{e.get('label')} · {period} = {_num(e.get('value'))}"}
            marks.append(_Mark(start, end, 2, f'<a id="legacy-txt-{i}-{j}" href="#legacy-{i}-{j}"{_attrs(a)}>',
                               f'<a href="#legacy-{i}-{j}"{_attrs(a)}>', "</a>"))
    return marks


# --- side panels -----------------------------------------------------------------------------


def _key_link(key: str, report: Report) -> str:
    if key in report.tables:
        return f'<a class="to-cell" href="#{cell_anchor(key)}">{esc(key)}</a>'
    return f"<code>{esc(key)}</code>"


def _fold(links: list[str], keep: int = 4) -> str:
    """Long key lists (a column sum names 20+ cells) fold behind a <details>."""
    if len(links) <= keep + 1:
        return " ".join(links)
    return (" ".join(links[:keep]) + f'<details><summary>{len(links) - keep} more</summary>'
            + " ".join(links[keep:]) + "</details>")


def _checks_html(report: Report, failing: list[tuple[int, Check]], fact_ids: dict[tuple[int, int], list[int]]) -> str:
    status_counts: dict[str, int] = {}
    for c in report.checks:
        status_counts[c.status] = status_counts.get(c.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(status_counts.items())) or "no checks"
    items = []
    for i, c in failing:
        links = [_key_link(k, report) for k in c.keys]
        if c.cause == "text_vs_table" and c.keys:
            m = report.merged.get(c.keys[0])
            if m is not None:
                links += [f'<a class="to-fact" href="#fact-{j}">{esc(report.facts[j].raw or "fact")}</a>'
                          for ev in m.evidence for j in fact_ids.get(ev, [])]
        nums = f"{_num(c.left)} vs {_num(c.right)}" + (f" (Δ {_num(c.delta)})" if c.delta is not None else "")
        items.append(
            f'<li id="check-{i}" class="check check-fail sev-{esc(c.severity)}" data-check-id="{esc(c.id)}">'
            f'<div class="check-head"><span class="badge sev">{esc(c.severity)}</span> <code>{esc(c.id)}</code>'
            f'{" · " + esc(c.cause) if c.cause else ""}</div>'
            f'<div class="rule">{esc(c.rule)}</div><div class="nums">{esc(nums)}</div>'
            f'{"<div class=msg>" + esc(c.message) + "</div>" if c.message else ""}'
            f'<div class="links">{_fold(links)}</div></li>')
    body = f'<ol class="checks">{"".join(items)}</ol>' if items else ('<p class="empty">none fail</p>' if report.checks else "")
    return f'<section id="checks" class="panel"><h2>Failing checks</h2><p class="muted">{esc(summary)}</p>{body}</section>'


def _conflicts_html(report: Report, fact_ids: dict[tuple[int, int], list[int]],
                    cell_by_span: dict[tuple[int, int], str]) -> str:
    items = []
    for metric, m in report.merged.items():
        if not m.conflict:
            continue
        facts = []
        bad = set(_contradicted(report, m, fact_ids))
        for ev in m.evidence:
            for j in fact_ids.get(ev, []):
                f = report.facts[j]
                cls = "to-fact contradicted" if ev in bad else "to-fact"
                facts.append(f'<a class="{cls}" href="#fact-{j}" title="{esc(f.qualifier)}">{esc(f.raw or _num(f.value))}</a>')
        keys = [k.strip() for k in (m.table_key or "").split("+") if k.strip()]
        cells = [_key_link(k, report) for k in keys]
        in_text = [f'<a class="to-text-cell" href="#{text_cell_anchor(k)}">{esc(k.split(".")[1])}</a>'
                   for ev in m.evidence if (k := cell_by_span.get(ev)) is not None]
        items.append(
            f'<li class="conflict" id="conflict-{esc(metric)}" data-metric="{esc(metric)}">'
            f'<div><code>{esc(metric)}</code></div>'
            f'<div>text: {" ".join(facts) or esc(_num(m.prose_value))}</div>'
            f'<div>table: <b>{esc(_num(m.table_value))}</b> = {" + ".join(cells)}'
            f'{" · in text: " + " ".join(in_text) if in_text else ""}</div></li>')
    none = '<p class="empty">no conflicts between text and tables</p>'
    body = f'<ul class="conflicts">{"".join(items)}</ul>' if items else none
    return f'<section id="conflicts" class="panel"><h2>Text vs tables</h2>{body}</section>'


def _merged_html(report: Report) -> str:
    if not report.merged:
        return '<section id="merged" class="panel"><h2>Merged metrics</h2><p class="empty">none</p></section>'
    rows = []
    for metric, m in sorted(report.merged.items()):
        cls = "merged-row conflict-row" if m.conflict else "merged-row"
        rows.append(f'<tr class="{cls}" data-metric="{esc(metric)}"><td><code>{esc(_short(metric))}</code></td>'
                    f"<td>{esc(_num(m.value))}</td><td>{esc(m.source)}</td><td>{esc(_num(m.table_value))}</td>"
                    f"<td>{esc(_num(m.prose_value))}</td><td>{'⚠' if m.conflict else ''}</td></tr>")
    return ('<section id="merged" class="panel"><h2>Merged metrics</h2><table class="list"><thead><tr><th>metric</th>'
            "<th>value</th><th>source</th><th>table</th><th>text</th><th></th></tr></thead>"
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def _facts_html(report: Report) -> str:
    if not report.facts:
        return '<section id="facts" class="panel"><h2>Facts</h2><p class="empty">none</p></section>'
    rows = "".join(
        f'<tr><td><a href="#fact-{i}"><code>{esc(_short(f.metric))}</code></a></td><td>{esc(_num(f.value))}</td>'
        f"<td>{esc(f.unit)}</td><td>{esc(f.qualifier)}</td><td>{esc(f.section)}</td></tr>"
        for i, f in sorted(enumerate(report.facts), key=lambda t: t[1].start))
    return ('<section id="facts" class="panel"><h2>Facts</h2><table class="list"><thead><tr><th>metric</th><th>value</th>'
            f"<th>unit</th><th>qualifier</th><th>section</th></tr></thead><tbody>{rows}</tbody></table></section>")


def _warnings_html(report: Report) -> str:
    if not report.warnings:
        return '<section id="warnings" class="panel"><h2>Warnings</h2><p class="empty">none</p></section>'
    items = []
    for i, w in enumerate(report.warnings):
        where = f' <a href="#warn-{i}">in text</a>' if w.start is not None and w.end is not None else ""
        items.append(f'<li class="warning" data-code="{esc(w.code)}"><code>{esc(w.code)}</code> {esc(w.message)}{where}</li>')
    return f'<section id="warnings" class="panel"><h2>Warnings</h2><ul>{"".join(items)}</ul></section>'


def _header_html(report: Report, text_len: int) -> str:
    fields = [("issuer", report.issuer), ("year", report.year), ("format", report.format_id), ("script", report.script),
              ("media", report.media_type), ("source", report.source), ("sha256", report.sha256)]
    dl = "".join(f'<div class="kv" data-field="{k}"><dt>{k}</dt><dd>{esc(v if v is not None else "—")}</dd></div>'
                 for k, v in fields)
    n_fail = sum(1 for c in report.checks if c.status == "fail")
    n_conf = sum(1 for m in report.merged.values() if m.conflict)
    counts = [("sections", len(report.sections)), ("cells", len(report.tables)), ("facts", len(report.facts)),
              ("entities", len(report.entities)), ("paragraphs", len(report.paragraphs)), ("failing checks", n_fail),
              ("conflicts", n_conf), ("warnings", len(report.warnings)), ("characters", text_len)]
    chips = "".join(f'<span class="chip" data-count="{esc(k)}"><b>{v}</b> {esc(k)}</span>' for k, v in counts)
    title = " · ".join(str(x) for x in (report.issuer, report.year) if x) or Path(report.source).name
    return (f'<header id="report-header"><h1>{esc(title)}</h1><dl>{dl}</dl><div class="chips">{chips}</div>'
            '<div id="controls"><label><input type="checkbox" data-toggle="hide-ents"> hide entities</label>'
            '<label><input type="checkbox" data-toggle="hide-facts"> hide facts</label>'
            '<label><input type="checkbox" data-toggle="hide-badges"> hide badges</label>'
            '<label><input type="checkbox" data-toggle="hide-labels"> hide labels</label>'
            '<span id="js-summary"></span></div><div id="legend"></div></header>')


_CSS = """
:root{--fg:#1b1f24;--muted:#5b6570;--line:#d9dee3;--bg:#fff;--panel:#f7f8fa;--fail:#d1242f;--warn:#bf8700}
*{box-sizing:border-box}
body{margin:0;font:14px/1.6 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",
"WenQuanYi Zen Hei",sans-serif;
color:var(--fg);background:var(--bg)}
#report-header{padding:12px 20px;border-bottom:1px solid var(--line);background:var(--panel)}
#report-header h1{margin:0 0 6px;font-size:20px}
#report-header dl{display:flex;flex-wrap:wrap;gap:4px 18px;margin:0}
.kv{display:flex;gap:6px;min-width:0}.kv dt{color:var(--muted)}.kv dd{margin:0;overflow-wrap:anywhere}
.kv[data-field=sha256] dd{font-family:ui-monospace,monospace;font-size:12px}
.chips{margin-top:6px;display:flex;flex-wrap:wrap;gap:6px}
.chip{background:#fff;border:1px solid var(--line);border-radius:12px;padding:0 8px;font-size:12px}
#controls{margin-top:6px;font-size:12px;color:var(--muted);display:flex;gap:12px;flex-wrap:wrap}
#legend{margin-top:4px;display:flex;gap:6px;flex-wrap:wrap;font-size:11px}
#legend .key{border-radius:3px;padding:0 5px;background:hsl(var(--h) 80% 88%)}
main{display:grid;grid-template-columns:minmax(0,58fr) minmax(0,42fr);gap:16px;padding:12px 20px}
@media (max-width:900px){main{grid-template-columns:1fr}}
h2{font-size:16px;margin:0 0 6px}h3{font-size:14px;margin:10px 0 4px}
#report-text{white-space:pre-wrap;word-break:break-word;line-height:2;font-size:15px}
.section{border-left:3px solid var(--line);padding-left:10px;margin:6px 0;position:relative}
.section::before{content:attr(data-section);display:block;font-size:11px;color:var(--muted);
font-family:ui-monospace,monospace;line-height:1.2}
.section.frag::before{content:none}
.paragraph{border-radius:3px}.paragraph:hover{background:#f3f6fa}
.paragraph.role-problem{box-shadow:inset 0 -2px 0 #f4b4b4}
.paragraph.role-measure,.paragraph.role-plan{box-shadow:inset 0 -2px 0 #b4d3f4}
.badges{white-space:nowrap;user-select:none;margin-right:4px}
.badge{display:inline-block;font-size:10px;line-height:16px;padding:0 5px;border-radius:8px;margin-right:3px;
background:#eef1f4;color:#333;vertical-align:1px}
.badge.role-achievement{background:#dcf5e3}.badge.role-problem{background:#ffe0e0}.badge.role-measure{background:#e0ecff}
.badge.role-plan{background:#efe3ff}.badge.theme{background:#fff4d6}
mark{color:inherit;border-radius:4px;padding:1px 2px}
mark .lbl{font-size:9px;font-weight:600;margin-left:3px;padding:0 3px;border-radius:3px;vertical-align:1px;
text-transform:none;background:rgba(255,255,255,.75);user-select:none;white-space:nowrap}
mark.ent{background:hsl(var(--h) 80% 88%)}
mark.fact{background:hsl(var(--h) 70% 92%);border:1px solid hsl(var(--h) 55% 55%)}
mark.fact.conflict-mark{border:2px solid var(--fail)}
.cellref{color:inherit;text-decoration:none;border-bottom:1px dotted #9aa5b1}
.cellref.check-fail{outline:2px solid var(--fail);outline-offset:1px;border-radius:2px}
.warn-mark{text-decoration:wavy underline var(--warn)}
body.hide-ents mark.ent{background:none;padding:0}body.hide-ents mark.ent .lbl{display:none}
body.hide-facts mark.fact{background:none;border:0;padding:0}body.hide-facts mark.fact .lbl{display:none}
body.hide-badges .badges{display:none}body.hide-labels mark .lbl{display:none}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px 12px;margin-bottom:12px}
.empty,.muted{color:var(--muted)}
.scroll{overflow-x:auto}
table.grid{border-collapse:collapse;font-size:12px;background:#fff}
table.grid th,table.grid td{border:1px solid var(--line);padding:2px 6px;text-align:right;white-space:nowrap}
table.grid th[scope=row]{text-align:left;font-weight:normal;max-width:16em;overflow:hidden;text-overflow:ellipsis}
table.grid thead th{font-weight:600;font-size:11px;white-space:normal;min-width:3.5em}
table.grid td a{color:inherit;text-decoration:none}
td.missing{background:repeating-linear-gradient(45deg,#fafafa,#fafafa 4px,#f0f0f0 4px,#f0f0f0 8px)}
td.status-blank{color:var(--muted)}td.status-blank::after{content:"∅";color:#aab}
td.status-unparsable,td.status-ambiguous{background:#fff3cd}td.status-assumed_zero{color:var(--muted);font-style:italic}
td.check-fail{outline:2px solid var(--fail);outline-offset:-2px;background:#fff0f0}
td.conflict-cell{box-shadow:inset 0 0 0 2px var(--warn)}
ol.checks{padding-left:20px;margin:0}
li.check{margin-bottom:8px}.check-head code{font-weight:600}
.sev{background:#ffe0e0}.sev-warning .sev{background:#fff4d6}
.rule{font-family:ui-monospace,monospace;font-size:11px;color:var(--muted);overflow-wrap:anywhere}
.links a,.conflict a{margin-right:6px}.links details{display:inline}.links summary{cursor:pointer;color:var(--muted)}
a.contradicted{color:var(--fail);font-weight:600}
li.conflict{margin-bottom:6px;border-left:3px solid var(--fail);padding-left:8px;list-style:none}
ul.conflicts{padding:0;margin:0}
table.list{border-collapse:collapse;font-size:12px;width:100%}
table.list td,table.list th{border-bottom:1px solid var(--line);padding:1px 4px;text-align:left}
tr.conflict-row{background:#fff0f0}
.flash{animation:flash 1.6s ease-out}
@keyframes flash{0%{box-shadow:0 0 0 4px #ffd33d}100%{box-shadow:0 0 0 0 transparent}}
.linked{outline:2px dashed #0969da!important}
"""

_JS = """
(function(){
  var body=document.body;
  document.querySelectorAll('#controls input[data-toggle]').forEach(function(cb){
    cb.addEventListener('change',function(){body.classList.toggle(cb.dataset.toggle,cb.checked);});
  });
  function flash(id){var el=document.getElementById(id);if(!el)return;el.classList.remove('flash');
    void el.offsetWidth;el.classList.add('flash');}
  window.addEventListener('hashchange',function(){flash(decodeURIComponent(location.hash.slice(1)));});
  if(location.hash)flash(decodeURIComponent(location.hash.slice(1)));
  function link(sel,on){document.querySelectorAll(sel).forEach(function(el){el.classList.toggle('linked',on);});}
  document.querySelectorAll('[data-key]').forEach(function(el){
    var k=el.getAttribute('data-key'),sel='[data-key="'+k.replace(/"/g,'')+'"]';
    el.addEventListener('mouseenter',function(){link(sel,true);});
    el.addEventListener('mouseleave',function(){link(sel,false);});
  });
  var labels={};
  document.querySelectorAll('mark.ent').forEach(function(m){labels[m.dataset.label]=m.style.getPropertyValue('--h');});
  var legend=document.getElementById('legend');
  Object.keys(labels).sort().forEach(function(l){var s=document.createElement('span');s.className='key';
    s.style.setProperty('--h',labels[l]);s.textContent=l;legend.appendChild(s);});
  var n=function(s){return document.querySelectorAll(s).length;};
  document.getElementById('js-summary').textContent=n('mark.fact[id]')+' facts · '+n('mark.ent[id]')+' entities · '+
    n('td.check-fail')+' cells in failing checks · '+n('li.conflict')+' conflicts';
  document.documentElement.setAttribute('data-ready','1');
})();
"""


def _contradicted(report: Report, m: Merged, fact_ids: dict[tuple[int, int], list[int]]) -> list[tuple[int, int]]:
    """Spans of the facts of a conflicting metric that the table value contradicts."""
    from nianbao.stages.merge import agrees, settings

    out = []
    for ev in m.evidence:
        for j in fact_ids.get(ev, []):
            f = report.facts[j]
            if m.table_value is None or not isinstance(f.value, int | float) or isinstance(f.value, bool):
                continue
            if not agrees(f, m.table_value, settings()):
                out.append(ev)
    return out


def render(report: Report, text: str) -> str:
    """The review page for ``report`` over ``text`` (the text its offsets refer to)."""
    failing = [(i, c) for i, c in enumerate(report.checks) if c.status == "fail"]
    fails: dict[str, list[int]] = {}
    for i, c in failing:
        for k in c.keys:
            fails.setdefault(k, []).append(i)
    fact_ids: dict[tuple[int, int], list[int]] = {}
    for j, f in enumerate(report.facts):
        fact_ids.setdefault((f.start, f.end), []).append(j)
    cell_by_span = {(c.start, c.end): k for k, c in report.tables.items() if c.start is not None and c.end is not None}
    conflict_spans: set[tuple[int, int]] = set()
    conflicts: dict[str, list[str]] = {}
    for metric, m in report.merged.items():
        if m.conflict:
            conflict_spans.update(_contradicted(report, m, fact_ids))
            for k in (m.table_key or "").split("+"):
                if k.strip():
                    conflicts.setdefault(k.strip(), []).append(metric)
    body_text = _nest(text, [*_text_marks(report, fails, conflict_spans), *_legacy_marks(report)])
    title = " ".join(str(x) for x in (report.issuer, report.year) if x) or Path(report.source).name
    meta = json.dumps({"source": report.source, "sha256": report.sha256, "format_id": report.format_id},
                      ensure_ascii=False).replace("</", "<\\/")
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{esc(title)} — nianbao review</title><style>{_CSS}</style></head><body>"
        f"{_header_html(report, len(text))}"
        '<main><div id="text-pane"><h2>Text</h2>'
        f'<div id="report-text" lang="zh">{body_text}</div></div>'
        f'<div id="side-pane">{_conflicts_html(report, fact_ids, cell_by_span)}{_checks_html(report, failing, fact_ids)}'
        f'<section id="tables" class="panel"><h2>Tables</h2>{_tables_html(report, fails, conflicts)}</section>'
        f"{_merged_html(report)}{_facts_html(report)}{_warnings_html(report)}</div></main>"
        f'<script type="application/json" id="report-meta">{meta}</script>'
        f"<script>{_JS}</script></body></html>\n")


def write_view(path: Path, out: Path, force: bool = False) -> None:
    """Extract ``path`` and write its review page to ``out`` (never overwrites without ``force``)."""
    from nianbao.io.readers import read
    from nianbao.pipeline import process

    out = Path(out)
    if out.exists() and not force:
        raise NianbaoError(str(out), "output exists; use --force to overwrite")
    if out.exists() and out.is_dir():
        raise NianbaoError(str(out), "output is a folder; give an HTML file name")
    if not out.parent.is_dir():
        raise NianbaoError(str(out), f"folder {out.parent} does not exist")
    doc = read(path)  # ReadError propagates: the CLI prints it as one line
    _write_atomic(out, render(process(doc), doc.text))


def _page_name(report: Report, used: set[str]) -> str:
    """A stable file name per report: the source file's stem plus the content hash prefix."""
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in Path(report.source).stem)[:60] or "report"
    name = f"{stem}-{report.sha256[:8]}.html"
    k = 2
    while name in used:
        name = f"{stem}-{report.sha256[:8]}-{k}.html"
        k += 1
    used.add(name)
    return name


def write_site(folder: Path, out: Path, force: bool = False, fail: Callable[[str, str], None] | None = None,
               ) -> tuple[int, int]:
    """One review page per report under ``folder`` (recursively) and ``out/index.html`` linking them all.

    Identical files are rendered once. Returns (pages written, inputs that failed); a failing input is
    reported through ``fail`` and listed on the index page.
    """
    from nianbao.io.inputs import expand_inputs, group_by_content
    from nianbao.io.readers import read
    from nianbao.pipeline import process

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NianbaoError(str(out), "is a file; give a folder for the site")
    if (out / "index.html").exists() and not force:
        raise NianbaoError(str(out), "output exists; use --force to overwrite")
    out.mkdir(parents=True, exist_ok=True)
    rows: list[str] = []
    failed: list[tuple[str, str]] = []
    used: set[str] = set()
    for _, group in group_by_content(expand_inputs([Path(folder)])):
        path = group[0]
        try:
            doc = read(path)
            report = process(doc)
        except NianbaoError as exc:
            failed.append((str(path), exc.reason))
            if fail is not None:
                fail(str(path), exc.reason)
            continue
        report.sources = [str(p) for p in group]
        name = _page_name(report, used)
        _write_atomic(out / name, render(report, doc.text))
        n_fail = sum(1 for c in report.checks if c.status == "fail")
        rows.append(f'<tr data-format="{esc(report.format_id)}"><td><a href="{esc(name)}">{esc(report.issuer or "—")}</a></td>'
                    f"<td>{esc(report.year or '')}</td><td>{esc(report.format_id)}</td><td>{len(report.tables)}</td>"
                    f"<td>{len(report.legacy_stats)}</td><td>{len(report.facts)}</td>"
                    f'<td class="{"fail" if n_fail else ""}">{n_fail}</td>'
                    f"<td>{'<br>'.join(esc(Path(s).name) for s in report.sources)}</td></tr>")
    fail_html = "".join(f"<li><code>{esc(s)}</code>: {esc(r)}</li>" for s, r in failed)
    page = ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>nianbao review: {esc(Path(folder).name)}</title><style>{_CSS}"
            "table.index{border-collapse:collapse}table.index td,table.index th{border-bottom:1px solid var(--line);"
            "padding:2px 8px;text-align:left}td.fail{color:var(--fail);font-weight:600}</style></head><body>"
            f'<header id="report-header"><h1>{esc(Path(folder).name)}: {len(rows)} reports</h1></header>'
            '<main style="display:block">'
            '<table class="index" id="index"><thead><tr><th>issuer</th><th>year</th><th>format</th><th>cells</th>'
            "<th>annex values</th><th>facts</th><th>failing checks</th><th>files</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            + (f'<section id="failed" class="panel"><h2>Could not be read</h2><ul>{fail_html}</ul></section>' if failed else "")
            + "</main></body></html>\n")
    _write_atomic(out / "index.html", page)
    return len(rows), len(failed)


def _write_atomic(path: Path, page: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise NianbaoError(str(path), f"cannot write: {exc.strerror or exc}") from None
