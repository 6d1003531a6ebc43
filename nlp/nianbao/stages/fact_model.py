"""The trained fact classifier: features of a candidate number and a linear model over them.

Every quantity the number finder sees in prose is a candidate. Its features describe the words
around it as the project's segmenter (rjieba with the domain dictionary ``data/dict.txt``, jieba
part-of-speech tags) cuts them: the nearest words left and right, the governing verb (last verb
before the number in its clause) and the counted noun (first noun after it, else the last before
it), bags of clause and sentence words, unit, qualifier, section, format generation, whether the
number follows a total inside a 其中/包括/分别 list, negation, and what the hand-written cues of
``data/metrics.yaml`` say (passed in by the caller as features with learned weights, not
verdicts). Word lists are data (``data/facts_model.yaml``).

The model is a linear classifier (one weight row per feature, one column per metric key or
``none``) trained by :mod:`nianbao.train.facts_train`; it ships as ``models/facts/model.npz``
and scoring is a sparse sum in numpy, so extraction imports neither scikit-learn nor spaCy.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nianbao.lang.numbers import Quantity
from nianbao.resources import load_yaml, model_dir

NONE = "none"
MODEL_FILE = "model.npz"
ITEM_CUT = re.compile(r"[,;:、()《》\n]")  # normalised text: ASCII clause marks, 、 kept
SENTENCE_END = re.compile(r"[。!?\n]")
CLAUSE_CHARS = frozenset("。!?\n,;:")
# groups always written as GROUP=value even when the value is None (OLD=None means "no rule fired")
_VALUED = frozenset({"OLD", "V", "NA", "NB", "PREV", "PREVK", "TOT", "S", "F", "U", "Q", "KEYSEEN"})


@dataclass(frozen=True)
class FeatureConfig:
    markers: tuple[str, ...]
    negation: re.Pattern[str]
    total_words: re.Pattern[str]
    share_after: re.Pattern[str]
    sum_tolerance: float
    channels: tuple[tuple[str, re.Pattern[str]], ...]
    channel_window: int
    item_phrase_chars: int
    item_kinds: tuple[tuple[str, re.Pattern[str]], ...]
    objects: tuple[tuple[str, re.Pattern[str]], ...]
    verb_tags: tuple[str, ...]
    noun_tags: tuple[str, ...]
    left_words: int
    right_words: int
    left_chars: int
    right_chars: int
    sentence_words: int
    clause_chars: int
    weights: dict[str, float]


@lru_cache(maxsize=1)
def feature_config() -> FeatureConfig:
    d = load_yaml("facts_model.yaml")
    return FeatureConfig(tuple(d["part_markers"]), re.compile(d["negation"]), re.compile(d["total_words"]),
                         re.compile(d["share_after"]), float(d["sum_tolerance"]),
                         tuple((k, re.compile(v)) for k, v in d["channels"].items()), int(d["channel_window"]),
                         int(d["item_phrase_chars"]), tuple((k, re.compile(v)) for k, v in d["item_kinds"].items()),
                         tuple((k, re.compile(v)) for k, v in d["objects"].items()),
                         tuple(d["verb_tags"]), tuple(d["noun_tags"]),
                         int(d["left_words"]), int(d["right_words"]), int(d["left_chars"]), int(d["right_chars"]),
                         int(d.get("sentence_words", 12)), int(d.get("clause_chars", 10)),
                         {str(k): float(v) for k, v in (d.get("weights") or {}).items()})


@lru_cache(maxsize=1)
def _tagger() -> Any:
    """rjieba with the project's domain dictionary: words and jieba POS tags in one pass."""
    import rjieba

    from nianbao.lang.tokenizer import default_user_dict

    seg = rjieba.Jieba()
    for word, freq, tag in default_user_dict():
        seg.add_word(word, freq, tag)
    return seg


Token = tuple[int, int, str, str]  # start, end, word, POS tag


def tag_words(text: str, start: int, end: int) -> list[Token]:
    """Words of ``text[start:end]`` with offsets into ``text`` and their POS tags."""
    out = []
    pos = start
    for w, t in _tagger().tag(text[start:end]):
        out.append((pos, pos + len(w), w, t))
        pos += len(w)
    return out


@dataclass
class Candidate:
    """A number in prose with everything the classifier needs (normalised offsets)."""

    q: Quantity
    rule_key: str | None  # what the hand-written cues alone would say
    rule_feats: list[str]
    section: str | None
    features: dict[str, float] = field(default_factory=dict)
    sentence: int = -1  # start of its sentence (-1: not known yet)
    sentence_end: int = -1
    marker: int | None = None  # position of the 其中/包括 marker before it in its sentence
    after_total: bool = False


