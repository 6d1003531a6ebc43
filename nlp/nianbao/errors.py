"""The one exception type users see: a bad input named with its problem."""

from __future__ import annotations


class NianbaoError(Exception):
    """An input the tool cannot process; ``str()`` is the one-line reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def line(self) -> str:
        return f"nianbao: error: {self.source}: {self.reason}"


class ReadError(NianbaoError):
    """The file could not be read as a report."""
