"""Normalisation with an exact offset map back to ``Document.text``.

Later stages match patterns on one canonical form of the text (simplified script,
half-width ASCII, no pinyin glosses, no chrome lines) and report offsets into the
original through :meth:`NormText.span`. Each step is an edit list applied to the
current text; the maps compose, so any normalised span maps to the original span
that normalises to it.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from nianbao.lang.cjk import HAN
from nianbao.resources import any_of, load_yaml
from nianbao.schema import Script

_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# A gloss like 務(wù) / 開（kāi）: latin letters with at least one tone mark after a CJK char.
_PINYIN_GLOSS = re.compile(
    rf"(?<=[{HAN}])[(\uff08]\s*(?=[a-zü{_TONE_VOWELS}]*[{_TONE_VOWELS}])[a-zü{_TONE_VOWELS}]{{1,7}}\s*[)\uff09]",
    re.IGNORECASE,
)
_INVISIBLE = re.compile("[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f\r]")
_NOT_CJK = re.compile(f"[^{HAN}]+")
# Spaces that PDF/crawler layouts put between CJK characters and around numbers ("2024 年", "393 件").
_SP = "[ \u00a0\u3000]"
_LAYOUT_SPACE = re.compile(rf"(?<=[{HAN}\d%、，。：；“”《》]){_SP}+(?=[{HAN}])|(?<=[{HAN}]){_SP}+(?=\d)")
_THOUSANDS = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?![\d,])")


def _fullwidth_table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    table[0x00A0] = " "
    for ch in "\u2002\u2003\u2009\u202f\u205f":
        table[ord(ch)] = " "
    table[0x2212] = "-"  # minus sign
    return table


_FULLWIDTH = _fullwidth_table()


@dataclass(frozen=True)
class NormText:
    """Normalised text plus, per normalised character, its original [start, end)."""

    text: str
    starts: array
    ends: array
    original_length: int
    script: Script = "unknown"

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span to the original span that produced it."""
        n = len(self.text)
        if not 0 <= start <= end <= n:
            raise ValueError(f"span {start}:{end} outside normalised text of length {n}")
        if start == end:
            pos = self.starts[start] if start < n else self.original_length
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def orig(self, pos: int) -> int:
        """Original offset of a normalised position (for span starts)."""
        return self.starts[pos] if pos < len(self.text) else self.original_length

    @classmethod
    def identity(cls, text: str) -> NormText:
        n = len(text)
        return cls(text, array("i", range(n)), array("i", range(1, n + 1)), n)


Edit = tuple[int, int, str]  # replace current[start:end] with new text


def apply_edits(nt: NormText, edits: Iterable[Edit]) -> NormText:
    """Apply non-overlapping edits (sorted by start) and compose the offset maps.

    A replacement of equal length maps char-to-char; otherwise every new char maps
    to the whole replaced span, so spans never cut inside an edited unit.
    """
    parts: list[str] = []
    starts = array("i")
    ends = array("i")
    pos = 0
    src = nt.text
    for s, e, new in edits:
        if s < pos:
            continue  # overlapping edit: the earlier one wins
        parts.append(src[pos:s])
        starts.extend(nt.starts[pos:s])
        ends.extend(nt.ends[pos:s])
        if new:
            if len(new) == e - s:
                starts.extend(nt.starts[s:e])
                ends.extend(nt.ends[s:e])
            else:
                o_start = nt.starts[s] if s < e else (nt.starts[s] if s < len(src) else nt.original_length)
                o_end = nt.ends[e - 1] if s < e else o_start
                starts.extend([o_start] * len(new))
                ends.extend([o_end] * len(new))
            parts.append(new)
        pos = e
    parts.append(src[pos:])
    starts.extend(nt.starts[pos:])
    ends.extend(nt.ends[pos:])
    return NormText("".join(parts), starts, ends, nt.original_length, nt.script)


def regex_edits(text: str, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> list[Edit]:
    fn = repl if callable(repl) else (lambda _m, r=repl: r)
    return [(m.start(), m.end(), fn(m)) for m in pattern.finditer(text)]


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text)


def detect_script(text: str) -> Script:
    """Share of CJK characters that OpenCC would change decides the script."""
    sample = _NOT_CJK.sub("", text[:20000])
    if not sample:
        return "unknown"
    converted = to_simplified(sample)
    changed = 0 if converted == sample else sum(map(str.__ne__, sample, converted))
    ratio = changed / len(sample)
    if ratio >= 0.08:
        return "traditional"
    if ratio >= 0.02:
        return "mixed"
    return "simplified"


def _t2s_edits(text: str) -> list[Edit]:
    """Traditional→simplified as edits; falls back to per-line/per-char when lengths differ."""
    edits: list[Edit] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        conv = to_simplified(line)
        if len(conv) == len(line):
            edits.extend((offset + i, offset + i + 1, b) for i, (a, b) in enumerate(zip(line, conv, strict=False)) if a != b)
        else:
            for i, ch in enumerate(line):
                c = to_simplified(ch)
                if c != ch:
                    edits.append((offset + i, offset + i + 1, c))
        offset += len(line)
    return edits


@lru_cache(maxsize=1)
def _data() -> tuple[re.Pattern[str] | None, dict[str, str], re.Pattern[str] | None]:
    data = load_yaml("normalise.yaml")
    terms: dict[str, str] = data.get("taiwan_terms", {})
    pattern = re.compile("|".join(sorted(map(re.escape, terms), key=len, reverse=True))) if terms else None
    chrome_lines = data.get("chrome_lines", [])
    return pattern, terms, any_of(chrome_lines) if chrome_lines else None


_CHROME_MAX = 160  # longer lines are report text that merely starts like chrome (crawler pages)


def _chrome_edits(text: str, pattern: re.Pattern[str] | None) -> list[Edit]:
    if pattern is None:
        return []
    edits: list[Edit] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n").strip()
        if body and len(body) <= _CHROME_MAX and pattern.match(body):
            edits.append((offset, offset + len(line), ""))
        offset += len(line)
    return edits


def normalise(text: str, script: Script | None = None) -> NormText:
    """Return the canonical form of ``text`` with its offset map."""
    nt = NormText.identity(text)
    nt = apply_edits(nt, regex_edits(nt.text, _INVISIBLE, ""))
    # NFKC-like width folding, one char to one char: offsets stay exact.
    folded = nt.text.translate(_FULLWIDTH)
    nt = NormText(folded, nt.starts, nt.ends, nt.original_length)
    nt = apply_edits(nt, regex_edits(nt.text, _PINYIN_GLOSS, ""))
    script = script or detect_script(nt.text)
    tw_pattern, tw_terms, chrome = _data()
    if script in ("traditional", "mixed"):
        if tw_pattern is not None:
            nt = apply_edits(nt, regex_edits(nt.text, tw_pattern, lambda m: tw_terms[m.group(0)]))
        nt = apply_edits(nt, _t2s_edits(nt.text))
    nt = apply_edits(nt, regex_edits(nt.text, _LAYOUT_SPACE, ""))
    # delete each separator on its own, so every digit keeps its own original offset
    nt = apply_edits(nt, [(m.start() + i, m.start() + i + 1, "") for m in _THOUSANDS.finditer(nt.text)
                          for i, ch in enumerate(m.group()) if ch == ","])
    nt = apply_edits(nt, _chrome_edits(nt.text, chrome))
    return NormText(nt.text, nt.starts, nt.ends, nt.original_length, script)
