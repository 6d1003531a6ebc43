"""Prose facts: every counted quantity in the narrative, tied to a metric key (spec §6.1).

A trained classifier decides (:mod:`nianbao.stages.fact_model`, ``models/facts``): every quantity
of the prose is a candidate, described by its words, sentence and what the hand-written cues below
say, and gets a metric key or none (:func:`model_facts`); a number in a 其中/包括 list after a total
gets ``part_of`` and never its total's key. Options: ``fact_model=False`` (rules alone),
``fact_model_path`` (another model folder). Without a model the rule layer decides alone.

The rule layer (features for the classifier, zero statements, the fallback): for each quantity
found by :mod:`nianbao.lang.numbers` the metric whose cue (``data/metrics.yaml``)
lies closest to it in the same sentence wins: cues before the number (``主动公开政府信息9662条``)
and after it (``召开38场新闻发布会``), restricted by unit and section, with a penalty when
another number sits between cue and number (the cue then belongs to that number).
Enumerations with 分别 (``微博和微信分别发布846条和371条``) pair the listed subjects with
the numbers in order; zero statements (``未收到…申请``) yield a 0 for every metric whose
zero-cue they mention. Counts with no cue become ``narrative.other``. Table lines and
reader grids are skipped. Offsets are mapped back to ``Document.text``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from nianbao.lang.numbers import Quantity, find_quantities
from nianbao.resources import any_of, load_yaml
from nianbao.schema import Entity, Fact, Grid
from nianbao.stages.context import Context
from nianbao.stages.normalise import NormText, apply_edits

SENTENCE_END = re.compile(r"[。!?\n]")
CLAUSE_END = re.compile(r"[。!?\n,;:]")
_TABLE_LINE = re.compile(r"[|\t]")
TABLE_ROW_MAX_ONE_SEP = 80  # longest line with a single cell separator still read as a two-cell table row


@dataclass(frozen=True)
class MetricRule:
    key: str
    units: frozenset[str | None]
    before: tuple[re.Pattern[str], ...]
    after: tuple[re.Pattern[str], ...]
    zero: tuple[re.Pattern[str], ...]
    zero_unless: tuple[re.Pattern[str], ...]
    sections: frozenset[str | None] | None
    not_sections: frozenset[str | None]
    formats: frozenset[str] | None
    not_formats: frozenset[str]
    order: int
    right_requires: tuple[re.Pattern[str], ...] = ()
    # all before-cues as one alternation: one C-level search tells whether any cue occurs at all
    before_any: re.Pattern[str] | None = None
    after_any: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Config:
    rules: tuple[MetricRule, ...]
    fallback: str
    fallback_units: frozenset[str]
    max_before: int
    max_after: int
    crossing_penalty: int
    after_penalty: int
    skip_before: re.Pattern[str] | None
    skip_left: tuple[re.Pattern[str], ...]
    skip_right: tuple[re.Pattern[str], ...]
    fallback_arabic_only: bool
    cn_max_before: int
    plan_heading: re.Pattern[str] | None
    # (unit, section, format) -> the rules that may apply; filled lazily
    _eligible: dict[tuple[str | None, str | None, str | None], tuple[MetricRule, ...]] = field(
        default_factory=dict, compare=False, repr=False)

    def eligible(self, unit: str | None, section: str | None, fmt: str | None) -> tuple[MetricRule, ...]:
        key = (unit, section, fmt)
        hit = self._eligible.get(key)
        if hit is None:
            hit = tuple(r for r in self.rules if unit in r.units and _allowed(r, section, fmt))
            self._eligible[key] = hit
        return hit


def _any_of(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    """Patterns whose only use is "does any match?" as one alternation (one search instead of many)."""
    return (any_of(patterns),) if patterns else ()


@lru_cache(maxsize=1)
def config() -> Config:
    data = load_yaml("metrics.yaml")
    st = data.get("settings", {})
    rules = []
    for i, (key, spec) in enumerate(data["metrics"].items()):
        spec = spec or {}
        sections = spec.get("sections")
        rules.append(MetricRule(
            key=key,
            units=frozenset(spec.get("units") or []),
            before=tuple(re.compile(p) for p in spec.get("before", [])),
            after=tuple(re.compile(p) for p in spec.get("after", [])),
            zero=tuple(re.compile(p) for p in spec.get("zero", [])),
            zero_unless=tuple(re.compile(p) for p in spec.get("zero_unless", [])),
            sections=frozenset(sections) if sections is not None else None,
            not_sections=frozenset(spec.get("not_sections") or []),
            formats=frozenset(spec["formats"]) if spec.get("formats") is not None else None,
            not_formats=frozenset(spec.get("not_formats") or []),
            order=i,
            right_requires=tuple(re.compile(p) for p in spec.get("right_requires", [])),
            before_any=any_of(spec["before"]) if spec.get("before") else None,
            after_any=any_of(spec["after"]) if spec.get("after") else None,
        ))
    skip = st.get("skip_before") or []
    skip_re = re.compile("(?:" + "|".join(map(re.escape, sorted(skip, key=len, reverse=True))) + ")$") if skip else None
    return Config(tuple(rules), st.get("fallback", "narrative.other"), frozenset(st.get("fallback_units", [])),
                  int(st.get("max_before", 40)), int(st.get("max_after", 14)), int(st.get("crossing_penalty", 30)),
                  int(st.get("after_penalty", 3)), skip_re,
                  _any_of(st.get("skip_left_re", [])), _any_of(st.get("skip_right_re", [])),
                  bool(st.get("fallback_arabic_only", True)), int(st.get("cn_max_before", 40)),
                  re.compile(st["plan_heading_re"]) if st.get("plan_heading_re") else None)


def _allowed(rule: MetricRule, section: str | None, fmt: str | None = None) -> bool:
    if rule.sections is not None and section not in rule.sections:
        return False
    if fmt is not None and ((rule.formats is not None and fmt not in rule.formats) or fmt in rule.not_formats):
        return False
    if fmt is None and rule.formats is not None:
        return False
    return section not in rule.not_sections


def _best_before(rule: MetricRule, left: str) -> tuple[int, int] | None:
    """(distance, -cue length) of the before-cue ending closest to the number (``left`` ends there)."""
    best: tuple[int, int] | None = None
    n = len(left)
    for rx in rule.before:
        for m in rx.finditer(left):
            if m.end() == m.start():
                continue
            cand = (n - m.end(), -(m.end() - m.start()))
            if best is None or cand < best:
                best = cand
    return best


@dataclass(frozen=True)
class CueContext:
    """The text around a number that the metric cues read (``cues`` are ``assign_metric``'s keyword arguments)."""

    cues: dict[str, Any]
    sentence_start: int
    sentence_end: int


def cue_context(text: str, q: Quantity, starts: list[int], cfg: Config) -> CueContext:
    """Left context within the sentence (titles masked), the clause and sentence after the number, and where the
    other numbers (``starts``, sorted) sit in the left context."""
    s_start = _sentence_start(text, q.start)
    left = _mask_titles(text[max(s_start, q.start - cfg.max_before - 30):q.start])
    c_end = CLAUSE_END.search(text, q.end)
    s_end = SENTENCE_END.search(text, q.end)
    sentence_end = s_end.start() if s_end else len(text)
    lo = bisect_right(starts, q.start - len(left) - 1)
    between = [p - (q.start - len(left)) for p in starts[lo:bisect_left(starts, q.start)]]
    cues = {"left": left, "right": text[q.end:c_end.start() if c_end else len(text)], "numbers_between": between,
            "sentence_right": text[q.end:sentence_end]}
    return CueContext(cues=cues, sentence_start=s_start, sentence_end=sentence_end)


def assign_metric(left: str, right: str, q: Quantity, *, section: str | None, numbers_between: list[int],
                  cfg: Config | None = None, fmt: str | None = None, sentence_right: str | None = None,
                  hits: list[str] | None = None) -> str | None:
    """Metric key for quantity ``q`` given its sentence context, or None (not a reported count).

    ``right`` is the clause after the number, ``sentence_right`` the rest of its sentence
    (for rules whose cue needs a confirming word later on: 对8个部门…进行了评估). ``hits``, when
    given, collects what the cues say as classifier features (``CUE=``/``CUEd=`` for every
    before-cue with a distance bucket, ``ACUE=`` for after-cues, ``SKIP*`` for skip patterns).
    """
    cfg = cfg or config()
    if cfg.skip_before is not None and cfg.skip_before.search(left):
        if hits is not None:
            hits.append("SKIPB")
        return None
    if any(rx.search(left) for rx in cfg.skip_left) or any(rx.search(right) for rx in cfg.skip_right):
        if hits is not None:
            hits.append("SKIPLR")
        return None
    best: tuple[int, int, int] | None = None
    best_key: str | None = None
    # a Chinese numeral (一项, 两次) is a count only when its cue is close: 作为一项重点工作 is not
    is_cn = not q.raw[q.num_start - q.start:q.num_start - q.start + 1].isdigit()
    max_before = cfg.cn_max_before if is_cn else cfg.max_before
    for rule in cfg.eligible(q.unit, section, fmt):
        if rule.right_requires and not any(rx.search(sentence_right if sentence_right is not None else right)
                                           for rx in rule.right_requires):
            continue
        hit = None
        if rule.before_any is not None and rule.before_any.search(left):
            hit = _best_before(rule, left)
        if hit is not None:
            dist, neg_len = hit
            if hits is not None:
                hits.append(f"CUE={rule.key}")
                hits.append(f"CUEd={rule.key}:{_bucket(dist)}")
            if dist <= max_before:
                cut = len(left) - dist
                if any(p >= cut for p in numbers_between):
                    dist += cfg.crossing_penalty
                cand = (dist, neg_len, rule.order)
                if best is None or cand < best:
                    best, best_key = cand, rule.key
        if rule.after_any is None or not right or rule.after_any.search(right) is None:
            continue
        for rx in rule.after:
            m = rx.search(right)
            if m is not None and m.start() <= cfg.max_after:
                if hits is not None:
                    hits.append(f"ACUE={rule.key}")
                cand = (len(m.group(0)) + cfg.after_penalty, 0, rule.order)
                if best is None or cand < best:
                    best, best_key = cand, rule.key
    if best_key is not None:
        return None if best_key.startswith("~") else best_key
    if cfg.fallback_arabic_only and not q.raw[q.num_start - q.start:q.num_start - q.start + 1].isdigit():
        return None
    if q.unit in cfg.fallback_units:
        return cfg.fallback
    return None


def _bucket(d: int) -> int:
    """Cue distance in characters as a coarse feature: adjacent, 1-2, 3-6, 7-15, farther."""
    return 0 if d <= 0 else 1 if d <= 2 else 2 if d <= 6 else 3 if d <= 15 else 4


_LIST_SEP = re.compile(r"、|和|及|与|或|以及")


def zero_metrics(statement: str, section: str | None, cfg: Config | None = None, fmt: str | None = None) -> list[str]:
    """Metrics a zero statement (未收到…申请, 没有…复议和…诉讼) speaks about.

    A statement may list several objects (未收到申请公开、行政复议、行政诉讼): a metric's
    zero cue and its ``zero_unless`` are checked item by item, so ``申请公开`` counts for
    requests while ``行政复议申请`` does not.
    """
    cfg = cfg or config()
    parts = [p for p in _LIST_SEP.split(statement) if p] or [statement]
    keys = []
    for rule in cfg.rules:
        if not rule.zero or not _allowed(rule, section, fmt):
            continue
        if any(any(rx.search(p) for rx in rule.zero) and not any(rx.search(p) for rx in rule.zero_unless)
               for p in parts):
            keys.append(rule.key)
    return keys


def _split_subjects(text: str) -> list[str]:
    return [s for s in re.split(r"和|、|及|与|以及|,", text) if s]


def extract_facts(text: str, quantities: list[Quantity] | None = None,
                  section_of: Any = None, skip: Any = None, fmt: str | None = None) -> list[tuple[str, Quantity]]:
    """(metric, quantity) pairs for normalised ``text``.

    ``section_of(pos)`` gives the section key at a normalised position; ``skip(q)`` says
    whether a quantity lies in a table region; ``fmt`` is the report's format id.
    """
    cfg = config()
    qs = quantities if quantities is not None else find_quantities(text)
    qs = [q for q in qs if not (skip and skip(q))]
    # a zero statement covering a number (不予公开…0件) yields to the number
    nums = [q for q in qs if q.kind == "number"]
    starts = sorted(q.start for q in nums)
    zeros = [z for z in qs if z.kind == "zero"
             and bisect_right(starts, z.end - 1) == bisect_right(starts, z.start - 1)]
    out: list[tuple[str, Quantity]] = []
    enumerated = _enumerations(text, nums, section_of, cfg, fmt)
    for q in nums:
        if _under_plan_heading(text, q.start, cfg):
            continue
        section = section_of(q.start) if section_of else None
        if id(q) in enumerated:
            key = enumerated[id(q)]
        else:
            key = assign_metric(q=q, section=section, cfg=cfg, fmt=fmt, **cue_context(text, q, starts, cfg).cues)
        if key:
            out.append((key, q))
    out.extend(_zero_facts(text, zeros, section_of, cfg, fmt))
    out.sort(key=lambda kq: (kq[1].start, kq[0]))
    return out


def zero_facts(text: str, quantities: list[Quantity], section_of: Any = None, skip: Any = None,
               fmt: str | None = None) -> list[tuple[str, Quantity]]:
    """(metric, statement) for the zero statements only (未收到…申请 → requests.received 0)."""
    qs = [q for q in quantities if not (skip and skip(q))]
    starts = sorted(q.start for q in qs if q.kind == "number")
    zeros = [z for z in qs if z.kind == "zero"
             and bisect_right(starts, z.end - 1) == bisect_right(starts, z.start - 1)]
    return _zero_facts(text, zeros, section_of, config(), fmt)


def _zero_facts(text: str, zeros: list[Quantity], section_of: Any, cfg: Config,
                fmt: str | None) -> list[tuple[str, Quantity]]:
    out = []
    for z in zeros:
        section = section_of(z.start) if section_of else None
        s_start = _sentence_start(text, z.start)
        if any(rx.search(text[max(s_start, z.start - cfg.max_before - 30):z.start]) for rx in cfg.skip_left):
            continue  # 减免税…零投诉, “零投诉” slogans, plans
        if _under_plan_heading(text, z.start, cfg):
            continue
        for key in zero_metrics(text[max(s_start, z.start):z.end], section, cfg, fmt):
            out.append((key, z))
    return out


_TITLE = re.compile(r"《[^《》]*》")


def _mask_titles(left: str) -> str:
    """Blank the words inside 《…》 (same length): a document title (《依申请公开办理规定》) holds no cue."""
    if "《" not in left:
        return left
    return _TITLE.sub(lambda m: "《" + "□" * (len(m.group(0)) - 2) + "》", left)


def _under_plan_heading(text: str, pos: int, cfg: Config) -> bool:
    """Is ``pos`` in a paragraph under a short heading announcing plans (2018年工作打算:)?

    Looks back over at most six lines for the nearest short line (a heading) and tests it;
    prose written as one long line has no such heading and is never skipped.
    """
    if cfg.plan_heading is None:
        return False
    end = text.rfind("\n", 0, pos)
    for _ in range(6):
        if end < 0:
            return False
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line and len(line) <= 24:
            return cfg.plan_heading.search(line) is not None
        end = start - 1
    return False


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind("。", 0, pos), text.rfind("!", 0, pos), text.rfind("?", 0, pos), text.rfind("\n", 0, pos)) + 1


