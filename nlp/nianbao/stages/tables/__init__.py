"""Stage ``tables``: Tables 2/3/4 of any layout → ``report.tables`` under the canonical keys of spec §5.

Pipeline inside the stage: locate each table (locate.py) → token stream from the text or from
the reader's grids (tokens.py) → rows by label, values by position (rows.py, with
run-together digit splitting in runtogether.py) → canonical cells → derived keys of spec §5.4
(derive.py: subtotal rows and column, 2021 (六)其他处理, litigation total; status ``derived``
unless the report prints them). The 2014–2018 statistics annex goes to ``report.legacy_stats``
(legacy.py).
"""

from __future__ import annotations

from nianbao.schema import Cell
from nianbao.stages.context import Context
from nianbao.stages.tables import legacy
from nianbao.stages.tables.derive import derive
from nianbao.stages.tables.identities import table_identities
from nianbao.stages.tables.locate import Window, locate, min_score, table4_end
from nianbao.stages.tables.rows import Fit, Obs, RowRead, cells_for, fit, read_rows, resolve_jointly
from nianbao.stages.tables.spec import FORMATS, TableSpec, all_keys, catalogue, format_markers
from nianbao.stages.tables.tokens import Tok, stream

__all__ = ["find_windows", "parse_table", "run", "table_format"]


def run(ctx: Context) -> None:
    """Fill ``ctx.report.tables`` and ``ctx.report.legacy_stats``; never raises on bad input."""
    try:
        _run(ctx)
    except Exception as exc:  # a table we cannot read must not stop the other stages
        ctx.warn("tables_failed", f"table parsing failed: {type(exc).__name__}: {exc}")
    try:
        legacy.run(ctx)
    except Exception as exc:
        ctx.warn("legacy_stats_failed", f"statistics annex parsing failed: {type(exc).__name__}: {exc}")


def _run(ctx: Context) -> None:
    windows = find_windows(ctx)
    if not windows and ctx.report.format_id not in FORMATS:
        return
    fmt = table_format(ctx, windows)
    ctx.report.meta["tables_format"] = fmt
    cells: dict[str, Cell] = {}
    for name, spec in catalogue().items():
        w = windows.get(name)
        if w is None:
            if ctx.report.format_id in FORMATS or windows:
                ctx.warn("table_not_found", f"{name} not found in the text")
            continue
        cells.update(parse_table(spec, fmt, stream(ctx, w.start, w.end)))
    for key in all_keys(fmt):
        if key not in cells:  # not setdefault: a Cell is only built for a key that lacks one
            cells[key] = Cell(status="absent")
    derive(cells, fmt)
    ctx.report.tables.update(cells)


def find_windows(ctx: Context) -> dict[str, Window]:
    """Normalised spans of Tables 2, 3 and 4 (missing tables are left out)."""
    text = ctx.norm.text
    cat = catalogue()
    out: dict[str, Window] = {}

    def best(spec: TableSpec, section: str, lo: int, hi: int) -> Window | None:
        span = ctx.section_span(section)
        w = None
        if span is not None and span[1] > span[0]:
            w = locate(text, spec, max(lo, span[0] - 50), min(hi, span[1] + 50))
        if w is None or w.score < min_score(spec):
            w = locate(text, spec, lo, hi)
        return w if w is not None and w.score >= min_score(spec) else None

    t3 = best(cat["table3"], "requests", 0, len(text))
    t4 = best(cat["table4"], "review_litigation", t3.start + 50 if t3 else 0, len(text))
    t2 = best(cat["table2"], "proactive", 0, t3.start if t3 else len(text))
    if t2:
        out["table2"] = Window(t2.start, min(t2.end, t3.start) if t3 else t2.end, t2.score)
    if t3:
        out["table3"] = Window(t3.start, min(t3.end, t4.start) if t4 else t3.end, t3.score)
    if t4:
        out["table4"] = Window(t4.start, table4_end(text, t4.start, t4.end), t4.score)
    return out


def table_format(ctx: Context, windows: dict[str, Window]) -> str:
    """gov_2019 or gov_2021 for the tables: header tokens first, then the segment's format, then the year."""
    text = ctx.norm.text
    if windows:
        lo = min(w.start for w in windows.values())
        hi = max(w.end for w in windows.values())
        scope = text[lo:hi]
    else:
        scope = text
    votes = {fmt: sum(len(p.findall(scope)) for p in pats) for fmt, pats in format_markers().items()}
    if votes["gov_2021"] != votes["gov_2019"]:
        fmt = max(votes, key=lambda f: votes[f])
        if ctx.report.format_id in FORMATS and ctx.report.format_id != fmt:
            ctx.warn("table_format_mismatch", f"tables look like {fmt}, report detected as {ctx.report.format_id}")
        return fmt
    if ctx.report.format_id in FORMATS:
        return ctx.report.format_id
    return "gov_2019" if ctx.report.year is not None and ctx.report.year < 2021 else "gov_2021"


