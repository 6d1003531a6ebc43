"""A Report as a spaCy ``Doc``: entities, facts, paragraphs and sections over the text.

The Report stores offsets, not text, so the Doc is built over the text the offsets
refer to (``Document.text``): passed in, or re-read from ``report.source``. This
lets researchers use spaCy/displaCy tooling on the extraction:

>>> doc = nianbao.to_spacy(report)
>>> displacy.render(doc, style="ent")                                   # entities
>>> displacy.render(doc, style="span", options={"spans_key": "facts"})  # facts by metric

Span groups: ``facts`` (label = metric), ``paragraphs`` (label = role, ``kb_id`` =
comma-joined themes), ``sections`` (label = section key), ``cells`` (label = table
key). ``doc.user_data["facts"|"paragraphs"]`` hold the full records in span order.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from nianbao.errors import NianbaoError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from nianbao.schema import Report


def _nlp() -> Language:
    """The project tokenizer when available (word tokens), else spaCy's character tokenizer."""
    import spacy

    try:
        from nianbao.lang.tokenizer import blank

        return blank()
    except Exception:  # the project tokenizer is optional here: any failure → plain characters
        return spacy.blank("zh")


def _make_doc(text: str, nlp: Language | None, cuts: set[int]) -> Doc:
    """Tokenize, then also split tokens at every span boundary so spans align exactly.

    Word tokenizers merge across entity edges (局以 in 示范市虚构局以); cutting there keeps
    ``doc.ents`` identical to ``report.entities`` instead of widening them.
    """
    import spacy
    from spacy.tokens import Doc

    nlp = nlp or _nlp()
    tokens = nlp.make_doc(text)
    if tokens.text != text:  # a tokenizer that drops characters would break every offset
        tokens = spacy.blank("zh").make_doc(text)
    bounds = {t.idx for t in tokens} | {c for c in cuts if 0 < c < len(text)} | {0}
    edges = [*sorted(bounds), len(text)]
    words = [text[a:b] for a, b in itertools.pairwise(edges) if b > a]
    return Doc(tokens.vocab, words=words, spaces=[False] * len(words))


def source_text(report: Report) -> str:
    """Re-read the report's source; refuse when it changed since extraction (offsets would be wrong)."""
    from nianbao.io.readers import read

    doc = read(report.source)
    if report.sha256 and doc.sha256 and doc.sha256 != report.sha256:
        raise NianbaoError(report.source, "file changed since extraction (sha256 differs); pass text=")
    return doc.text


def _span(doc: Doc, start: int | None, end: int | None, label: str, kb_id: str = "") -> Span | None:
    if start is None or end is None or not (0 <= start < end <= len(doc.text)):
        return None
    return doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="expand")


def to_spacy(report: Report, text: str | None = None, nlp: Language | None = None) -> Doc:
    """Build the Doc (see module docstring). ``nlp`` overrides the tokenizer pipeline."""
    from spacy.util import filter_spans

    if text is None:
        text = source_text(report)
    cuts: set[int] = set()
    for item in [*report.entities, *report.facts, *report.paragraphs, *report.sections, *report.tables.values()]:
        if item.start is not None and item.end is not None:
            cuts.update((item.start, item.end))
    doc = _make_doc(text, nlp, cuts)
    ents = [s for e in report.entities if (s := _span(doc, e.start, e.end, e.label)) is not None]
    doc.ents = filter_spans(ents)  # longest first, no overlaps (spaCy's rule)

    facts: list[Span] = []
    fact_data: list[dict[str, Any]] = []
    for f in sorted(report.facts, key=lambda f: (f.start, f.end)):
        s = _span(doc, f.start, f.end, f.metric)
        if s is not None:
            facts.append(s)
            fact_data.append(f.model_dump())
    doc.spans["facts"] = facts

    paras: list[Span] = []
    para_data: list[dict[str, Any]] = []
    for p in sorted(report.paragraphs, key=lambda p: (p.start, p.end)):
        s = _span(doc, p.start, p.end, p.role or "paragraph", ",".join(p.themes))
        if s is not None:
            paras.append(s)
            para_data.append(p.model_dump())
    doc.spans["paragraphs"] = paras

    doc.spans["sections"] = [s for sec in report.sections if (s := _span(doc, sec.start, sec.end, sec.key)) is not None]
    doc.spans["cells"] = [s for key, c in report.tables.items() if (s := _span(doc, c.start, c.end, key)) is not None]
    doc.user_data["facts"] = fact_data
    doc.user_data["paragraphs"] = para_data
    doc.user_data["nianbao"] = {"source": report.source, "issuer": report.issuer, "year": report.year,
                                "format_id": report.format_id, "sha256": report.sha256}
    return doc


def excerpt(doc: Doc, start: int, end: int) -> Doc:
    """A sub-Doc for characters [start, end) with entities AND span groups (``Span.as_doc`` drops groups).

    Long reports make displaCy pages heavy; render one section instead:
    ``displacy.render(excerpt(doc, sec.start, sec.end), style="span", options={"spans_key": "facts"})``.
    """
    window = doc.char_span(start, end, alignment_mode="expand")
    if window is None:
        raise ValueError(f"[{start}, {end}) is outside the document")
    sub = window.as_doc()
    off = window.start_char
    for key, group in doc.spans.items():
        spans = []
        for s in group:
            if s.start_char >= window.start_char and s.end_char <= window.end_char:
                new = sub.char_span(s.start_char - off, s.end_char - off, label=s.label_, kb_id=s.kb_id_,
                                    alignment_mode="expand")
                if new is not None:
                    spans.append(new)
        sub.spans[key] = spans
    sub.user_data.update({k: v for k, v in doc.user_data.items() if isinstance(k, str)})
    return sub