def _clause_start(text: str, pos: int, lo: int) -> int:
    i = pos
    while i > lo and text[i - 1] not in CLAUSE_CHARS:
        i -= 1
    return i


def _clause_end(text: str, pos: int, hi: int) -> int:
    i = pos
    while i < hi and text[i] not in CLAUSE_CHARS:
        i += 1
    return i


def sentence_start(text: str, pos: int) -> int:
    return max(text.rfind("。", 0, pos), text.rfind("!", 0, pos), text.rfind("?", 0, pos),
               text.rfind("\n", 0, pos)) + 1


def featurize(text: str, cands: Sequence[Candidate], fmt: str | None) -> None:
    """Fill ``features`` of candidates (in text order) from their sentence; segments each sentence once."""
    cfg = feature_config()
    weights = cfg.weights
    cache: dict[int, tuple[int, list[Token], list[int], list[int]]] = {}
    earlier: dict[int, list[Candidate]] = {}
    last: Candidate | None = None
    seen: dict[str | None, list[float]] = {}
    for c in cands:
        q = c.q
        if c.sentence < 0:
            c.sentence = sentence_start(text, q.start)
            m = SENTENCE_END.search(text, q.end)
            c.sentence_end = m.start() if m else len(text)
        s0, s1 = c.sentence, c.sentence_end
        if s0 not in cache:
            toks = tag_words(text, s0, s1)
            cache[s0] = (s1, toks, [t[0] for t in toks], [t[1] for t in toks])
        _, toks, tok_starts, tok_ends = cache[s0]
        c0 = _clause_start(text, q.start, s0)
        c1 = _clause_end(text, q.end, s1)
        f: dict[str, float] = {}

        def add(group: str, value: object = None, f: dict[str, float] = f) -> None:
            key = group if value is None and group not in _VALUED else f"{group}={value}"
            f[key] = f.get(key, 0.0) + weights.get(group, 1.0)

        add("OLD", c.rule_key)
        for k in c.rule_feats:
            add(k)
        add("U", q.unit)
        add("Q", q.qualifier)
        if not q.raw[q.num_start - q.start:q.num_start - q.start + 1].isdigit():
            add("CN")
        v = q.value if isinstance(q.value, int | float) else 0
        add("MAG", int(math.log10(abs(v) + 1)))
        if q.unit is None and 1990 <= v <= 2035 and float(v).is_integer():
            add("YEARLIKE")
        add("S", c.section)
        add("F", fmt)
        add("SU", f"{c.section}|{q.unit}")
        i_left = bisect_right(tok_ends, q.start)  # words ending at or before the number
        i_right = bisect_left(tok_starts, q.end)  # words starting at or after its end
        i_c0 = bisect_left(tok_starts, c0, 0, i_left)
        i_c1 = bisect_right(tok_ends, c1, i_right)
        lcl = toks[i_c0:i_left]
        rcl = toks[i_right:i_c1]
        wider = toks[max(0, i_c0 - cfg.sentence_words):i_c0]
        for i, t in enumerate(reversed(lcl[-cfg.left_words:])):
            add(f"L{i + 1}={t[2]}")
        for i, t in enumerate(rcl[:cfg.right_words]):
            add(f"R{i + 1}={t[2]}")
        for group, words in (("LC", lcl), ("RC", rcl), ("LS", wider)):  # bags: the hot loop, inlined
            w = weights.get(group, 1.0)
            for t in words:
                key = f"{group}={t[2]}"
                f[key] = f.get(key, 0.0) + w
        verb = next((t[2] for t in reversed(lcl) if t[3].startswith(cfg.verb_tags)), None)
        add("V", verb)
        rverb = next((t[2] for t in rcl if t[3].startswith(cfg.verb_tags)), None)
        if rverb:
            add("RV", rverb)
        noun_after = next((t[2] for t in rcl if t[3].startswith(cfg.noun_tags)), None)
        noun_before = next((t[2] for t in reversed(lcl) if t[3].startswith(cfg.noun_tags)), None)
        add("NA", noun_after)
        add("NB", noun_before)
        add("VN", f"{verb}|{noun_after or noun_before}")
        # character pairs of the clause just before the number: words the segmenter cuts differently
        # (兼职信息员, 答复率达) still share them
        near = text[max(c0, q.start - cfg.clause_chars):q.start]
        w = weights.get("LB", 1.0)
        for k in range(len(near) - 1):
            key = f"LB={near[k:k + 2]}"
            f[key] = f.get(key, 0.0) + w
        lch = text[max(c0, q.start - cfg.left_chars):q.start]
        for k in range(1, len(lch) + 1):
            add(f"suf{k}", lch[-k:])
        rch = text[q.end:min(c1, q.end + cfg.right_chars)]
        for k in range(1, len(rch) + 1):
            add(f"pre{k}", rch[:k])
        # a breakdown after a total: 共N件,其中A件 (the marker after an earlier number of the sentence)
        sent_left = text[s0:q.start]
        mark: tuple[str, int] | None = None
        for w in cfg.markers:
            i = sent_left.rfind(w)
            if i >= 0 and (mark is None or i > mark[1]):
                mark = (w, i)
        prev = earlier.setdefault(s0, [])
        if mark is not None:
            add("M", mark[0])
            c.marker = s0 + mark[1]
            before = [p for p in prev if p.q.end <= c.marker]
            if before:
                c.after_total = True
                add("PART_AFTER_TOTAL")
                add("TOT", before[-1].rule_key)
                if before[-1].rule_key is not None and before[-1].rule_key == c.rule_key:
                    add("SAME_AS_TOTAL")
        elif prev:
            add("PREV", prev[-1].rule_key)
            if prev[-1].rule_key is not None and prev[-1].rule_key == c.rule_key:
                add("SAME_AS_PREV")
        if any(text.startswith(w, s0) for w in cfg.markers[:2]):
            add("SENT_STARTS_MARKER")
        add("NPREV", min(len(prev), 3))
        prev.append(c)
        # the number before it (any sentence, close by): a second 主动公开…N条 after a total is often a part
        if last is not None and q.start - last.q.end <= 120:
            add("PREVK", last.rule_key)
            if last.rule_key is not None and last.rule_key == c.rule_key:
                add("SAME_PREVK")
        last = c
        # earlier numbers of the document with the same rules' key: a restated total repeats a value,
        # a breakdown (各乡镇公开N条 after 全年公开M条) is smaller than the first one
        same = seen.setdefault(c.rule_key, [])
        add("KEYSEEN", min(len(same), 2))
        if same and isinstance(q.value, int | float):
            if any(q.value == x for x in same):
                add("EQUALS_EARLIER")
            elif q.value < same[0]:
                add("SMALLER_THAN_FIRST")
        if isinstance(q.value, int | float):
            same.append(q.value)
        if cfg.negation.search(text, c0, q.start):
            add("NEG")
        if cfg.total_words.search(text, c0, q.start):
            add("TOTALW")
        if cfg.share_after.search(text[q.end:q.end + 3]):
            add("SHARE_AFTER")
        phrase = ITEM_CUT.split(text[max(s0, q.start - cfg.item_phrase_chars):q.start])[-1]
        kind = next((name for name, rx in cfg.item_kinds if rx.search(phrase)), None)
        if kind:
            add("ITEM", kind)
        obj = max(((m.start(), name) for name, rx in cfg.objects for m in [_last(rx, sent_left)] if m is not None),
                  default=None)
        if obj is not None:
            add("OBJ", obj[1])
        c.features = f
    _mark_sums(cands, cfg.sum_tolerance)
    _mark_channels(text, cands, cfg)


