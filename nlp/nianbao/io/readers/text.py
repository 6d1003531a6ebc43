"""Plain-text and markdown reports in any encoding."""

from __future__ import annotations

import codecs
import re

from nianbao.errors import ReadError
from nianbao.lang.cjk import HAN
from nianbao.schema import Document, MediaType, Notice

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Encodings a Chinese report plausibly uses, in order of preference.
_CANDIDATES = ["gb18030", "big5", "utf_16_le", "utf_16_be", "big5hkscs", "cp950", "hz"]


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    # ASCII-heavy UTF-16 has NULs in every other byte; CJK-heavy has none, so also try a strict decode.
    for enc, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        if zeros > 0.2:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                return None
    return None


# control characters (except line breaks and tabs), private-use code points and U+FFFD mark a wrong decoding
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ue000-\uf8ff\ufffd]+")
_CJK_RUN = re.compile(f"[{HAN}]+")
# ASCII, CJK ideographs, CJK punctuation, general punctuation and full-width forms
_USUAL_RUN = re.compile(f"[\t\n\r\x20-\x7e\u00b7\u2010-\u203b\u3000-\u303f{HAN}\uff01-\uff5e]+")


def _share(text: str, runs: re.Pattern[str]) -> float:
    """Share of the first 20,000 characters that ``runs`` covers (0 for empty text)."""
    sample = text[:20000]
    return sum(map(len, runs.findall(sample))) / len(sample) if sample else 0.0


def _printable_share(text: str) -> float:
    return 1 - _share(text, _UNPRINTABLE) if text else 0.0


def _plausible_share(text: str) -> float:
    return _share(text, _USUAL_RUN)


def _cjk_share(text: str) -> float:
    return _share(text, _CJK_RUN)


def _truncated_utf8(data: bytes, exc: UnicodeDecodeError) -> str | None:
    """Valid UTF-8 cut off inside its last character (a download or copy that stopped early)."""
    if exc.reason != "unexpected end of data" or len(data) - exc.start > 3:
        return None
    try:
        return data[: exc.start].decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode(data: bytes, source: str) -> tuple[str, str, list[Notice]]:
    """Decode bytes to text; returns (text, encoding, warnings). Raises ReadError."""
    notices: list[Notice] = []
    if not data.strip():
        raise ReadError(source, "empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc), enc + "-bom", notices
            except UnicodeDecodeError as exc:
                raise ReadError(source, f"invalid {enc} text after byte-order mark at byte {exc.start}") from None
    try:
        text = data.decode("utf-8")
        enc = "utf-8"
    except UnicodeDecodeError as exc:
        truncated = _truncated_utf8(data, exc)
        if truncated is not None:
            text, enc = truncated, "utf-8"
            notices.append(Notice(code="truncated_file", message="the file ends inside a UTF-8 character "
                                  "(cut off?); the partial character was dropped"))
        else:
            text16 = _utf16_without_bom(data)
            if text16 is not None and _printable_share(text16) > 0.98:
                return text16, "utf-16", notices
            text, enc, notices = _detect(data, source)
    if _printable_share(text) < 0.95 or "\x00" in text:
        raise ReadError(source, "binary data, not a text report")
    return text, enc, notices


def _detect(data: bytes, source: str) -> tuple[str, str, list[Notice]]:
    import charset_normalizer

    notices: list[Notice] = []
    # Strict decodes first: GB18030 covers GBK/GB2312, the usual legacy encoding of these reports.
    strict = []
    for enc in ("gb18030", "big5"):
        try:
            strict.append((enc, data.decode(enc)))
        except UnicodeDecodeError:
            continue
    if strict:
        share, enc, text = max(((_cjk_share(t), e, t) for e, t in strict), key=lambda set_: set_[0])
        if share > 0.2 and _printable_share(text) > 0.99:
            return text, enc, notices
        # little Chinese (digits, punctuation, a heading): a strict decode made only of characters reports use
        # beats a statistical guess, which is unreliable on few non-ASCII bytes
        plausible = [(e, t) for e, t in strict if _plausible_share(t) > 0.99]
        if plausible:
            enc, text = plausible[0]  # GB18030 first: the usual legacy encoding
            return text, enc, notices
    best = charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None:
        best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ReadError(source, "cannot detect the text encoding (binary data?)")
    text = str(best)
    if best.chaos > 0.1 or _cjk_share(text) < 0.05:
        notices.append(
            Notice(code="low_confidence_encoding",
                   message=f"decoded as {best.encoding} with low confidence (chaos {best.chaos:.2f}); check the output")
        )
    if "\ufffd" in text:
        notices.append(Notice(code="replacement_chars", message="undecodable bytes were replaced with U+FFFD"))
    return text, best.encoding, notices


def read_text(data: bytes, source: str, media_type: MediaType = "text") -> Document:
    text, enc, notices = decode(data, source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReadError(source, "empty file")
    return Document(source=source, media_type=media_type, text=text, encoding=enc, warnings=notices)