def _enumerations(text: str, nums: list[Quantity], section_of: Any, cfg: Config, fmt: str | None) -> dict[int, str]:
    """Metrics for numbers listed after 分别: subject i of the list goes with number i."""
    out: dict[int, str] = {}
    for m in re.finditer("分别", text):
        c_end = CLAUSE_END.search(text, m.end())
        stop = c_end.start() if c_end else len(text)
        listed = [q for q in nums if m.end() <= q.start < stop]
        if len(listed) < 2:
            continue
        c_start = max(_clause_start(text, m.start()), m.start() - 40)
        subjects = _split_subjects(text[c_start:m.start()])
        if len(subjects) != len(listed):
            continue
        verb = text[m.end():listed[0].start]
        for subj, q in zip(subjects, listed, strict=False):
            section = section_of(q.start) if section_of else None
            key = assign_metric(subj + verb, "", q, section=section, numbers_between=[], cfg=cfg, fmt=fmt)
            if key:
                out[id(q)] = key
    return out


def _clause_start(text: str, pos: int) -> int:
    i = pos
    while i > 0 and text[i - 1] not in "。!?\n,;:":
        i -= 1
    return i


_SOFT_BREAK = re.compile(r"\n(?<=[^\s。!?:;,|\t]\n)(?=[^\s|\t(一二三四五六七八九十])")  # opens with \n: scanned in C


