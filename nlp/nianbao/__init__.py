"""nianbao: structured, validated, citable data from 政府信息公开工作年度报告.

>>> import nianbao
>>> report = nianbao.extract("examples/2021_shi_shuiwuju.txt")   # or nianbao.extract(text=...)
>>> report.tables["table3.new_requests.total"].value
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Report", "extract", "extract_many", "load", "read", "to_frames", "to_spacy"]

if TYPE_CHECKING:
    from nianbao.batch import extract_many
    from nianbao.io.export import load
    from nianbao.io.frames import to_frames
    from nianbao.io.readers import read
    from nianbao.pipeline import extract
    from nianbao.present.spacy_doc import to_spacy
    from nianbao.schema import Report

# public name → module that defines it; imported on first use so `import nianbao` stays cheap for the CLI
_LAZY = {
    "extract": "nianbao.pipeline",
    "extract_many": "nianbao.batch",
    "load": "nianbao.io.export",
    "read": "nianbao.io.readers",
    "to_frames": "nianbao.io.frames",
    "to_spacy": "nianbao.present.spacy_doc",
    "Report": "nianbao.schema",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nianbao' has no attribute {name!r}")
