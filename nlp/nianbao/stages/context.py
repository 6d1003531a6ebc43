"""What one report's stages share while it is being processed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nianbao.schema import Document, Notice, Report
from nianbao.stages.normalise import NormText


@dataclass
class Context:
    """A document, its normalised text, and the report the stages fill in.

    Stages read ``norm.text`` (canonical form) and must write offsets into
    ``doc.text``: use ``norm.span(start, end)`` for every normalised span.
    """

    doc: Document
    norm: NormText
    report: Report
    options: dict[str, Any] = field(default_factory=dict)

    def warn(self, code: str, message: str, start: int | None = None, end: int | None = None) -> None:
        self.report.warnings.append(Notice(code=code, message=message, start=start, end=end))

    def section_span(self, key: str) -> tuple[int, int] | None:
        """The normalised-text span [start, end) of a section, if the report has it."""
        sec = self.report.section(key)
        if sec is None:
            return None
        return self.norm_pos(sec.start), self.norm_pos(sec.end)

    def norm_pos(self, orig: int) -> int:
        """First normalised position whose original offset is >= ``orig``."""
        import bisect

        return bisect.bisect_left(self.norm.starts, orig)