def joined_view(norm: NormText) -> NormText:
    """Normalised text with PDF line breaks inside sentences removed (``2⏎件``, ``转下一⏎年度``).

    A break is soft when the line before it is long (a wrapped line, not a heading) and
    neither side is punctuation or a table cell; offsets still map to the original.
    """
    text = norm.text
    edits = []
    for m in _SOFT_BREAK.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if m.start() - line_start >= 18:
            edits.append((m.start(), m.end(), ""))
    return apply_edits(norm, edits) if edits else norm


def _is_table(grid: Grid) -> bool:
    """A grid with at least two rows of two distinct cells; PDF text frames (one merged cell per row) are prose."""
    multi = sum(1 for row in grid.rows if len({c.text.strip() for c in row if c.text.strip()}) >= 2)
    return multi >= 2


def _skipper(norm: NormText, ctx: Context) -> Any:
    """A predicate: is a normalised quantity inside a table line or a reader grid?"""
    import bisect

    text = norm.text
    grids = sorted((bisect.bisect_left(norm.starts, g.start), bisect.bisect_left(norm.starts, g.end))
                   for g in ctx.doc.grids if _is_table(g))

    # positions of cell separators, found once: testing each quantity's line by bisection keeps
    # long single-line texts (crawler pages) linear
    seps = [m.start() for m in _TABLE_LINE.finditer(text)]

    def skip(q: Quantity) -> bool:
        ls = text.rfind("\n", 0, q.start) + 1
        le = text.find("\n", q.end)
        le = le if le >= 0 else len(text)
        n_seps = bisect.bisect_left(seps, le) - bisect.bisect_left(seps, ls)
        # a table row has two cell separators, or one on a short line (行政复议<TAB>0); a crawler line
        # holding a whole report with one stray trailing "|" is prose
        if n_seps >= 2 or (n_seps == 1 and le - ls <= TABLE_ROW_MAX_ONE_SEP):
            return True
        return any(s <= q.start < e for s, e in grids)

    return skip


