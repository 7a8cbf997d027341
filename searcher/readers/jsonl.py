"""JSON Lines import: one transcript per line, fields as `Transcript.to_dict()` writes them.

For programmatic pipelines. A bad line is reported with its line number; blank lines are
skipped.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ..errors import ReadError
from ..model import Transcript, transcript_from_dict

FORMAT = "jsonl"


def looks_like(text: str) -> bool:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not (first.startswith("{") and first.endswith("}")):
        return False
    try:
        data = json.loads(first)
    except ValueError:
        return False
    return isinstance(data, dict) and "id" in data and "turns" in data


def read(text: str, path: str) -> list[Transcript]:
    out: list[Transcript] = []
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("a line must be a JSON object")
            doc = transcript_from_dict(data)
        except (ValueError, KeyError, TypeError) as e:
            raise ReadError(path, f"bad transcript on line {no}: {e}", no) from None
        out.append(replace(doc, path=path, format=doc.format or FORMAT))
    return out
