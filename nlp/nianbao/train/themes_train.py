"""Training the paragraph role/theme model from annotated JSONL (``training_data/paragraphs``).

Two record kinds are read:

* stand-off records over shared documents ``{doc, start, end, sha1, section, role, themes}``:
  the document is re-read, the span hash checked, and the span's normalised text used;
* self-written records ``{id, text, section, format_id, script, role, themes}``.

``train(data, out, seed)`` is deterministic for a given seed and data: same inputs give
the same model and the same ``data_sha256`` in ``meta.json`` and the model card.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nianbao.errors import NianbaoError
from nianbao.resources import repo_dir, shared_doc_path
from nianbao.resources import shared_dir as _shared_dir
from nianbao.stages.themes import MODEL_FILE, Item, ThemeModel, feature_text, label_set, words

VERSION = "1.0.0"

# The shipped configuration; evaluate() compares it with alternatives.
DEFAULT_CONFIG: dict[str, Any] = {
    "char_ngrams": [1, 3],
    "char_min_df": 2,
    "char_max_features": 30000,
    "words": False,
    "theme_model": "svm_calibrated",  # svm_calibrated | logreg
    "theme_C": 0.5,
    "role_model": "svm_calibrated",  # svm_calibrated | logreg
    "role_C": 0.5,
    "tag_weight": 1.0,
    "tune_thresholds": True,
}


@dataclass
class LoadReport:
    """What load_items() read and what it had to skip (with reasons)."""

    items: list[Item] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)


shared_dir = _shared_dir
PAGE_PREFIXES = ("pa_", "pb_", "pc_", "pd_")


def doc_path(doc_id: str, root: Path | None = None) -> Path | None:
    """The shared file of a document id: report openings (pa_…pd_) under ``corpus/pages``, else seeds/corpus."""
    if doc_id.startswith(PAGE_PREFIXES):
        path = (root or shared_dir()) / "corpus" / "pages" / f"{doc_id}.txt"
        return path if path.is_file() else None
    return shared_doc_path(doc_id, root)


@lru_cache(maxsize=64)
def _shared_doc(path: str) -> tuple[str, Any, str]:
    """(text, NormText, format_id) of a shared document, via the product's own stages."""
    from nianbao.io.readers import read
    from nianbao.pipeline import process
    from nianbao.stages.normalise import normalise

    doc = read(path)
    report = process(doc, skip=["tables", "checks", "facts", "themes", "merge"])
    return doc.text, normalise(doc.text), report.format_id


def _span_text(norm: Any, start: int, end: int) -> str:
    import bisect

    ns, ne = bisect.bisect_left(norm.starts, start), bisect.bisect_left(norm.starts, end)
    return feature_text(norm.text[ns:ne])


def load_items(data: Sequence[Path]) -> LoadReport:
    """Read labelled paragraphs from JSONL files (see module docstring)."""
    from nianbao.stages.normalise import normalise

    labels = label_set()
    roles, themes = set(labels["roles"]), set(labels["themes"])
    rep = LoadReport()
    for path in data:
        path = Path(path)
        if not path.is_file():
            raise NianbaoError(str(path), "training data file not found")
        n = 0
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                rep.skipped.append(f"{where}: not JSON ({exc.msg})")
                continue
            role, tlist = rec.get("role"), list(rec.get("themes") or [])
            if role not in roles or not set(tlist) <= themes:
                rep.skipped.append(f"{where}: unknown role/theme label")
                continue
            if "text" in rec:
                text = feature_text(normalise(rec["text"]).text)
                group = "syn:" + str(rec.get("id", where)).rstrip("t")
                item = Item(text=text, section=rec.get("section"), format_id=rec.get("format_id"), role=role,
                            themes=sorted(tlist), group=group, source=f"{path.name}:{rec.get('id', lineno)}")
            else:
                fp = doc_path(str(rec.get("doc", "")))
                if fp is None:
                    rep.skipped.append(f"{where}: document {rec.get('doc')} not available")
                    continue
                raw, norm, fmt = _shared_doc(str(fp))
                s, e = int(rec["start"]), int(rec["end"])
                if not 0 <= s < e <= len(raw):
                    rep.skipped.append(f"{where}: span outside document")
                    continue
                if hashlib.sha1(raw[s:e].encode("utf-8")).hexdigest()[:12] != rec.get("sha1"):
                    rep.skipped.append(f"{where}: span hash differs (document or reader drifted)")
                    continue
                item = Item(text=_span_text(norm, s, e), section=rec.get("section"), format_id=fmt, role=role,
                            themes=sorted(tlist), group=f"doc:{rec['doc']}", source=f"{rec['doc']}:{s}-{e}")
            if not item.text:
                rep.skipped.append(f"{where}: empty text after normalisation")
                continue
            rep.items.append(item)
            n += 1
        rep.files[path.name] = n
    return rep


