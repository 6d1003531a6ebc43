"""nianbao.to_spacy(report): a Doc whose ents/span groups match the report's offsets exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy import displacy

import nianbao
import synthetic_report as synth
from nianbao.errors import NianbaoError


def test_doc_matches_report_offsets() -> None:
    r = synth.report()
    doc = nianbao.to_spacy(r, synth.TEXT)
    assert doc.text == synth.TEXT
    # entities: non-overlapping, the overlapping GPE inside the second ORG is dropped, edges exact
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == sorted(
        (e.start, e.end, e.label) for e in r.entities if e.label != "GPE")
    facts = doc.spans["facts"]
    assert [(s.start_char, s.end_char, s.label_) for s in facts] == sorted(
        (f.start, f.end, f.metric) for f in r.facts)
    assert [d["value"] for d in doc.user_data["facts"]] == [f.value for f in sorted(r.facts, key=lambda f: f.start)]
    paras = doc.spans["paragraphs"]
    assert [(p.label_, p.kb_id_) for p in paras] == [(p.role, ",".join(p.themes)) for p in r.paragraphs]
    assert doc.user_data["paragraphs"][2]["themes"] == ["attribute_review"]
    assert [s.label_ for s in doc.spans["sections"]] == [s.key for s in r.sections]
    assert {s.label_ for s in doc.spans["cells"]} == set(r.tables)


def test_displacy_renders_entities_and_facts() -> None:
    doc = nianbao.to_spacy(synth.report(), synth.TEXT)
    ent_html = displacy.render(doc, style="ent")
    assert "ORG" in ent_html and synth.ISSUER in ent_html
    span_html = displacy.render(doc, style="span", options={"spans_key": "facts"})
    assert "narrative.requests.received" in span_html


def test_rereads_source_and_refuses_a_changed_file(tmp_path: Path) -> None:
    src = tmp_path / "r.txt"
    src.write_text(synth.TEXT, encoding="utf-8")
    r = synth.report()
    r.source = str(src)
    from nianbao.io.readers import read

    r.sha256 = read(src).sha256
    assert nianbao.to_spacy(r).text == read(src).text
    src.write_text(synth.TEXT + "补充。", encoding="utf-8")
    with pytest.raises(NianbaoError, match="changed"):
        nianbao.to_spacy(r)


def test_bad_offsets_are_skipped_not_fatal() -> None:
    r = synth.report()
    r.facts[0].end = len(synth.TEXT) + 50
    doc = nianbao.to_spacy(r, synth.TEXT)
    assert len(doc.spans["facts"]) == len(r.facts) - 1


def test_excerpt_keeps_span_groups() -> None:
    from nianbao.present.spacy_doc import excerpt

    r = synth.report()
    doc = nianbao.to_spacy(r, synth.TEXT)
    sec = r.section("overview")
    assert sec is not None
    sub = excerpt(doc, sec.start, sec.end)
    assert sub.text == synth.TEXT[sec.start:sec.end]
    inside = [f for f in r.facts if sec.start <= f.start and f.end <= sec.end]
    assert [s.text for s in sub.spans["facts"]] == [synth.TEXT[f.start:f.end] for f in sorted(inside, key=lambda f: f.start)]
    assert len(sub.ents) == len([e for e in doc.ents if sec.start <= e.start_char and e.end_char <= sec.end])
    assert "narrative.requests.received" in displacy.render(sub, style="span", options={"spans_key": "facts"})
