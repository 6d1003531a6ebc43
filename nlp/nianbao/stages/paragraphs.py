"""Paragraph segmentation of a report's prose, following the annotation guide.

The rule (``training_data/paragraphs/GUIDE.md``, unit rule v2) is shared by annotators and the product, so a
classifier trained on annotated spans sees the same units at run time:

* a block is one source line, stripped of surrounding spaces; PDF and markdown
  renderings wrap lines mid-sentence, so there a block is a maximal run of consecutive
  lines ending at a line that ends with ``。``/``;``/``:``;
* headings (short lines not ending in ``。``), table rows, signatures/dates and web
  chrome are not paragraphs;
* a block is cut at section boundaries, then at run-together enumeration markers
  (unit rule v2: ``一是/二是``, ``（一）/（二）``, ``1./2.``, ``1、/2、``, and on long crawler
  lines ``一、/二、``) that sit at a clause boundary and form an increasing series, so each
  item gets its own role and themes; a unit needs a few CJK characters and must not be
  a bare "marker + title";
* only sections overview/problems/other are prose sections in the 2019/2021 formats;
  in legacy reports every section's prose counts.

Markers, limits and section keys are data in ``data/themes_paragraphs.yaml``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nianbao.resources import load_yaml
from nianbao.schema import Section
from nianbao.stages.context import Context
from nianbao.stages.normalise import NormText

_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class ParaSpan:
    """A paragraph: original-text span [start, end) and its top-level section key."""

    start: int
    end: int
    section: str | None


@dataclass(frozen=True)
class _Series:
    """One enumeration series: marker pattern (ordinal in group ``v``) and where it may split."""

    name: str
    pattern: re.Pattern[str]
    long_only: bool
    min_offset: int


@dataclass(frozen=True)
class _Rules:
    long_line: int
    heading_max: int
    series: tuple[_Series, ...]
    boundary: frozenset[str]
    min_chain: int
    max_step: int
    min_cjk: int
    truncated_min_cjk: int
    title_only: re.Pattern[str]
    run_end: str
    sentence_end: str
    heading_marker: re.Pattern[str]
    table_digit_share: float
    prose_sections: frozenset[str]
    legacy_excluded: frozenset[str]
    wrap_ratio: float
    chrome_prefix: re.Pattern[str]
    min_cjk_share: float
    title_line: re.Pattern[str]


@lru_cache(maxsize=1)
def rules() -> _Rules:
    data: dict[str, Any] = load_yaml("themes_paragraphs.yaml")
    series = tuple(_Series(str(d["name"]), re.compile(d["pattern"]), bool(d.get("long_only", False)),
                           int(d.get("min_offset", 0))) for d in data["enum_series"])
    return _Rules(
        long_line=int(data["long_line"]),
        heading_max=int(data["heading_max"]),
        series=series,
        boundary=frozenset(str(data["enum_boundary"])),
        min_chain=int(data["enum_min_chain"]),
        max_step=int(data["enum_max_step"]),
        min_cjk=int(data["min_cjk"]),
        truncated_min_cjk=int(data["truncated_min_cjk"]),
        title_only=re.compile(data["title_only"]),
        run_end=str(data["run_end"]),
        sentence_end=str(data["sentence_end"]),
        heading_marker=re.compile(data["heading_marker"]),
        table_digit_share=float(data["table_digit_share"]),
        prose_sections=frozenset(data["prose_sections"]),
        legacy_excluded=frozenset(data.get("legacy_excluded", [])),
        wrap_ratio=float(data["wrap_ratio"]),
        chrome_prefix=re.compile(data["chrome_prefix"]),
        min_cjk_share=float(data["min_cjk_share"]),
        title_line=re.compile(data["title_line"]),
    )


def _lines(text: str) -> list[tuple[int, int]]:
    """Stripped [start, end) of every line of ``text`` (empty lines give start == end)."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        s, e = pos, pos + len(line)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        out.append((s, e))
        pos += len(line) + 1
    return out


class _Normed:
    """Normalised view of original spans (chrome lines vanish, widths fold)."""

    def __init__(self, norm: NormText) -> None:
        self.norm = norm

    def pos(self, orig: int) -> int:
        import bisect

        return bisect.bisect_left(self.norm.starts, orig)

    def text(self, start: int, end: int) -> str:
        return self.norm.text[self.pos(start) : self.pos(end)].strip()


