"""Training the paragraph role/theme model from annotated JSONL (``training_data/paragraphs``).

Two record kinds are read:

* stand-off records over shared documents ``{doc, start, end, sha1, section, role, themes}``
  (reports, seeds and report openings pa_…pd_): the document is re-read, the span hash
  checked, and the span's normalised text used; these are the *real* paragraphs, grouped by
  publisher (``training_data/groups.tsv``) for cross-validation;
* self-written records ``{id, text, section, format_id, script, role, themes}``: training
  only, never in a test fold.

``train(data, out, seed)`` is deterministic for a given seed and data: same inputs give
the same model and the same ``data_sha256`` in ``meta.json`` and the model card.
"""

from __future__ import annotations

import hashlib
import json
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
from nianbao.stages.themes import Item, ThemeModel, feature_text, label_set, rows
from nianbao.train import common

VERSION = "2.0.0"

# The shipped configuration; evaluate() compares it with alternatives.
DEFAULT_CONFIG: dict[str, Any] = {
    "char_ngrams": [1, 3],
    "char_min_df": 2,
    "char_max_features": 30000,
    "chars": True,  # character n-gram TF-IDF of the text
    "words": False,  # word 1-2-grams from the project's tokenizer (rjieba + domain dictionary)
    "tags": True,  # one-hot section and format
    "theme_model": "svm_calibrated",  # svm_calibrated | logreg
    "theme_C": 0.5,
    "role_model": "logreg",  # svm_calibrated | logreg
    "role_C": 10.0,
    "tune_thresholds": True,  # thresholds from inner grouped folds of the training data only
    "threshold_mode": "per_label",  # per_label: each label's F1 | shared: one threshold maximising micro-F1
    "threshold_folds": 3,  # inner publisher-grouped folds for the out-of-fold scores the thresholds are tuned on
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


def publisher(doc_id: str) -> str:
    """Publisher group of a document, as a CV group label."""
    return "pub:" + common.publisher(doc_id)


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
    seen: set[tuple[str, int, int]] = set()
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
                            themes=sorted(tlist), group=group, source=f"{path.name}:{rec.get('id', lineno)}",
                            real=False)
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
                key = (str(rec["doc"]), s, e)
                if key in seen:  # the same unit in two files (double annotation): the first file wins
                    continue
                seen.add(key)
                item = Item(text=_span_text(norm, s, e), section=rec.get("section"), format_id=fmt, role=role,
                            themes=sorted(tlist), group=publisher(str(rec["doc"])), source=f"{rec['doc']}:{s}-{e}")
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


def _linear(kind: str, C: float, seed: int) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if kind == "svm_calibrated":
        return CalibratedClassifierCV(LinearSVC(C=C, class_weight="balanced", random_state=seed),
                                      method="sigmoid", cv=3, ensemble=False)
    return LogisticRegression(C=C, class_weight="balanced", max_iter=3000)


