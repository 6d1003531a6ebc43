"""Rows by label, values by position: one parser for every table layout.

The token stream is cut into observed rows (adjacent labels + the values after them). Each
observed row gets the catalogue rows its labels match; a dynamic programme then picks, for
the whole table, the assignment that respects the printed row order (so a mis-expanded merged
label or a header "总计" cannot steal a row). Value groups without a label (garbled
markdown) may fill gaps in that order. Values are fitted to the row's known cell count:
surplus blank placeholders are trimmed, run-together digits are split (runtogether.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from nianbao.schema import Cell
from nianbao.stages.tables.identities import Identity
from nianbao.stages.tables.runtogether import Piece, identity_hits, number, prior_penalty, splits
from nianbao.stages.tables.spec import RowSpec, TableSpec
from nianbao.stages.tables.tokens import Tok

MAX_VIABLE = 40
MAX_NODES = 200_000
MAX_SOLUTIONS = 64


@dataclass
class Obs:
    labels: list[Tok] = field(default_factory=list)
    values: list[Tok] = field(default_factory=list)
    cands: set[int] = field(default_factory=set)

    @property
    def numeric(self) -> bool:
        return any(t.is_value for t in self.values)

    @property
    def label_text(self) -> str | None:
        return "/".join(t.text for t in self.labels) or None


@dataclass
class Fit:
    viable: list[list[Piece]]
    status: str  # ok | ambiguous | unparsable
    split: bool = False
    uncertain: bool = False  # a cell was presumed lost: every cell of the row is an uncertain read


def _leading_zero(t: Tok) -> bool:
    body = t.text.lstrip("+-").partition(".")[0].rstrip("元万亿件个项条")
    return len(body) > 1 and body[0] == "0"


MAX_MERGES = 2


def fit(values: list[Tok], width: int, identity: tuple[tuple[tuple[int, ...], int], ...] = (),
        cols: tuple[str, ...] = (), priors: tuple[tuple[object, ...], ...] = ()) -> Fit:
    """Read the value tokens after a row label as exactly ``width`` cells.

    A row with more numbers than cells may hold a number split over two cells (PDF text
    extraction): it is rescued only if joining adjacent fragments makes every row identity hold.
    """
    f = _fit(values, width, identity, cols, priors)
    if f.status == "unparsable" and identity:
        return _rejoin(values, width, identity, cols, priors) or f
    return f


def _rejoin(values: list[Tok], width: int, identity: tuple[tuple[tuple[int, ...], int], ...],
            cols: tuple[str, ...], priors: tuple[tuple[object, ...], ...]) -> Fit | None:
    """Fits of ``values`` with up to MAX_MERGES pairs of adjacent number fragments joined ("1","2" → 12)."""
    vals = [t for t in values if t.kind in ("num", "dash", "blank")]
    if len(vals) <= width:
        return None
    pairs = [i for i in range(len(vals) - 1) if _joinable(vals[i], vals[i + 1])]
    found: list[list[Piece]] = []
    seen: set[tuple[str, ...]] = set()
    for m in range(1, min(MAX_MERGES, len(vals) - width) + 1):
        for combo in _combinations(pairs, m):
            merged = _join(vals, combo)
            f = _fit(merged, width, identity, cols, priors)
            for vec in f.viable:
                key = tuple(p.raw for p in vec)
                if key not in seen and identity_hits(vec, identity) == len(identity):
                    seen.add(key)
                    found.append(vec)
        if found:
            break  # the fewest joins that balance
    if not found:
        return None
    return Fit(found, "ok" if len(found) == 1 else "ambiguous", split=True)


def _joinable(a: Tok, b: Tok) -> bool:
    """Two number tokens that may be one number cut in two: no sign, decimal point or leading zero inside."""
    return (a.kind == "num" and b.kind == "num" and a.line == b.line and a.text.isdigit() and a.text[0] != "0"
            and b.text[:1].isdigit() and " " not in b.text)


def _combinations(pairs: list[int], m: int) -> list[tuple[int, ...]]:
    """Sets of ``m`` non-overlapping join positions."""
    if m == 0:
        return [()]
    out = []
    for n, i in enumerate(pairs):
        for rest in _combinations([j for j in pairs[n + 1:] if j > i + 1], m - 1):
            out.append((i, *rest))
    return out


def _join(vals: list[Tok], combo: tuple[int, ...]) -> list[Tok]:
    """``vals`` with each fragment at a position in ``combo`` joined to the next; raw keeps both fragments."""
    out: list[Tok] = []
    skip = False
    for i, t in enumerate(vals):
        if skip:
            skip = False
            continue
        if i in combo:
            nxt = vals[i + 1]
            out.append(Tok("num", f"{t.text} {nxt.text}", t.start, nxt.end, t.line))
            skip = True
        else:
            out.append(t)
    return out


def _fit(values: list[Tok], width: int, identity: tuple[tuple[tuple[int, ...], int], ...] = (),
         cols: tuple[str, ...] = (), priors: tuple[tuple[object, ...], ...] = ()) -> Fit:
    vals = [t for t in values if t.kind in ("num", "dash", "blank")]
    if not any(t.is_value for t in vals):
        pos = vals[0].start if vals else 0
        pieces = [Piece("blank", "", t.start, t.end) for t in vals[:width]]
        pieces += [Piece("blank", "", pos, pos)] * (width - len(pieces))
        return Fit([pieces], "ok")
    if len(vals) >= width and not any(t.kind == "num" and _leading_zero(t) for t in vals):
        extra = len(vals) - width
        windows = []
        for a in range(extra, -1, -1):  # prefer trimming leading placeholders (TSV indent)
            b = extra - a
            if all(t.kind == "blank" for t in vals[:a]) and all(t.kind == "blank" for t in vals[len(vals) - b:]):
                windows.append([Piece(t.kind, t.text, t.start, t.end) for t in vals[a:len(vals) - b]])
        if windows:
            totals = [t for _parts, t in identity]
            # identities first, then printed totals (a row total is rarely left empty), then leading trim
            hits = [(identity_hits(w, identity), sum(w[t].kind == "num" for t in totals)) for w in windows]
            best = max(hits)
            top = [w for w, h in zip(windows, hits, strict=True) if h == best]
            distinct = {tuple(p.raw for p in w) for w in top}
            return Fit(top, "ok" if len(distinct) == 1 else "ambiguous")
        if identity:  # a stray number before/after the row: keep a window that balances
            wins = [[Piece(t.kind, t.text, t.start, t.end) for t in vals[a:a + width]] for a in range(extra + 1)]
            good = [w for w in wins if identity_hits(w, identity) == len(identity)]
            if good:
                return Fit(good, "ambiguous")
        return Fit([], "unparsable")
    vecs = splits(vals, width, identity)
    if not vecs and all(t.whole_cell for t in vals if t.kind == "num") and width - len(vals) <= MAX_LOST:
        vecs = _lost_cells(vals, width)
        uncertain = True
    elif not vecs:
        return Fit([], "unparsable")
    else:
        uncertain = False
    scored = sorted(((-identity_hits(v, identity), prior_penalty(v, cols, priors), i) for i, v in enumerate(vecs)))
    best = scored[0][0]
    viable = [vecs[i] for h, _p, i in scored if h == best][:MAX_VIABLE]
    distinct = {tuple(p.raw for p in v) for v in viable}
    if uncertain:
        return Fit(viable, "ambiguous", uncertain=True)
    return Fit(viable, "ok" if len(distinct) == 1 else "ambiguous", split=True)


MAX_LOST = 2


def _lost_cells(vals: list[Tok], width: int) -> list[list[Piece]]:
    """Readings of clean delimited numbers when empty cells were dropped (a " | "-joined line, a
    converted PDF): a blank goes in at each possible place, the last place first. Numbers are never cut."""
    pieces = [Piece(t.kind, t.text, t.start, t.end) for t in vals]
    missing = width - len(vals)
    out: list[list[Piece]] = []
    for where in sorted(_combos(width, missing), key=lambda c: [-i for i in reversed(c)]):
        it = iter(pieces)
        vec: list[Piece] = []
        for i in range(width):
            if i in where:
                at = vec[-1].end if vec else pieces[0].start
                vec.append(Piece("blank", "", at, at))
            else:
                vec.append(next(it))
        out.append(vec)
    return out


def _combos(n: int, k: int) -> list[tuple[int, ...]]:
    if k == 0:
        return [()]
    return [(i, *rest) for i in range(n) for rest in _combos(n, k - 1) if not rest or rest[0] > i]


def observe(toks: list[Tok], rows: list[RowSpec]) -> list[Obs]:
    """Cut the stream into observed rows and match their labels against ``rows``."""
    parents = {r.parent for r in rows if r.parent}
    pats = tuple(r.pattern for r in rows)
    obs: list[Obs] = []
    cur: Obs | None = None
    value_lines = _value_only_lines(toks)
    lines_with_values = {t.line for t in toks if t.is_value}
    prev_line = None
    for t in toks:
        new_line = t.line != prev_line
        prev_line = t.line
        if new_line and t.line in value_lines and cur is not None and cur.numeric:
            obs.append(cur)  # a line of values only, after a complete row: a row whose label was lost
            cur = None
        if t.kind == "label":
            cands = _matches(pats, t.text)
            if cur is not None and (cur.numeric or (cur.values and any(rows[k].key not in parents for k in cur.cands))
                                    or (t.line in lines_with_values and _other_row(cur.cands, cands, rows))):
                # a complete row, or rows printed without any cell (blank, not 0)
                obs.extend(_split_labels(cur, rows) if not cur.numeric else [cur])
                cur = None
            if cur is None:
                cur = Obs()
            cur.labels.append(t)
            cur.values = []
            cur.cands |= cands
        else:
            if cur is None:
                cur = Obs()
            cur.values.append(t)
    if cur is not None:
        obs.extend(_split_labels(cur, rows) if not cur.numeric else [cur])
    for o in obs:  # a group header matched together with its child is only the header
        child_parents = {rows[k].parent for k in o.cands if rows[k].parent}
        o.cands = {k for k in o.cands if rows[k].key not in child_parents}
    return [o for o in obs if o.cands or o.numeric]


def _split_labels(o: Obs, rows: list[RowSpec]) -> list[Obs]:
    """Consecutive labels without any cell ("规章" / "行政规范性文件" / then a full row): one blank row each."""
    out: list[Obs] = []
    pats = tuple(r.pattern for r in rows)
    for t in o.labels:
        cands = _matches(pats, t.text)
        if out and not _other_row(out[-1].cands, cands, rows):
            out[-1].labels.append(t)
            out[-1].cands |= cands
        else:
            out.append(Obs(labels=[t], cands=set(cands)))
    out[-1].values = o.values  # empty placeholders after the last label are its cells
    return out


def _matches(patterns: tuple[re.Pattern[str], ...], text: str) -> frozenset[int]:
    """Indices of the row patterns a label matches."""
    return frozenset(k for k, pat in enumerate(patterns) if pat.search(text))


def _effective(cands: AbstractSet[int], rows: list[RowSpec]) -> set[str]:
    """Row keys of ``cands`` without the group headers of other candidates ((三)不予公开 + 1.属于国家秘密)."""
    keys = {rows[k].key for k in cands}
    return keys - {rows[k].parent for k in cands if rows[k].parent}


def _other_row(cur: AbstractSet[int], new: AbstractSet[int], rows: list[RowSpec]) -> bool:
    """A label naming another row than the pending label (neither is the other's group header).

    "规章" on a line of its own followed by "行政规范性文件 5 1 23": the first row was printed
    with no cell at all and must not take the next row's values. (Only called when the new
    label's line carries values: labels stacked above value-only lines, as converted PDFs print
    them, still collect their values below.)
    """
    keys_cur, keys_new = _effective(cur, rows), _effective(new, rows)
    if not keys_cur or not keys_new or keys_cur & keys_new:
        return False
    parent = {r.key: r.parent for r in rows}
    return not any(parent[k] in keys_cur for k in keys_new) and not any(parent[k] in keys_new for k in keys_cur)


def _value_only_lines(toks: list[Tok]) -> set[int]:
    """Lines holding several cells and no label (a markdown/grid row whose label went elsewhere)."""
    count: dict[int, int] = {}
    labelled: set[int] = set()
    numeric: set[int] = set()
    for t in toks:
        count[t.line] = count.get(t.line, 0) + 1
        if t.kind == "label":
            labelled.add(t.line)
        elif t.is_value:
            numeric.add(t.line)
    return {ln for ln, n in count.items() if n >= 2 and ln not in labelled and ln in numeric}


def assign(obs: list[Obs], nrows: int, score, leaves: list[int] | None = None  # type: ignore[no-untyped-def]
           ) -> dict[int, int]:
    """Best order-preserving assignment observed row → catalogue row (longest-path DP).

    Observed rows without a label may take any of ``leaves`` (rows that are not group headers).
    """
    leaves = list(range(nrows)) if leaves is None else leaves
    neg = float("-inf")
    best = [0.0] + [neg] * nrows  # best[k+1]: best score with last assigned catalogue row k
    back: list[dict[int, int]] = []
    for i, o in enumerate(obs):
        new = list(best)
        choice: dict[int, int] = {}
        prefix_best = [0.0] * (nrows + 1)
        prefix_arg = [0] * (nrows + 1)
        run, arg = neg, 0
        for k in range(nrows + 1):
            if best[k] > run:
                run, arg = best[k], k
            prefix_best[k], prefix_arg[k] = run, arg
        cands = o.cands if o.cands else leaves
        for k in cands:
            s = score(i, k)
            if s is None:
                continue
            total = prefix_best[k] + s
            if total > new[k + 1]:
                new[k + 1] = total
                choice[k + 1] = prefix_arg[k]
        back.append(choice)
        best = new
    state = max(range(nrows + 1), key=lambda k: (best[k], -k))
    out: dict[int, int] = {}
    for i in range(len(obs) - 1, -1, -1):
        if state in back[i] and state > 0:
            prev = back[i][state]
            out[i] = state - 1
            state = prev
        if state == 0:
            break
    return out


def assign_by_label(obs: list[Obs], nrows: int, score) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """Each catalogue row takes its best-scoring labelled observation (printed order is free)."""
    best: dict[int, tuple[float, int]] = {}
    for i, o in enumerate(obs):
        for k in o.cands:
            s = score(i, k)
            if s is not None and (k not in best or s > best[k][0]):
                best[k] = (s, i)
    out: dict[int, int] = {}
    for k, (_s, i) in sorted(best.items(), key=lambda kv: -kv[1][0]):
        if i not in out:
            out[i] = k
    return out


@dataclass
class RowRead:
    row: RowSpec | None
    obs: Obs
    fit: Fit
    wildcard: bool = False


def read_rows(spec: TableSpec, fmt: str, toks: list[Tok]) -> list[RowRead]:
    rows = spec.rows_for(fmt)
    obs = observe(toks, rows)
    fits: dict[tuple[int, int], Fit] = {}  # scored by the assignment, then read again for the chosen rows

    def get_fit(i: int, k: int) -> Fit:
        if (i, k) not in fits:
            row = rows[k]
            cols = spec.cols(row, fmt)
            fits[(i, k)] = fit(obs[i].values, len(cols), spec.identity(row, fmt), cols, row.priors.get(fmt, ()))
        return fits[(i, k)]

    def score(i: int, k: int) -> float | None:
        o = obs[i]
        if not o.cands:
            return 1.0 if get_fit(i, k).status != "unparsable" else None
        base = 3.0 if o.numeric else (1.0 if o.values else 0.1)
        return base - (2.5 if o.numeric and get_fit(i, k).status == "unparsable" else 0.0)

    parents = {r.parent for r in rows if r.parent}
    if spec.ordered:
        chosen = assign(obs, len(rows), score, [k for k, r in enumerate(rows) if r.key not in parents])
    else:
        chosen = assign_by_label(obs, len(rows), score)
    out = [RowRead(rows[k], obs[i], get_fit(i, k), wildcard=not obs[i].cands) for i, k in sorted(chosen.items())]
    _gap_status(out, rows)
    return out


def _gap_status(reads: list[RowRead], rows: list[RowSpec]) -> None:
    """A value group placed by order alone is sure only if it exactly fills its gap."""
    index = {r.key: i for i, r in enumerate(rows)}
    parents = {r.parent for r in rows if r.parent}
    labelled = [index[r.row.key] for r in reads if not r.wildcard]
    for r in reads:
        if not r.wildcard:
            continue
        k = index[r.row.key]
        lo = max((x for x in labelled if x < k), default=-1)
        hi = min((x for x in labelled if x > k), default=len(rows))
        n_wild = sum(1 for o in reads if o.wildcard and lo < index[o.row.key] < hi)
        gap = sum(1 for x in range(lo + 1, hi) if rows[x].key not in parents)  # group headers take no wildcard
        if n_wild != gap and r.fit.status == "ok":
            r.fit = Fit(r.fit.viable, "ambiguous", r.fit.split)


def resolve_jointly(reads: list[RowRead], spec: TableSpec, fmt: str, identities: list[Identity]) -> None:
    """Keep, for each ambiguous split, only the options that let the table's identities hold.

    A pruned depth-first search over the ambiguous rows (counts are non-negative, so a partial
    sum may never exceed a complete side). If no combination satisfies every identity (the
    source itself does not add up), the options stay as ranked and the cells stay ambiguous.
    """
    amb = [r for r in reads if r.fit.status == "ambiguous" and len(r.fit.viable) > 1 and r.row is not None]
    if not amb or not identities:
        return
    fixed: dict[str, float] = {}
    for r in reads:
        if r.fit.viable and r not in amb and r.row is not None:
            for c, p in zip(spec.cols(r.row, fmt), r.fit.viable[0], strict=False):
                fixed[spec.key(r.row, c)] = p.number or 0.0
    row_keys = [[spec.key(r.row, c) for c in spec.cols(r.row, fmt)] for r in amb]  # type: ignore[arg-type]
    owner = {k: n for n, keys in enumerate(row_keys) for k in keys}
    relevant = [i for i in identities if any(k in owner for k in (*i.left, *i.right))]
    touching: list[list[Identity]] = [[] for _ in amb]
    for ident in relevant:
        for n in {owner[k] for k in (*ident.left, *ident.right) if k in owner}:
            touching[n].append(ident)
    vals: dict[str, float] = dict(fixed)
    assigned: set[str] = set(fixed)
    solutions: list[tuple[int, ...]] = []
    budget = [MAX_NODES]

    def side(keys: tuple[str, ...]) -> tuple[float, bool]:
        return sum(vals.get(k, 0.0) for k in keys if k in assigned), all(k in assigned or k not in owner for k in keys)

    def consistent(n: int) -> bool:
        for ident in touching[n]:
            (ls, lc), (rs, rc) = side(ident.left), side(ident.right)
            if (lc and rc and abs(ls - rs) > 1e-6) or (lc and rs > ls + 1e-6) or (rc and ls > rs + 1e-6):
                return False
        return True

    def dfs(n: int, chosen: list[int]) -> None:
        if budget[0] <= 0 or len(solutions) >= MAX_SOLUTIONS:
            return
        if n == len(amb):
            solutions.append(tuple(chosen))
            return
        for j, vec in enumerate(amb[n].fit.viable):
            budget[0] -= 1
            for k, p in zip(row_keys[n], vec, strict=False):
                vals[k] = p.number or 0.0
                assigned.add(k)
            if consistent(n):
                chosen.append(j)
                dfs(n + 1, chosen)
                chosen.pop()
            for k in row_keys[n]:
                assigned.discard(k)
                vals.pop(k, None)

    dfs(0, [])
    if not solutions:
        return
    for n, r in enumerate(amb):
        keep = sorted({sol[n] for sol in solutions})
        viable = [r.fit.viable[j] for j in keep]
        distinct = {tuple(p.raw for p in v) for v in viable}
        complete = budget[0] > 0 and len(solutions) < MAX_SOLUTIONS
        r.fit = Fit(viable, "ok" if len(distinct) == 1 and complete else "ambiguous", r.fit.split)


_MONEY = {"元": 1, "万元": 10000, "亿元": 100000000}


def make_cell(piece: Piece, col: str, spec: TableSpec, label: str | None, header_unit: str | None = None) -> Cell:
    """A canonical cell from one fitted piece: blank, dash and 0 stay distinct.

    Money is converted to the key's unit (``amount_yuan`` in 元) from the unit printed in the
    cell or, failing that, in the column header ("采购总金额/万元"); ``unit`` keeps the printed unit.
    """
    if piece.kind == "blank":
        return Cell(value=None, raw="", status="blank", start=piece.start, end=piece.end, raw_label=label)
    if piece.kind == "dash":
        return Cell(value=None, raw=piece.raw, status="blank", start=piece.start, end=piece.end, raw_label=label)
    raw = piece.raw
    body = raw.rstrip("元万亿件个项条")
    raw_unit = raw[len(body):] or None
    val = number(raw)
    if val is None:
        return Cell(value=None, raw=raw, status="unparsable", start=piece.start, end=piece.end, raw_label=label)
    target = spec.units.get(col)
    printed = raw_unit if raw_unit in _MONEY else (header_unit or raw_unit)
    converted = bool(target in _MONEY and printed in _MONEY and printed != target)
    if converted:
        val = round(val * _MONEY[printed or "元"] / _MONEY[target or "元"], 6)
    value: int | float = int(val) if val == int(val) and ("." not in body or converted) else val
    return Cell(value=value, raw=raw, unit=printed or target, status="ok", start=piece.start, end=piece.end,
                raw_label=label)


def cells_for(read: RowRead, spec: TableSpec, fmt: str, cols: tuple[str, ...] | None = None,
              keyfn: Callable[[str], str] | None = None, header_units: dict[str, str] | None = None
              ) -> dict[str, Cell]:
    """Cells of one read row (``cols``/``keyfn`` serve label-less rows such as Table 4)."""
    header_units = header_units or {}
    cols = cols if cols is not None else spec.cols(read.row, fmt)
    key = keyfn if keyfn is not None else (lambda c: spec.key(read.row, c))
    label = read.obs.label_text
    out: dict[str, Cell] = {}
    if not read.fit.viable:
        vals = [t for t in read.obs.values if t.is_value]
        raw = " ".join(t.text for t in vals) or None
        s = vals[0].start if vals else None
        e = vals[-1].end if vals else None
        for c in cols:
            out[key(c)] = Cell(value=None, raw=raw, status="unparsable", start=s, end=e, raw_label=label)
        return out
    viable = read.fit.viable
    first = viable[0]
    ambiguous = read.fit.status == "ambiguous"
    for j, c in enumerate(cols):
        cell = make_cell(first[j], c, spec, label, header_units.get(c))
        if ambiguous and len({vec[j].raw for vec in viable}) > 1:
            cell.status = "ambiguous"
            cell.candidates = _alternatives(viable, j)
        elif ambiguous and (read.wildcard or read.fit.uncertain):
            cell.status = "ambiguous"
        out[key(c)] = cell
    return out


def _alternatives(viable: list[list[Piece]], j: int) -> list[int | float]:
    """Distinct values of cell ``j`` over the viable readings, in ranking order."""
    alts: list[int | float] = []
    for vec in viable:
        v = vec[j].number
        if vec[j].kind == "num" and v is not None and v not in alts:
            alts.append(int(v) if v == int(v) and "." not in vec[j].raw else v)
    return alts
