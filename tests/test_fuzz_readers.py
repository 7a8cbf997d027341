"""Fuzzing every reader: random bytes and mutated real files only ever give a `ReadError`.

`read_file` turns any exception into a `ReadError` so one bad file never stops a run; the
fuzzing also checks that this safety net was not what caught it (a reason starting with
"could not be parsed" means a reader bug). Inputs tried per reader are printed with `-s`.
"""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.errors import ReadError
from searcher.readers import formats, read_file
from tests.conftest import SHARED

EXAMPLES = 200
COUNTS: Counter[str] = Counter()
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
MARKUP = [
    *(b"<", b">", b"</div>", b'<div type="document">', b"</TEI>", b"&amp;", b"&nosuch;"),
    *(b"<![CDATA[", b"]]>", b'<!DOCTYPE x [<!ENTITY a "b">]>', b"<?xml version='1.0'?>"),
    *(b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xe2\x80", b"\r", b"\n\n", b"\t", b"\\"),
    *(b"Ivan Petrov:", b"PETROV:", b"[\xe2\x80\xa6]", b"Record ID\n\n", b"Associated Topics\n"),
    *(b'{"id": "x", "turns": []}', b"{", b"}", b'"', b"null", b"1e999", b"[" * 50),
]
_names = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def report_counts() -> Iterator[None]:
    yield
    print("\nfuzzed inputs per reader:", dict(sorted(COUNTS.items())))


def _frus_seed() -> bytes:
    """The shared TEI volume cut to its first two documents (a whole volume is slow to fuzz)."""
    path = SHARED / "frus" / "frus1981-88v05-d1-d22.xml"
    tree = ET.parse(path)
    docs = [
        (parent, div)
        for parent in tree.iter()
        for div in parent
        if div.tag.endswith("}div") and div.get("type") == "document"
    ]
    for parent, div in docs[2:]:
        parent.remove(div)
    return ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True)


def _jsonl_seed() -> bytes:
    result = read_file(str(SHARED / "wilson" / "176345.txt"))
    return (json.dumps(result.transcripts[0].to_dict()) + "\n").encode()


@pytest.fixture(scope="module")
def seeds() -> dict[str, list[bytes]]:
    if not SHARED.exists():
        pytest.skip("shared corpus not available")
    wilson = [p.read_bytes() for p in sorted((SHARED / "wilson").glob("*.txt"))]
    hsg = [p.read_bytes() for p in sorted((SHARED / "hsg").glob("*.txt"))]
    return {
        "wilson": wilson,
        "hsg": hsg,
        "plain": wilson[:2] + hsg[:2],
        "jsonl": [_jsonl_seed()],
        "frus": [_frus_seed()],
    }


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _check(workdir: Path, data: bytes, fmt: str | None, suffix: str = ".txt") -> None:
    path = workdir / f"{next(_names)}{suffix}"
    path.write_bytes(data)
    try:
        result = read_file(str(path), fmt)
    except ReadError as e:
        assert not e.reason.startswith("could not be parsed"), f"reader bug: {e}"
        assert "\n" not in str(e).strip()
    else:
        assert result.transcripts and all(
            isinstance(t.text, str) for d in result.transcripts for t in d.turns
        )
    finally:
        path.unlink()


MUTATION = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(b"")),
    st.tuples(st.just("flip"), st.floats(0, 1), st.binary(min_size=1, max_size=1)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(MARKUP) | st.binary(max_size=12)),
)


def _mutate(data: bytes, mutations: list[tuple[str, float, bytes]]) -> bytes:
    for op, where, what in mutations:
        i = int(where * len(data))
        if op == "truncate":
            data = data[:i]
        elif op == "flip" and data:
            i = min(i, len(data) - 1)
            data = data[:i] + bytes([data[i] ^ (what[0] or 1)]) + data[i + 1 :]
        else:
            data = data[:i] + what + data[i:]
    return data


@pytest.mark.parametrize("fmt", ["wilson", "hsg", "plain", "jsonl", "frus"])
def test_mutated_real_files(fmt: str, seeds: dict[str, list[bytes]], workdir: Path) -> None:
    assert fmt in formats()

    @FUZZ
    @given(st.integers(0, 100), st.lists(MUTATION, min_size=1, max_size=5), st.booleans())
    def fuzz(which: int, mutations: list[tuple[str, float, bytes]], forced: bool) -> None:
        COUNTS[f"{fmt} (mutated)"] += 1
        pool = seeds[fmt]
        data = _mutate(pool[which % len(pool)], mutations)
        _check(workdir, data, fmt if forced else None, ".xml" if fmt == "frus" else ".txt")

    fuzz()


@pytest.mark.parametrize("fmt", [None, "wilson", "hsg", "plain", "jsonl", "frus"])
def test_random_bytes(fmt: str | None, workdir: Path) -> None:
    @FUZZ
    @given(st.binary(max_size=3000) | st.text(max_size=1000).map(str.encode))
    def fuzz(data: bytes) -> None:
        COUNTS[f"{fmt or 'detected'} (random)"] += 1
        _check(workdir, data, fmt)

    fuzz()