def _section_lookup(norm: NormText, ctx: Context) -> Any:
    spans = sorted((sec.start, sec.end, sec.key) for sec in ctx.report.sections)

    def section_of(pos: int) -> str | None:
        orig = norm.orig(pos)
        hit = None
        for s, e, key in spans:
            if s <= orig < e:
                hit = key  # innermost/last wins
        return hit

    return section_of


@lru_cache(maxsize=1)
def _entity_list() -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(list[Entity])


def entity_spans(text: str, quantities: list[Quantity], options: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(label, start, end) entities of normalised ``text``.

    By default the rule layer runs directly on the characters (what the ``nianbao_rules``
    pipeline component computes, without building a tokenised spaCy ``Doc``: 5-10x faster,
    and boundaries stay exact instead of being widened to tokens). ``options["ner"]=True``
    (trained NER, ~10x the cost) or ``options["spacy"]=True`` run the documented spaCy
    pipeline from :func:`nianbao.lang.nlp.get_nlp` instead.
    """
    if options.get("ner") or options.get("spacy"):
        from nianbao.lang.nlp import get_nlp

        doc = get_nlp(options.get("segmenter", "rjieba"), ner=bool(options.get("ner", False)))(text)
        return [(ent.label_, ent.start_char, ent.end_char) for ent in doc.ents]
    from nianbao.lang.entities import rule_spans

    return rule_spans(text, quantities)


# --- the trained classifier's path ------------------------------------------------------


def candidates(text: str, quantities: list[Quantity] | None = None, section_of: Any = None, skip: Any = None,
               fmt: str | None = None) -> list[Any]:
    """Every number in prose (table lines skipped) with the rules' key and cue features, featurized."""
    from nianbao.stages.fact_model import Candidate, featurize

    cfg = config()
    qs = quantities if quantities is not None else find_quantities(text)
    nums = [q for q in qs if q.kind == "number" and not (skip and skip(q))]
    starts = sorted(q.start for q in nums)
    enumerated = _enumerations(text, nums, section_of, cfg, fmt)
    out = []
    for q in nums:
        section = section_of(q.start) if section_of else None
        around = cue_context(text, q, starts, cfg)
        left = around.cues["left"]
        plan = _under_plan_heading(text, q.start, cfg)
        feats: list[str] = []
        key = assign_metric(q=q, section=section, cfg=cfg, fmt=fmt, hits=feats, **around.cues)
        key = None if plan else enumerated.get(id(q)) or key
        if left.rfind("《") > left.rfind("》"):
            feats.append("INTITLE")
        if plan:
            feats.append("PLAN")
        if id(q) in enumerated:
            feats.append("ENUM")
        out.append(Candidate(q=q, rule_key=key, rule_feats=feats, section=section, sentence=around.sentence_start,
                             sentence_end=around.sentence_end))
    featurize(text, out, fmt)
    return out


def model_facts(text: str, quantities: list[Quantity] | None = None, section_of: Any = None, skip: Any = None,
                fmt: str | None = None, model: Any = None) -> list[tuple[str, Quantity, Quantity | None]]:
    """(metric, quantity, total it is a part of) for normalised ``text``: the classifier decides numbers.

    A number inside a 其中/包括/分别 list after a total links to that total and never carries its
    key (the classifier's choice becomes ``narrative.part``), so summing one key never counts an
    item twice. Zero statements (未收到…申请) come from the zero cues, one fact per metric they name.
    """
    qs = quantities if quantities is not None else find_quantities(text)
    cands = candidates(text, qs, section_of, skip, fmt)
    labels = model.predict_document([c.features for c in cands], [c.q.value for c in cands]) if cands else []
    out: list[tuple[str, Quantity, Quantity | None]] = [
        (label, cands[i].q, cands[t].q if t is not None else None) for i, label, t in link_parts(cands, labels)]
    out.extend((key, q, None) for key, q in zero_facts(text, qs, section_of=section_of, skip=skip, fmt=fmt))
    out.sort(key=lambda t: (t[1].start, t[0]))
    return out


def link_parts(cands: list[Any], labels: list[str]) -> list[tuple[int, str, int | None]]:
    """(index, label, index of its total or None) for every candidate the classifier did not call ``none``.

    A number inside a 其中/包括/分别 list after a total never keeps its total's key (it becomes
    ``narrative.part``). Shared by the facts stage and the evaluation, so both score the same output.
    """
    out: list[tuple[int, str, int | None]] = []
    kept: list[tuple[Any, str, int]] = []
    for i, (c, label) in enumerate(zip(cands, labels, strict=True)):
        if label == "none":
            continue
        total = _total_of(c, kept)
        if total is not None and total[1] == label:
            label = PART_KEY
        kept.append((c, label, i))
        out.append((i, label, total[2] if total is not None else None))
    return out


PART_KEY = "narrative.part"


def _total_of(c: Any, kept: list[tuple[Any, str, int]]) -> tuple[Any, str, int] | None:
    """The fact a candidate is a part of: the last fact before its list marker in the same sentence,
    or the last fact of the previous sentence when the sentence opens with the marker (共N条。其中…)."""
    if c.after_total and c.marker is not None:
        return next((k for k in reversed(kept) if k[0].sentence == c.sentence and k[0].q.end <= c.marker), None)
    if c.marker is not None and c.marker == c.sentence and not any(k[0].sentence == c.sentence for k in kept):
        prev = kept[-1] if kept else None
        if prev is not None and c.sentence - prev[0].q.end <= 3:
            return prev
    return None


@dataclass
class Inputs:
    """What the fact stage reads from a report: the joined normalised view and its lookups."""

    norm: NormText
    quantities: list[Quantity]
    section_of: Any
    skip: Any
    fmt: str | None


def inputs(ctx: Context) -> Inputs:
    """The fact stage's view of a segmented report (also used to build training examples)."""
    norm = joined_view(ctx.norm)
    return Inputs(norm, find_quantities(norm.text), _section_lookup(norm, ctx), _skipper(norm, ctx),
                  ctx.report.format_id if ctx.report.format_id != "gov_unknown" else None)


def run(ctx: Context) -> None:
    """Fill ``ctx.report.facts`` (and ``ctx.report.entities`` unless options say entities=False)."""
    inp = inputs(ctx)
    norm = inp.norm
    text = norm.text
    src = ctx.doc.text
    quantities = inp.quantities
    if ctx.options.get("entities", True):
        try:
            starts, ends = norm.starts, norm.ends
            rows = []
            for label, s0, e0 in entity_spans(text, quantities, ctx.options):
                s, e = (starts[s0], ends[e0 - 1]) if e0 > s0 else norm.span(s0, e0)
                rows.append({"label": label, "start": s, "end": e, "text": src[s:e]})
            # one validation call for the whole list: half the cost of one model per entity
            ctx.report.entities.extend(_entity_list().validate_python(rows))
        except Exception as exc:  # entity tagging must never stop the facts
            ctx.warn("entities_failed", f"entity tagging skipped: {exc}")
    section_of, fmt = inp.section_of, inp.fmt
    model = None
    if ctx.options.get("fact_model", True):
        from nianbao.stages.fact_model import load_model

        model = load_model(ctx.options.get("fact_model_path"))
    if model is not None:
        facts = model_facts(text, quantities, section_of=section_of, skip=inp.skip, fmt=fmt, model=model)
    else:  # no shipped model (or rules asked for): the hand-written cues alone
        facts = [(k, q, None) for k, q in extract_facts(text, quantities, section_of=section_of,
                                                         skip=inp.skip, fmt=fmt)]
    for key, q, total in facts:
        s, e = norm.span(q.start, q.end)
        sent_s = _sentence_start(text, q.start)
        sent_e_m = SENTENCE_END.search(text, q.end)
        ts, te = norm.span(max(sent_s, q.start - 60), min(sent_e_m.start() if sent_e_m else len(text), q.end + 30))
        ctx.report.facts.append(Fact(metric=key, value=q.value, unit=q.unit, qualifier=q.qualifier,  # type: ignore[arg-type]
                                                     raw=src[s:e], text=src[ts:te], start=s, end=e,
                                                     section=section_of(q.start),
                                                     part_of=norm.span(total.start, total.end)[0] if total else None))
