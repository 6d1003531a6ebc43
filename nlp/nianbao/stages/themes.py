"""Paragraph role and theme classification (spec/themes.md), the pipeline's ``themes`` stage.

Every prose paragraph found by :mod:`nianbao.stages.paragraphs` gets one ``role`` and zero or
more of twelve ``themes`` with per-label scores. Features are computed on the
*normalised* text (simplified script, half-width punctuation), so a traditional-script
paragraph gets the labels of its simplified twin.

The model is a standard scikit-learn artefact (``model.skops``, no pickle; loading accepts
only ``TRUSTED_TYPES``): a fitted ``ColumnTransformer`` (character n-gram TF-IDF of the
text, optionally word n-grams from the project's tokenizer, one-hot section/format) feeding
a one-vs-rest calibrated linear classifier for the themes and a linear classifier for the
role, with per-label theme thresholds in ``meta.json``; training and evaluation use it.

The pipeline classifies with :class:`CompiledModel`: the same fitted model exported at
training time to plain arrays (``model.npz``: terms, idf, one weight matrix, intercepts,
sigmoid calibration), numpy only. Importing scikit-learn and skops costs several times the
whole CLI start-up (figures in ``models/themes/MODEL_CARD.md``); the export is checked
against ``predict_proba`` in tests/test_themes.py.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nianbao.errors import NianbaoError
from nianbao.resources import load_yaml, model_dir
from nianbao.schema import Paragraph
from nianbao.stages.context import Context
from nianbao.stages.paragraphs import paragraphs as find_paragraphs

MODEL_FILE = "model.skops"
META_FILE = "meta.json"
COMPILED_FILE = "model.npz"
COMPILED_FORMAT = 2

# Types a themes model file may contain beyond skops' defaults; anything else is refused.
TRUSTED_TYPES: list[str] = [
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.multiclass._ConstantPredictor",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.svm._classes.LinearSVC",
    "sklearn.utils._bunch.Bunch",
    "collections.defaultdict",
    "builtins.dict",
    "builtins.int",
    "builtins.float",
    "builtins.str",
    "builtins.list",
    "builtins.slice",
    "builtins.tuple",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csc.csc_matrix",
]

# Columns of the model's input rows (see rows()).
COLUMNS = ("text", "section", "format", "words")

_CJK_SPACE = re.compile(r"\s(?<=[\u3400-\u9fff]\s)\s*|\s+(?=[\u3400-\u9fff])")  # opens with \s: scanned in C


@lru_cache(maxsize=1)
def label_set() -> dict[str, Any]:
    """Roles, themes, and the section/format tag vocabulary (data/themes.yaml)."""
    return load_yaml("themes.yaml")


def feature_text(norm_text: str) -> str:
    """Canonical paragraph text for features: wrapped lines joined, layout spaces dropped."""
    text = norm_text.replace("\r", "").replace("\n", "")
    return _CJK_SPACE.sub("", text).strip()


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    from nianbao.lang.tokenizer import Segmenter, default_user_dict

    seg = Segmenter("rjieba")
    for word, freq, tag in default_user_dict():
        seg.add_word(word, freq, tag)
    return seg


def words(text: str) -> str:
    """Words from the project's tokenizer (rjieba + domain dictionary), space-joined: no custom callable
    in the model file."""
    return " ".join(w for w in _segmenter().cut(text) if w.strip())


@dataclass
class Item:
    """One paragraph to classify (or a labelled training example)."""

    text: str  # feature_text() of the normalised paragraph
    section: str | None = None
    format_id: str | None = None
    role: str | None = None
    themes: list[str] = field(default_factory=list)
    group: str = ""  # publisher (real) or paragraph + script twin (synthetic): one CV fold
    source: str = ""
    real: bool = True  # False for self-written paragraphs: training only, never in a test fold


@dataclass
class Prediction:
    role: str
    themes: list[str]
    scores: dict[str, float]


def rows(items: Sequence[Item], with_words: bool) -> np.ndarray:
    """Model input: one row (text, section, format, words) per item; words only when the model uses them."""
    out = np.empty((len(items), len(COLUMNS)), dtype=object)
    for i, it in enumerate(items):
        out[i] = (it.text, it.section or "none", it.format_id or "gov_unknown", words(it.text) if with_words else "")
    return out


def uncertainty(scores: dict[str, float], thresholds: dict[str, float]) -> float:
    """How unsure a prediction is (0 sure … 1 coin toss): the smaller of the role's top-two margin and the
    closest theme score to its threshold decides. Label Studio exports ask about such paragraphs first."""
    roles = sorted((v for k, v in scores.items() if k.startswith("role:")), reverse=True)
    role_margin = roles[0] - roles[1] if len(roles) > 1 else 1.0
    theme_margin = min((abs(v - thresholds.get(k, 0.5)) / max(thresholds.get(k, 0.5), 1 - thresholds.get(k, 0.5))
                        for k, v in scores.items() if not k.startswith("role:")), default=1.0)
    return round(1.0 - min(role_margin, theme_margin), 4)


class ThemeModel:
    """Fitted ``features`` (ColumnTransformer), ``themes`` (one-vs-rest) and ``role`` estimators + metadata."""

    def __init__(self, parts: dict[str, Any], meta: dict[str, Any]) -> None:
        self.parts = parts
        self.meta = meta

    @property
    def uses_words(self) -> bool:
        return bool(self.meta.get("config", {}).get("words"))

    def pipelines(self) -> tuple[Any, Any]:
        """The (themes, role) scikit-learn Pipelines sharing the fitted feature step."""
        from sklearn.pipeline import Pipeline

        return (Pipeline([("features", self.parts["features"]), ("themes", self.parts["themes"])]),
                Pipeline([("features", self.parts["features"]), ("role", self.parts["role"])]))

    def features(self, items: Sequence[Item]) -> Any:
        return self.parts["features"].transform(rows(items, self.uses_words))

    def proba(self, items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
        """Theme probabilities (n × themes) and role probabilities (n × role classes)."""
        X = self.features(items)
        return np.asarray(self.parts["themes"].predict_proba(X)), np.asarray(self.parts["role"].predict_proba(X))

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        if not items:
            return []
        theme_p, role_p = self.proba(items)
        return _predictions(theme_p, role_p, [str(r) for r in self.parts["role"].classes_], self.meta)

    # -- persistence ------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write ``model.skops``, its numpy export ``model.npz`` and ``meta.json`` (with ``compiled``)."""
        import zipfile

        import skops.io as sio

        directory.mkdir(parents=True, exist_ok=True)
        sio.dump(_pack(self.parts), directory / MODEL_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        arrays, self.meta["compiled"] = compile_model(self)
        with (directory / COMPILED_FILE).open("wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
        self.meta["compiled"]["bytes"] = (directory / COMPILED_FILE).stat().st_size
        self.save_meta(directory)

    def save_meta(self, directory: Path) -> None:
        (directory / META_FILE).write_text(json.dumps(self.meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                           encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> ThemeModel:
        """Load a model folder, refusing any type outside TRUSTED_TYPES."""
        import skops.io as sio

        model_path, meta_path = directory / MODEL_FILE, directory / META_FILE
        if not model_path.is_file() or not meta_path.is_file():
            raise NianbaoError(str(directory), f"no themes model ({MODEL_FILE} + {META_FILE}) in this directory")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            untrusted = sio.get_untrusted_types(file=model_path)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise NianbaoError(str(directory), f"unreadable themes model ({exc})") from None
        unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
        if unexpected:
            raise NianbaoError(str(model_path), f"model file holds types that are not trusted: {unexpected}")
        parts = _unpack(sio.load(model_path, trusted=[t for t in untrusted if t in TRUSTED_TYPES]))
        if not {"features", "themes", "role"} <= set(parts):
            raise NianbaoError(str(model_path), "not a themes model (features, themes and role expected)")
        return cls(parts, meta)


def _vectorizers(features: Any) -> dict[str, Any]:
    """The fitted TF-IDF steps of a feature ColumnTransformer, by name."""
    return {name: est for name, est in features.named_transformers_.items() if hasattr(est, "vocabulary_")}


def _pack(parts: dict[str, Any]) -> dict[str, Any]:
    """Vectorizer vocabularies as one string array each: skops would store a dict entry by entry (slow to load)."""
    import copy

    out = dict(parts)
    features = copy.deepcopy(parts["features"])
    for name, vec in _vectorizers(features).items():
        terms = np.empty(len(vec.vocabulary_), dtype=object)
        for term, i in vec.vocabulary_.items():
            terms[i] = term
        del vec.vocabulary_
        out[f"terms.{name}"] = np.array(terms.tolist(), dtype=str)
    out["features"] = features
    return out


def _unpack(parts: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in parts.items() if not k.startswith("terms.")}
    steps = dict(out["features"].named_transformers_.items()) if "features" in out else {}
    for key, terms in parts.items():
        if key.startswith("terms.") and key[len("terms."):] in steps:
            steps[key[len("terms."):]].vocabulary_ = {str(t): i for i, t in enumerate(terms.tolist())}
    return out


def _predictions(theme_p: np.ndarray, role_p: np.ndarray, role_classes: list[str],
                 meta: dict[str, Any]) -> list[Prediction]:
    """Predictions from raw probabilities: scores rounded to 4 places, themes at the per-label thresholds."""
    themes: list[str] = meta["themes"]
    thresholds = meta.get("thresholds", {})
    out: list[Prediction] = []
    for i in range(theme_p.shape[0]):
        scores = {t: round(float(theme_p[i, j]), 4) for j, t in enumerate(themes)}
        chosen = [t for t in themes if scores[t] >= float(thresholds.get(t, 0.5))]
        r = int(np.argmax(role_p[i]))
        scores.update({f"role:{name}": round(float(role_p[i, k]), 4) for k, name in enumerate(role_classes)})
        out.append(Prediction(role=role_classes[r], themes=chosen, scores=scores))
    return out


# -- export of a fitted model to plain arrays, and numpy-only inference ------------------------------------------

def _linear_parts(est: Any) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """(coef k×features, intercept k, Platt (a, b) per row or None) of a linear or sigmoid-calibrated linear model."""
    platt = None
    if type(est).__name__ == "CalibratedClassifierCV":
        if len(est.calibrated_classifiers_) != 1 or est.method != "sigmoid":
            raise NianbaoError("themes model", "export needs sigmoid calibration with ensemble=False")
        cc = est.calibrated_classifiers_[0]
        platt = (np.array([c.a_ for c in cc.calibrators], dtype=float), np.array([c.b_ for c in cc.calibrators], dtype=float))
        est = cc.estimator
    if type(est).__name__ not in ("LinearSVC", "LogisticRegression"):
        raise NianbaoError("themes model", f"cannot export a {type(est).__name__}")
    coef = np.asarray(est.coef_, dtype=float)
    return coef, np.broadcast_to(np.asarray(est.intercept_, dtype=float), (coef.shape[0],)).copy(), platt


def compile_model(model: ThemeModel) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The fitted model as arrays (``model.npz``) + settings (``meta["compiled"]``) for :class:`CompiledModel`."""
    features, arrays = model.parts["features"], {}
    blocks: list[dict[str, Any]] = []
    for name, est, column in features.transformers_:
        if est == "drop" or name == "remainder":
            continue
        if hasattr(est, "vocabulary_"):
            p = est.get_params()
            if p["analyzer"] not in ("char", "word") or p["norm"] != "l2" or not p["use_idf"] or p["preprocessor"]:
                raise NianbaoError("themes model", f"cannot export vectorizer {name}")
            terms = np.empty(len(est.vocabulary_), dtype=object)
            for term, i in est.vocabulary_.items():
                terms[i] = term
            arrays[f"{name}.terms"], arrays[f"{name}.idf"] = np.array(terms.tolist(), dtype=str), est.idf_.astype(float)
            blocks.append({"name": name, "column": int(column), "analyzer": p["analyzer"],
                           "ngram_range": list(p["ngram_range"]), "lowercase": bool(p["lowercase"]),
                           "token_pattern": p["token_pattern"], "sublinear_tf": bool(p["sublinear_tf"]),
                           "size": len(terms)})
        else:  # one-hot section/format
            blocks.append({"name": name, "columns": [int(c) for c in column], "onehot": True,
                           "categories": [[str(c) for c in cats] for cats in est.categories_],
                           "size": int(sum(len(c) for c in est.categories_))})
    ovr, role = model.parts["themes"], model.parts["role"]
    coefs, intercepts, a, b, const = [], [], [], [], []
    for est in ovr.estimators_:
        if type(est).__name__ == "_ConstantPredictor":  # a label with no positive example
            coefs.append(None)
            intercepts.append(0.0)
            a.append(0.0)
            b.append(0.0)
            const.append(float(np.ravel(est.y_)[0]))
            continue
        coef, icpt, platt = _linear_parts(est)
        coefs.append(coef[0])
        intercepts.append(icpt[0])
        a.append(platt[0][0] if platt else -1.0)  # logistic regression: sigmoid(z) = sigmoid(-(-1·z + 0))
        b.append(platt[1][0] if platt else 0.0)
        const.append(-1.0)
    n_features = sum(bl["size"] for bl in blocks)
    rcoef, ricpt, rplatt = _linear_parts(role)
    theme_w = np.stack([c if c is not None else np.zeros(n_features) for c in coefs], axis=1)
    arrays.update(W=np.hstack([theme_w, rcoef.T]), b=np.concatenate([intercepts, ricpt]),
                  theme_a=np.array(a), theme_b=np.array(b), theme_const=np.array(const))
    if rplatt is not None:
        arrays.update(role_a=rplatt[0], role_b=rplatt[1])
    compiled = {"format": COMPILED_FORMAT, "blocks": blocks, "n_features": n_features, "n_themes": len(coefs),
                "role_classes": [str(c) for c in role.classes_],
                "role_mode": ("platt" if rplatt is not None else "softmax") + ("_binary" if rcoef.shape[0] == 1 else "")}
    return arrays, compiled


_WHITE_SPACES = re.compile(r"\s\s+")


def analyze(text: str, block: dict[str, Any]) -> list[str]:
    """The terms scikit-learn's TfidfVectorizer analyzer yields for ``block`` (char or word n-grams)."""
    if block["lowercase"]:
        text = text.lower()
    lo, hi = block["ngram_range"]
    if block["analyzer"] == "char":
        text = _WHITE_SPACES.sub(" ", text)
        return [text[i : i + n] for n in range(lo, min(hi, len(text)) + 1) for i in range(len(text) - n + 1)]
    tokens: list[str] = re.findall(block["token_pattern"], text)
    return [" ".join(tokens[i : i + n]) for n in range(lo, min(hi, len(tokens)) + 1) for i in range(len(tokens) - n + 1)]


def _expit(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow warnings."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class CompiledModel:
    """A themes model exported to ``model.npz`` + ``meta.json``: the pipeline's classifier, numpy only.

    Scores equal the scikit-learn model's ``predict_proba`` up to summation order (tests/test_themes.py).
    """

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        c = meta.get("compiled", {})
        if int(c.get("format", 0)) != COMPILED_FORMAT:
            raise NianbaoError(COMPILED_FILE, f"compiled model format {c.get('format')} is not {COMPILED_FORMAT}")
        self.meta, self.blocks = meta, c["blocks"]
        self.index: list[dict[str, int]] = []
        offset = 0
        for bl in self.blocks:
            bl["offset"] = offset
            offset += bl["size"]
            terms = arrays[f"{bl['name']}.terms"].tolist() if "onehot" not in bl else []
            self.index.append({t: i for i, t in enumerate(terms)})
        self.idf = {bl["name"]: arrays[f"{bl['name']}.idf"] for bl in self.blocks if "onehot" not in bl}
        self.W, self.b = arrays["W"], arrays["b"]
        self.Wt = np.ascontiguousarray(self.W.T)  # units × features: each unit's weights contiguous
        self.n_themes = int(c["n_themes"])
        if self.W.shape != (offset, len(self.b)) or offset != c["n_features"]:
            raise NianbaoError(COMPILED_FILE, "weight matrix does not match meta.json")
        self.theme_a, self.theme_b, self.theme_const = arrays["theme_a"], arrays["theme_b"], arrays["theme_const"]
        self.role_classes: list[str] = list(c["role_classes"])
        self.role_mode: str = c["role_mode"]
        self.role_a, self.role_b = arrays.get("role_a"), arrays.get("role_b")
        self.uses_words = any(bl.get("column") == COLUMNS.index("words") for bl in self.blocks)

    @classmethod
    def load(cls, directory: Path) -> CompiledModel:
        """``model.npz`` (no pickle) + ``meta.json``; a folder with only ``model.skops`` (or an export of an
        older format) is exported in memory, which imports scikit-learn."""
        import zipfile

        meta_path, npz_path = directory / META_FILE, directory / COMPILED_FILE
        if not meta_path.is_file():
            raise NianbaoError(str(directory), f"no themes model ({META_FILE}) in this directory")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise NianbaoError(str(meta_path), f"unreadable model metadata ({exc})") from None
        current = npz_path.is_file() and int(meta.get("compiled", {}).get("format", 0)) == COMPILED_FORMAT
        if not current and (directory / MODEL_FILE).is_file():
            model = ThemeModel.load(directory)
            arrays, model.meta["compiled"] = compile_model(model)
            return cls(arrays, model.meta)
        if not npz_path.is_file():
            raise NianbaoError(str(directory), f"no themes model ({COMPILED_FILE} + {META_FILE}) in this directory")
        try:
            with np.load(npz_path, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
            return cls(arrays, meta)
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            raise NianbaoError(str(npz_path), f"not a usable compiled themes model ({exc})") from None

    def decisions(self, items: Sequence[Item]) -> np.ndarray:
        """Linear outputs X·W + b (n × units): TF-IDF (sublinear tf, idf, l2 norm) and one-hot rows, as sklearn."""
        data = rows(items, self.uses_words)
        Z = np.tile(self.b, (len(items), 1))
        for bl, index in zip(self.blocks, self.index, strict=True):
            r: list[int] = []
            c: list[int] = []
            t: list[float] = []
            for i, row in enumerate(data):
                if "onehot" in bl:
                    k = bl["offset"]
                    for col, cats in zip(bl["columns"], bl["categories"], strict=True):
                        if str(row[col]) in cats:
                            r.append(i)
                            c.append(k + cats.index(str(row[col])))
                            t.append(1.0)
                        k += len(cats)
                    continue
                counts = Counter(map(index.get, analyze(str(row[bl["column"]]), bl)))  # counted in C
                counts.pop(None, None)  # terms outside the vocabulary
                r += [i] * len(counts)
                c += counts.keys()
                t += counts.values()
            if not r:
                continue
            ri, ci, v = np.array(r), np.array(c, dtype=np.int64), np.array(t, dtype=float)
            if "onehot" not in bl:
                v = (np.log(v) + 1.0 if bl["sublinear_tf"] else v) * self.idf[bl["name"]][ci]
                v /= np.sqrt(np.bincount(ri, weights=v * v, minlength=len(items)))[ri]
                ci = ci + bl["offset"]
            for u in range(Z.shape[1]):  # one weighted bincount per unit: no nnz × units temporary
                Z[:, u] += np.bincount(ri, weights=v * self.Wt[u].take(ci), minlength=len(items))
        return Z

    def proba(self, items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
        """Theme probabilities (n × themes) and role probabilities (n × role classes), as predict_proba."""
        Z = self.decisions(items)
        T, R = Z[:, : self.n_themes], Z[:, self.n_themes :]
        theme_p = _expit(-(self.theme_a * T + self.theme_b))
        fixed = self.theme_const >= 0
        theme_p[:, fixed] = self.theme_const[fixed]
        if self.role_mode.endswith("_binary"):  # one decision column: the second class's score
            p = _expit(-(self.role_a * R[:, 0] + self.role_b)) if self.role_mode == "platt_binary" else _expit(R[:, 0])
            return theme_p, np.stack([1 - p, p], axis=1)
        if self.role_mode == "softmax":
            E = np.exp(R - R.max(axis=1, keepdims=True))
            return theme_p, E / E.sum(axis=1, keepdims=True)
        P = _expit(-(self.role_a * R + self.role_b))
        denom = P.sum(axis=1, keepdims=True)
        P = np.divide(P, denom, out=np.full_like(P, 1.0 / P.shape[1]), where=denom != 0)
        P[(P > 1.0) & (P <= 1.0 + 1e-5)] = 1.0
        return theme_p, P

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        if not items:
            return []
        theme_p, role_p = self.proba(items)
        return _predictions(theme_p, role_p, self.role_classes, self.meta)


def default_model_dir() -> Path:
    return model_dir("themes")


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> CompiledModel:
    """The shipped model, or a user's model directory, in compiled form; loaded on first use, cached per path."""
    return CompiledModel.load(Path(path) if path else default_model_dir())


def run(ctx: Context) -> None:
    """Fill ``ctx.report.paragraphs`` with role, themes and scores for each prose paragraph."""
    spans = find_paragraphs(ctx)
    custom = ctx.options.get("themes_model")
    model: CompiledModel | None = None
    if spans:
        try:
            model = load_model(str(custom) if custom else None)
        except NianbaoError as exc:
            ctx.warn("themes_model_missing", exc.reason)
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
