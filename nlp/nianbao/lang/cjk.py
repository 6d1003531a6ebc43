"""Chinese characters, defined once for every stage and reader.

``HAN`` is a regex character-class body: CJK Extension A, the Unified Ideographs and the Compatibility
Ideographs (traditional and simplified alike). Write ``f"[{HAN}]"`` rather than spelling ranges out.
"""

from __future__ import annotations

import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_CHAR = re.compile(f"[{HAN}]")


def is_han(ch: str) -> bool:
    """Whether one character is a Chinese character."""
    return HAN_CHAR.fullmatch(ch) is not None