def parse_table(spec: TableSpec, fmt: str, toks: list[Tok]) -> dict[str, Cell]:
    """Canonical cells of one table from its token stream."""
    if spec.single_row:
        return _single_row(spec, toks)
    spec = spec.with_columns(printed_columns(spec, toks))
    if toks and not any(t.is_value for t in toks):
        return _skeleton(spec, fmt, toks)
    reads = read_rows(spec, fmt, toks)
    read_keys = {r.row.key for r in reads if r.row is not None}
    reads = [r for r in reads if r.row is None or not _empty_group_header(r, spec, fmt, read_keys)]
    units = header_units(spec, toks)

    done: dict[int, tuple[Fit, dict[str, Cell]]] = {}  # per read: the fit its cells were made from

    def collect() -> dict[str, Cell]:
        out: dict[str, Cell] = {}
        for n, r in enumerate(reads):
            if n not in done or done[n][0] is not r.fit:  # only rows resolve_jointly re-fitted are rebuilt
                done[n] = (r.fit, cells_for(r, spec, fmt, header_units=units))
            out.update(done[n][1])
        return out

    cells = collect()
    if any(r.fit.status == "ambiguous" for r in reads):
        present = {k for k, c in cells.items() if c.status != "absent"}
        resolve_jointly(reads, spec, fmt, table_identities(fmt, present))
        cells = collect()
    read_keys = {r.row.key for r in reads if r.row is not None}
    for row in spec.rows_for(fmt):
        if spec.optional_row(row, fmt) and row.key not in read_keys:
            continue  # a subtotal row: derived from its children (spec §5.4)
        for c in spec.cols(row, fmt):
            key = spec.key(row, c)
            if key not in cells:
                cells[key] = Cell(status="absent")
    return cells


def _empty_group_header(read: RowRead, spec: TableSpec, fmt: str, read_keys: set[str]) -> bool:
    """A subtotal row label printed without any value while its sub-rows are printed: only a header."""
    assert read.row is not None
    children = spec.groups.get(read.row.key, ())
    return spec.optional_row(read.row, fmt) and not read.obs.numeric and any(c in read_keys for c in children)


def _header(toks: list[Tok]) -> list[Tok]:
    """Label tokens before the first number: the column header of the table."""
    first = next((i for i, t in enumerate(toks) if t.kind == "num"), len(toks))
    return [t for t in toks[:first] if t.kind == "label"]


def printed_columns(spec: TableSpec, toks: list[Tok]) -> tuple[str, ...]:
    """Optional columns (法人或其他组织小计) whose header the table prints."""
    head = _header(toks)
    return tuple(oc.key for oc in spec.optional_columns if any(oc.header.search(t.text) for t in head))


def header_units(spec: TableSpec, toks: list[Tok]) -> dict[str, str]:
    """Units printed in column headers ("采购总金额(万元)"), per column key."""
    out: dict[str, str] = {}
    for col, pat in spec.header_units.items():
        for t in toks:
            m = pat.search(t.text) if t.kind == "label" else None
            if m:
                out[col] = m.group(1)
                break
    return out


def _skeleton(spec: TableSpec, fmt: str, toks: list[Tok]) -> dict[str, Cell]:
    """A table printed without any value (seed 003): its printed rows are blank, never 0.

    Rows whose label is printed are blank; if no row label survived but empty placeholder
    cells did, the whole table is an empty grid and every row is blank.
    """
    labels = [t for t in toks if t.kind == "label"]
    seen = {r.key for r in spec.rows_for(fmt) if any(r.pattern.search(t.text) for t in labels)}
    if not seen and any(t.kind == "blank" for t in toks):
        seen = {r.key for r in spec.rows_for(fmt)}
    out: dict[str, Cell] = {}
    for row in spec.rows_for(fmt):
        if spec.optional_row(row, fmt):
            continue
        label = next((t for t in labels if row.pattern.search(t.text)), None)
        for c in spec.cols(row, fmt):
            out[spec.key(row, c)] = (Cell(value=None, raw="", status="blank", raw_label=label.text if label else None)
                                     if row.key in seen else Cell(status="absent"))
    return out


def _single_row(spec: TableSpec, toks: list[Tok]) -> dict[str, Cell]:
    """Table 4: one unlabeled row of values after the header labels."""
    first = next((i for i, t in enumerate(toks) if t.kind == "num"), None)
    if first is None:
        return {spec.key(None, c): Cell(status="blank" if toks else "absent") for c in spec.columns}
    line = toks[first].line
    j = first
    while j > 0 and toks[j - 1].line == line and toks[j - 1].kind != "label":
        j -= 1
    vals: list[Tok] = []
    for t in toks[j:]:
        if t.kind == "label":
            if any(v.kind == "num" for v in vals):
                break
            continue
        vals.append(t)
    width = len(spec.columns)
    f = fit(vals, width, spec.row_identity, spec.columns)
    read = RowRead(None, Obs(values=vals), f)
    return cells_for(read, spec, "", cols=spec.columns, keyfn=lambda c: f"{spec.name}.{c}")
