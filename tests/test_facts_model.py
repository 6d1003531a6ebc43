"""The trained fact classifier: shipped model, save/load, parts of totals, rules fallback, grouped CV floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.io.readers import read_bytes
from nianbao.pipeline import process
from nianbao.resources import model_dir
from nianbao.stages import facts
from nianbao.stages.fact_model import NONE, FactModel, load_model


def _facts(text: str, **options: object) -> list:
    opts = {"entities": False, **options}
    return process(read_bytes(text.encode("utf-8"), "<t>", ".txt"), skip=("themes", "merge", "tables"),
                   options=opts).facts


def test_shipped_model_is_small_and_knows_the_labels() -> None:
    d = model_dir("facts")
    assert (d / "model.npz").stat().st_size < 5_000_000
    assert (d / "MODEL_CARD.md").exists()
    m = load_model()
    assert m is not None and NONE in m.classes and "narrative.part" in m.classes
    assert "narrative.requests.received" in m.classes


def test_save_and_load_give_the_same_predictions(tmp_path: Path) -> None:
    from nianbao.train.facts_train import fit, self_written

    docs = self_written()
    assert docs, "training_data/facts/selfwritten.yaml is missing"
    model = fit(docs)
    model.save(tmp_path, {"note": "test"})
    again = FactModel.load(tmp_path)
    rows = [e.features for d in docs for e in d.examples]
    assert again.predict(rows) == model.predict(rows)
    assert again.meta == {"note": "test"}


def test_a_part_links_to_its_total_and_never_carries_its_key() -> None:
    text = "全年共召开新闻发布会7场,其中主要领导出席3场。"
    got = _facts(text)
    total = next(f for f in got if f.value == 7)
    part = next(f for f in got if f.value == 3)
    assert total.metric == "narrative.press_conferences" and total.part_of is None
    assert part.part_of == total.start and part.metric != total.metric


def test_total_key_on_a_part_becomes_narrative_part() -> None:
    """Whatever the classifier says, a number in a 其中 list never repeats its total's key."""

    class Same:
        def predict(self, rows: list) -> list[str]:
            return ["narrative.review.count"] * len(rows)

    text = "全年受理行政复议9件,其中结果维持5件、结果纠正1件。"
    got = facts.model_facts(text, model=Same())
    assert [(k, q.value, t.value if t else None) for k, q, t in got] == [
        ("narrative.review.count", 9, None), ("narrative.part", 5, 9), ("narrative.part", 1, 9)]


def test_without_a_model_the_rules_decide() -> None:
    text = "全年主动公开政府信息5230条,发布规范性文件14件。"
    rules = [(k, q.value) for k, q in facts.extract_facts(text)]
    assert [(f.metric, f.value) for f in _facts(text, fact_model=False)] == rules
    assert [(f.metric, f.value) for f in _facts(text, fact_model_path="/nonexistent")] == rules


@pytest.mark.shared
@pytest.mark.slow
def test_grouped_cv_floor(shared_dir: Path) -> None:
    """A floor, not a pin: grouped 3-fold CV F1 on (metric, value) over §6.1 keys, measured 0.78 at 5 folds."""
    from nianbao.train.facts_eval import _folds, cross_validate
    from nianbao.train.facts_train import build

    docs = build()
    real = [d for d in docs if d.source == "gold"]
    if len(real) < 100:
        pytest.skip("fewer than 100 annotated documents")
    for tr, te in _folds(real, 3):
        assert not {real[i].group for i in tr} & {real[i].group for i in te}
    res = cross_validate(docs, k=3, curve=())
    assert res["f1_folds"]["mean"] >= 0.72, res["f1_folds"]
    # on report openings from publishers the rules were never tuned on, the model must beat them
    assert res["pooled_pages"]["f1"] > res["rules_pooled_pages"]["f1"], (res["pooled_pages"], res["rules_pooled_pages"])
