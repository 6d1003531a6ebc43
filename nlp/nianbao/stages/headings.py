"""What a heading says → its section key, by a small model trained on the shared documents' headings.

The model (``data/headings_model.json``, made by ``nianbao.train.headings_train``) is a logistic regression over
TF-IDF character 1–3-grams of the heading's words; inference here is plain Python (no scikit-learn at run time).
It recognises phrasings no variant list holds (政府信息咨询及申请情况 → requests, 存在的不足和下一步工作思路 →
problems, 回应解读 → legacy_interpretation) and says ``none`` for table rows that look like headings.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

from nianbao.resources import data_path

_NUMERAL = re.compile(r"^[#\s]*(?:[一二三四五六七八九十]{1,3}\s*[、.．,]?|第[一二三四五六七八九十]+部分[、:]?|"
                      r"\([一二三四五六七八九十]{1,3}\)|\d{1,2}\s*[、.．])")


@lru_cache(maxsize=1)
def _model() -> dict[str, Any] | None:
    path = data_path("headings_model.json")
    if not path.exists():
        return None
    return dict(json.loads(path.read_text(encoding="utf-8")))


def words(title: str) -> str:
    """The heading's words on normalised text: numeral, markdown marks and spaces removed."""
    return re.sub(r"\s+", "", _NUMERAL.sub("", title.strip()))


def classify(title: str) -> tuple[str, float]:
    """(section key or ``none``, probability) for a heading title in normalised text."""
    model = _model()
    text = words(title)
    if model is None or not text:
        return "none", 0.0
    vocab: dict[str, int] = model["vocabulary"]
    counts: dict[int, int] = {}
    lo, hi = model["ngram_range"]
    for n in range(lo, min(hi, len(text)) + 1):
        for i in range(len(text) - n + 1):
            j = vocab.get(text[i:i + n])
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
    if not counts:
        return "none", 0.0
    idf = model["idf"]
    feats = {j: (1.0 + math.log(c) if model["sublinear_tf"] else float(c)) * idf[j] for j, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in feats.values())) or 1.0
    scores = [b + sum(row[j] * v for j, v in feats.items()) / norm
              for row, b in zip(model["coef"], model["intercept"], strict=True)]
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    total = sum(exp)
    best = max(range(len(scores)), key=scores.__getitem__)
    return str(model["classes"][best]), exp[best] / total
