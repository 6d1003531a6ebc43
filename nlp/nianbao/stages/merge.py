"""Merge prose with tables: one value per metric, and a warning where they disagree.

Reports state some quantities twice — "收到申请42件" in section 一 and
``table3.new_requests.total`` in Table 3. Which narrative metric corresponds to which
cell (or sum of cells) is data (``data/merge.yaml``). For every mapped metric with a
table value or a prose fact this stage fills ``report.merged[metric]``; where both
exist it also records a ``text_vs_table`` check (``pass`` or a ``fail`` warning), so
a reviewer sees disagreements without the tool choosing silently.

Comparison respects qualifiers (spec §6.2): ``at_least`` (超过40件) agrees with any
table value ≥ 40, ``at_most`` with any ≤, ``approx`` (近/约/余/多) within a relative
tolerance (and 余/多 also up to the next round number, "10余件" ≤ 19). When a metric is
stated several times, a stated value that the table contradicts is a conflict, unless another
statement agrees and the contradicting one names a narrower scope (全办共受理2件: one office's
share; ``another_scope`` in ``data/merge.yaml``).
The evidence lists every statement. Totals outrank parts and an explicit zero statement outranks
counts of the same key (:func:`_same_meaning`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from nianbao.resources import load_yaml
from nianbao.schema import Cell, Check, Fact, Merged, Number, Report
from nianbao.stages.context import Context

_VALUED = ("ok", "assumed_zero")
_UNUSABLE = ("unparsable", "ambiguous")
_CLAUSE_END = re.compile(r"[。;,、!?\n]")  # narrow clause: one item of an enumeration
_SENTENCE_PART_END = re.compile(r"[。;,!?\n]")  # wide clause: the whole enumeration with its verb
_LOWER_BOUND = re.compile(r"[余餘多]")


@dataclass(frozen=True)
class Alternative:
    """One way to read a metric from the tables: a single key or a sum of keys."""

    keys: tuple[str, ...]
    is_sum: bool

    def label(self) -> str:
        return " + ".join(self.keys) if self.is_sum else self.keys[0]


@dataclass(frozen=True)
class Rule:
    metric: str
    facts: tuple[str, ...]
    table: tuple[Alternative, ...]
    match_any: bool = False
    context: re.Pattern[str] | None = None
    not_context: re.Pattern[str] | None = None
    not_context_wide: re.Pattern[str] | None = None
    sections: frozenset[str] | None = None

    def rule_text(self) -> str:
        sep = " | " if self.match_any else " ?? "
        return f"{self.metric} = " + sep.join(a.label() for a in self.table)


@dataclass
class Settings:
    rules: list[Rule] = field(default_factory=list)
    approx: float = 0.10
    absolute: float = 1e-6
    another_scope: re.Pattern[str] | None = None


def _alternative(spec: Any, metric: str) -> Alternative:
    if isinstance(spec, str):
        return Alternative((spec,), False)
    if isinstance(spec, dict) and isinstance(spec.get("sum"), list) and spec["sum"]:
        return Alternative(tuple(str(k) for k in spec["sum"]), True)
    raise ValueError(f"merge.yaml: {metric}: bad table alternative {spec!r}")


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return list(v) if isinstance(v, list | tuple) else [v]


def parse_settings(data: dict[str, Any]) -> Settings:
    """Validate and compile the mapping (a malformed file fails loudly, at first use)."""
    tol = data.get("tolerance") or {}
    out = Settings(approx=float(tol.get("approx", 0.10)), absolute=float(tol.get("absolute", 1e-6)),
                   another_scope=re.compile(data["another_scope"]) if data.get("another_scope") else None)
    for metric, spec in (data.get("metrics") or {}).items():
        spec = spec or {}
        facts = tuple(_as_list(spec.get("facts"))) or (metric,)
        table = tuple(_alternative(a, metric) for a in _as_list(spec.get("table")))
        match = spec.get("match", "first")
        if match not in ("first", "any"):
            raise ValueError(f"merge.yaml: {metric}: match must be 'first' or 'any'")
        ctx_re = re.compile(spec["context"]) if spec.get("context") else None
        not_re = re.compile(spec["not_context"]) if spec.get("not_context") else None
        not_wide = re.compile(spec["not_context_wide"]) if spec.get("not_context_wide") else None
        sections = frozenset(spec["sections"]) if spec.get("sections") else None
        out.rules.append(Rule(metric, facts, table, match == "any", ctx_re, not_re, not_wide, sections))
    return out


@lru_cache(maxsize=1)
def settings() -> Settings:
    return parse_settings(load_yaml("merge.yaml"))


# --- table side -------------------------------------------------------------------------


@dataclass
class TableValue:
    value: Number
    alternative: Alternative
    cells: list[tuple[str, Cell]]

    @property
    def key(self) -> str:
        return self.alternative.label()


def table_value(tables: dict[str, Cell], alt: Alternative) -> TableValue | None:
    """The value of one alternative, or None when the tables do not state it."""
    cells = [(k, tables[k]) for k in alt.keys if k in tables]
    valued = [(k, c) for k, c in cells if c.status in _VALUED and _is_number(c.value)]
    if not valued or any(c.status in _UNUSABLE for _, c in cells):
        return None
    if not alt.is_sum:
        return TableValue(valued[0][1].value, alt, valued)  # type: ignore[arg-type]
    total = sum(c.value for _, c in valued)  # type: ignore[misc]
    return TableValue(_tidy(total), alt, valued)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _tidy(v: float) -> Number:
    return int(v) if isinstance(v, float) and v.is_integer() else v


# --- prose side -------------------------------------------------------------------------


def clause(text: str, start: int, end: int, reach: int = 60, wide: bool = False) -> str:
    """The clause around [start, end): back to the previous and on to the next 。;,、 or line break.

    ``wide`` does not stop at 、, so an enumeration keeps its verb ("解读A 14次、B 31件").
    """
    ends = _SENTENCE_PART_END if wide else _CLAUSE_END
    left = text[max(0, start - reach):start]
    cut = max((m.end() for m in ends.finditer(left)), default=0)
    right = text[end:end + reach]
    m = ends.search(right)
    return left[cut:] + text[start:end] + (right[:m.start()] if m else right)


def agrees(prose: Fact, table: Number, s: Settings) -> bool:
    """Whether a stated value (with its qualifier) is consistent with a table value."""
    p = float(prose.value)  # type: ignore[arg-type]
    t = float(table)
    eps = s.absolute * max(1.0, abs(p))
    if prose.qualifier == "at_least":
        return t >= p - eps
    if prose.qualifier == "at_most":
        return t <= p + eps
    if prose.qualifier == "approx":
        if abs(t - p) <= s.approx * abs(p) + eps:
            return True
        if _LOWER_BOUND.search(prose.raw or "") and p > 0:
            return p - eps <= t < p + _round_step(p)  # 10余件 → 10..19
        return False
    return abs(t - p) <= eps


def _round_step(p: float) -> float:
    """10 for 10/30/150, 100 for 100/4200 … : the place of the last non-zero digit, at least 1."""
    n = round(p)
    step = 1
    while n and n % 10 == 0:
        n //= 10
        step *= 10
    return float(step)


# --- merge ------------------------------------------------------------------------------


def merge_report(report: Report, norm_text: str | None = None, norm_pos: Any = None,
                 cfg: Settings | None = None) -> None:
    """Fill ``report.merged`` and append text-vs-table checks.

    ``norm_text``/``norm_pos`` (normalised text and an original→normalised offset map)
    are needed only for rules with a ``context`` filter; without them such rules use
    the fact's own ``text``.
    """
    cfg = cfg or settings()
    by_metric: dict[str, list[Fact]] = {}
    for f in report.facts:
        if _is_number(f.value):
            by_metric.setdefault(f.metric, []).append(f)
    for rule in cfg.rules:
        facts = [f for m in rule.facts for f in by_metric.get(m, [])]
        facts = sorted({(f.start, f.end, f.metric): f for f in facts}.values(), key=lambda f: (f.start, f.end))
        facts = _same_meaning([f for f in facts if _accept(rule, f, norm_text, norm_pos)])
        values = [tv for tv in (table_value(report.tables, a) for a in rule.table) if tv is not None]
        if not facts and not values:
            continue
        report.merged[rule.metric] = _merge_one(report, rule, facts, values, cfg, norm_text, norm_pos)


def _is_zero_statement(f: Fact) -> bool:
    """未收到…申请 / 没有…复议: an explicit statement that nothing happened (no number written)."""
    return f.value == 0 and f.unit is None and not any(ch.isdigit() for ch in f.raw or "")


def _same_meaning(facts: list[Fact]) -> list[Fact]:
    """The statements of one metric that speak of the same quantity as the table.

    Totals outrank parts (a number inside a 其中 list after its total, ``part_of`` set) when both
    are present, and an explicit zero statement outranks counts of the same key: the report says
    nothing happened, so a count elsewhere (hotline tickets, service-centre cases) is about
    something else and must neither stand for the metric nor raise a text-vs-table conflict.
    """
    if any(f.part_of is None for f in facts):
        facts = [f for f in facts if f.part_of is None]
    if any(_is_zero_statement(f) for f in facts):
        facts = [f for f in facts if _is_zero_statement(f)]
    return facts


def _accept(rule: Rule, f: Fact, norm_text: str | None, norm_pos: Any) -> bool:
    if rule.sections is not None and f.section not in rule.sections:
        return False
    if rule.context is None and rule.not_context is None and rule.not_context_wide is None:
        return True
    if norm_text is not None and norm_pos is not None:
        s, e = norm_pos(f.start), norm_pos(f.end)
        narrow, wide = clause(norm_text, s, e), clause(norm_text, s, e, wide=True)
    else:
        narrow = wide = f.text or f.raw
    if rule.context is not None and not rule.context.search(narrow):
        return False
    if rule.not_context is not None and rule.not_context.search(narrow):
        return False
    return not (rule.not_context_wide is not None and rule.not_context_wide.search(wide))


def _clause_of(report: Report, f: Fact, norm_text: str | None, norm_pos: Any) -> str:
    if norm_text is not None and norm_pos is not None:
        return clause(norm_text, norm_pos(f.start), norm_pos(f.end), wide=True)
    return f.text or f.raw


def _merge_one(report: Report, rule: Rule, facts: list[Fact], values: list[TableValue], cfg: Settings,
               norm_text: str | None = None, norm_pos: Any = None) -> Merged:
    evidence = [(f.start, f.end) for f in facts]
    if not values:
        first = next((f for f in facts if f.qualifier == "exact"), facts[0])
        return Merged(value=first.value, source="prose", prose_value=first.value,  # type: ignore[arg-type]
                      evidence=evidence)
    main = values[0]
    cell_spans = [(c.start, c.end) for _, c in main.cells if c.start is not None and c.end is not None]
    if not facts:
        return Merged(value=main.value, source="table", table_value=main.value, table_key=main.key,
                      evidence=cell_spans)
    # which table reading each fact agrees with (match: any → any reading; else the first)
    candidates = values if rule.match_any else [main]
    matched: TableValue | None = None
    bad: list[Fact] = []
    for f in facts:
        hit = next((tv for tv in candidates if agrees(f, tv.value, cfg)), None)
        if hit is None:
            bad.append(f)
        elif matched is None:
            matched = hit
    ref = matched or main
    # a statement that agrees with the table fixes what the metric means here; one that differs and
    # names a narrower scope in its clause (全办/本单位…, merge.yaml: another_scope) speaks of
    # something else and is no text-vs-table conflict
    if matched is not None and cfg.another_scope is not None:
        bad = [f for f in bad if not cfg.another_scope.search(_clause_of(report, f, norm_text, norm_pos))]
    conflict = bool(bad)
    others = [f for f in facts if f not in bad and not any(agrees(f, tv.value, cfg) for tv in candidates)]
    shown = bad[0] if bad else next((f for f in facts if f.qualifier == "exact" and f not in others), facts[0])
    keys = [rule.metric, *(k for k, _ in ref.cells)]
    prose_v: Number = shown.value  # type: ignore[assignment]
    stated = ", ".join(f"{f.raw or f.value}" for f in facts)
    if conflict:
        message = (f"text states {stated}; table has {_fmt(ref.value)} ({ref.key})"
                   + (" or " + ", ".join(f"{_fmt(tv.value)} ({tv.key})" for tv in candidates if tv is not ref)
                      if rule.match_any and len(candidates) > 1 else ""))
    else:
        message = f"text states {stated}; table has {_fmt(ref.value)} ({ref.key})"
        if others:
            message += "; " + ", ".join(f.raw or str(f.value) for f in others) + " taken as another scope"
    report.checks.append(Check(
        id=f"merge.{rule.metric}", rule=rule.rule_text(), status="fail" if conflict else "pass",
        left=prose_v, right=ref.value, delta=_tidy(float(prose_v) - float(ref.value)), keys=keys,
        cause="text_vs_table" if conflict else None, severity="warning", message=message))
    ref_spans = [(c.start, c.end) for _, c in ref.cells if c.start is not None and c.end is not None]
    return Merged(value=ref.value, source="both", table_value=ref.value, prose_value=prose_v, conflict=conflict,
                  table_key=ref.key, evidence=evidence + [s for s in ref_spans if s not in evidence])


def _fmt(v: Number) -> str:
    return str(_tidy(float(v))) if isinstance(v, float) else str(v)


def run(ctx: Context) -> None:
    """Pipeline stage: merge facts with table cells (see module docstring)."""
    try:
        cfg = settings()
    except (ValueError, re.error, OSError) as exc:  # a broken data file must not crash extraction
        ctx.warn("merge_config", f"merge mapping not usable: {exc}")
        return
    merge_report(ctx.report, ctx.norm.text, ctx.norm_pos, cfg)
