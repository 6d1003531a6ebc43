"""Paragraph role and theme classification (spec/themes.md), the pipeline's ``themes`` stage.

Every prose paragraph found by :mod:`nianbao.paragraphs` gets one ``role`` and zero or
more of twelve ``themes`` with per-label scores. Features are computed on the
*normalised* text (simplified script, half-width punctuation), so a traditional-script
paragraph gets the labels of its simplified twin. The model is a linear one:
character n-gram TF-IDF (+ optional jieba word n-grams) plus one-hot section and
format tags, a calibrated one-vs-rest classifier for themes and a multinomial
logistic regression for the role. It is stored with skops (no pickle) next to a
``meta.json``; loading only accepts the scikit-learn/numpy/scipy types listed in
``TRUSTED_TYPES``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .context import Context
from .errors import NianbaoError
from .paragraphs import paragraphs as find_paragraphs
from .resources import load_yaml
from .schema import Paragraph

MODEL_FILE = "model.skops"
META_FILE = "meta.json"

# Types a themes model file may contain beyond skops' defaults; anything else is refused.
TRUSTED_TYPES: list[str] = [
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.multiclass._ConstantPredictor",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.svm._classes.LinearSVC",
    "collections.defaultdict",
    "builtins.dict",
    "builtins.int",
    "builtins.float",
    "builtins.str",
    "builtins.list",
    "builtins.tuple",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csc.csc_matrix",
]

_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+|\s+(?=[\u3400-\u9fff])")


@lru_cache(maxsize=1)
def label_set() -> dict[str, Any]:
    """Roles, themes, and the section/format tag vocabulary (data/themes.yaml)."""
    return load_yaml("themes.yaml")


def feature_text(norm_text: str) -> str:
    """Canonical paragraph text for features: wrapped lines joined, layout spaces dropped."""
    text = norm_text.replace("\r", "").replace("\n", "")
    return _CJK_SPACE.sub("", text).strip()


def words(text: str) -> str:
    """jieba word segmentation, space-joined, so the vectorizer needs no custom callable."""
    import jieba

    jieba.setLogLevel(60)
    return " ".join(w for w in jieba.lcut(text) if w.strip())


@dataclass
class Item:
    """One paragraph to classify (or a labelled training example)."""

    text: str  # feature_text() of the normalised paragraph
    section: str | None = None
    format_id: str | None = None
    role: str | None = None
    themes: list[str] = field(default_factory=list)
    group: str = ""  # documents/twins that must stay in one CV fold
    source: str = ""


@dataclass
class Prediction:
    role: str
    themes: list[str]
    scores: dict[str, float]


class ThemeModel:
    """Vectorizers + role classifier + theme classifier, with thresholds and metadata."""

    def __init__(self, parts: dict[str, Any], meta: dict[str, Any]) -> None:
        self.parts = parts
        self.meta = meta

    # -- features ---------------------------------------------------------------
    def _tags(self, items: Sequence[Item]) -> Any:
        from scipy import sparse

        vocab: list[str] = self.meta["tags"]
        index = {t: i for i, t in enumerate(vocab)}
        rows, cols = [], []
        for r, it in enumerate(items):
            for tag in item_tags(it):
                if tag in index:
                    rows.append(r)
                    cols.append(index[tag])
        data = np.full(len(rows), float(self.meta.get("tag_weight", 1.0)))
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(items), len(vocab)))

    def features(self, items: Sequence[Item]) -> Any:
        from scipy import sparse

        texts = [it.text for it in items]
        blocks = [self.parts["chars"].transform(texts)]
        if "words" in self.parts:
            blocks.append(self.parts["words"].transform([words(t) for t in texts]))
        blocks.append(self._tags(items))
        return sparse.hstack(blocks, format="csr")

    # -- prediction -------------------------------------------------------------
    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        if not items:
            return []
        X = self.features(items)
        themes: list[str] = self.meta["themes"]
        roles: list[str] = list(self.parts["role"].classes_)
        theme_p = np.asarray(self.parts["themes"].predict_proba(X))
        role_p = np.asarray(self.parts["role"].predict_proba(X))
        thresholds = self.meta.get("thresholds", {})
        out: list[Prediction] = []
        for i in range(len(items)):
            scores = {t: round(float(theme_p[i, j]), 4) for j, t in enumerate(themes)}
            chosen = [t for t in themes if scores[t] >= float(thresholds.get(t, 0.5))]
            r = int(np.argmax(role_p[i]))
            scores.update({f"role:{name}": round(float(role_p[i, k]), 4) for k, name in enumerate(roles)})
            out.append(Prediction(role=roles[r], themes=chosen, scores=scores))
        return out

    # -- persistence ------------------------------------------------------------
    def save(self, directory: Path) -> None:
        import zipfile

        import skops.io as sio

        directory.mkdir(parents=True, exist_ok=True)
        sio.dump(_pack(self.parts), directory / MODEL_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        self.save_meta(directory)

    def save_meta(self, directory: Path) -> None:
        (directory / META_FILE).write_text(json.dumps(self.meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                           encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> ThemeModel:
        import skops.io as sio

        model_path, meta_path = directory / MODEL_FILE, directory / META_FILE
        if not model_path.is_file() or not meta_path.is_file():
            raise NianbaoError(str(directory), f"no themes model ({MODEL_FILE} + {META_FILE}) in this directory")
        untrusted = sio.get_untrusted_types(file=model_path)
        unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
        if unexpected:
            raise NianbaoError(str(model_path), f"model file holds types that are not trusted: {unexpected}")
        parts = _unpack(sio.load(model_path, trusted=[t for t in untrusted if t in TRUSTED_TYPES]))
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return cls(parts, meta)


def _pack(parts: dict[str, Any]) -> dict[str, Any]:
    """Vectorizer vocabularies as one string array each: skops would store a dict entry by entry (slow to load)."""
    import copy

    out = dict(parts)
    for name, vec in parts.items():
        vocab = getattr(vec, "vocabulary_", None)
        if isinstance(vocab, dict):
            terms = np.empty(len(vocab), dtype=object)
            for term, i in vocab.items():
                terms[i] = term
            slim = copy.copy(vec)
            del slim.vocabulary_
            out[name] = slim
            out[f"{name}.terms"] = np.array(terms.tolist(), dtype=str)
    return out


def _unpack(parts: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in parts.items() if not k.endswith(".terms")}
    for key, terms in parts.items():
        if key.endswith(".terms"):
            out[key[: -len(".terms")]].vocabulary_ = {str(t): i for i, t in enumerate(terms.tolist())}
    return out


def item_tags(it: Item) -> list[str]:
    """Section and format tags: where a paragraph sits is a strong cue for its role."""
    tags = [f"section={it.section or 'none'}", f"format={it.format_id or 'gov_unknown'}"]
    if it.section and it.section.startswith("legacy_"):
        tags.append("section=legacy_any")
    return tags


def default_model_dir() -> Path:
    """``nianbao/models/themes`` of an installed package, else the repo's ``models/themes``."""
    try:
        packaged = Path(str(resources.files("nianbao") / "models" / "themes"))
        if (packaged / MODEL_FILE).is_file():
            return packaged
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "models" / "themes"


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> ThemeModel:
    """The shipped model, or a user's model directory; cached per path."""
    return ThemeModel.load(Path(path) if path else default_model_dir())


def run(ctx: Context) -> None:
    """Fill ``ctx.report.paragraphs`` with role, themes and scores for each prose paragraph."""
    spans = find_paragraphs(ctx)
    custom = ctx.options.get("themes_model")
    try:
        model = load_model(str(custom) if custom else None)
    except NianbaoError as exc:
        ctx.warn("themes_model_missing", exc.reason)
        model = None
    items: list[Item] = []
    for sp in spans:
        ns, ne = ctx.norm_pos(sp.start), ctx.norm_pos(sp.end)
        items.append(Item(text=feature_text(ctx.norm.text[ns:ne]), section=sp.section,
                          format_id=ctx.report.format_id))
    preds = model.predict(items) if model is not None else []
    for i, sp in enumerate(spans):
        if preds:
            p = preds[i]
            ctx.report.paragraphs.append(Paragraph(section=sp.section, start=sp.start, end=sp.end, role=p.role,
                                                   themes=p.themes, scores=p.scores))
        else:
            ctx.report.paragraphs.append(Paragraph(section=sp.section, start=sp.start, end=sp.end))