def _features(cfg: dict[str, Any]) -> Any:
    """The feature step over rows() columns: char TF-IDF of the text, word TF-IDF, one-hot section/format."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import OneHotEncoder

    lo, hi = cfg["char_ngrams"]
    steps: list[tuple[str, Any, Any]] = []
    if cfg["chars"]:
        steps.append(("chars", TfidfVectorizer(analyzer="char", ngram_range=(lo, hi), min_df=cfg["char_min_df"],
                                               max_features=cfg["char_max_features"], sublinear_tf=True), 0))
    if cfg["words"]:
        steps.append(("words", TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2), min_df=2,
                                               sublinear_tf=True), 3))
    if cfg["tags"]:
        steps.append(("tags", OneHotEncoder(handle_unknown="ignore"), [1, 2]))
    return ColumnTransformer(steps, sparse_threshold=1.0)


def _best_thresholds(y: np.ndarray, p: np.ndarray, themes: list[str], mode: str = "per_label") -> dict[str, float]:
    """Thresholds from out-of-fold scores (grid 0.10…0.90): per label, each maximising that label's F1, or
    ``shared``: one threshold for every label maximising micro-F1 (fewer choices, less to overfit)."""
    grid = np.round(np.arange(0.1, 0.91, 0.05), 2)
    if mode == "shared":
        def micro(th: float) -> float:
            pred = p >= th
            tp = float(np.sum(pred & (y == 1)))
            return 2 * tp / (2 * tp + float(np.sum(pred & (y == 0))) + float(np.sum(~pred & (y == 1)))) if tp else 0.0
        best = max(grid, key=micro)
        return {t: float(best) for t in themes}
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
    """Fit a ThemeModel on labelled items (deterministic for a seed).

    With ``tune_thresholds`` the per-label thresholds come from out-of-fold scores of inner
    publisher-grouped folds of ``items`` only, so a caller's test fold never tunes them.
    """
    import warnings

    cfg = {**DEFAULT_CONFIG, **(config or {})}
    labels = label_set()
    themes: list[str] = list(labels["themes"])
    if len(items) < 4:
        raise NianbaoError("training data", f"need at least 4 labelled paragraphs, got {len(items)}")
    role_counts = Counter(it.role for it in items)
    if len(role_counts) < 2:
        raise NianbaoError("training data", "need paragraphs of at least two different roles")
    Y = np.array([[1 if t in it.themes else 0 for t in themes] for it in items])
    # Calibration needs a few positives per label and role: tiny runs fall back to logistic regression.
    if (Y.sum(axis=0) < 4).any():
        cfg = {**cfg, "theme_model": "logreg"}
    if min(role_counts.values()) < 4:
        cfg = {**cfg, "role_model": "logreg"}
    from sklearn.multiclass import OneVsRestClassifier

    features = _features(cfg)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ll]abel.*not present.*")
        X = features.fit_transform(rows(items, bool(cfg["words"])))
        for vec in features.named_transformers_.values():
            if hasattr(vec, "vocabulary_"):
                vec.stop_words_ = None  # pruned-term set: only for introspection, large
                vec.vocabulary_ = {term: int(i) for term, i in vec.vocabulary_.items()}
        theme_clf = OneVsRestClassifier(_linear(cfg["theme_model"], cfg["theme_C"], seed)).fit(X, Y)
        role_clf = _linear(cfg["role_model"], cfg["role_C"], seed).fit(X, [it.role for it in items])
    meta: dict[str, Any] = {"themes": themes, "roles": list(labels["roles"]), "thresholds": {t: 0.5 for t in themes},
                            "config": cfg, "seed": seed, "version": VERSION}
    model = ThemeModel({"features": features, "themes": theme_clf, "role": role_clf}, meta)
    if cfg["tune_thresholds"] and sum(it.real for it in items) >= 50:
        real = [i for i, it in enumerate(items) if it.real]
        scores = _oof_theme_scores(items, cfg, seed, int(cfg["threshold_folds"]))
        meta["thresholds"] = _best_thresholds(Y[real], scores[real], themes, str(cfg.get("threshold_mode", "per_label")))
    return model


def _oof_theme_scores(items: Sequence[Item], cfg: dict[str, Any], seed: int, k: int = 3) -> np.ndarray:
    """Out-of-fold theme scores of the real items (inner publisher-grouped folds) for threshold tuning."""
    inner = {**cfg, "tune_thresholds": False}
    themes: list[str] = list(label_set()["themes"])
    scores = np.zeros((len(items), len(themes)))
    for train_idx, test_idx in group_folds(items, k, seed + 1):
        m = fit([items[i] for i in train_idx], inner, seed)
        scores[test_idx] = m.proba([items[i] for i in test_idx])[0]
    return scores


def group_folds(items: Sequence[Item], k: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """k folds over the real items grouped by publisher (stratified by role); self-written items are in
    every training part and in no test part."""
    from sklearn.model_selection import StratifiedGroupKFold

    real = [i for i, it in enumerate(items) if it.real]
    synthetic = [i for i, it in enumerate(items) if not it.real]
    groups = [items[i].group or items[i].source or str(i) for i in real]
    k = min(k, len(set(groups)))
    if k < 2:
        raise NianbaoError("training data", "cross-validation needs real paragraphs of at least two publishers")
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    roles = [items[i].role or "other" for i in real]
    out = []
    for a, b in splitter.split(np.zeros(len(real)), roles, groups):
        out.append((np.array([real[j] for j in a] + synthetic, dtype=int), np.array([real[j] for j in b], dtype=int)))
    return out


def default_data() -> list[Path]:
    """All JSONL files of the repo's ``training_data/paragraphs``."""
    return sorted((repo_dir() / "training_data" / "paragraphs").glob("*.jsonl"))
