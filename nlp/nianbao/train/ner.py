"""Train the small NER that backs up the entity rules (``models/ner``), from scratch on CPU.

Training docs are the train split of the fact gold (``training_data/facts/split.json``),
read from the shared folder and normalised. Labels: the rule entities of
:mod:`nianbao.lang.entities` (ORG, PLATFORM, LAW, DATE: silver) plus the gold fact spans
as QUANTITY/MONEY. The model learns contexts, so it can tag organisations and
platforms the word lists miss; at run time the rules go first and the NER only fills
gaps. No network and no pretrained vectors: a hash-embedding CNN of a few MB.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from nianbao.train.facts_eval import default_shared_dir, doc_path, load_gold

NER_LABELS = ("ORG", "PLATFORM", "DATE", "LAW", "MONEY", "QUANTITY")


def _examples_for(doc_ids: list[str], data_dir: Path, shared: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(sentence text, [(start, end, label)]) pairs in normalised text."""
    import bisect

    from nianbao.io.readers import read
    from nianbao.lang.entities import rule_spans
    from nianbao.stages.normalise import normalise

    gold = load_gold(data_dir)
    out: list[tuple[str, list[tuple[int, int, str]]]] = []
    for doc_id in doc_ids:
        path = doc_path(doc_id, shared)
        if path is None:
            continue
        norm = normalise(read(path).text)
        text = norm.text
        spans = {(s, e): label for label, s, e in rule_spans(text) if label not in ("QUANTITY", "MONEY")}
        for g in gold.get(doc_id, []):
            s = bisect.bisect_left(norm.starts, g["start"])
            e = bisect.bisect_left(norm.starts, g["end"])
            if e > s:
                spans[(s, e)] = "MONEY" if g.get("unit") == "元" else "QUANTITY"
        ordered = sorted(spans.items())
        pos = 0
        for line in text.split("\n"):
            ls, le = pos, pos + len(line)
            pos = le + 1
            if len(line.strip()) < 6 or "|" in line:
                continue
            ents = []
            last = ls
            for (s, e), label in ordered:
                if s >= ls and e <= le and s >= last:
                    ents.append((s - ls, e - ls, label))
                    last = e
            out.append((line, ents))
    return out


def _docs(nlp: Any, examples: list[tuple[str, list[tuple[int, int, str]]]]) -> list[Any]:
    from spacy.training import Example

    out = []
    for text, ents in examples:
        ref = nlp.make_doc(text)
        spans: list[Any] = []
        for s, e, label in ents:
            span = ref.char_span(s, e, label=label, alignment_mode="expand")
            if span is not None and not any(span.start < o.end and o.start < span.end for o in spans):
                spans.append(span)
        ref.ents = sorted(spans, key=lambda sp: sp.start)
        out.append(Example(nlp.make_doc(text), ref))
    return out


def train(data_dir: str | Path, out_dir: str | Path, seed: int = 0, epochs: int = 12,
          shared_dir: str | Path | None = None) -> dict[str, Any]:
    """Train and save the NER pipeline; returns scores on the dev split (against rules + gold spans)."""
    from spacy.util import fix_random_seed, minibatch

    from nianbao.lang.entities import RULES_NAME
    from nianbao.lang.tokenizer import blank

    data_dir = Path(data_dir)
    shared = Path(shared_dir) if shared_dir else default_shared_dir()
    split = json.loads((data_dir / "split.json").read_text(encoding="utf-8"))
    fix_random_seed(seed)
    random.seed(seed)
    nlp = blank()
    ner_config = {"model": {"@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
                            "extra_state_tokens": False, "hidden_width": 48, "maxout_pieces": 2, "use_upper": True,
                            "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None,
                                        "width": 64, "depth": 2, "embed_size": 3000, "window_size": 1,
                                        "maxout_pieces": 3, "subword_features": True}}}
    ner = nlp.add_pipe("ner", config=ner_config)
    for label in NER_LABELS:
        ner.add_label(label)
    train_ex = _docs(nlp, _examples_for(split["train"], data_dir, shared))
    dev_ex = _docs(nlp, _examples_for(split.get("dev", []), data_dir, shared))
    optimizer = nlp.initialize(lambda: train_ex, sgd=None)
    losses: dict[str, float] = {}
    for _epoch in range(epochs):
        random.shuffle(train_ex)
        losses = {}
        for batch in minibatch(train_ex, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
    scores = nlp.evaluate(dev_ex) if dev_ex else {}
    nlp.add_pipe(RULES_NAME, first=True)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    result = {"train_sentences": len(train_ex), "dev_sentences": len(dev_ex),
              "loss": round(float(losses.get("ner", 0.0)), 2),
              "dev_ents_p": round(float(scores.get("ents_p") or 0.0), 4),
              "dev_ents_r": round(float(scores.get("ents_r") or 0.0), 4),
              "dev_ents_f": round(float(scores.get("ents_f") or 0.0), 4),
              "dev_per_type": {k: {m: round(float(v), 4) for m, v in d.items()}
                               for k, d in (scores.get("ents_per_type") or {}).items()}}
    (out / "training.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result
