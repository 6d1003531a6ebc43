"""Cross-validated evaluation of the paragraph role/theme classifier, and model comparison.

``evaluate(data, k)`` runs grouped k-fold CV (a document, or a paragraph and its
traditional-script twin, never straddles train and test) and returns per-label
precision/recall/F1, micro/macro F1, role accuracy and the role confusion matrix.
``compare(data, k)`` does the same for several scikit-learn configurations and for a
spaCy ``textcat_multilabel`` model trained from scratch, so the model card can say
why the shipped one was chosen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nianbao.stages.themes import Item, label_set
from nianbao.train.themes_train import DEFAULT_CONFIG, fit, group_folds, load_items

Backend = Callable[[list[Item], list[Item], int], tuple[list[str], np.ndarray, list[list[str]]]]


def sklearn_backend(config: dict[str, Any] | None) -> Backend:
    def run(train: list[Item], test: list[Item], seed: int) -> tuple[list[str], np.ndarray, list[list[str]]]:
        model = fit(train, config, seed)
        preds = model.predict(test)
        themes = model.meta["themes"]
        scores = np.array([[p.scores[t] for t in themes] for p in preds])
        return [p.role for p in preds], scores, [p.themes for p in preds]

    return run


def _spacy_backend(epochs: int = 20) -> Backend:
    """spaCy textcat_multilabel (themes) + textcat (role), blank zh, bag-of-char-n-grams, CPU."""

    def run(train: list[Item], test: list[Item], seed: int) -> tuple[list[str], np.ndarray, list[list[str]]]:
        import random

        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        labels = label_set()
        themes, roles = list(labels["themes"]), list(labels["roles"])
        tags = list(labels["tags"])
        fix_random_seed(seed)
        bow = {"@architectures": "spacy.TextCatBOW.v3", "ngram_size": 3, "no_output_layer": False, "length": 262144}

        def text_of(it: Item) -> str:
            # section/format as single private-use characters: one token each
            from nianbao.stages.themes import item_tags

            marks = "".join(chr(0xE000 + tags.index(t)) for t in item_tags(it) if t in tags)
            return marks + it.text

        def train_pipe(component: str, labels_: list[str], exclusive: bool, gold: list[set[str]]) -> Any:
            # one pipeline per task: an exclusive textcat rejects the other task's cats
            nlp = spacy.blank("zh")
            pipe = nlp.add_pipe(component, config={"model": {**bow, "exclusive_classes": exclusive}})
            for lab in labels_:
                pipe.add_label(lab)
            examples = [Example.from_dict(nlp.make_doc(text_of(it)), {"cats": {lab: float(lab in g)
                                                                             for lab in labels_}})
                        for it, g in zip(train, gold, strict=True)]
            optimizer = nlp.initialize(lambda: examples)
            rng = random.Random(seed)
            for _ in range(epochs):
                rng.shuffle(examples)
                for batch in minibatch(examples, size=16):
                    nlp.update(batch, sgd=optimizer, drop=0.2)
            return nlp

        theme_nlp = train_pipe("textcat_multilabel", themes, False, [set(it.themes) for it in train])
        role_nlp = train_pipe("textcat", roles, True, [{it.role or "other"} for it in train])
        texts = [text_of(it) for it in test]
        theme_docs = list(theme_nlp.pipe(texts))
        role_docs = list(role_nlp.pipe(texts))
        scores = np.array([[d.cats.get(t, 0.0) for t in themes] for d in theme_docs])
        role_pred = [max(roles, key=lambda r, d=d: d.cats.get(r, 0.0)) for d in role_docs]
        chosen = [[t for j, t in enumerate(themes) if scores[i, j] >= 0.5] for i in range(len(theme_docs))]
        return role_pred, scores, chosen

    return run


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn}


def cross_validate(items: Sequence[Item], k: int = 5, seed: int = 0, backend: Backend | None = None,
                   name: str = "sklearn") -> dict[str, Any]:
    """Grouped k-fold CV of one backend; metrics over the pooled out-of-fold predictions."""
    labels = label_set()
    themes, roles = list(labels["themes"]), list(labels["roles"])
    backend = backend or sklearn_backend(None)
    items = list(items)
    pred_role: list[str] = [""] * len(items)
    pred_themes: list[list[str]] = [[] for _ in items]
    fit_seconds = predict_n = 0.0
    t_total = time.perf_counter()
    folds = group_folds(items, k, seed)
    for train_idx, test_idx in folds:
        t0 = time.perf_counter()
        r, _s, th = backend([items[i] for i in train_idx], [items[i] for i in test_idx], seed)
        fit_seconds += time.perf_counter() - t0
        predict_n += len(test_idx)
        for j, i in enumerate(test_idx):
            pred_role[i], pred_themes[i] = r[j], th[j]
    per_label: dict[str, dict[str, float]] = {}
    TP = FP = FN = 0
    for t in themes:
        tp = sum(1 for it, p in zip(items, pred_themes, strict=True) if t in it.themes and t in p)
        fp = sum(1 for it, p in zip(items, pred_themes, strict=True) if t not in it.themes and t in p)
        fn = sum(1 for it, p in zip(items, pred_themes, strict=True) if t in it.themes and t not in p)
        per_label[t] = _prf(tp, fp, fn)
        TP, FP, FN = TP + tp, FP + fp, FN + fn
    micro = _prf(TP, FP, FN)
    macro_f1 = round(float(np.mean([per_label[t]["f1"] for t in themes])), 4)
    gold_roles = [it.role or "other" for it in items]
    acc = sum(a == b for a, b in zip(gold_roles, pred_role, strict=True)) / max(1, len(items))
    confusion = {g: {p: sum(1 for a, b in zip(gold_roles, pred_role, strict=True) if a == g and b == p)
                     for p in roles} for g in roles}
    role_f1 = {}
    for r in roles:
        tp = confusion[r][r]
        fp = sum(confusion[g][r] for g in roles if g != r)
        fn = sum(confusion[r][p] for p in roles if p != r)
        role_f1[r] = _prf(tp, fp, fn)
    by_source: dict[str, dict[str, float]] = {}
    for kind in ("shared", "synthetic"):
        idx = [i for i, it in enumerate(items) if it.group.startswith("doc:") == (kind == "shared")]
        if idx:
            tp = sum(len(set(items[i].themes) & set(pred_themes[i])) for i in idx)
            fp = sum(len(set(pred_themes[i]) - set(items[i].themes)) for i in idx)
            fn = sum(len(set(items[i].themes) - set(pred_themes[i])) for i in idx)
            by_source[kind] = {"n": len(idx), "micro_f1": _prf(tp, fp, fn)["f1"],
                               "role_accuracy": round(sum(gold_roles[i] == pred_role[i] for i in idx) / len(idx), 4)}
    return {
        "name": name, "k": len(folds), "n": len(items),
        "themes": {"per_label": per_label, "micro": micro, "macro_f1": macro_f1},
        "role": {"accuracy": round(acc, 4), "per_role": role_f1, "confusion": confusion},
        "by_source": by_source,
        "seconds": {"total": round(time.perf_counter() - t_total, 1), "fit_predict": round(fit_seconds, 1)},
    }


def evaluate(data: list[Path], k: int = 5, seed: int = 0, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """k-fold CV of the shipped configuration (or ``config``) on JSONL files."""
    loaded = load_items(data)
    result = cross_validate(loaded.items, k, seed, sklearn_backend(config), name="sklearn")
    result["skipped"] = loaded.skipped
    return result


# Alternatives the model card compares (name -> config overrides of DEFAULT_CONFIG).
VARIANTS: dict[str, dict[str, Any]] = {
    "char1-3 TF-IDF + calibrated LinearSVC (shipped)": {},
    "char1-3 TF-IDF + logistic regression": {"theme_model": "logreg", "theme_C": 10.0, "role_model": "logreg",
                                             "role_C": 10.0},
    "char2-4 TF-IDF + calibrated LinearSVC": {"char_ngrams": [2, 4]},
    "char1-3 + jieba word 1-2 TF-IDF + calibrated LinearSVC": {"words": True},
    "char1-3 + calibrated LinearSVC, fixed 0.5 thresholds": {"tune_thresholds": False},
}


def compare(data: list[Path], k: int = 5, seed: int = 0, spacy_epochs: int = 20,
            variants: dict[str, dict[str, Any]] | None = None, with_spacy: bool = True,
            progress: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """CV results of several scikit-learn configurations and of spaCy textcat, same folds."""
    items = load_items(data).items
    runs: list[tuple[str, Backend]] = [(name, sklearn_backend(cfg)) for name, cfg in (variants or VARIANTS).items()]
    if with_spacy:
        runs.append((f"spaCy textcat_multilabel + textcat (blank zh, BOW char 1-3, {spacy_epochs} epochs)",
                     _spacy_backend(spacy_epochs)))
    results = []
    for name, backend in runs:
        results.append(cross_validate(items, k, seed, backend, name=name))
        if progress:
            progress(results[-1])
    return results


def format_report(result: dict[str, Any]) -> str:
    """Plain-text tables of one CV result."""
    lines = [f"{result['name']}: {result['n']} paragraphs, {result['k']}-fold grouped CV",
             f"themes micro P/R/F1 {result['themes']['micro']['precision']:.3f} / "
             f"{result['themes']['micro']['recall']:.3f} / {result['themes']['micro']['f1']:.3f}; "
             f"macro F1 {result['themes']['macro_f1']:.3f}; role accuracy {result['role']['accuracy']:.3f}"]
    lines.append(f"{'label':26} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}")
    for t, m in result["themes"]["per_label"].items():
        lines.append(f"{t:26} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:5d}")
    roles = list(result["role"]["confusion"])
    lines.append("role confusion (rows gold, columns predicted): " + " ".join(r[:5] for r in roles))
    for g in roles:
        lines.append(f"  {g:12} " + " ".join(f"{result['role']['confusion'][g][p]:5d}" for p in roles))
    return "\n".join(lines)


def model_card(meta: dict[str, Any], evaluation: dict[str, Any] | None = None,
               comparison: list[dict[str, Any]] | None = None) -> str:
    """The MODEL_CARD.md text for a trained model."""
    cfg = meta.get("config", DEFAULT_CONFIG)
    out = [
        "# nianbao paragraph role & theme classifier",
        "",
        f"Version {meta.get('version')} · trained on {meta.get('n_items')} labelled paragraphs · "
        f"training data sha256 `{meta.get('data_sha256', '')}` · seed {meta.get('seed')} · "
        f"model files {meta.get('model_bytes', 0) / 1e6:.1f} MB (`model.skops`, skops format, no pickle) and "
        f"{meta.get('compiled', {}).get('bytes', 0) / 1e6:.1f} MB (`model.npz`, compiled, used by the pipeline).",
        "",
        "## What it does",
        "For every prose paragraph of sections 一 (overview), 五 (problems), 六 (other) and of legacy reports "
        "(segmentation: `nianbao/paragraphs.py`, the rule of `.agents/PARAGRAPHS.md`) it predicts one **role** "
        "(achievement, problem, measure, plan, other) and zero or more of twelve **themes** (spec/themes.md) "
        "with per-label scores (`Paragraph.scores`; role probabilities under `role:<name>`). Features are built "
        "from the *normalised* text, so traditional-script paragraphs get the labels of their simplified twins.",
        "",
        "## Model",
        f"- character {cfg['char_ngrams'][0]}-{cfg['char_ngrams'][1]}-gram TF-IDF (sublinear, min_df "
        f"{cfg['char_min_df']}, ≤{cfg['char_max_features']} features)"
        + (" + jieba word 1-2-gram TF-IDF" if cfg.get("words") else "")
        + " + one-hot section/format tags;",
        f"- themes: one-vs-rest {'calibrated LinearSVC' if cfg['theme_model'] == 'svm_calibrated' else 'logistic regression'}"
        f" (C={cfg['theme_C']}, balanced class weights), per-label thresholds tuned on out-of-fold scores;",
        "- role: " + ("one-vs-rest LinearSVC with sigmoid calibration, probabilities normalised"
                      if cfg.get("role_model", "svm_calibrated") == "svm_calibrated"
                      else "multinomial logistic regression") + f" (C={cfg['role_C']}, balanced class weights).",
        "",
        "Stored with skops; `ThemeModel.load` refuses any type outside `nianbao.stages.themes.TRUSTED_TYPES` "
        "(scikit-learn estimators, numpy/scipy arrays, builtins). Training also compiles the fitted model to plain "
        "arrays in `model.npz` (vocabulary, idf, linear weights and intercepts, sigmoid calibration parameters, "
        "loaded with `allow_pickle=False`; settings in `meta.json` under `compiled`): the pipeline classifies with "
        "`nianbao.stages.themes.CompiledModel`, numpy only, whose scores equal scikit-learn's `predict_proba` to 1e-6 "
        "(tests/test_themes.py), without the seconds that importing scikit-learn/scipy costs at start-up.",
        "",
        "Label set: roles " + ", ".join(meta.get("roles", [])) + "; themes " + ", ".join(meta.get("themes", [])) + ".",
        "",
        "Thresholds: " + ", ".join(f"{t} {v:.2f}" for t, v in meta.get("thresholds", {}).items()) + ".",
        "",
        "## Training data",
        "Files (`training_data/paragraphs/`): " + ", ".join(f"{f} ({n})" for f, n in meta.get("data_files", {}).items())
        + f". Skipped records: {meta.get('skipped', 0)}.",
        "`shared_*.jsonl` are stand-off annotations (document id + offsets + span hash) over the 36 shared "
        "reference reports; `synthetic.jsonl` is self-written prose in the styles of the three format "
        "generations, with traditional-script twins (OpenCC s2tw plus Taiwan wording) of a third of it.",
        "",
        "Roles: " + ", ".join(f"{k} {v}" for k, v in meta.get("role_counts", {}).items()) + ".",
        "",
        "Themes: " + ", ".join(f"{k} {v}" for k, v in meta.get("theme_counts", {}).items()) + ".",
        "",
    ]
    if evaluation:
        out += ["## Cross-validated metrics", "",
                f"{evaluation['k']}-fold grouped CV (a document, or a paragraph and its script twin, stays in one "
                f"fold), {evaluation['n']} paragraphs, seed {meta.get('seed')}.", "",
                f"**Themes micro-F1 {evaluation['themes']['micro']['f1']:.3f}** "
                f"(P {evaluation['themes']['micro']['precision']:.3f}, R {evaluation['themes']['micro']['recall']:.3f}),"
                f" macro-F1 {evaluation['themes']['macro_f1']:.3f}; **role accuracy "
                f"{evaluation['role']['accuracy']:.3f}**.", ""]
        for kind, m in evaluation.get("by_source", {}).items():
            out.append(f"- {kind} paragraphs only ({m['n']}): themes micro-F1 {m['micro_f1']:.3f}, "
                       f"role accuracy {m['role_accuracy']:.3f}")
        out += ["", "| theme | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for t, m in evaluation["themes"]["per_label"].items():
            out.append(f"| {t} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
        roles = list(evaluation["role"]["confusion"])
        out += ["", "| role | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for r in roles:
            m = evaluation["role"]["per_role"][r]
            out.append(f"| {r} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
        out += ["", "Role confusion matrix (rows gold, columns predicted):", "",
                "| gold \\ predicted | " + " | ".join(roles) + " |", "|---" * (len(roles) + 1) + "|"]
        for g in roles:
            out.append(f"| {g} | " + " | ".join(str(evaluation["role"]["confusion"][g][p]) for p in roles) + " |")
        out.append("")
    elif meta.get("cv", {}).get("note"):
        out += ["## Cross-validated metrics", "", meta["cv"]["note"] + ".", ""]
    if comparison:
        out += ["## Model comparison (same folds)", "",
                "Seconds are wall time of the whole 5-fold run (training included) on 2 shared CPU cores whose load "
                "varied between runs: compare them only roughly.", "",
                "| model | themes micro-F1 | macro-F1 | role accuracy | CV fit+predict seconds |", "|---|---|---|---|---|"]
        for c in comparison:
            out.append(f"| {c['name']} | {c['themes']['micro']['f1']:.3f} | {c['themes']['macro_f1']:.3f} | "
                       f"{c['role']['accuracy']:.3f} | {c['seconds']['fit_predict']} |")
        out.append("")
    out += [
        "## How to retrain",
        "```python",
        "from pathlib import Path",
        "from nianbao.train.themes_train import train, default_data",
        "from nianbao.train.themes_eval import evaluate",
        "ev = evaluate(default_data(), k=5)          # grouped 5-fold CV (train() runs it itself when not given)",
        "train(default_data(), Path('models/themes'), seed=0, evaluation=ev)",
        "```",
        "or `nianbao train themes --out DIR [--cv 5]`, then `nianbao extract --model DIR ...`.",
        "Stand-off records need the shared reference tree (`../shared` or `$NIANBAO_SHARED`); without it they are "
        "skipped and reported. A user model directory can be passed to the pipeline as option `themes_model`.",
        "",
        "## Limits",
        "- The shared annotations come from 36 reports of a few localities (Pingtan crawler pages, Zhecheng county "
        "departments, Shanghai, Huai'an, Yiyang, Suizhou); other regions' wording is represented only by the "
        "self-written paragraphs.",
        "- Rare themes (standardization, public_participation, security_review) rest mostly on self-written "
        "examples; their scores on real reports are less reliable than the CV table suggests.",
        "- Long crawler-page pieces that run several sub-sections together get the union of their themes; "
        "the role of such mixed pieces is inherently ambiguous.",
        "",
    ]
    return "\n".join(out)
