"""Ship the fact classifier: fit on all data, grouped CV, ``models/facts`` (model, meta.json, MODEL_CARD.md).

The card's numbers come from the training metadata; the text that does not change is below.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from nianbao.train.facts_eval import cross_validate, select_rule_metrics
from nianbao.train.facts_train import GOLD_DIR, NONE, build, fit, table_label_precision

INTRO = """# Fact classifier (`models/facts`)

Assigns every number in the prose of a 政府信息公开工作年度报告 a metric key (spec §6.1 and the keys of
`training_data/facts/METRICS.md`) or `none`. Used by the facts stage (`nianbao.stages.facts.run`); without
this folder the stage falls back to the hand-written cues of `data/metrics.yaml`.
Retrain: `nianbao train facts` (writes this card); evaluate: `nianbao evaluate facts [--compare]`.

## How it decides
- **Candidates**: every quantity `nianbao.lang.numbers.find_quantities` finds in the normalised text with PDF
  line breaks joined, outside table lines and grids (as before).
- **Features** (`stages/fact_model.py`, word lists in `data/facts_model.yaml`): the project's segmenter
  (rjieba + the domain dictionary `data/dict.txt`, jieba POS tags) over the number's sentence: 3 words left and
  2 right, bags of clause words (a bag of the sentence's earlier words is available but off), character pairs of
  the 10 characters before the number, 1–4 character suffixes / 1–3 prefixes around it, the governing verb
  (last verb before the number in its clause), the counted noun (first noun after it, else last before it),
  verb+noun, unit, qualifier, magnitude, year-like, section, format generation, a 其中/包括/含/分别 marker and
  whether an earlier number of the sentence precedes it (a part after a total) with the total's rule key,
  the key of the previous number, how many earlier numbers of the document the rules gave the same key and
  whether this one repeats or is smaller than the first of them (a restated total vs a breakdown), negation
  and total words in the clause, a share (占/%) right after, a total whose following numbers of the sentence
  add up to it and those numbers (`SUM_OF_NEXT`, `SUMMAND`), the publication channels named in the clause and
  the clause before (`CH=website|weibo|wechat|video|media|new_media`, several at once `MULTI_CH`), whether a
  number close by or anywhere in the section counts another channel (`PAR_CH`, `SECTION_OTHER_CH`) or the rules
  see an overall total elsewhere (`TOTAL_ELSEWHERE`) and those crossed with the channel, what the phrase just
  before the number names (`ITEM=policy|personnel|repealed|interpretation|news|finance|other_docs`: the line of
  a category breakdown) and what the sentence is about, nearest mention winning (`OBJ=request|hotline|proposal|
  letter|service|review`), and what the hand-written cues say (the rules' winner `OLD=`, every matching cue with
  a distance bucket, skip patterns, plan headings, 分别 enumerations) as features with learned weights, not
  verdicts. Every word list is data in `data/facts_model.yaml`.
- **Model**: scikit-learn `LinearSVC` (C=0.1) over a `DictVectorizer`, exported to `model.npz` (weights as
  float16, vocabulary, classes); scoring is one gather and segmented sum per document in numpy (no
  scikit-learn or spaCy at extraction). The facts stage with the model runs at about half the speed of the
  rules alone (measured on the 36 shared reports, see the project's bench).
- **One value per report**: metrics that annotated reports state with a single value (learned from the gold:
  in ≥ 10 documents and single-valued in ≥ 95% of them, e.g. the year's items total and requests received)
  keep, within one document, the value the model scores highest; other numbers the model gave that key get
  their next-best label (`FactModel.predict_document`).
- **Totals and parts**: a number inside a 其中/包括/分别 list after a total gets `part_of` (the start offset of
  the total) and never its total's key (the classifier's choice becomes `narrative.part`), so summing one key
  never counts twice. The evaluation applies the same step as the facts stage (`stages.facts.link_parts`).
  Zero statements (未收到…申请, 没有…复议和诉讼) still come from the zero cues of
  `data/metrics.yaml`, one 0 per metric the statement names.
"""

DEVELOPMENT = """### How the score moved in the second round (December 2026)

Pooled F1 over the same five publisher-grouped folds, measured after each step in order (rows that change the
gold change what is measured, so they are not model gains alone):

| step | pooled F1 |
|---|---|
| first shipped model (evaluation without the stage's part linking) | 0.802 |
| evaluation links parts exactly as the facts stage does | 0.800 |
| gold: policy-document category lines and lone website totals by the written convention (36 records, scripted) | 0.810 |
| one value per report for single-valued metrics | 0.820 |
| total/summand features; a long prose line with one stray `|` is no table row | 0.828 |
| gold: blind double relabelling of the proactive-volume records (25 changes) | 0.823 |
| channel features (`CH`, `PAR_CH`) | 0.836 |
| `TOTAL_ELSEWHERE` | 0.842 |
| item kinds of category lines (`ITEM`) | 0.853 |
| sentence objects (`OBJ`), several channels in one clause, coordinated zero statements | 0.856 |
| 160 more self-written sentences (`selfwritten_2.yaml`) | 0.876 |
| channels counted elsewhere in the section; channel × context crossings | 0.880 |
"""

LIMITS = """## Known limits
- The rules (`OLD=` and cue features) were tuned document by document on the 36 shared reports, so every score
  on those reports is optimistic for anything using them (rules alone: F1 0.95 on reports, 0.67 on openings).
  The report openings (pages, 220 documents from ~190 publishers) are the fairer test of generality.
- "Rules alone" is the rule system with this issue's data fixes (宗 as a unit, zero-statement cues); the rules
  as they were before the classifier scored 0.762 ± 0.067 on the same folds.
- The self-written sentences were written after reading cross-validation errors, so the CV is somewhat
  optimistic about the phrasings they cover (their text is never in a test fold).
- items_total vs website_posts vs category_items is still where most errors are: whether a website count is
  the year's total or one channel depends on what else the report says (`METRICS.md`, revision 2 of the
  proactive-volume convention). The gold follows that written rule since this revision (a scripted pass over
  policy-document category lines and website totals, then a blind double relabelling of all 837 proactive-volume
  records, Cohen's kappa 0.93 between the two annotators; see `training_data/facts/CHANGES.md`); the CV scores
  before and after the relabelling are not comparable one to one.
- The self-written sentences of `selfwritten_2.yaml` (160) were written after reading cross-validation errors
  of this model, for the error kinds listed in the README of that file: they never sit in a test fold, but the
  CV is optimistic for phrasings they cover. The sealed set of other publishers is the independent measure.
- Rare keys (fewer than ~10 gold facts) are learned mostly from the self-written sentences; their per-metric
  scores rest on a handful of facts.
- Table labels: every shared report now has gold, so the free labels from Table 3/4 and legacy statistics add
  no training examples; measured against gold they agree only about 70% of the time (values collide).
- Zero statements are rules only; a statement naming several objects yields one 0 per metric it names.
- Below the issue's target (grouped-CV F1 ≥ 0.88): see the learning curve for how much more annotation buys.
"""


def _pct(x: float) -> str:
    return f"{x:.3f}"


def write_card(out_dir: Path, meta: dict[str, Any]) -> None:
    cv = meta["cv"]
    lines = [INTRO, "## Data", "",
             "| source | documents | candidate numbers | labelled (not none) |", "|---|---|---|---|"]
    for src, c in meta["sources"].items():
        lines.append(f"| {src} | {c['documents']} | {c['candidates']} | {c['labelled']} |")
    t = meta.get("table_labels_vs_gold") or {}
    lines += ["", "- **gold**: stand-off records in `training_data/facts/<doc>.jsonl` (36 full reports: seeds and corpus; "
              "report openings pa_/pb_/pc_/pd_), labels by span overlap.",
              "- **selfwritten**: `training_data/facts/selfwritten*.yaml`, sentences written for this project "
              "(training only, never in a test fold; the paraphrase test uses a different set).",
              f"- **tables**: a prose number equal to a Table 3/4 cell linked in `data/merge.yaml` or a legacy statistics "
              f"row (`data/facts_model.yaml: legacy_labels`) in a report without gold. 0 documents (all have gold); "
              f"on the gold documents such labels number {t.get('labels', 0)}, of which {t.get('agree', 0)} agree "
              "with the gold label.", "",
              f"Gold facts per key (top 15 of {len(meta['gold_labels'])}): " + ", ".join(
                  f"`{k.replace('narrative.', '')}` {v}" for k, v in list(meta["gold_labels"].items())[:15]), "",
              "## Grouped cross-validation", "",
              f"F1 on (metric, value) over the spec §6.1 keys; `GroupKFold` ({cv['k']} folds) over "
              f"{cv['groups']} publisher groups (`training_data/groups.tsv`, series such as Pingtan one group), "
              f"{cv['documents']} real annotated documents in the test folds; self-written text only trains.", "",
              "| system (same folds) | F1 mean ± sd over folds | folds | pooled P / R / F1 | openings F1 | reports F1 |",
              "|---|---|---|---|---|---|"]
    f, r = cv["f1_folds"], cv["rules_f1_folds"]
    lines.append(f"| **model** ({cv['model']}) | **{_pct(f['mean'])} ± {_pct(f['sd'])}** | {f['folds']} | "
                 f"{_pct(cv['pooled']['precision'])} / {_pct(cv['pooled']['recall'])} / {_pct(cv['pooled']['f1'])} | "
                 f"{_pct(cv['pooled_pages']['f1'])} | {_pct(cv['pooled_reports']['f1'])} |")
    lines.append(f"| rules alone (before) | {_pct(r['mean'])} ± {_pct(r['sd'])} | {r['folds']} | "
                 f"{_pct(cv['rules_pooled']['precision'])} / {_pct(cv['rules_pooled']['recall'])} / "
                 f"{_pct(cv['rules_pooled']['f1'])} | {_pct(cv['rules_pooled_pages']['f1'])} | "
                 f"{_pct(cv['rules_pooled_reports']['f1'])} |")
    if cv.get("hybrid"):
        h = cv["hybrid"]
        lines.append(f"| model + rules where the rules won an inner CV | {_pct(h['f1_folds']['mean'])} ± "
                     f"{_pct(h['f1_folds']['sd'])} | {h['f1_folds']['folds']} | — / — / {_pct(h['pooled']['f1'])} | "
                     f"{_pct(h['pooled_pages']['f1'])} | — |")
    for name, v in cv.get("compare", {}).items():
        lines.append(f"| {name} | {_pct(v['f1_folds']['mean'])} ± {_pct(v['f1_folds']['sd'])} | "
                     f"{v['f1_folds']['folds']} | — / — / {_pct(v['pooled']['f1'])} | — | — |")
    lines += ["", "Model kinds: the linear SVM is shipped; logistic regression (C=4) scores within noise and trains ~3x "
              "slower; handing metrics to the rules where they win an inner CV does not raise the score, so no metric "
              "is left to the rules (hand rules stay for zero statements only). A spaCy `textcat` (TextCatBOW, "
              "uni+bigrams, the project tokenizer, windows of 30 characters before and 15 after the number, 8 epochs) "
              "over the same candidates and folds, measured once with a script outside the package: F1 0.568 ± 0.043 "
              "(pooled 0.575, openings 0.595): words around the number alone, without the cue and structure "
              "features, are far from enough at this data size.", "",
              "### Learning curve (F1 mean ± sd over the folds vs annotated training documents)", "",
              "| training documents | F1 |", "|---|---|"]
    for n, v in cv["learning_curve"].items():
        label = f"all of the fold ({min(cv['train_docs_per_fold'])}–{max(cv['train_docs_per_fold'])})" if n == "all" else n
        lines.append(f"| {label} | {_pct(v['mean'])} ± {_pct(v['sd'])} |")
    lines += ["", "### Per metric (pooled over the test folds)", "",
              "| metric | P | R | F1 | gold | rules F1 |", "|---|---|---|---|---|---|"]
    for key, m in cv["per_metric"].items():
        rb = cv["rules_per_metric"].get(key, {"f1": 0.0})
        lines.append(f"| `{key}` | {_pct(m['precision'])} | {_pct(m['recall'])} | {_pct(m['f1'])} | {m['gold']} | "
                     f"{_pct(rb['f1'])} |")
    lines += ["", f"Model: {meta['features']} features, {meta['classes']} classes; single-valued metrics: "
              + ", ".join(f"`{k.replace('narrative.', '')}`" for k in meta.get("single_valued", [])) + ".", "",
              DEVELOPMENT, "", LIMITS]
    (out_dir / "MODEL_CARD.md").write_text("\n".join(lines), encoding="utf-8")


def train(out_dir: str | Path, data_dir: str | Path = GOLD_DIR, C: float = 0.1, kind: str = "svm",
          cv: bool = True, k: int = 5, hybrid: bool = False) -> dict[str, Any]:
    """Fit on everything and write ``model.npz`` + ``meta.json`` (with grouped-CV scores when ``cv``).

    ``hybrid`` leaves the metrics where the rules win an inner CV to the rules; off by default because
    it did not raise grouped-CV F1 (0.780 ± 0.038 with it, 0.782 ± 0.038 without, same folds).
    """
    docs = build(data_dir)
    model = fit(docs, C=C, kind=kind)
    if hybrid:
        model.rule_metrics = frozenset(select_rule_metrics(docs, C=C, kind=kind))
        model._masked = np.array([c in model.rule_metrics for c in model.classes], dtype=bool)
    counts: dict[str, dict[str, int]] = {}
    for d in docs:
        src = counts.setdefault(d.source, {"documents": 0, "candidates": 0, "labelled": 0})
        src["documents"] += 1
        src["candidates"] += len(d.examples)
        src["labelled"] += sum(e.label != NONE for e in d.examples)
    meta: dict[str, Any] = {"kind": kind, "C": C, "classes": len(model.classes), "features": len(model.vocab),
                            "rule_metrics": sorted(model.rule_metrics), "single_valued": sorted(model.single_valued),
                            "sources": counts,
                            "gold_docs": sorted(d.doc for d in docs if d.source == "gold")}
    gold_docs = [d for d in docs if d.source == "gold"]
    meta["gold_labels"] = dict(Counter(g["metric"] for d in gold_docs for g in d.gold).most_common())
    meta["table_labels_vs_gold"] = table_label_precision(gold_docs)
    if cv:
        meta["cv"] = cross_validate(docs, k=k, C=C, kind=kind, compare=[("lr", 4.0), ("svm", 0.3)], hybrid=True,
                                    curve=(10, 20, 40, 80, 160))
    model.save(out_dir, meta)
    if cv:
        write_card(Path(out_dir), meta)
    return meta
