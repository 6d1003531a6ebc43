"""Paragraph role and theme classification (spec/themes.md), the pipeline's ``themes`` stage.

Every prose paragraph found by :mod:`nianbao.stages.paragraphs` gets one ``role`` and zero or
more of twelve ``themes`` with per-label scores. Features are computed on the
*normalised* text (simplified script, half-width punctuation), so a traditional-script
paragraph gets the labels of its simplified twin. The model is a linear one:
character n-gram TF-IDF (+ optional jieba word n-grams) plus one-hot section and
format tags, a calibrated one-vs-rest classifier for themes and a (calibrated) linear
classifier for the role.

Two forms of one model live in a model directory:

* ``model.skops`` — the fitted scikit-learn objects (skops, no pickle; loading only
  accepts the types in ``TRUSTED_TYPES``), used by training and ``themes_eval``;
* ``model.npz`` + ``meta.json["compiled"]`` — the same model compiled to plain arrays
  (vocabulary, idf, linear weights, sigmoid calibration parameters). The pipeline uses
  this form through :class:`CompiledModel`, which needs only numpy and the stdlib:
  importing scikit-learn/scipy costs seconds of start-up, and its per-call input
  validation dominates the time of classifying one report's paragraphs.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
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
COMPILED_FORMAT = 1

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

_CJK_SPACE = re.compile(r"\s(?<=[\u3400-\u9fff]\s)\s*|\s+(?=[\u3400-\u9fff])")  # opens with \s: scanned in C


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
    def proba(self, items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
        """Raw theme probabilities (n × themes) and role probabilities (n × role classes)."""
        X = self.features(items)
        return np.asarray(self.parts["themes"].predict_proba(X)), np.asarray(self.parts["role"].predict_proba(X))

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        if not items:
            return []
        theme_p, role_p = self.proba(items)
        return _predictions(theme_p, role_p, [str(r) for r in self.parts["role"].classes_], self.meta)

    # -- compilation --------------------------------------------------------------
    def compile(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The model as plain arrays (for ``model.npz``) + JSON-able settings (``meta["compiled"]``)."""
        return _compile(self.parts, self.meta)

    # -- persistence ------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write ``model.skops``, the compiled ``model.npz`` and ``meta.json`` (with ``compiled``)."""
        import zipfile

        import skops.io as sio

        directory.mkdir(parents=True, exist_ok=True)
        sio.dump(_pack(self.parts), directory / MODEL_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        self.save_compiled(directory)
        self.save_meta(directory)

    def save_compiled(self, directory: Path) -> None:
        """Write ``model.npz`` and record its settings in ``self.meta["compiled"]`` (call save_meta after)."""
        arrays, compiled = self.compile()
        with (directory / COMPILED_FILE).open("wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
        compiled["bytes"] = (directory / COMPILED_FILE).stat().st_size
        self.meta["compiled"] = compiled

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


# -- compilation: fitted scikit-learn objects -> plain arrays -------------------------------------------------

# Vectorizer settings the compiled feature extractor reproduces; any other value is refused at compile time.
_VECTORIZER_FIXED: dict[str, Any] = {"input": "content", "binary": False, "preprocessor": None, "tokenizer": None,
                                     "strip_accents": None, "stop_words": None}


def _cannot(what: str) -> NianbaoError:
    return NianbaoError("themes model", f"cannot compile: {what}")


def _vectorizer_spec(name: str, vec: Any) -> dict[str, Any]:
    """The TF-IDF options needed to reproduce ``vec.transform`` exactly."""
    params = vec.get_params()
    for key, value in _VECTORIZER_FIXED.items():
        if params.get(key) != value:
            raise _cannot(f"vectorizer {name} has {key}={params.get(key)!r}")
    if params["analyzer"] not in ("char", "word"):
        raise _cannot(f"vectorizer {name} has analyzer={params['analyzer']!r}")
    if params["norm"] not in ("l2", "l1", None):
        raise _cannot(f"vectorizer {name} has norm={params['norm']!r}")
    if np.dtype(params["dtype"]) != np.float64:
        raise _cannot(f"vectorizer {name} has dtype {params['dtype']}")
    if params["analyzer"] == "word" and re.compile(params["token_pattern"]).groups > 1:
        raise _cannot(f"vectorizer {name} token_pattern has several groups")
    lo, hi = params["ngram_range"]
    return {"name": name, "input": "words" if name == "words" else "text", "analyzer": params["analyzer"],
            "ngram_range": [int(lo), int(hi)], "lowercase": bool(params["lowercase"]),
            "token_pattern": params["token_pattern"], "sublinear_tf": bool(params["sublinear_tf"]),
            "use_idf": bool(params["use_idf"]), "norm": params["norm"]}


def _linear(est: Any) -> tuple[np.ndarray, np.ndarray]:
    """(coef (k × features), intercept (k,)) of a linear model whose decision function is X·coefᵀ + intercept."""
    if type(est).__name__ not in ("LinearSVC", "LogisticRegression"):
        raise _cannot(f"estimator {type(est).__name__} is not a supported linear model")
    coef = est.coef_
    coef = np.asarray(coef.toarray() if hasattr(coef, "toarray") else coef, dtype=np.float64)
    intercept = np.broadcast_to(np.asarray(est.intercept_, dtype=np.float64), (coef.shape[0],))
    return coef, np.array(intercept)


def _compile(parts: dict[str, Any], meta: dict[str, Any]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Compile vectorizers + theme/role classifiers; mirrors scikit-learn's ``predict_proba`` (see CompiledModel)."""
    arrays: dict[str, np.ndarray] = {}
    blocks: list[dict[str, Any]] = []
    offset = 0
    for name in [n for n in ("chars", "words") if n in parts]:
        vec = parts[name]
        spec = _vectorizer_spec(name, vec)
        vocab = {str(t): int(i) for t, i in vec.vocabulary_.items()}
        spec.update(offset=offset, size=len(vocab))
        arrays[f"{name}.vocab_json"] = np.frombuffer(
            json.dumps(vocab, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8"), dtype=np.uint8)
        if spec["use_idf"]:
            arrays[f"{name}.idf"] = np.asarray(vec.idf_, dtype=np.float64)
        blocks.append(spec)
        offset += len(vocab)
    tags = {"offset": offset, "size": len(meta["tags"]), "weight": float(meta.get("tag_weight", 1.0))}
    n_features = offset + len(meta["tags"])

    rows: list[np.ndarray] = []
    bias: list[float] = []

    def unit(coef_row: np.ndarray, intercept: float) -> int:
        if coef_row.shape != (n_features,):
            raise _cannot(f"classifier has {coef_row.shape[0]} weights for {n_features} features")
        rows.append(coef_row)
        bias.append(float(intercept))
        return len(rows) - 1

    # themes: one-vs-rest, each label the mean over calibration folds of sigmoid(-(a·z + b))
    ovr = parts["themes"]
    if type(ovr).__name__ != "OneVsRestClassifier" or not getattr(ovr, "multilabel_", False):
        raise _cannot("the theme classifier is not a multilabel OneVsRestClassifier")
    n_labels = len(ovr.estimators_)
    comp: dict[str, list[float]] = {"unit": [], "a": [], "b": [], "label": []}
    count = np.zeros(n_labels, dtype=np.int64)
    const = np.zeros(n_labels, dtype=np.float64)
    for j, est in enumerate(ovr.estimators_):
        kind = type(est).__name__
        pieces: list[tuple[np.ndarray, float, float, float]] = []
        if kind == "CalibratedClassifierCV":
            for cc in est.calibrated_classifiers_:
                if cc.method != "sigmoid" or len(cc.classes) != 2:
                    raise _cannot(f"theme {j}: calibration {cc.method} over {len(cc.classes)} classes")
                coef, intercept = _linear(cc.estimator)
                cal = cc.calibrators[0]
                pieces.append((coef[0], intercept[0], float(cal.a_), float(cal.b_)))
        elif kind == "LogisticRegression":
            coef, intercept = _linear(est)
            pieces.append((coef[0], intercept[0], -1.0, 0.0))  # expit(z) == sigmoid(-(-1·z + 0))
        elif kind == "_ConstantPredictor":
            const[j] = float(np.asarray(est.y_).ravel()[0])
        else:
            raise _cannot(f"theme {j}: estimator {kind}")
        for row, intercept_, a, b in pieces:
            comp["unit"].append(unit(row, intercept_))
            comp["a"].append(a)
            comp["b"].append(b)
            comp["label"].append(j)
            count[j] += 1

    # role: calibrated one-vs-rest (normalised per fold, mean over folds) or logistic regression
    role = parts["role"]
    classes = [str(c) for c in role.classes_]
    rcomp: dict[str, list[float]] = {"unit": [], "a": [], "b": [], "class": [], "fold": []}
    kind = type(role).__name__
    n_folds = 1
    if kind == "CalibratedClassifierCV":
        mode = "calibrated"
        n_folds = len(role.calibrated_classifiers_)
        for f, cc in enumerate(role.calibrated_classifiers_):
            if cc.method != "sigmoid":
                raise _cannot(f"role calibration {cc.method}")
            coef, intercept = _linear(cc.estimator)
            index = {str(c): i for i, c in enumerate(cc.classes)}
            pos = [index[str(c)] for c in cc.estimator.classes_]
            binary = len(cc.classes) == 2
            for i, cal in enumerate(cc.calibrators[: min(len(pos), coef.shape[0])]):
                rcomp["unit"].append(unit(coef[i], intercept[i]))
                rcomp["a"].append(float(cal.a_))
                rcomp["b"].append(float(cal.b_))
                rcomp["class"].append(pos[i] + (1 if binary else 0))
                rcomp["fold"].append(f)
    elif kind == "LogisticRegression":
        coef, intercept = _linear(role)
        mode = "logistic_binary" if len(classes) <= 2 else "softmax"
        for i in range(coef.shape[0]):
            rcomp["unit"].append(unit(coef[i], intercept[i]))
            rcomp["a"].append(-1.0)
            rcomp["b"].append(0.0)
            rcomp["class"].append(i + (1 if mode == "logistic_binary" else 0))
            rcomp["fold"].append(0)
    else:
        raise _cannot(f"role estimator {kind}")

    arrays["W"] = np.ascontiguousarray(np.array(rows, dtype=np.float64).T)  # features × units: W[cols] gathers rows
    arrays["b"] = np.array(bias, dtype=np.float64)
    arrays["theme_unit"] = np.array(comp["unit"], dtype=np.int64)
    arrays["theme_a"] = np.array(comp["a"], dtype=np.float64)
    arrays["theme_b"] = np.array(comp["b"], dtype=np.float64)
    arrays["theme_label"] = np.array(comp["label"], dtype=np.int64)
    arrays["theme_count"] = count
    arrays["theme_const"] = const
    for key in ("unit", "class", "fold"):
        arrays[f"role_{key}"] = np.array(rcomp[key], dtype=np.int64)
    for key in ("a", "b"):
        arrays[f"role_{key}"] = np.array(rcomp[key], dtype=np.float64)
    compiled = {"file": COMPILED_FILE, "format": COMPILED_FORMAT, "blocks": blocks, "tags": tags,
                "n_features": n_features, "n_units": len(rows), "n_labels": n_labels, "role_mode": mode,
                "role_classes": classes, "role_folds": n_folds}
    return arrays, compiled


# -- inference with the compiled model: numpy + stdlib only ----------------------------------------------------

_WHITE_SPACES = re.compile(r"\s\s+")


def analyze(text: str, spec: dict[str, Any]) -> list[str]:
    """The terms scikit-learn's ``build_analyzer()`` yields for ``spec`` (char or word n-grams)."""
    if spec["lowercase"]:
        text = text.lower()
    lo, hi = spec["ngram_range"]
    if spec["analyzer"] == "char":
        text = _WHITE_SPACES.sub(" ", text)
        size = len(text)
        grams: list[str] = []
        for n in range(lo, min(hi + 1, size + 1)):
            grams += map(text.__getitem__, map(slice, range(size - n + 1), range(n, size + 1)))
        return grams
    tokens: list[str] = re.findall(spec["token_pattern"], text)
    if hi == 1:
        return tokens
    out = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), min(hi + 1, len(tokens) + 1)):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


_CODE_BITS = 21  # every Unicode code point + 1 fits: an n-gram of up to 3 characters is one int64


def _char_key(term: str) -> int:
    """Integer key of a 1-3 character n-gram (code points + 1, so lengths cannot collide)."""
    key = 0
    for ch in term:
        key = (key << _CODE_BITS) | (ord(ch) + 1)
    return key


def _text_char_keys(text: str, lo: int, hi: int) -> np.ndarray:
    """Keys of all char n-grams (lo ≤ n ≤ hi ≤ 3) of an already preprocessed text, vectorised."""
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1
    size = len(cp)
    parts: list[np.ndarray] = []
    for n in range(lo, hi + 1):
        if n > size:
            break
        key = cp[: size - n + 1].copy()
        for k in range(1, n):
            key = (key << _CODE_BITS) | cp[k : size - n + 1 + k]
        parts.append(key)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _char_index(spec: dict[str, Any], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray] | None:
    """(sorted n-gram keys, their columns) for the vectorised char path, or None when it does not apply."""
    lo, hi = spec["ngram_range"]
    if spec["analyzer"] != "char" or not 1 <= lo <= hi <= 3 or any(not 1 <= len(t) <= 3 for t in vocab):
        return None
    keys = np.fromiter(map(_char_key, vocab), dtype=np.int64, count=len(vocab))
    cols = np.fromiter(vocab.values(), dtype=np.int64, count=len(vocab))
    order = np.argsort(keys)
    return keys[order], cols[order]


def _expit(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow warnings."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class CompiledModel:
    """A compiled themes model (``model.npz`` + ``meta.json``): the pipeline's classifier, numpy only.

    Scores equal the scikit-learn model's ``predict_proba`` up to floating-point summation order
    (tests/test_themes.py checks 1e-6 on the training paragraphs).
    """

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        self.meta = meta
        c = meta["compiled"]
        if int(c.get("format", 0)) != COMPILED_FORMAT:
            raise NianbaoError(COMPILED_FILE, f"compiled model format {c.get('format')} is not {COMPILED_FORMAT}")
        # (spec, vocabulary, idf, vectorised char index or None) per TF-IDF block
        self.blocks: list[tuple[dict[str, Any], dict[str, int], np.ndarray | None,
                                tuple[np.ndarray, np.ndarray] | None]] = []
        for spec in c["blocks"]:
            vocab = json.loads(arrays[f"{spec['name']}.vocab_json"].tobytes().decode("utf-8"))
            idf = arrays.get(f"{spec['name']}.idf") if spec["use_idf"] else None
            if len(vocab) != spec["size"] or (idf is not None and idf.shape != (spec["size"],)):
                raise NianbaoError(COMPILED_FILE, f"block {spec['name']} does not match meta.json")
            self.blocks.append((spec, vocab, idf, _char_index(spec, vocab)))
        self.tag_offset, self.tag_weight = int(c["tags"]["offset"]), float(c["tags"]["weight"])
        self.tag_index = {t: self.tag_offset + i for i, t in enumerate(meta["tags"])}
        self.W, self.b = arrays["W"], arrays["b"]
        if self.W.shape != (c["n_features"], c["n_units"]) or self.b.shape != (c["n_units"],):
            raise NianbaoError(COMPILED_FILE, "weight matrix does not match meta.json")
        self.theme_unit, self.theme_label = arrays["theme_unit"], arrays["theme_label"]
        self.theme_a, self.theme_b = arrays["theme_a"], arrays["theme_b"]
        self.theme_count, self.theme_const = arrays["theme_count"], arrays["theme_const"]
        self.role_unit, self.role_class, self.role_fold = arrays["role_unit"], arrays["role_class"], arrays["role_fold"]
        self.role_a, self.role_b = arrays["role_a"], arrays["role_b"]
        self.role_mode: str = c["role_mode"]
        self.role_classes: list[str] = list(c["role_classes"])
        self.role_folds = int(c["role_folds"])
        if len(self.theme_count) != len(meta["themes"]):
            raise NianbaoError(COMPILED_FILE, "theme count does not match meta.json")

    @classmethod
    def load(cls, directory: Path) -> CompiledModel:
        """``model.npz`` (no pickle) + ``meta.json``; a directory with only ``model.skops`` is compiled in memory."""
        import zipfile

        meta_path, npz_path = directory / META_FILE, directory / COMPILED_FILE
        if not meta_path.is_file():
            raise NianbaoError(str(directory), f"no themes model ({META_FILE}) in this directory")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise NianbaoError(str(meta_path), f"unreadable model metadata ({exc})") from None
        if "compiled" not in meta or not npz_path.is_file():
            if (directory / MODEL_FILE).is_file():  # a model trained before compilation existed
                arrays, meta["compiled"] = ThemeModel.load(directory).compile()
                return cls(arrays, meta)
            raise NianbaoError(str(directory), f"no themes model ({COMPILED_FILE} + {META_FILE}) in this directory")
        try:
            with np.load(npz_path, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
            return cls(arrays, meta)
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            raise NianbaoError(str(npz_path), f"not a usable compiled themes model ({exc})") from None

    def _block(self, items: Sequence[Item], spec: dict[str, Any], vocab: dict[str, int], idf: np.ndarray | None,
               index: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, values) of one TF-IDF block for all items at once, rows grouped in item order.

        Char n-grams go through one ``searchsorted`` and one ``unique`` over the whole batch
        (per-paragraph numpy calls cost more than the arithmetic); other analyzers count terms
        per item. Weighting (sublinear tf, idf, row norm) is then done once for the batch.
        """
        if index is not None:  # char n-grams as integer keys: vectorised lookup and counting
            texts = [it.text.lower() if spec["lowercase"] else it.text for it in items]
            keys_per = [_text_char_keys(_WHITE_SPACES.sub(" ", t), *spec["ngram_range"]) for t in texts]
            sizes = np.fromiter(map(len, keys_per), dtype=np.int64, count=len(keys_per))
            keys = np.concatenate(keys_per)
            rows = np.repeat(np.arange(len(items), dtype=np.int64), sizes)
            sorted_keys, key_cols = index
            pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
            hit = sorted_keys[pos] == keys
            width = int(key_cols.max()) + 1 if len(key_cols) else 1
            pair, n = np.unique(rows[hit] * width + key_cols[pos[hit]], return_counts=True)
            r, c = np.divmod(pair, width)
            v = n.astype(np.float64)
        else:
            rs, cs, vs = [], [], []
            for i, it in enumerate(items):
                counts = Counter(analyze(words(it.text) if spec["input"] == "words" else it.text, spec))
                # lookups through map(): C-speed, -1 for terms outside the vocabulary
                ci = np.fromiter(map(vocab.get, counts, repeat(-1, len(counts))), dtype=np.int64, count=len(counts))
                vi = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                known = ci >= 0
                rs.append(np.full(int(known.sum()), i, dtype=np.int64))
                cs.append(ci[known])
                vs.append(vi[known])
            r, c, v = np.concatenate(rs), np.concatenate(cs), np.concatenate(vs)
        if spec["sublinear_tf"]:
            v = np.log(v) + 1.0
        if idf is not None:
            v = v * idf[c]
        if spec["norm"] in ("l2", "l1"):
            norm = np.bincount(r, weights=v * v if spec["norm"] == "l2" else np.abs(v), minlength=len(items))
            if spec["norm"] == "l2":
                norm = np.sqrt(norm)
            v = v / np.where(norm > 0.0, norm, 1.0)[r]
        return r, c + spec["offset"], v

    def features(self, item: Item) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of one item's sparse feature row: TF-IDF blocks, then tags (for inspection)."""
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for spec, vocab, idf, index in self.blocks:
            _, c, v = self._block([item], spec, vocab, idf, index)
            cols.append(c)
            vals.append(v)
        tag_vals: dict[int, float] = {}
        for tag in item_tags(item):
            if tag in self.tag_index:
                k = self.tag_index[tag]
                tag_vals[k] = tag_vals.get(k, 0.0) + self.tag_weight
        cols.append(np.fromiter(tag_vals.keys(), dtype=np.int64, count=len(tag_vals)))
        vals.append(np.fromiter(tag_vals.values(), dtype=np.float64, count=len(tag_vals)))
        return np.concatenate(cols), np.concatenate(vals)

    def decisions(self, items: Sequence[Item]) -> np.ndarray:
        """Linear outputs X·Wᵀ + b of every unit (n × units)."""
        Z = np.zeros((len(items), self.W.shape[1]))
        if not items:
            return Z + self.b
        for spec, vocab, idf, index in self.blocks:
            r, c, v = self._block(items, spec, vocab, idf, index)
            if len(r):
                # segment sums in C, not BLAS: a threaded gemm on a small batch costs more than it computes
                starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
                rows = np.take(self.W, c, axis=0)  # take: several times faster than W[c] fancy indexing
                rows *= v[:, None]
                Z[r[starts]] += np.add.reduceat(rows, starts, axis=0)
        tag_rows: list[int] = []
        tag_cols: list[int] = []
        for i, it in enumerate(items):
            for tag in item_tags(it):
                if tag in self.tag_index:
                    tag_rows.append(i)
                    tag_cols.append(self.tag_index[tag])
        if tag_rows:
            np.add.at(Z, np.array(tag_rows), np.take(self.W, tag_cols, axis=0) * self.tag_weight)
        return Z + self.b

    def proba(self, items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
        """Theme probabilities (n × themes) and role probabilities (n × role classes), as predict_proba."""
        n = len(items)
        Z = self.decisions(items)
        S = _expit(-(self.theme_a * Z[:, self.theme_unit] + self.theme_b))
        theme_p = np.zeros((n, len(self.theme_count)))
        for k, j in enumerate(self.theme_label.tolist()):
            theme_p[:, j] += S[:, k]
        counted = self.theme_count > 0
        theme_p[:, counted] /= self.theme_count[counted]
        theme_p[:, ~counted] = self.theme_const[~counted]
        C = len(self.role_classes)
        R = Z[:, self.role_unit]
        if self.role_mode == "softmax":
            R = np.exp(R - R.max(axis=1, keepdims=True))
            return theme_p, R / R.sum(axis=1, keepdims=True)
        S = _expit(-(self.role_a * R + self.role_b))
        role_p = np.zeros((n, C))
        for f in range(self.role_folds):
            P = np.zeros((n, C))
            for k in np.flatnonzero(self.role_fold == f).tolist():
                P[:, self.role_class[k]] = S[:, k]
            if C == 2:
                P[:, 0] = 1.0 - P[:, 1]
            else:
                denom = P.sum(axis=1, keepdims=True)
                P = np.divide(P, denom, out=np.full_like(P, 1.0 / C), where=denom != 0)
            P[(P > 1.0) & (P <= 1.0 + 1e-5)] = 1.0
            role_p += P
        return theme_p, role_p / self.role_folds

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        if not items:
            return []
        theme_p, role_p = self.proba(items)
        return _predictions(theme_p, role_p, self.role_classes, self.meta)


def item_tags(it: Item) -> list[str]:
    """Section and format tags: where a paragraph sits is a strong cue for its role."""
    tags = [f"section={it.section or 'none'}", f"format={it.format_id or 'gov_unknown'}"]
    if it.section and it.section.startswith("legacy_"):
        tags.append("section=legacy_any")
    return tags


def default_model_dir() -> Path:
    return model_dir("themes")


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> CompiledModel:
    """The shipped model, or a user's model directory, in compiled form; cached per path."""
    return CompiledModel.load(Path(path) if path else default_model_dir())


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