TOTAL_KEY = "narrative.proactive.items_total"


def _mark_channels(text: str, cands: Sequence[Candidate], cfg: FeatureConfig) -> None:
    """CH=<channel> for the channels named in a number's clause; PAR_CH when a number close by on the
    same line is counted for another channel (网站N条,微博M条: each one channel, none the total)."""
    found: list[set[str]] = []
    for c in cands:
        c0 = _clause_start(text, c.q.start, c.sentence if c.sentence >= 0 else 0)
        clause = text[c0:c.q.start]
        chans = {name for name, rx in cfg.channels if rx.search(clause)}
        for ch in chans:
            c.features[f"CH={ch}"] = 1.0
        if len(chans) > 1:
            c.features["MULTI_CH"] = 1.0  # 微博、微信共发布N条: one count over several platforms
        p0 = _clause_start(text, max(c0 - 1, 0), max(c.sentence, 0)) if c0 > 0 else c0
        for name, rx in cfg.channels:
            if name not in chans and rx.search(text, p0, c0):
                c.features[f"CHP={name}"] = 1.0  # 其中微博29个,共发布N条: the channel named one clause before
        found.append(chans)
    starts = [c.q.start for c in cands]  # candidates come in text order
    for i, c in enumerate(cands):
        line_start = text.rfind("\n", 0, c.q.start) + 1
        line_end = text.find("\n", c.q.end)
        line_end = len(text) if line_end < 0 else line_end
        lo = bisect_left(starts, max(line_start, c.q.start - cfg.channel_window))
        hi = bisect_left(starts, min(line_end, c.q.end + cfg.channel_window))
        others = set().union(*(found[j] for j in range(lo, hi) if j != i))
        if others - found[i]:
            c.features["PAR_CH"] = 1.0
    # other channels counted anywhere in the same section: a website count is then one channel (rule 2 of the gold)
    by_section: dict[str | None, set[str]] = {}
    for c, ch in zip(cands, found, strict=True):
        by_section.setdefault(c.section, set()).update(ch)
    for c, ch in zip(cands, found, strict=True):
        if by_section[c.section] - ch - {"media"}:
            c.features["SECTION_OTHER_CH"] = 1.0
    # the rules see an overall total elsewhere (no channel named in its clause): a website count is a channel
    totals = [c for c, ch in zip(cands, found, strict=True) if c.rule_key == TOTAL_KEY and not ch]
    for c, ch in zip(cands, found, strict=True):
        if any(t is not c and t.q.value != c.q.value for t in totals):
            c.features["TOTAL_ELSEWHERE"] = 1.0
        # a linear model cannot AND these: which channel, and whether it stands alone or beside others
        context = [k for k in ("PAR_CH", "SECTION_OTHER_CH", "TOTAL_ELSEWHERE") if k in c.features] or ["ALONE"]
        for name in ch:
            for k in context:
                c.features[f"CH={name}&{k}"] = 1.0


