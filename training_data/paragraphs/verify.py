"""Check the paragraph-annotation files in this directory (``*.jsonl``).

Two kinds of records are accepted:

* stand-off records over shared documents: ``{"doc", "start", "end", "sha1", "section", "role", "themes"}``;
  when the shared reference tree exists the document is re-read with ``nianbao.io.readers.read`` and the offsets,
  the span hash (first 12 hex of sha1 of ``text[start:end]``) and the span's trimming are checked, so drift
  in the readers or in the files is caught;
* self-written records ``{"text", "role", "themes", ...}``: the labels are checked, and (when the shared
  tree exists) that the text shares no 24-character run with a shared document.

Prints counts per role, theme, section and document; exits 1 on any error so it can gate a commit.
Usage: ``.venv/bin/python training_data/paragraphs/verify.py [files...]`` (default: every ``*.jsonl`` here).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from nianbao.resources import load_yaml, shared_doc_path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"

_LABELS = load_yaml("themes.yaml")
ROLES = set(_LABELS["roles"])
THEMES = set(_LABELS["themes"])
# prose sections only: a paragraph never sits in the legacy statistics block
SECTIONS = {"preamble", *load_yaml("sections.yaml")["sections"]} - {"legacy_stats"}
DOC_ID = re.compile(r"^(seed\d{3}|r\d{3}|p[abcd]_\d{3})$")
SHA = re.compile(r"^[0-9a-f]{12}$")
RUN = 24  # length of a verbatim run that counts as copying (the repository hook's threshold)


def short_sha1(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:12]


class Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.texts: dict[str, str | None] = {}
        self.have_shared = SHARED.is_dir()
        self.read = None
        if self.have_shared:
            try:
                from nianbao.io.readers import read

                self.read = read
            except ImportError as exc:  # the checker must still report, not crash
                self.errors.append(f"cannot import nianbao.io.readers ({exc}); run with the project venv")

    def err(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    def text_of(self, doc: str, where: str) -> str | None:
        if doc not in self.texts:
            path = shared_doc_path(doc, SHARED)
            if path is None:
                self.err(where, f"no shared file for document {doc!r}")
                self.texts[doc] = None
            elif self.read is None:
                self.texts[doc] = None
            else:
                try:
                    self.texts[doc] = self.read(path).text
                except Exception as exc:  # report every unreadable file, keep checking the rest
                    self.err(where, f"cannot read {path}: {exc}")
                    self.texts[doc] = None
        return self.texts[doc]

    def labels(self, rec: dict, where: str) -> None:
        role = rec.get("role")
        if role not in ROLES:
            self.err(where, f"bad role {role!r}")
        themes = rec.get("themes")
        if not isinstance(themes, list):
            self.err(where, "themes must be a list")
            return
        for t in themes:
            if t not in THEMES:
                self.err(where, f"bad theme {t!r}")
        if len(set(themes)) != len(themes):
            self.err(where, "duplicate theme")
        sec = rec.get("section")
        if sec is not None and sec not in SECTIONS:
            self.err(where, f"bad section {sec!r}")

    def standoff(self, rec: dict, where: str, seen: dict[str, list[tuple[int, int, str]]]) -> None:
        doc = rec.get("doc")
        if not isinstance(doc, str) or not DOC_ID.match(doc):
            self.err(where, f"bad doc id {doc!r}")
            return
        if "text" in rec:
            self.err(where, "stand-off record must not store text")
        start, end, sha = rec.get("start"), rec.get("end"), rec.get("sha1")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            self.err(where, f"bad offsets {start!r}..{end!r}")
            return
        if not isinstance(sha, str) or not SHA.match(sha):
            self.err(where, f"bad sha1 {sha!r}")
        if rec.get("section") is None:
            self.err(where, "missing section")
        seen[doc].append((start, end, where))
        text = self.text_of(doc, where)
        if text is None:
            return
        if end > len(text):
            self.err(where, f"end {end} beyond text length {len(text)}")
            return
        span = text[start:end]
        if short_sha1(span) != sha:
            self.err(where, f"sha1 mismatch ({short_sha1(span)} != {sha})")
        if span != span.strip():
            self.err(where, "span has surrounding whitespace")

    def copied(self, texts: list[tuple[str, str]]) -> None:
        """Self-written text must not share a 24-character run with any shared document (project rule)."""
        if not texts or self.read is None:
            return
        paths = sorted((SHARED / "seeds").glob("*")) + sorted((SHARED / "corpus" / "files").glob("r*"))
        grams: set[str] = set()
        for path in paths:
            try:
                doc_text = self.read(path).text
            except Exception:  # unreadable reference files are reported elsewhere if annotated
                continue
            grams.update(doc_text[i : i + RUN] for i in range(max(0, len(doc_text) - RUN + 1)))
        for where, t in texts:
            if any(t[i : i + RUN] in grams for i in range(max(0, len(t) - RUN + 1))):
                self.err(where, f"self-written text shares a {RUN}-character run with a shared document")

    def overlaps(self, seen: dict[str, list[tuple[int, int, str]]]) -> None:
        for doc, spans in seen.items():
            spans.sort()
            for (s1, e1, w1), (s2, e2, w2) in itertools.pairwise(spans):
                if s2 < e1:
                    self.err(w2, f"{doc} span {s2}-{e2} overlaps {s1}-{e1} ({w1})")


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted(HERE.glob("*.jsonl"))
    ck = Checker()
    if not ck.have_shared:
        print(f"note: {SHARED} absent; offsets/sha1 not re-checked, labels only")
    roles: Counter[str] = Counter()
    themes: Counter[str] = Counter()
    sections: Counter[str] = Counter()
    per_doc: Counter[str] = Counter()
    per_file: Counter[str] = Counter()
    seen: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    own: list[tuple[str, str]] = []
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{f.name}:{n}"
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                ck.err(where, f"invalid JSON: {exc}")
                continue
            if not isinstance(rec, dict):
                ck.err(where, "record is not an object")
                continue
            ck.labels(rec, where)
            if "doc" in rec:
                ck.standoff(rec, where, seen)
                per_doc[str(rec.get("doc"))] += 1
            elif isinstance(rec.get("text"), str) and rec["text"].strip():
                per_doc["(self-written)"] += 1
                own.append((where, rec["text"]))
            else:
                ck.err(where, "record has neither doc nor non-empty text")
                continue
            per_file[f.name] += 1
            roles[str(rec.get("role"))] += 1
            for t in rec.get("themes") or []:
                themes[str(t)] += 1
            if not rec.get("themes"):
                themes["(none)"] += 1
            sections[str(rec.get("section"))] += 1
    ck.overlaps(seen)
    ck.copied(own)

    def show(title: str, c: Counter[str]) -> None:
        print(f"{title}: " + ", ".join(f"{k}={v}" for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))))

    print(f"records: {sum(per_file.values())} in {len(per_file)} file(s)")
    show("files", per_file)
    show("roles", roles)
    show("themes", themes)
    show("sections", sections)
    show("docs", per_doc)
    for e in ck.errors:
        print("ERROR", e)
    print("OK" if not ck.errors else f"{len(ck.errors)} error(s)")
    return 1 if ck.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
