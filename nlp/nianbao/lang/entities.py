"""Entities as spaCy spans: ORG, PLATFORM, DATE, LAW, MONEY, QUANTITY.

Two layers: ``nianbao_rules`` (a pipeline component reading ``data/entities.yaml``
plus the quantities of :mod:`nianbao.lang.numbers`, matched on characters so a
segmentation choice never hides a match), then an optional trained ``ner``
(``models/ner``, see :mod:`nianbao.train.ner`) that fills in what the rules miss;
spaCy's NER keeps entities already set, so rules win where they fire.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nianbao.lang.cjk import is_han
from nianbao.resources import load_yaml, model_dir

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

LABELS = ("ORG", "PLATFORM", "DATE", "LAW", "MONEY", "QUANTITY")
# When rule spans overlap, the longer wins; on equal length this order decides.
_PRIORITY = {"MONEY": 0, "QUANTITY": 1, "LAW": 2, "DATE": 3, "PLATFORM": 4, "ORG": 5}
RULES_NAME = "nianbao_rules"


def default_model_dir() -> Path:
    """Where the trained NER lives: $NIANBAO_NER_MODEL or the shipped ``models/ner``."""
    env = os.environ.get("NIANBAO_NER_MODEL")
    return Path(env) if env else model_dir("ner")


@dataclass(frozen=True)
class _Rules:
    term_re: dict[str, re.Pattern[str]]
    patterns: dict[str, list[re.Pattern[str]]]
    org_suffix: re.Pattern[str] | None
    org_stop: tuple[str, ...]
    org_reject: frozenset[str]
    org_reject_endings: tuple[str, ...]
    org_max_prefix: int


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = load_yaml("entities.yaml")
    term_re: dict[str, re.Pattern[str]] = {}
    patterns: dict[str, list[re.Pattern[str]]] = {}
    for label, spec in data.items():
        terms = spec.get("terms") or []
        if terms:
            term_re[label] = re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))))
        patterns[label] = [re.compile(p) for p in spec.get("patterns") or []]
    org = data.get("ORG", {})
    suffixes = sorted(org.get("suffixes", []), key=len, reverse=True)
    not_after = "".join(org.get("not_after", []))
    suffix_re = None
    if suffixes:
        tail = f"(?![{re.escape(not_after)}])" if not_after else ""
        suffix_re = re.compile("(?:" + "|".join(map(re.escape, suffixes)) + ")" + tail)
    return _Rules(term_re, patterns, suffix_re, tuple(org.get("stop_before", [])), frozenset(org.get("reject", [])),
                  tuple(org.get("reject_endings", [])), int(org.get("max_prefix", 10)))


def _org_spans(text: str, rules: _Rules) -> list[tuple[str, int, int]]:
    """Organisations: a body suffix (局, 办公室, 人民政府…) plus the CJK words before it, cut at function words."""
    out: list[tuple[str, int, int]] = []
    if rules.org_suffix is None:
        return out
    for m in rules.org_suffix.finditer(text):
        s = m.start()
        while s > 0 and m.start() - s < rules.org_max_prefix and is_han(text[s - 1]):
            s -= 1
        span = text[s:m.end()]
        cut = max((span.rfind(w) + len(w) for w in rules.org_stop if w in span[:-1]), default=0)
        s += cut
        name = text[s:m.end()]
        if len(name) < 3 or name in rules.org_reject or name.endswith(rules.org_reject_endings):
            continue
        out.append(("ORG", s, m.end()))
    return out


def rule_spans(text: str, quantities: list[Any] | None = None) -> list[tuple[str, int, int]]:
    """(label, start, end) of rule entities in ``text``, non-overlapping, in order."""
    from nianbao.lang.numbers import find_quantities

    rules = _rules()
    found: list[tuple[str, int, int]] = []
    for label, rx in rules.term_re.items():
        found.extend((label, m.start(), m.end()) for m in rx.finditer(text))
    for label, pats in rules.patterns.items():
        for rx in pats:
            found.extend((label, m.start(), m.end()) for m in rx.finditer(text) if m.end() > m.start())
    found.extend(_org_spans(text, rules))
    qs = quantities if quantities is not None else find_quantities(text)
    for q in qs:
        if q.kind == "number":
            found.append(("MONEY" if q.unit == "元" else "QUANTITY", q.start, q.end))
    found.sort(key=lambda t: (-(t[2] - t[1]), _PRIORITY.get(t[0], 9), t[1]))
    taken: list[tuple[str, int, int]] = []
    occupied = bytearray(len(text) + 1)
    for label, s, e in found:
        if any(occupied[s:e]):
            continue
        occupied[s:e] = b"\x01" * (e - s)
        taken.append((label, s, e))
    taken.sort(key=lambda t: t[1])
    return taken


def _non_overlapping(spans: list[Any]) -> list[Any]:
    """Spans in order; after token expansion two rule spans may touch the same token: keep the first."""
    out: list[Any] = []
    last_end = -1
    for span in sorted(spans, key=lambda sp: (sp.start, -sp.end)):
        if span.start >= last_end:
            out.append(span)
            last_end = span.end
    return out


class RuleEntities:
    """Pipeline component: rule entities as ``doc.ents``; quantities kept in ``doc.user_data``."""

    def __init__(self, nlp: Language, name: str = RULES_NAME) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        from nianbao.lang.numbers import find_quantities

        # Doc.text re-joins every token; our tokenizer keeps the input string instead
        text = doc.user_data.get("nianbao_text") or doc.text
        qs = find_quantities(text)
        doc.user_data["nianbao_quantities"] = qs
        spans = []
        for label, s, e in rule_spans(text, qs):
            span = doc.char_span(s, e, label=label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.set_ents(_non_overlapping(spans), default="outside")
        return doc

    # stateless: data comes from the package's entities.yaml
    def to_disk(self, path: str | Path, **kwargs: Any) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path: str | Path, **kwargs: Any) -> RuleEntities:
        return self


@lru_cache(maxsize=1)
def register_components() -> None:
    from spacy.language import Language

    if not Language.has_factory(RULES_NAME):

        def make_rules(nlp: Language, name: str) -> RuleEntities:
            return RuleEntities(nlp, name)

        Language.factory(RULES_NAME)(make_rules)