def is_heading(norm_line: str, r: _Rules | None = None) -> bool:
    """A short titled line: at most ``heading_max`` chars and not ending a sentence."""
    r = r or rules()
    return len(norm_line) <= r.heading_max and not norm_line.endswith(tuple(r.sentence_end))


def is_table_row(norm_line: str) -> bool:
    """Table rows rendered as ``a | b`` lines, and markdown headings/rules."""
    return "|" in norm_line or norm_line.startswith("#")


def is_chrome(norm_line: str, r: _Rules | None = None) -> bool:
    """Page metadata (发布日期…, 来源…), report titles, and lines with hardly any Chinese prose."""
    r = r or rules()
    if r.chrome_prefix.match(norm_line):
        return True
    if r.title_line.search(norm_line) and not any(ch in norm_line for ch in r.run_end):
        return True  # a long report title (issuer + year + 年度报告) on its own line
    body = re.sub(r"\s", "", norm_line)
    if not body:
        return True
    cjk = len(_CJK.findall(body))
    return cjk / len(body) < r.min_cjk_share


def is_table_like(norm_text: str, r: _Rules | None = None) -> bool:
    """A table row, or a digit-dominated piece (crawler pages flatten tables into runs)."""
    r = r or rules()
    if is_table_row(norm_text):
        return True
    body = re.sub(r"\s", "", norm_text)
    if not body:
        return True
    digits = sum(map(str.isdigit, body))
    return digits / len(body) > r.table_digit_share


_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", 1)}
_FULL_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def ordinal(v: str) -> int:
    """Value of an enumeration ordinal: 一..九十九 or (full- or half-width) digits; 0 if unreadable."""
    if v.translate(_FULL_DIGITS).isdigit():
        return int(v.translate(_FULL_DIGITS))
    if v == "十":
        return 10
    tens, sep, ones = v.partition("十")
    if not sep:
        return _CN_DIGITS.get(v, 0) if len(v) == 1 else 0
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _chains(marks: list[tuple[int, int]], min_chain: int, max_step: int) -> list[list[int]]:
    """Positions of increasing marker chains (step 1..max_step; a value not above the last starts a new chain)."""
    out: list[list[int]] = []
    cur: list[tuple[int, int]] = []
    for pos, v in marks:
        if v <= 0:
            continue
        if cur and cur[-1][1] < v <= cur[-1][1] + max_step:
            cur.append((pos, v))
        elif not cur or v <= cur[-1][1]:
            if len(cur) >= min_chain:
                out.append([p for p, _ in cur])
            cur = [(pos, v)]
        # a jump larger than max_step is not part of the series: ignored
    if len(cur) >= min_chain:
        out.append([p for p, _ in cur])
    return out


def enumeration_cuts(text: str, start: int, end: int, r: _Rules | None = None) -> list[int]:
    """Offsets inside (start, end) where a counted run-together enumeration marker begins."""
    r = r or rules()
    seg = text[start:end]
    cuts: set[int] = set()
    for series in r.series:
        if series.long_only and end - start <= r.long_line:
            continue
        marks: list[tuple[int, int]] = []
        for m in series.pattern.finditer(seg):
            if m.start() < series.min_offset:
                continue
            i = start + m.start()
            if i == start or text[i - 1] in r.boundary:
                marks.append((i, ordinal(m.group("v"))))
        for chain in _chains(marks, r.min_chain, r.max_step):
            cuts.update(chain)
    return sorted(c for c in cuts if start < c < end)


def split_enumerations(text: str, start: int, end: int, r: _Rules | None = None) -> list[tuple[int, int]]:
    """A block's pieces: lead-in and one piece per enumeration item, stripped, empty ones dropped."""
    r = r or rules()
    bounds = [start, *enumeration_cuts(text, start, end, r), end]
    pieces: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(bounds):
        s, e = _strip(text, a, b)
        if s < e:
            pieces.append((s, e))
    return pieces


def _wrap_width(lengths: list[int]) -> int:
    """Typical full line width of a wrapped (PDF/markdown) rendering."""
    if not lengths:
        return 0
    ordered = sorted(lengths)
    return ordered[int(0.9 * (len(ordered) - 1))]


