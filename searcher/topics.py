"""Topics and places as filter keys: archive metadata normalized so users can type them freely."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .speakers import fold


def key(name: str) -> str:
    """ "Korean War", "korean-war" and "KOREAN_WAR" all become "korean war"."""
    return re.sub(r"[\s_\-/,]+", " ", fold(name)).strip(" .;:")


def keys(names: Iterable[str]) -> list[str]:
    return sorted({k for k in map(key, names) if k})