def _last(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match of ``rx`` in ``text`` (None when there is none)."""
    matches = list(rx.finditer(text))
    return matches[-1] if matches else None


def _mark_sums(cands: Sequence[Candidate], tol: float) -> None:
    """SUM_OF_NEXT on a number that the later numbers of its sentence (same unit, two or more, each
    smaller) add up to, SUMMAND on those numbers: a total and its breakdown, with or without 其中."""
    by_sentence: dict[int, list[Candidate]] = {}
    for c in cands:
        by_sentence.setdefault(c.sentence, []).append(c)
    for group in by_sentence.values():
        for i, c in enumerate(group):
            v = c.q.value
            if not isinstance(v, int | float) or v <= 0:
                continue
            parts = [p for p in group[i + 1:] if p.q.unit == c.q.unit and isinstance(p.q.value, int | float)
                     and 0 <= p.q.value < v]
            total = 0.0
            for n, p in enumerate(parts, 1):  # the shortest run of following numbers that adds up
                total += p.q.value
                if n >= 2 and abs(total - v) <= max(1.0, tol * v):
                    c.features["SUM_OF_NEXT"] = 1.0
                    for p2 in parts[:n]:
                        p2.features["SUMMAND"] = 1.0
                    break
                if total > v * (1 + tol):
                    break


def rule_key_of(feats: dict[str, float]) -> str | None:
    """The rules' metric recorded in a feature row (``OLD=<key>``)."""
    for k in feats:
        if k.startswith("OLD="):
            return None if k == "OLD=None" else k[4:]
    return None


class FactModel:
    """A linear classifier over sparse named features (vocabulary → weight rows).

    ``rule_metrics`` are the metrics for which the hand-written cues measurably beat the model in
    grouped CV on the training documents: for those the rules decide (a number is such a metric
    exactly when its cues say so) and the model chooses among the other labels.

    ``single_valued`` are the metrics a report states with one value only (its year's total of
    requests, of items published…), learned from the gold at training time; :meth:`predict_document`
    keeps, per such metric, the value the model is surest of and gives the other numbers their
    next-best label.
    """

    def __init__(self, vocab: dict[str, int], weights: np.ndarray, bias: np.ndarray, classes: list[str],
                 meta: dict[str, Any] | None = None, rule_metrics: Iterable[str] = (),
                 single_valued: Iterable[str] = ()) -> None:
        self.vocab = vocab
        self.weights = weights
        self.bias = bias
        self.classes = classes
        self.meta = meta or {}
        self.rule_metrics = frozenset(rule_metrics)
        self.single_valued = frozenset(single_valued)
        self._masked = np.array([c in self.rule_metrics for c in classes], dtype=bool)
        self._pad: np.ndarray | None = None

    def scores(self, feats: dict[str, float]) -> np.ndarray:
        idx, vals = [], []
        vocab = self.vocab
        for k, v in feats.items():
            i = vocab.get(k)
            if i is not None:
                idx.append(i)
                vals.append(v)
        out = self.bias.copy()
        if idx:
            out += np.asarray(vals, dtype=np.float32) @ self.weights[idx]
        return out

    def _padded(self) -> np.ndarray:
        if getattr(self, "_pad", None) is None or self._pad.shape[0] != self.weights.shape[0] + 1:
            self._pad = np.vstack([self.weights, np.zeros((1, self.weights.shape[1]), dtype=self.weights.dtype)])
        return self._pad

    def score_rows(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        """Scores of many rows at once (one gather and one segmented sum instead of a call per row)."""
        idx: list[int] = []
        vals: list[float] = []
        starts: list[int] = []
        get = self.vocab.get
        unknown = len(self.vocab)  # a zero row: unknown features add nothing, no branch per feature
        padded = self._padded()
        for f in rows:
            starts.append(len(idx))
            idx.extend([get(k, unknown) for k in f])
            vals.extend(f.values())
        out = np.tile(self.bias.astype(np.float32), (len(rows), 1))
        if idx:
            contrib = padded[idx] * np.asarray(vals, dtype=np.float32)[:, None]
            bounds = np.asarray([*starts, len(idx)])
            nonempty = bounds[:-1] < bounds[1:]
            sums = np.add.reduceat(contrib, bounds[:-1][nonempty], axis=0)
            out[nonempty] += sums
        return out

    def predict(self, rows: Iterable[dict[str, float]]) -> list[str]:
        rows = list(rows)
        if not rows:
            return []
        sc = self.score_rows(rows)
        if self._masked.any():
            sc[:, self._masked] = -np.inf
        out = [self.classes[int(i)] for i in np.argmax(sc, axis=1)]
        if self.rule_metrics:
            for n, f in enumerate(rows):
                rule = rule_key_of(f)
                if rule is not None and rule in self.rule_metrics:
                    out[n] = rule
        return out

    def predict_document(self, rows: Sequence[dict[str, float]], values: Sequence[Any]) -> list[str]:
        """Labels for all candidate numbers of ONE document (``values``: their values), with the
        one-value-per-report constraint of ``single_valued`` applied."""
        labels = self.predict(rows)
        if not self.single_valued or not labels:
            return labels
        sc = self.score_rows(rows)
        if self._masked.any():
            sc[:, self._masked] = -np.inf
        for key in self.single_valued.intersection(labels):
            j = self.classes.index(key)
            idx = [i for i, lab in enumerate(labels) if lab == key]
            if len({values[i] for i in idx}) < 2:
                continue
            keep = values[max(idx, key=lambda i: sc[i, j])]
            for i in idx:
                if values[i] != keep:
                    row = sc[i].copy()
                    row[j] = -np.inf
                    labels[i] = self.classes[int(np.argmax(row))]
        return labels

    def save(self, directory: str | Path, meta: dict[str, Any] | None = None) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        np.savez_compressed(d / MODEL_FILE, weights=self.weights.astype(np.float16), bias=self.bias.astype(np.float32),
                            features=np.array(names), classes=np.array(self.classes),
                            rule_metrics=np.array(sorted(self.rule_metrics), dtype=str),
                            single_valued=np.array(sorted(self.single_valued), dtype=str))
        if meta is not None:
            self.meta = meta
            (d / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> FactModel:
        d = Path(directory)
        with np.load(d / MODEL_FILE, allow_pickle=False) as z:
            names = [str(x) for x in z["features"]]
            model = cls({n: i for i, n in enumerate(names)}, z["weights"].astype(np.float32),
                        z["bias"].astype(np.float32),
                        [str(x) for x in z["classes"]],
                        rule_metrics=[str(x) for x in z["rule_metrics"]] if "rule_metrics" in z else (),
                        single_valued=[str(x) for x in z["single_valued"]] if "single_valued" in z else ())
        meta_path = d / "meta.json"
        if meta_path.exists():
            model.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return model


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> FactModel | None:
    """The shipped model (``models/facts``), or None when it is absent (rules then decide alone)."""
    d = Path(path) if path else model_dir("facts")
    return FactModel.load(d) if (d / MODEL_FILE).exists() else None
