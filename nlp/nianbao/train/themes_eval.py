"""Publisher-grouped evaluation of the paragraph role/theme classifier, model comparison, learning curve.

The question is how the classifier does on reports of publishers it has never seen, so
test folds hold *real* paragraphs only, grouped by publisher (``training_data/groups.tsv``),
while self-written paragraphs are added to every training part and never tested. The CV is
repeated with several shuffles; the card gives the mean ± sd over all (repeat, fold) runs
and per-label precision/recall/F1 and the role confusion pooled over the first repeat's folds
(each real paragraph predicted once). Threshold tuning happens inside each training part.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nianbao.stages.themes import Item, label_set
from nianbao.train.common import prf
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


def _micro(gold: list[list[str]], pred: list[list[str]]) -> dict[str, float]:
    tp = sum(len(set(g) & set(p)) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(set(p) - set(g)) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(set(g) - set(p)) for g, p in zip(gold, pred, strict=True))
    return prf(tp, fp, fn)


def _mean_sd(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    return {"mean": round(float(arr.mean()), 4), "sd": round(float(arr.std(ddof=1)) if len(arr) > 1 else 0.0, 4),
            "n": len(values)}


def _run_fold(backend: Backend, items: Sequence[Item], train_idx: np.ndarray, test_idx: np.ndarray,
              seed: int) -> tuple[list[str], np.ndarray, list[list[str]], float]:
    t0 = time.perf_counter()
    r, s, th = backend([items[i] for i in train_idx], [items[i] for i in test_idx], seed)
    return r, s, th, time.perf_counter() - t0


def cross_validate(items: Sequence[Item], k: int = 5, seed: int = 0, backend: Backend | None = None,
                   name: str = "sklearn", repeats: int = 1, n_jobs: int = 1) -> dict[str, Any]:
    """Publisher-grouped k-fold CV of one backend, ``repeats`` shuffles (seeds ``seed``…); real paragraphs only
    are scored."""
    from joblib import Parallel, delayed

    labels = label_set()
    themes, roles = list(labels["themes"]), list(labels["roles"])
    backend = backend or sklearn_backend(None)
    items = list(items)
    t_total = time.perf_counter()
    jobs = [(rep, tr, te) for rep in range(repeats) for tr, te in group_folds(items, k, seed + rep)]
    results = Parallel(n_jobs=n_jobs)(delayed(_run_fold)(backend, items, tr, te, seed) for _, tr, te in jobs)
    fold_f1: list[float] = []
    fold_acc: list[float] = []
    pred_role: dict[int, str] = {}
    pred_themes: dict[int, list[str]] = {}
    rep_pred: dict[int, dict[int, tuple[str, list[str]]]] = {}
    fit_seconds = 0.0
    for (rep, _tr, te), (r, _s, th, secs) in zip(jobs, results, strict=True):
        fit_seconds += secs
        fold_f1.append(_micro([items[i].themes for i in te], th)["f1"])
        fold_acc.append(float(np.mean([items[i].role == r[j] for j, i in enumerate(te)])))
        for j, i in enumerate(te):
            rep_pred.setdefault(rep, {})[int(i)] = (r[j], th[j])
            if rep == 0:
                pred_role[int(i)], pred_themes[int(i)] = r[j], th[j]
    scored = sorted(pred_role)
    gold_themes = [items[i].themes for i in scored]
    per_label: dict[str, dict[str, float]] = {}
    for t in themes:
        tp = sum(1 for i in scored if t in items[i].themes and t in pred_themes[i])
        fp = sum(1 for i in scored if t not in items[i].themes and t in pred_themes[i])
        fn = sum(1 for i in scored if t in items[i].themes and t not in pred_themes[i])
        per_label[t] = prf(tp, fp, fn)
    micro = _micro(gold_themes, [pred_themes[i] for i in scored])
    macro_f1 = round(float(np.mean([per_label[t]["f1"] for t in themes])), 4)
    gold_roles = [items[i].role or "other" for i in scored]
    acc = sum(g == pred_role[i] for g, i in zip(gold_roles, scored, strict=True)) / max(1, len(scored))
    confusion = {g: {p: sum(1 for gr, i in zip(gold_roles, scored, strict=True) if gr == g and pred_role[i] == p)
                     for p in roles} for g in roles}
    role_f1 = {}
    for r in roles:
        tp = confusion[r][r]
        fp = sum(confusion[g][r] for g in roles if g != r)
        fn = sum(confusion[r][p] for p in roles if p != r)
        role_f1[r] = prf(tp, fp, fn)
    pooled_by_repeat = []
    for _rep, preds in sorted(rep_pred.items()):
        idx = sorted(preds)
        pooled_by_repeat.append({"micro_f1": _micro([items[i].themes for i in idx], [preds[i][1] for i in idx])["f1"],
                                 "role_accuracy": round(float(np.mean([items[i].role == preds[i][0] for i in idx])), 4)})
    real = [it for it in items if it.real]
    return {
        "name": name, "k": len(jobs) // max(1, repeats), "repeats": repeats, "n": len(scored),
        "n_train_only": len(items) - len(real),
        "n_publishers": len({it.group for it in real}),
        "n_documents": len({it.source.split(":")[0] for it in real}),
        "themes": {"per_label": per_label, "micro": micro, "macro_f1": macro_f1},
        "role": {"accuracy": round(acc, 4), "per_role": role_f1, "confusion": confusion},
        "folds": {"micro_f1": _mean_sd(fold_f1), "role_accuracy": _mean_sd(fold_acc)},
        "repeats_pooled": pooled_by_repeat,
        "seconds": {"total": round(time.perf_counter() - t_total, 1), "fit_predict": round(fit_seconds, 1)},
    }


def evaluate(data: list[Path], k: int = 5, seed: int = 0, config: dict[str, Any] | None = None,
             repeats: int = 1, n_jobs: int = 1) -> dict[str, Any]:
    """Publisher-grouped CV of the shipped configuration (or ``config``) on JSONL files."""
    loaded = load_items(data)
    result = cross_validate(loaded.items, k, seed, sklearn_backend(config), name="sklearn", repeats=repeats,
                            n_jobs=n_jobs)
    result["skipped"] = loaded.skipped
    return result


# Alternatives the model card compares (name -> config overrides of DEFAULT_CONFIG).
VARIANTS: dict[str, dict[str, Any]] = {
    "char1-3 + tags; themes calibrated LinearSVC, tuned thresholds; role logistic regression (shipped)": {},
    "same, role calibrated LinearSVC": {"role_model": "svm_calibrated", "role_C": 0.5},
    "same, fixed 0.5 theme thresholds": {"tune_thresholds": False},
    "same, themes logistic regression": {"theme_model": "logreg", "theme_C": 10.0},
    "same, no section/format tags": {"tags": False},
    "char2-4 instead of char1-3": {"char_ngrams": [2, 4]},
    "words 1-2 (rjieba + domain dictionary) instead of chars": {"chars": False, "words": True},
    "char1-3 + words 1-2": {"words": True},
}


def compare(data: list[Path], k: int = 5, seed: int = 0, variants: dict[str, dict[str, Any]] | None = None,
            repeats: int = 1, n_jobs: int = 1,
            progress: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """CV results of several configurations on the same folds."""
    items = load_items(data).items
    results = []
    for name, cfg in (variants or VARIANTS).items():
        results.append(cross_validate(items, k, seed, sklearn_backend(cfg), name=name, repeats=repeats, n_jobs=n_jobs))
        if progress:
            progress(results[-1])
    return results


def learning_curve(data: list[Path], fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0), k: int = 5, seed: int = 0,
                   config: dict[str, Any] | None = None, n_jobs: int = 1) -> list[dict[str, Any]]:
    """Same test folds, training on a growing share of the real training publishers (self-written always in)."""
    items = load_items(data).items
    base = sklearn_backend(config)
    out = []
    for frac in fractions:
        def subset(train: list[Item], s: int, frac: float = frac) -> list[Item]:
            pubs = sorted({it.group for it in train if it.real})
            keep = set(np.random.default_rng(s).permutation(pubs)[: max(2, round(frac * len(pubs)))].tolist())
            return [it for it in train if not it.real or it.group in keep]

        def backend(train: list[Item], test: list[Item], s: int, subset: Any = subset) -> tuple[
                list[str], np.ndarray, list[list[str]]]:
            return base(subset(train, s), test, s)

        res = cross_validate(items, k, seed, backend, name=f"{frac:.2f}", n_jobs=n_jobs)
        n_real_train = float(np.mean([sum(it.real for it in subset([items[i] for i in tr], seed))
                                      for tr, _ in group_folds(items, k, seed)]))
        out.append({"fraction": frac, "real_train": round(n_real_train), "micro_f1": res["themes"]["micro"]["f1"],
                    "tuned": bool({**DEFAULT_CONFIG, **(config or {})}["tune_thresholds"]), "n": res["n"],
                    "role_accuracy": res["role"]["accuracy"], "fold_micro_f1": res["folds"]["micro_f1"],
                    "fold_role_accuracy": res["folds"]["role_accuracy"]})
    return out


def format_report(result: dict[str, Any]) -> str:
    """Plain-text tables of one CV result."""
    f, a = result["folds"]["micro_f1"], result["folds"]["role_accuracy"]
    lines = [f"{result['name']}: {result['n']} real paragraphs ({result['n_documents']} documents, "
             f"{result['n_publishers']} publishers) in {result['k']}-fold publisher-grouped CV x {result['repeats']}; "
             f"{result['n_train_only']} self-written paragraphs in training only",
             f"themes micro P/R/F1 {result['themes']['micro']['precision']:.3f} / "
             f"{result['themes']['micro']['recall']:.3f} / {result['themes']['micro']['f1']:.3f}; "
             f"macro F1 {result['themes']['macro_f1']:.3f}; role accuracy {result['role']['accuracy']:.3f}",
             f"per fold: themes micro-F1 {f['mean']:.3f} ± {f['sd']:.3f}, role accuracy {a['mean']:.3f} ± {a['sd']:.3f}"
             f" ({f['n']} folds)"]
    lines.append(f"{'label':26} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}")
    for t, m in result["themes"]["per_label"].items():
        lines.append(f"{t:26} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['gold']:5d}")
    roles = list(result["role"]["confusion"])
    lines.append("role confusion (rows gold, columns predicted): " + " ".join(r[:5] for r in roles))
    for g in roles:
        lines.append(f"  {g:12} " + " ".join(f"{result['role']['confusion'][g][p]:5d}" for p in roles))
    return "\n".join(lines)


def agreement_summary(path: Path | None = None) -> list[str]:
    """Headline lines of the double-annotation report (``training_data/paragraphs/agreement/AGREEMENT.md``)."""
    from nianbao.resources import repo_dir

    path = path or repo_dir() / "training_data" / "paragraphs" / "agreement" / "AGREEMENT.md"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    keep = [ln.replace("- agreement", "- role: agreement", 1)
            for ln in lines if ln.startswith(("Units compared", "- agreement", "- pooled", "- identical"))]
    if "| theme | A | B | both | agreement | kappa |" in lines:  # the per-theme kappa table, as written
        i = lines.index("| theme | A | B | both | agreement | kappa |")
        j = i
        while j < len(lines) and lines[j].startswith("|"):
            j += 1
        keep += ["", *lines[i:j]]
    return keep


def _targets(evaluation: dict[str, Any]) -> list[str]:
    f1 = evaluation["themes"]["micro"]["f1"]
    acc = evaluation["role"]["accuracy"]
    weak = [t for t, m in evaluation["themes"]["per_label"].items() if m["gold"] >= 30 and m["f1"] < 0.60]
    return [f"- themes micro-F1 ≥ 0.78: {'met' if f1 >= 0.78 else 'NOT met'} ({f1:.3f})",
            f"- role accuracy ≥ 0.88: {'met' if acc >= 0.88 else 'NOT met'} ({acc:.3f})",
            "- no theme with ≥ 30 real examples below F1 0.60: "
            + ("met" if not weak else "NOT met (" + ", ".join(weak) + ")")]


def model_card(meta: dict[str, Any], evaluation: dict[str, Any] | None = None,
               comparison: list[dict[str, Any]] | None = None, curve: list[dict[str, Any]] | None = None,
               startup: dict[str, Any] | None = None) -> str:
    """The MODEL_CARD.md text for a trained model."""
    cfg = {**DEFAULT_CONFIG, **meta.get("config", {})}
    feats = []
    if cfg.get("chars", True):
        feats.append(f"character {cfg['char_ngrams'][0]}-{cfg['char_ngrams'][1]}-gram TF-IDF (sublinear, min_df "
                     f"{cfg['char_min_df']}, ≤{cfg['char_max_features']} features)")
    if cfg.get("words"):
        feats.append("word 1-2-gram TF-IDF from the project's tokenizer (rjieba + domain dictionary)")
    if cfg.get("tags", True):
        feats.append("one-hot section and format")
    kind = {"svm_calibrated": "LinearSVC with sigmoid calibration", "logreg": "logistic regression"}
    n_syn = meta.get("n_items", 0) - meta.get("n_real", 0)
    out = [
        "# nianbao paragraph role & theme classifier",
        "",
        f"Version {meta.get('version')} · trained on {meta.get('n_items')} labelled paragraphs ({meta.get('n_real')} "
        f"real from {meta.get('n_documents')} documents of {meta.get('n_publishers')} publishers, {n_syn} self-written) · "
        f"training data sha256 `{meta.get('data_sha256', '')}` · seed {meta.get('seed')} · model file "
        f"{meta.get('model_bytes', 0) / 1e6:.1f} MB (`model.skops`, skops format, no pickle).",
        "",
        "## What it does",
        "For every prose unit of sections 一 (overview), 五 (problems), 六 (other) and of legacy reports "
        "(`nianbao.stages.paragraphs`, unit rule v2 of `training_data/paragraphs/GUIDE.md`: lines or wrapped-line runs, "
        "split at run-together 一是/二是, （一）/（二）, 1./2. enumerations) it predicts one **role** "
        "(achievement, problem, measure, plan, other) and zero or more of twelve **themes** "
        "with per-label scores (`Paragraph.scores`; role probabilities under `role:<name>`). Features are built "
        "from the *normalised* text, so traditional-script paragraphs get the labels of their simplified twins.",
        "",
        "## Model",
        "A standard scikit-learn artefact: a fitted `ColumnTransformer` over (text, section, format, words) rows — "
        + "; ".join(feats) + " — feeding",
        f"- themes: one-vs-rest {kind[cfg['theme_model']]} (C={cfg['theme_C']}, balanced class weights), per-label "
        "thresholds tuned on out-of-fold scores of inner publisher-grouped folds of the training data (real paragraphs);",
        f"- role: {kind[cfg['role_model']]} (C={cfg['role_C']}, balanced class weights).",
        "",
        "Stored with skops; `ThemeModel.load` refuses any type outside `nianbao.stages.themes.TRUSTED_TYPES` "
        "(scikit-learn estimators, numpy/scipy arrays, builtins). `ThemeModel.pipelines()` gives the two "
        "scikit-learn `Pipeline`s (features → themes, features → role); training and evaluation use them. "
        "Training also exports the fitted model to plain arrays (`model.npz`: terms, idf, one weight matrix, "
        "intercepts, sigmoid calibration; `meta.json[\"compiled\"]`), which the pipeline's themes stage loads at "
        "its first paragraph and runs with numpy alone (`CompiledModel`, scores equal to `predict_proba` up to "
        "float summation order, tested); a model folder with only `model.skops` is exported in memory on load.",
        "",
        "Thresholds: " + ", ".join(f"{t} {v:.2f}" for t, v in meta.get("thresholds", {}).items()) + ".",
        "",
    ]
    if startup:
        out += ["CLI start-up (`time nianbao extract " + str(startup.get("file", "")) + " > /dev/null`, best of "
                f"{startup.get('runs', '?')} runs, 2 shared CPU cores): "
                f"{startup.get('before', '?')} s with the former bit-packed numpy inference, "
                f"{startup.get('after', '?')} s with the numpy export of this model, "
                f"{startup.get('sklearn', '?')} s serving it through scikit-learn + skops (limit 1.5 s). "
                + str(startup.get("note", "")), ""]
    out += [
        "## Training data",
        "Files (`training_data/paragraphs/`): " + ", ".join(f"{f} ({n})" for f, n in meta.get("data_files", {}).items())
        + f". Skipped records: {meta.get('skipped', 0)}; a unit labelled in two files counts once (first file).",
        "",
        "- `shared_*.jsonl`, `pages_*.jsonl`, `corpus_56.jsonl`: **real** paragraphs, stand-off annotations "
        "(document id + offsets + span hash) over the shared reference reports and report openings "
        "(`shared_*` were labelled before unit rule v2 and hold some run-together enumerations as one unit);",
        "- `synthetic.jsonl`: self-written prose (with traditional-script twins), used for **training only**: "
        "never in a test fold.",
        "",
        f"Real paragraphs: {meta.get('n_real')} from {meta.get('n_documents')} documents, {meta.get('n_publishers')} "
        "publisher groups (`training_data/groups.tsv`).",
        "",
        "| label | real | all (incl. self-written) |", "|---|---|---|",
    ]
    for k, v in meta.get("role_counts", {}).items():
        out.append(f"| role {k} | {meta.get('real_role_counts', {}).get(k, 0)} | {v} |")
    for k, v in meta.get("theme_counts", {}).items():
        out.append(f"| {k} | {meta.get('real_theme_counts', {}).get(k, 0)} | {v} |")
    out.append("")
    if evaluation:
        f, a = evaluation["folds"]["micro_f1"], evaluation["folds"]["role_accuracy"]
        out += ["## Publisher-grouped cross-validation (real paragraphs only)", "",
                f"{evaluation['k']}-fold CV grouped by publisher, {evaluation['repeats']} shuffle(s); test folds hold "
                f"only real paragraphs ({evaluation['n']}), the {evaluation['n_train_only']} self-written ones are in "
                "every training part; thresholds are tuned inside each training part.", "",
                f"**Themes micro-F1 {f['mean']:.3f} ± {f['sd']:.3f}** (mean ± sd over {f['n']} folds; pooled "
                f"{evaluation['themes']['micro']['f1']:.3f}, P {evaluation['themes']['micro']['precision']:.3f}, "
                f"R {evaluation['themes']['micro']['recall']:.3f}; macro-F1 {evaluation['themes']['macro_f1']:.3f}); "
                f"**role accuracy {a['mean']:.3f} ± {a['sd']:.3f}** (pooled {evaluation['role']['accuracy']:.3f}).", "",
                "Targets of issue #13 (pooled figures):", *_targets(evaluation), "",
                "| theme | precision | recall | F1 | real support |", "|---|---|---|---|---|"]
        for t, m in evaluation["themes"]["per_label"].items():
            out.append(f"| {t} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['gold']} |")
        roles = list(evaluation["role"]["confusion"])
        out += ["", "| role | precision | recall | F1 | real support |", "|---|---|---|---|---|"]
        for r in roles:
            m = evaluation["role"]["per_role"][r]
            out.append(f"| {r} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['gold']} |")
        out += ["", "Role confusion matrix (real paragraphs, rows gold, columns predicted):", "",
                "| gold \\ predicted | " + " | ".join(roles) + " |", "|---" * (len(roles) + 1) + "|"]
        for g in roles:
            out.append(f"| {g} | " + " | ".join(str(evaluation["role"]["confusion"][g][p]) for p in roles) + " |")
        out.append("")
    elif meta.get("cv", {}).get("note"):
        out += ["## Cross-validation", "", meta["cv"]["note"] + ".", ""]
    if comparison:
        out += ["## Model comparison (same publisher-grouped folds, real-only test folds)", "",
                "Seconds: wall time of the whole CV (training included, thresholds tuned in inner folds) on 2 shared "
                "CPU cores: compare roughly.", "",
                "| model | real test paragraphs | themes micro-F1 (folds) | pooled micro-F1 | macro-F1 | role accuracy "
                "(folds) | pooled role accuracy | seconds |", "|---|---|---|---|---|---|---|---|"]
        for c in comparison:
            f, a = c["folds"]["micro_f1"], c["folds"]["role_accuracy"]
            out.append(f"| {c['name']} | {c['n']} | {f['mean']:.3f} ± {f['sd']:.3f} | {c['themes']['micro']['f1']:.3f} | "
                       f"{c['themes']['macro_f1']:.3f} | {a['mean']:.3f} ± {a['sd']:.3f} | {c['role']['accuracy']:.3f} | "
                       f"{c['seconds']['total']} |")
        out += ["", "Pretrained Chinese embeddings were checked on the package index and none qualifies (weights must "
                "install with the package, nothing fetched at run time): `synonyms` downloads its vectors under a "
                "licence key, `chinese-word-vectors` is a 12 kB downloader, `model2vec`, `text2vec`, `bert4vec`, "
                "`sentence-transformers`, `bpemb`, `wikipedia2vec`, `hanlp` and `static-embed-runner` fetch weights from "
                "a hub or URL at run time, and `zh-core-web-sm` on the index is a placeholder (spaCy's Chinese "
                "pipelines are not published there).", ""]
    if curve:
        out += ["## Learning curve", "",
                "Same test folds; training keeps all self-written paragraphs and a growing share of the real training "
                "publishers" + ("" if curve[0].get("tuned", True) else " (fixed 0.5 theme thresholds, to keep it cheap)")
                + f"; {curve[0].get('n', '?')} real test paragraphs.", "",
                "| share of real training publishers | real training paragraphs (mean per fold) | themes micro-F1 | "
                "role accuracy |", "|---|---|---|---|"]
        for c in curve:
            out.append(f"| {c['fraction']:.2f} | {c['real_train']} | {c['micro_f1']:.3f} "
                       f"({c['fold_micro_f1']['mean']:.3f} ± {c['fold_micro_f1']['sd']:.3f}) | {c['role_accuracy']:.3f} "
                       f"({c['fold_role_accuracy']['mean']:.3f} ± {c['fold_role_accuracy']['sd']:.3f}) |")
        out.append("")
    agree = agreement_summary()
    if agree:
        out += ["## Annotator agreement", "",
                "From `training_data/paragraphs/agreement/AGREEMENT.md` (two annotators, labelled independently): "
                "it bounds what any model can reach on these labels.", "", *agree, ""]
    out += [
        "## How to retrain and evaluate",
        "```",
        "nianbao evaluate themes                      # publisher-grouped CV, per-label table, role confusion",
        "nianbao train themes --out DIR               # model + card with a publisher-grouped CV",
        "```",
        "or, with repeats, the comparison table and the learning curve:",
        "```python",
        "from pathlib import Path",
        "from nianbao.train.themes_release import train\nfrom nianbao.train.themes_train import default_data",
        "train(default_data(), Path('models/themes'), repeats=3, n_jobs=2, compare=True, curve=True)",
        "```",
        "Training is deterministic for a seed and data (`data_sha256` above). Stand-off records need the shared "
        "reference tree (`../shared` or `$NIANBAO_SHARED`); without it they are skipped and reported. A user model "
        "folder can be passed to the pipeline as option `themes_model` (`nianbao extract --model DIR`).",
        "",
        "## Limits",
        "- Real paragraphs come mostly from report openings (section 一) and from sections 五/六 of the 33 corpus "
        "reports; sections 五/六 of other publishers are thinly covered.",
        "- Rare themes (standardization, public_participation, security_review, information_management) have few real "
        "examples; their per-label figures move a lot between folds.",
        "- `measure` vs `plan` is the main role error: whether an item of section 五 is a fix of the stated problems "
        "or next year's plan is decided by the line that introduces its list, not by the item's own words. A "
        "feature from that lead-in line (char n-grams of the nearest preceding non-item line) was tried and did not "
        "help (role accuracy 0.870 vs 0.877 on the same folds), so it is not shipped.",
        "- `achievement` vs `other` is the second: counts of work done are `other` by the guide but read like "
        "achievements.",
        "- The unit rule splits an enumeration only when its markers stand at a clause boundary; a marker glued to a "
        "heading (`…方面1、…`) leaves the run as one unit, which then gets the union of themes.",
        "",
    ]
    return "\n".join(out)
