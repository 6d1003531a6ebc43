"""Score issuer, year, format and sections against the stand-off gold in ``training_data/identity``.

- issuer: right when the predicted name equals the gold name or one of its ``issuer_alt`` forms after
  normalisation (traditional → simplified, spaces dropped, 人民政府 ≡ 政府), or when one of them is the
  other with a locality prefix added (上海市青浦区民政局 ≡ 青浦区民政局). Counted where the text names the body.
- fragment: a predicted name that is wrong and reads as a piece of a sentence (现公布…, 编制本局, …关于印发…),
  or that is a strict piece of the gold name; counted over every document.
- year: right where the text states it; format: agreement with the format the year implies (spec §0), a proxy
  since formats are not annotated; sections: each gold heading with a section key must be a predicted section
  heading with that key (recall), each predicted heading must be a gold heading with that key (precision).

Predictions come from the pipeline (segment stage only) on the shared files, or from a folder of report JSON
(``--json-dir``, e.g. an older version's output) to measure before/after.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nianbao.lang.cjk import HAN
from nianbao.resources import repo_dir, shared_dir, shared_doc_path

GOLD_DIR = repo_dir() / "training_data" / "identity"
_FRAGMENT_WORDS = re.compile(r"公布|编制|关于|印发|根据|结合|现将|我[局镇乡办委区县市厅]|本[局镇乡单位机关]|以下简称|发布")
_LOCALITY = re.compile(rf"^(?:[{HAN}]{{1,12}}?(?:省|自治区|市|地区|州|盟|县|区|旗))+$")
_CONVERT: Any = None


def _t2s(s: str) -> str:
    global _CONVERT
    if _CONVERT is None:
        import opencc

        _CONVERT = opencc.OpenCC("t2s")
    return str(_CONVERT.convert(s))


def norm_name(name: str) -> str:
    from nianbao.resources import load_yaml

    s = re.sub(r"\s+", "", _t2s(name)).strip("“”\"")
    abbrev = load_yaml("issuers.yaml")["abbreviations"]
    for short in sorted(abbrev, key=len, reverse=True):
        if s.endswith(short) and not s.endswith(abbrev[short]):
            s = s[: -len(short)] + abbrev[short]
            break
    return s.replace("人民政府", "政府").replace("街道办事处", "街道")


def same_body(pred: str | None, gold: str | None, alts: Iterable[str] = ()) -> bool:
    """Lenient equality of two body names (see module doc)."""
    if not pred or not gold:
        return False
    p = norm_name(pred)
    for g in [gold, *alts]:
        n = norm_name(g)
        if p == n:
            return True
        long, short = (p, n) if len(p) > len(n) else (n, p)
        if long.endswith(short) and _LOCALITY.match(long[: len(long) - len(short)]) and len(short) >= 4:
            return True
    return False


def is_fragment(pred: str | None, gold: str | None, alts: Iterable[str] = ()) -> bool:
    """A wrong name that reads as a piece of a sentence (现公布大峃镇, 编制本局, …关于印发…)."""
    if not pred or same_body(pred, gold, alts):
        return False
    return bool(_FRAGMENT_WORDS.search(_t2s(pred))) or not re.match(rf"^[{HAN}“”\"+()·]+$", _t2s(pred))


def is_partial(pred: str | None, gold: str | None, alts: Iterable[str] = ()) -> bool:
    """A wrong name that is a strict piece of the gold name (the parent body: 贵州省人民政府 for …办公厅)."""
    if not pred or same_body(pred, gold, alts) or is_fragment(pred, gold, alts):
        return False
    p = norm_name(pred)
    return any(p != norm_name(g) and p in norm_name(g) for g in [gold or "", *alts] if g)


def implied_format(year: int | None) -> str | None:
    if year is None:
        return None
    return "legacy_2008" if year <= 2018 else ("gov_2019" if year <= 2020 else "gov_2021")


def load_gold(gold_dir: Path = GOLD_DIR) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    ident = {}
    for line in (gold_dir / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            ident[r["doc"]] = r
    heads: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in (gold_dir / "headings.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            heads[r["doc"]].append(r)
    return ident, dict(heads)


def doc_file(doc: str, root: Path | None = None) -> Path | None:
    root = root or shared_dir()
    if doc[:3] in ("pa_", "pb_", "pc_", "pd_"):
        p = root / "corpus" / "pages" / f"{doc}.txt"
        return p if p.exists() else None
    return shared_doc_path(doc, root)


def predict(docs: Iterable[str], root: Path | None = None) -> dict[str, dict[str, Any]]:
    """Segment-stage output (as report JSON dicts) for each shared document."""
    from nianbao.pipeline import extract

    out = {}
    for d in docs:
        path = doc_file(d, root)
        if path is None:
            continue
        r = extract(path, skip=["tables", "checks", "facts", "themes", "merge"])
        out[d] = r.model_dump()
    return out


def _same_heading(gold: dict[str, Any], found: dict[str, Any]) -> bool:
    """A found section heading starts on the gold heading line and has its key."""
    return gold["start"] <= found["heading_start"] < gold["end"] + 1 and found["key"] == gold["key"]


def score(preds: dict[str, dict[str, Any]], ident: dict[str, dict[str, Any]],
          heads: dict[str, list[dict[str, Any]]], subset: Iterable[str]) -> dict[str, Any]:
    n = defaultdict(int)
    wrong: dict[str, list[Any]] = defaultdict(list)
    for d in subset:
        if d not in preds or d not in ident:
            continue
        p, g = preds[d], ident[d]
        n["docs"] += 1
        if g["issuer"]:
            n["issuer_named"] += 1
            if same_body(p.get("issuer"), g["issuer"], g.get("issuer_alt", [])):
                n["issuer_ok"] += 1
            else:
                wrong["issuer"].append((d, p.get("issuer"), g["issuer"]))
        if is_fragment(p.get("issuer"), g["issuer"], g.get("issuer_alt", [])):
            n["fragments"] += 1
            wrong["fragment"].append((d, p.get("issuer")))
        if is_partial(p.get("issuer"), g["issuer"], g.get("issuer_alt", [])):
            n["partial"] += 1
        if p.get("issuer") and not g["issuer"]:
            n["issuer_unnamed_but_given"] += 1
        if g["year"] is not None:
            n["year_stated"] += 1
            if p.get("year") == g["year"]:
                n["year_ok"] += 1
            else:
                wrong["year"].append((d, p.get("year"), g["year"]))
        fmt = implied_format(g["year"])
        if fmt:
            n["format_n"] += 1
            n["format_ok"] += p.get("format_id") == fmt
            if g["year"] >= 2021:
                n["format_2021_n"] += 1
                n["format_2021_unknown"] += p.get("format_id") == "gov_unknown"
        gh = [h for h in heads.get(d, []) if h["key"] != "none"]
        ph = [s for s in p.get("sections", []) if s.get("heading_start") is not None]
        found = [any(_same_heading(h, s) for s in ph) for h in gh]
        right = [any(_same_heading(h, s) for h in gh) for s in ph]
        n["head_gold"] += len(gh)
        n["head_found"] += sum(found)
        n["head_pred"] += len(ph)
        n["head_right"] += sum(right)
        wrong["heading_missed"] += [(d, h["start"], h["key"]) for h, ok in zip(gh, found, strict=True) if not ok]
        wrong["heading_extra"] += [(d, s["heading_start"], s["key"]) for s, ok in zip(ph, right, strict=True) if not ok]
        if gh:
            n["docs_with_headings"] += 1
            n["docs_sections_all_right"] += all(found)
    return {"counts": dict(n), "wrong": {k: v for k, v in wrong.items()}}


def summary(counts: dict[str, int]) -> dict[str, str]:
    def ratio(a: str, b: str) -> str:
        return f"{counts.get(a, 0)}/{counts.get(b, 0)} = {counts.get(a, 0) / max(1, counts.get(b, 0)):.1%}"

    return {"issuer": ratio("issuer_ok", "issuer_named"), "fragments": str(counts.get("fragments", 0)),
            "partial_names": str(counts.get("partial", 0)),
            "issuer_given_where_text_names_none": str(counts.get("issuer_unnamed_but_given", 0)),
            "year": ratio("year_ok", "year_stated"), "format_vs_year": ratio("format_ok", "format_n"),
            "format_2021_unknown": ratio("format_2021_unknown", "format_2021_n"),
            "heading_recall": ratio("head_found", "head_gold"), "heading_precision": ratio("head_right", "head_pred"),
            "docs_all_headings_right": ratio("docs_sections_all_right", "docs_with_headings")}


def report(json_dir: Path | None = None, shared: Path | None = None, show: int = 0) -> str:
    """Issuer/year/format/section scores on the pages and on the full reports, as text lines.

    ``json_dir`` scores saved report JSON (``<doc>.json``) instead of running the pipeline; ``show`` lists that
    many errors per kind. Raises ``FileNotFoundError`` when neither exists.
    """
    ident, heads = load_gold()
    docs = sorted(ident)
    if json_dir:
        preds = {d: json.loads((json_dir / f"{d}.json").read_text(encoding="utf-8"))
                 for d in docs if (json_dir / f"{d}.json").exists()}
    else:
        root = shared or shared_dir()
        if not root.exists():
            raise FileNotFoundError(f"{root}: shared reference folder not found")
        preds = predict(docs, root)
    lines = []
    for name, subset in (("pages", [d for d in docs if d[:3] in ("pa_", "pb_", "pc_", "pd_")]),
                         ("corpus+seeds", [d for d in docs if d[:3] not in ("pa_", "pb_", "pc_", "pd_")])):
        res = score(preds, ident, heads, subset)
        lines.append(f"{name} {json.dumps(summary(res['counts']), ensure_ascii=False)}")
        if show:
            lines += [f"  {k}: {v[:show]}" for k, v in res["wrong"].items()]
    return "\n".join(lines)
