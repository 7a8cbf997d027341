"""Bytes to text, and text to paragraphs: what every text reader needs first."""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import ReadError

#: files larger than this are refused rather than read whole (see corpus/README.md)
MAX_TEXT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    #: set when the text was not UTF-8 and a fallback was used
    warning: str | None = None


def decode(data: bytes, path: str) -> Decoded:
    """UTF-8 (with or without BOM), UTF-16/32 with BOM, else Windows-1252 with a warning.

    Mojibake in valid UTF-8 (`RenĂ©e`) is kept as it is: guessing repairs would change
    what the archive published. Binary and empty files raise `ReadError`.
    """
    decoded = _decode(data, path)
    if not decoded.text.strip():
        raise ReadError(path, "empty file (nothing but whitespace)" if data else "empty file")
    return decoded


def _decode(data: bytes, path: str) -> Decoded:
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32")):
        if data.startswith(bom):
            return Decoded(data.decode(enc, errors="replace").lstrip("\ufeff"), enc)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(data.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16")
    if b"\x00" in data[:8192]:
        raise ReadError(path, "binary file (contains NUL bytes), not a transcript")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        text = data.decode("cp1252", errors="replace")
        if _control_ratio(text) > 0.05:
            raise ReadError(path, "binary file, not a transcript", line) from None
        return Decoded(
            text, "cp1252", f"not UTF-8 (first bad byte on line {line}); read as Windows-1252"
        )


def _control_ratio(text: str) -> float:
    sample = text[:8192]
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f")
    return bad / max(1, len(sample))


def read_bytes(path: str) -> bytes:
    """The whole file, refused above `MAX_TEXT_BYTES` even if it grows while being read."""
    with _open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > MAX_TEXT_BYTES:
            raise ReadError(path, _too_large(size))
        # read what fstat says, not the limit: a read of 64 MB allocates 64 MB first
        data = _read(f, path, size + 1)
        if len(data) > size:  # it grew: read on, up to the limit
            data += _read(f, path, MAX_TEXT_BYTES + 1 - len(data))
    if len(data) > MAX_TEXT_BYTES:
        raise ReadError(path, _too_large(len(data)) + "; it grew while being read")
    return data


#: what format sniffing reads of a file
HEAD_BYTES = 4096


def read_head(path: str, size: int = HEAD_BYTES) -> bytes:
    """The first bytes, for format sniffing (with the same checks as `read_bytes`)."""
    with _open_regular(path) as f:
        return _read(f, path, size)


def _open_regular(path: str) -> BinaryIO:
    """Opened non-blocking and checked to be a regular file first, so a FIFO or a device
    named `*.txt` cannot hang a run; every failure is a `ReadError`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        if os.path.islink(path):
            raise ReadError(path, "broken symbolic link") from None
        raise ReadError(path, "file vanished before it could be read") from None
    except IsADirectoryError:
        raise ReadError(path, "is a directory") from None
    except OSError as e:
        raise ReadError(path, e.strerror or str(e)) from None
    f = os.fdopen(fd, "rb")
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ReadError(path, "is a directory")
        if not stat.S_ISREG(mode):
            raise ReadError(path, "not a regular file (a pipe, socket or device)")
    except BaseException:
        f.close()
        raise
    return f


def _read(f: BinaryIO, path: str, size: int) -> bytes:
    try:
        return f.read(size)
    except OSError as e:
        raise ReadError(path, e.strerror or str(e)) from None


def _too_large(size: int) -> str:
    return f"too large ({size / 2**20:.0f} MB > {MAX_TEXT_BYTES // 2**20} MB limit)"


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    #: 1-based line of the file where the paragraph starts (for error messages)
    line: int


_BLANK = re.compile(r"\n[ \t\u00a0]*\n")


def paragraphs(text: str, first_line: int = 1) -> list[Paragraph]:
    """Split at blank lines; lines inside a paragraph are joined with single spaces.

    `split`, not a walk over match objects (~25% less of a read): every separator holds
    exactly two line ends, so lines are counted within the chunks alone."""
    out: list[Paragraph] = []
    line = first_line
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for chunk in _BLANK.split(text):
        if "\n" in chunk:
            body = " ".join(filter(None, map(str.strip, chunk.split("\n"))))
            if body:
                lead = len(chunk) - len(chunk.lstrip("\n \t\u00a0"))
                out.append(Paragraph(body, line + chunk.count("\n", 0, lead)))
            line += chunk.count("\n") + 2
        else:  # most paragraphs: one line
            body = chunk.strip()
            if body:
                out.append(Paragraph(body, line))
            line += 2
    return out


_ELISION = re.compile(r"[ \t]*\[(?:…|\.\s?\.\s?\.)\][ \t]*")


_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_turn_text(text: str) -> str:
    """Drop `[…]` elisions (they are not words anyone said); keep other insertions.

    Most paragraphs have neither an elision nor a run of spaces (`paragraphs` joined their
    lines with one): they are only stripped, not rebuilt space by space."""
    if "[" in text:
        text = _ELISION.sub(" ", text)
    if "  " in text or "\t" in text or "\u00a0" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()
