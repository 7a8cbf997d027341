"""Odd input never stops a run: encodings, binary, empty, huge, special and vanishing files."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from searcher import Archive
from searcher.errors import ReadError
from searcher.readers import iter_files, read_file, text
from tests.test_crash import page

PAGE = page(1)


def _read(tmp_path: Path, data: bytes, name: str = "doc.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return read_file(str(path))


def _turns(result) -> list[str]:
    return [t.text for doc in result.transcripts for t in doc.turns]


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + PAGE.encode("utf-8"),
        codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + PAGE.encode("utf-16-be"),
        PAGE.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8-bom", "utf16-le", "utf16-be", "crlf"],
)
def test_encodings_read_like_plain_utf8(tmp_path: Path, data: bytes) -> None:
    plain = _read(tmp_path, PAGE.encode("utf-8"), "plain.txt")
    other = _read(tmp_path, data)
    assert _turns(other) == _turns(plain) and _turns(plain)
    assert other.transcripts[0].title == plain.transcripts[0].title
    assert not other.warnings


def test_windows_1252_is_read_with_a_warning(tmp_path: Path) -> None:
    doc = PAGE.replace("Invented for tests.", "Notes by Renée Dubois “quoted”.")
    result = _read(tmp_path, doc.encode("cp1252"))
    assert result.warnings and "Windows-1252" in result.warnings[0]
    assert "doc.txt" in result.warnings[0]
    assert "Renée Dubois “quoted”" in result.transcripts[0].source


def test_mojibake_is_kept_as_it_is(tmp_path: Path) -> None:
    result = _read(tmp_path, PAGE.replace("Invented", "RenĂ©e Invented").encode("utf-8"))
    assert "RenĂ©e" in result.transcripts[0].source and not result.warnings


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"\x7fELF\x02\x01\x01" + bytes(200),
        bytes(range(1, 32)) * 50 + b"\xff\xfe\xfd" * 10,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8,
    ],
    ids=["png", "elf", "controls", "pdf"],
)
def test_binary_files_are_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ReadError, match="binary"):
        _read(tmp_path, data)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\t\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")],
    ids=["empty", "whitespace", "bom-only", "utf16-whitespace"],
)
def test_empty_files_are_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ReadError, match="empty file"):
        _read(tmp_path, data)


def test_files_above_the_size_limit_are_refused_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with open(big, "wb") as f:  # sparse: costs no disk and no memory unless read
        f.truncate(text.MAX_TEXT_BYTES + 1)
    with pytest.raises(ReadError, match="too large"):
        read_file(str(big))


def test_a_file_larger_than_its_stated_size_is_still_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """/proc files state size 0, like a file that grows after its size was checked."""
    if not os.path.exists("/proc/self/status"):
        pytest.skip("no /proc")
    monkeypatch.setattr(text, "MAX_TEXT_BYTES", 100)
    with pytest.raises(ReadError, match="grew while being read"):
        text.read_bytes("/proc/self/status")


def test_a_fifo_does_not_hang_the_run(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match="not a regular file"):
        read_file(str(fifo))


def test_broken_and_looping_symlinks(tmp_path: Path) -> None:
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    with pytest.raises(ReadError, match="broken symbolic link"):
        read_file(str(tmp_path / "broken.txt"))
    with pytest.raises(ReadError, match="symbolic links"):
        read_file(str(tmp_path / "self.txt"))


def test_directory_symlink_loops_are_walked_once(tmp_path: Path) -> None:
    top = tmp_path / "corpus"
    (top / "a" / "b").mkdir(parents=True)
    (top / "a" / "b" / "doc.txt").write_text(PAGE)
    (top / "a" / "b" / "up").symlink_to(top / "a")  # a loop
    (top / "a" / "self").symlink_to(top / "a")
    (top / "same.txt").symlink_to(top / "a" / "b" / "doc.txt")
    found = list(iter_files([str(top), str(top / "a")]))
    assert len(found) == 1 and not isinstance(found[0], ReadError)


def test_unreadable_and_vanishing_files_do_not_stop_a_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run as root (chmod 000 does not bite), so the refusal is simulated."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(4):
        (corpus / f"{n}.txt").write_text(page(n))
    (corpus / "binary.txt").write_bytes(bytes(300))
    (corpus / "empty.txt").write_bytes(b"")
    real_open = os.open

    def refuse_one(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("1.txt"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(text.os, "open", refuse_one)

    def remove_next(progress) -> None:  # "2.txt" vanishes after the folder was listed
        if progress.path.endswith("0.txt") and (corpus / "2.txt").exists():
            (corpus / "2.txt").unlink()

    with Archive.build([str(corpus)], str(tmp_path / "ix"), progress=remove_next) as archive:
        report = archive.report
        assert report is not None
        reasons = {Path(s.path).name: s.reason for s in report.skipped}
        assert report.files == 2
        assert "Permission denied" in reasons["1.txt"]
        assert "vanished" in reasons["2.txt"] or "No such file" in reasons["2.txt"]
        assert "binary" in reasons["binary.txt"] and "empty" in reasons["empty.txt"]
        assert archive.search("tractor OR harbor OR grain").total > 0


# -- hostile XML (the FRUS TEI reader parses with defusedxml, DTDs forbidden) ---------------

TEI_OPEN = '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div type="document">'
TEI_CLOSE = "</div></body></text></TEI>"


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE TEI [\n{chr(10).join(entities)}\n]>\n'
        f"{TEI_OPEN}<p>Ivan Petrov: &lol9;</p>{TEI_CLOSE}"
    ).encode()


@pytest.mark.parametrize("fmt", [None, "frus"])
def test_billion_laughs_is_refused_fast(tmp_path: Path, fmt: str | None) -> None:
    import time

    path = tmp_path / "bomb.xml"
    path.write_bytes(_billion_laughs())
    started = time.perf_counter()
    with pytest.raises(ReadError, match="unsafe XML") as e:
        read_file(str(path), fmt)
    seconds = time.perf_counter() - started
    assert seconds < 1.0, f"took {seconds:.3f} s"
    assert str(e.value).startswith(str(path)) and "\n" not in str(e.value)
    print(f"\nbillion laughs ({fmt or 'detected'}) refused in {seconds * 1000:.1f} ms: {e.value}")


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE TEI [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE TEI SYSTEM "http://127.0.0.1:9/tei.dtd">',
        '<!DOCTYPE TEI [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
    ],
    ids=["external-entity", "external-dtd", "parameter-entity"],
)
def test_external_entities_and_dtds_are_refused(tmp_path: Path, doctype: str) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text(f"{doctype}\n{TEI_OPEN}<p>Ivan Petrov: &xxe;</p>{TEI_CLOSE}")
    with pytest.raises(ReadError, match=r"unsafe XML|not well-formed") as e:
        read_file(str(path), "frus")
    assert "root:" not in str(e.value)


def test_unreadable_folder_is_reported_not_silently_skipped(tmp_path, monkeypatch) -> None:
    """Tests run as root, so simulate a folder os.walk cannot list."""
    import os as _os

    from searcher.errors import ReadError as _ReadError
    from searcher.readers import iter_files

    (tmp_path / "locked").mkdir()
    (tmp_path / "ok.txt").write_text("x")
    real_scandir = _os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(_os, "scandir", scandir)
    items = list(iter_files([str(tmp_path)]))
    errors = [i for i in items if isinstance(i, _ReadError)]
    assert [e.reason for e in errors] == ["folder not readable: Permission denied"]
    assert errors[0].path.endswith("locked")
    assert any(isinstance(i, str) and i.endswith("ok.txt") for i in items)
