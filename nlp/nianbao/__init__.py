"""nianbao: structured, validated, citable data from 政府信息公开工作年度报告.

>>> import nianbao
>>> report = nianbao.extract("examples/2021_shi_shuiwuju.txt")
>>> report.tables["table3.new_requests.total"].value
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Report", "extract", "extract_many", "load", "read"]

if TYPE_CHECKING:
    from .export import load
    from .pipeline import extract, extract_many
    from .readers import read
    from .schema import Report


def __getattr__(name: str) -> Any:  # lazy: `import nianbao` stays cheap for the CLI
    if name in ("extract", "extract_many"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "load":
        from .export import load

        return load
    if name == "read":
        from .readers import read

        return read
    if name == "Report":
        from .schema import Report

        return Report
    raise AttributeError(f"module 'nianbao' has no attribute {name!r}")