def data_hash(items: Iterable[Item]) -> str:
    """sha256 over the canonical (text, section, format, labels) of the training items."""
    h = hashlib.sha256()
    for row in sorted(json.dumps([it.text, it.section, it.format_id, it.role, it.themes], ensure_ascii=False)
                      for it in items):
        h.update(row.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _theme_estimator(cfg: dict[str, Any], seed: int) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    if cfg["theme_model"] == "svm_calibrated":
        base = CalibratedClassifierCV(LinearSVC(C=cfg["theme_C"], class_weight="balanced", random_state=seed),
                                      method="sigmoid", cv=3, ensemble=False)
    else:
        base = LogisticRegression(C=cfg["theme_C"], class_weight="balanced", solver="liblinear")
    return OneVsRestClassifier(base)


def _role_estimator(cfg: dict[str, Any], seed: int) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if cfg["role_model"] == "svm_calibrated":
        return CalibratedClassifierCV(LinearSVC(C=cfg["role_C"], class_weight="balanced", random_state=seed),
                                      method="sigmoid", cv=3, ensemble=False)
    return LogisticRegression(C=cfg["role_C"], class_weight="balanced", max_iter=3000)


def _vectorizers(cfg: dict[str, Any]) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    lo, hi = cfg["char_ngrams"]
    parts: dict[str, Any] = {
        "chars": TfidfVectorizer(analyzer="char", ngram_range=(lo, hi), min_df=cfg["char_min_df"],
                                 max_features=cfg["char_max_features"], sublinear_tf=True)
    }
    if cfg["words"]:
        parts["words"] = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2), min_df=2,
                                         sublinear_tf=True)
    return parts


def _best_thresholds(y: np.ndarray, p: np.ndarray, themes: list[str]) -> dict[str, float]:
    """Per-label threshold maximising F1 on out-of-fold scores (kept within [0.2, 0.8])."""
    grid = np.round(np.arange(0.2, 0.81, 0.05), 2)
    out: dict[str, float] = {}
    for j, t in enumerate(themes):
        best, best_f = 0.5, -1.0
        for th in grid:
            pred = p[:, j] >= th
            tp = float(np.sum(pred & (y[:, j] == 1)))
            fp = float(np.sum(pred & (y[:, j] == 0)))
            fn = float(np.sum(~pred & (y[:, j] == 1)))
            f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if f > best_f + 1e-9:
                best, best_f = float(th), f
        out[t] = best
    return out


def fit(items: Sequence[Item], config: dict[str, Any] | None = None, seed: int = 0) -> ThemeModel:
    """Fit a ThemeModel on labelled items (deterministic for a seed)."""
    cfg = {**DEFAULT_CONFIG, **(config or {})}
    labels = label_set()
    themes: list[str] = list(labels["themes"])
    if len(items) < 4:
        raise NianbaoError("training data", f"need at least 4 labelled paragraphs, got {len(items)}")
    parts = _vectorizers(cfg)
    texts = [it.text for it in items]
    parts["chars"].fit(texts)
    if "words" in parts:
        parts["words"].fit([words(t) for t in texts])
    for vec in parts.values():
        vec.stop_words_ = None  # pruned-term set: only for introspection, large
        # plain ints: skops would store each numpy scalar as its own array file
        vec.vocabulary_ = {term: int(i) for term, i in vec.vocabulary_.items()}
    meta: dict[str, Any] = {"themes": themes, "roles": list(labels["roles"]), "tags": list(labels["tags"]),
                            "tag_weight": cfg["tag_weight"], "thresholds": {t: 0.5 for t in themes},
                            "config": cfg, "seed": seed, "version": VERSION}
    model = ThemeModel(parts, meta)
    X = model.features(items)
    Y = np.array([[1 if t in it.themes else 0 for t in themes] for it in items])
    # Calibration needs a few positives per label and role: tiny runs fall back to logistic regression.
    role_counts = Counter(it.role for it in items)
    if len(role_counts) < 2:
        raise NianbaoError("training data", "need paragraphs of at least two different roles")
    if (Y.sum(axis=0) < 4).any():
        cfg = {**cfg, "theme_model": "logreg"}
    if min(role_counts.values()) < 4:
        cfg = {**cfg, "role_model": "logreg"}
    meta["config"] = cfg  # what was fitted, fallbacks included
    theme_clf = _theme_estimator(cfg, seed)
    theme_clf.fit(X, Y)
    role_clf = _role_estimator(cfg, seed)
    role_clf.fit(X, [it.role for it in items])
    parts["themes"], parts["role"] = theme_clf, role_clf
    if cfg["tune_thresholds"] and len(items) >= 50:
        meta["thresholds"] = _best_thresholds(Y, _oof_theme_scores(items, cfg, seed), themes)
    return model


