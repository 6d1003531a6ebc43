"""Typed data that flows between the stages, defined in one place.

Every offset (``start``/``end``) in these models is a character offset into
``Document.text`` — the text that ``nianbao text FILE`` prints — never into the
normalised text, so that any extracted item can be cited in the original.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FormatId = Literal["gov_2021", "gov_2019", "legacy_2008", "gov_unknown"]
Script = Literal["simplified", "traditional", "mixed", "unknown"]
MediaType = Literal["text", "markdown", "html", "pdf", "docx"]
CellStatus = Literal["ok", "blank", "absent", "unparsable", "assumed_zero", "ambiguous", "derived"]
CheckStatus = Literal["pass", "fail", "assumed_zero", "not_assessable"]
Qualifier = Literal["exact", "approx", "at_least", "at_most"]
Role = Literal["achievement", "problem", "measure", "plan", "other"]
Number = int | float


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Notice(_Model):
    """A warning attached to a document or report (never an exception)."""

    code: str
    message: str
    start: int | None = None
    end: int | None = None


class GridCell(_Model):
    """One position of a table grid as read from the source layout.

    Merged cells are expanded: every grid position they cover holds the same text,
    and all but the top-left one have ``spanned=True``.
    """

    text: str
    start: int
    end: int
    spanned: bool = False


class Grid(_Model):
    """A table found by a reader (HTML/PDF/DOCX/markdown), rows of cells."""

    rows: list[list[GridCell]]
    start: int
    end: int
    page: int | None = None
    origin: MediaType


class Document(_Model):
    """What a reader produces: the citable text plus any table grids in it."""

    source: str
    media_type: MediaType
    text: str
    grids: list[Grid] = Field(default_factory=list)
    encoding: str | None = None
    pages: int | None = None
    sha256: str = ""
    warnings: list[Notice] = Field(default_factory=list)


class Section(_Model):
    key: str
    title: str
    start: int
    end: int
    heading_start: int | None = None
    heading_end: int | None = None


class Cell(_Model):
    """A canonical table value, e.g. ``tables["table3.granted.total"]``."""

    value: Number | None = None
    raw: str | None = None
    unit: str | None = None
    status: CellStatus = "ok"
    start: int | None = None
    end: int | None = None
    raw_label: str | None = None
    candidates: list[Number] | None = None


class Check(_Model):
    """One arithmetic identity (勾稽关系) evaluated on the tables."""

    id: str
    rule: str
    status: CheckStatus
    left: Number | None = None
    right: Number | None = None
    delta: Number | None = None
    keys: list[str] = Field(default_factory=list)
    cause: Literal["source_inconsistency", "uncertain_read", "text_vs_table", "cross_report", "cross_year"] | None = None
    severity: Literal["error", "warning"] | None = "error"
    message: str = ""

    @model_validator(mode="after")
    def _severity_only_on_failure(self) -> Check:
        """Severity says how serious a failure is; a check that does not fail has none."""
        if self.status != "fail":
            self.severity = None
        return self


class Entity(_Model):
    label: str
    start: int
    end: int
    text: str


class Fact(_Model):
    """A number stated in prose, tied to a metric key of spec §6.1."""

    metric: str
    value: Number | bool | None
    unit: str | None = None
    qualifier: Qualifier = "exact"
    raw: str = ""
    text: str = ""
    start: int
    end: int
    section: str | None = None
    # start offset of the total this number is a part of (共N件,其中M件): a part never carries
    # its total's metric, so summing one metric never double counts
    part_of: int | None = None


class Paragraph(_Model):
    section: str | None
    start: int
    end: int
    role: Role | None = None
    themes: list[str] = Field(default_factory=list)
    scores: dict[str, float] = Field(default_factory=dict)
    text: str = ""  # Document.text[start:end], so exports carry what was classified


class Evidence(_Model):
    """Where a decision's evidence sits in ``Document.text`` and which kind of place it is (title, chrome…)."""

    source: str
    start: int
    end: int


class Identity(_Model):
    """The issuing body as a stable identity: same ``issuer_id`` across years and name variants."""

    issuer_id: str
    name: str
    division_code: str | None = None
    division_name: str | None = None
    level: Literal["province", "city", "county", "township", "other"] = "other"
    kind: Literal["government", "general_office", "department", "street_office", "court", "enterprise", "other"] = "other"


class Merged(_Model):
    value: Number | None
    source: Literal["table", "prose", "both"]
    table_value: Number | None = None
    prose_value: Number | None = None
    conflict: bool = False
    table_key: str | None = None
    evidence: list[tuple[int, int]] = Field(default_factory=list)


class Report(_Model):
    """The product's result for one report; serialised as the CLI's JSON object."""

    source: str
    sources: list[str] = Field(default_factory=list)  # every input path with this content (a batch reads it once)
    issuer: str | None = None
    issuer_evidence: list[Evidence] = Field(default_factory=list)
    identity: Identity | None = None
    year: int | None = None
    format_id: FormatId = "gov_unknown"
    script: Script = "unknown"
    media_type: MediaType | None = None
    sha256: str = ""
    meta: dict[str, str] = Field(default_factory=dict)
    sections: list[Section] = Field(default_factory=list)
    tables: dict[str, Cell] = Field(default_factory=dict)
    legacy_stats: list[dict[str, str | Number | None]] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    paragraphs: list[Paragraph] = Field(default_factory=list)
    merged: dict[str, Merged] = Field(default_factory=dict)
    warnings: list[Notice] = Field(default_factory=list)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)
