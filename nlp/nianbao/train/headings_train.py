"""Train the heading classifier (what a heading says → section key) on ``training_data/identity/headings.jsonl``.

Features are character 1–3-grams of the heading title after its numeral (normalised: simplified script,
half-width), TF-IDF weighted; the model is a multinomial logistic regression. Training rows are every gold heading
with a section key plus the table rows and captions that look like headings (class ``none``); sub-headings whose
``none`` comes only from their position (re-used numbering inside 总体情况) are left out, since position is the
segmenter's job, not the title's. The model is exported as plain JSON (``nianbao/data/headings_model.json``:
vocabulary, idf, coefficients) so inference needs no scikit-learn.
``nianbao train headings --cv`` reports grouped cross-validation (``training_data/groups.tsv``: a publisher's
locality is never in train and test at once).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from nianbao.resources import data_path, shared_dir
from nianbao.train.common import publisher
from nianbao.train.identity_eval import doc_file, load_gold

_TABLE_ROW = re.compile(r"本年新收|上年结转|本年度办理结果|结转下年度|表[一二三四]|\|")


def title_body(title: str) -> str:
    """The heading's words: normalised, without numeral, markdown marks and spaces."""
    from nianbao.stages.normalise import normalise

    t = normalise(title).text
    t = re.sub(r"^[#\s]*(?:[一二三四五六七八九十]{1,3}\s*[、.．,]?|第[一二三四五六七八九十]+部分[、:]?|"
               r"\([一二三四五六七八九十]{1,3}\)|\d{1,2}\s*[、.．])", "", t.strip())
    return re.sub(r"\s+", "", t)


def training_rows(root: Path | None = None) -> list[tuple[str, str, str]]:
    """(doc, title body, key) for the rows the classifier learns from."""
    from nianbao.io.readers import read

    _ident, heads = load_gold()
    rows = []
    texts: dict[str, str] = {}
    for doc, items in sorted(heads.items()):
        path = doc_file(doc, root)
        if path is None:
            continue
        text = texts.setdefault(doc, read(path).text)
        for h in items:
            title = text[h["start"]:h["end"]]
            body = title_body(title)
            if not body:
                continue
            if h["key"] != "none":
                rows.append((doc, body, h["key"]))
            elif _TABLE_ROW.search(title):
                rows.append((doc, body, "none"))
    return rows


def _pipeline():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
                         LogisticRegression(C=8.0, max_iter=2000, class_weight="balanced"))


def cross_validate(rows: list[tuple[str, str, str]], folds: int = 5) -> dict[str, float]:
    from sklearn.model_selection import GroupKFold

    x = [r[1] for r in rows]
    y = [r[2] for r in rows]
    g = [publisher(r[0]) for r in rows]
    right = 0
    for train, test in GroupKFold(n_splits=folds).split(x, y, g):
        model = _pipeline().fit([x[i] for i in train], [y[i] for i in train])
        pred = model.predict([x[i] for i in test])
        right += sum(int(p == y[i]) for p, i in zip(pred, test, strict=True))
    return {"rows": len(rows), "accuracy": right / max(1, len(rows))}


def export(rows: list[tuple[str, str, str]], out: Path) -> dict[str, object]:
    model = _pipeline().fit([r[1] for r in rows], [r[2] for r in rows])
    vec, clf = model.steps[0][1], model.steps[1][1]
    vocab = {term: int(i) for term, i in vec.vocabulary_.items()}
    obj = {"classes": [str(c) for c in clf.classes_], "ngram_range": [1, 3], "sublinear_tf": True,
           "vocabulary": vocab, "idf": [round(float(v), 5) for v in vec.idf_],
           "coef": [[round(float(v), 4) for v in row] for row in clf.coef_],
           "intercept": [round(float(v), 4) for v in clf.intercept_],
           "trained_on": dict(Counter(r[2] for r in rows))}
    out.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return obj


def train(out: Path | None = None, cv: bool = False) -> str:
    """Train and export the heading model (or, with ``cv``, only cross-validate); returns a one-line summary."""
    if not shared_dir().exists():
        raise FileNotFoundError(f"{shared_dir()}: shared reference folder not found")
    rows = training_rows()
    if cv:
        return json.dumps(cross_validate(rows))
    out = out or data_path("headings_model.json")
    obj = export(rows, out)
    return f"wrote {out} ({len(obj['vocabulary'])} n-grams, classes {obj['classes']})"  # type: ignore[arg-type]