def _oof_theme_scores(items: Sequence[Item], cfg: dict[str, Any], seed: int, k: int = 3) -> np.ndarray:
    """Out-of-fold theme scores (grouped folds) for threshold tuning."""
    inner = {**cfg, "tune_thresholds": False}
    themes: list[str] = list(label_set()["themes"])
    scores = np.zeros((len(items), len(themes)))
    for train_idx, test_idx in group_folds(items, k, seed):
        m = fit([items[i] for i in train_idx], inner, seed)
        X = m.features([items[i] for i in test_idx])
        scores[test_idx] = np.asarray(m.parts["themes"].predict_proba(X))
    return scores


def group_folds(items: Sequence[Item], k: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """k folds that keep a document (or a paragraph and its script twin) together, stratified by role."""
    from sklearn.model_selection import StratifiedGroupKFold

    groups = [it.group or it.source or str(i) for i, it in enumerate(items)]
    k = max(2, min(k, len(set(groups))))
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    roles = [it.role or "other" for it in items]
    return [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(np.zeros(len(items)), roles, groups)]


def default_data() -> list[Path]:
    """All JSONL files of the repo's ``training_data/paragraphs``."""
    return sorted((repo_dir() / "training_data" / "paragraphs").glob("*.jsonl"))


def train(data: list[Path], out: Path, seed: int = 0, config: dict[str, Any] | None = None,
          evaluation: dict[str, Any] | None = None, cv: int = 5) -> dict[str, Any]:
    """Train on JSONL files and write ``out/``: ``model.skops``, the compiled ``model.npz`` the pipeline
    uses, ``meta.json`` and ``MODEL_CARD.md``; return meta.

    Unless ``evaluation`` is given, a grouped ``cv``-fold cross-validation of the same configuration runs
    first so that the card reports held-out metrics (``cv=0`` skips it; a CV that cannot run on tiny
    data is noted in meta instead of failing the training).
    """
    from nianbao.train.themes_eval import cross_validate, model_card, sklearn_backend

    t0 = time.perf_counter()
    loaded = load_items(data)
    if evaluation is None and cv >= 2:
        try:
            evaluation = cross_validate(loaded.items, cv, seed, sklearn_backend(config), name="sklearn")
        except NianbaoError as exc:
            evaluation = None
            cv_note = f"cross-validation not run: {exc.reason}"
        else:
            cv_note = ""
    else:
        cv_note = "" if evaluation else "cross-validation not run (cv=0)"
    model = fit(loaded.items, config, seed)
    meta = model.meta
    meta["data_sha256"] = data_hash(loaded.items)
    meta["data_files"] = loaded.files
    meta["n_items"] = len(loaded.items)
    meta["skipped"] = len(loaded.skipped)
    meta["role_counts"] = dict(sorted(Counter(it.role for it in loaded.items).items()))
    meta["theme_counts"] = dict(sorted(Counter(t for it in loaded.items for t in it.themes).items()))
    meta["train_seconds"] = round(time.perf_counter() - t0, 1)
    if evaluation:
        meta["cv"] = {"micro_f1": evaluation["themes"]["micro"]["f1"], "role_accuracy": evaluation["role"]["accuracy"],
                      "k": evaluation["k"]}
    elif cv_note:
        meta["cv"] = {"note": cv_note}
    model.save(Path(out))
    meta["model_bytes"] = (Path(out) / MODEL_FILE).stat().st_size
    model.save_meta(Path(out))  # now with the size recorded
    (Path(out) / "MODEL_CARD.md").write_text(model_card(meta, evaluation), encoding="utf-8")
    return meta


def compile_directory(directory: Path) -> dict[str, Any]:
    """(Re)write ``model.npz`` and ``meta["compiled"]`` of a model directory from its ``model.skops``."""
    model = ThemeModel.load(Path(directory))
    model.save_compiled(Path(directory))
    model.save_meta(Path(directory))
    return model.meta