def _units_wrapped(text: str, normed: _Normed, r: _Rules) -> list[tuple[int, int]]:
    """Runs of wrapped lines for PDF/markdown renderings."""
    lines = _lines(text)
    norms = [normed.text(s, e) for s, e in lines]
    width = _wrap_width([len(n) for n in norms if n and not is_table_row(n)])
    units: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []

    def flush() -> None:
        if run:
            units.append((run[0][0], run[-1][1]))
            run.clear()

    for (s, e), n in zip(lines, norms, strict=True):
        if not n or is_table_row(n):
            flush()
            continue
        # A wrapped line can be short and unpunctuated too: a heading has no sentence
        # end inside and either a numbering marker or a clearly short line at a run start.
        short = is_heading(n, r) and not any(ch in n for ch in r.sentence_end)
        if short and (r.heading_marker.match(n) or (not run and len(n) < r.wrap_ratio * width)):
            flush()
            continue
        run.append((s, e))
        if n.endswith(tuple(r.run_end)):
            flush()
    flush()
    return units


def _units_lines(text: str) -> list[tuple[int, int]]:
    """One block per non-empty line."""
    return [(s, e) for s, e in _lines(text) if s < e]


def _top_sections(sections: list[Section]) -> list[Section]:
    return sorted((s for s in sections if "." not in s.key), key=lambda s: s.start)


def _wanted(key: str | None, format_id: str, r: _Rules) -> bool:
    if key is None:
        return True
    if format_id == "legacy_2008":
        return key not in r.legacy_excluded
    return key in r.prose_sections


def segment(text: str, norm: NormText, media_type: str | None = None, sections: list[Section] | None = None,
            format_id: str = "gov_unknown") -> list[ParaSpan]:
    """All prose paragraphs of a document per the annotation guide.

    Without sections every prose line of the document counts (``section=None``).
    """
    r = rules()
    normed = _Normed(norm)
    wrapped = media_type in ("pdf", "markdown")
    units = _units_wrapped(text, normed, r) if wrapped else _units_lines(text)
    tops = _top_sections(sections or [])
    out: list[ParaSpan] = []
    for s, e in units:
        for ps, pe, key in _clip(s, e, tops):
            ps, pe = _strip(text, ps, pe)
            if ps >= pe or not _wanted(key, format_id, r):
                continue
            n = normed.text(ps, pe)
            if not n or is_heading(n, r) or is_table_like(n, r) or is_chrome(n, r):
                continue
            for us, ue in split_enumerations(text, ps, pe, r):
                n = normed.text(us, ue)
                if _is_unit(n, r):
                    out.append(ParaSpan(us, ue, key))
    if out and not text[out[-1].end :].strip():
        # a text cut off mid-sentence (a stored page opening): its last piece needs more prose to count
        last = normed.text(out[-1].start, out[-1].end)
        if not last.endswith(tuple(r.sentence_end + ";；")) and _cjk_count(last) < r.truncated_min_cjk:
            out.pop()
    return out


def _cjk_count(s: str) -> int:
    return sum(map(len, _CJK.findall(s)))


def _is_unit(norm_piece: str, r: _Rules) -> bool:
    """Enough CJK prose, not a bare "marker + title", not table debris or chrome."""
    if _cjk_count(norm_piece) < r.min_cjk or r.title_only.match(norm_piece):
        return False
    return not (is_table_like(norm_piece, r) or is_chrome(norm_piece, r))


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _clip(s: int, e: int, tops: list[Section]) -> list[tuple[int, int, str | None]]:
    """Cut a unit at section boundaries; parts outside every section are dropped."""
    if not tops:
        return [(s, e, None)]
    parts: list[tuple[int, int, str | None]] = []
    for sec in tops:
        a, b = max(s, sec.start), min(e, sec.end)
        if a < b:
            parts.append((a, b, sec.key))
    return parts


def paragraphs(ctx: Context) -> list[ParaSpan]:
    """Paragraphs of the report being processed (sections from the segment stage)."""
    return segment(ctx.doc.text, ctx.norm, ctx.doc.media_type, ctx.report.sections, ctx.report.format_id)
