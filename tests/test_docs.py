"""The documentation matches the code: docs/cli.md, examples in every help, README set-up."""

from __future__ import annotations

import difflib
import re

import pytest
from click.testing import CliRunner

from searcher import __version__
from searcher.cli import main
from searcher.docs import cli_reference

from .conftest import REPO

REGENERATE = "python -m searcher.docs > docs/cli.md"


def test_cli_reference_is_up_to_date() -> None:
    path = REPO / "docs" / "cli.md"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    fresh = cli_reference()
    if current != fresh:
        diff = difflib.unified_diff(
            current.splitlines(), fresh.splitlines(), "docs/cli.md", "the commands", lineterm=""
        )
        shown = "\n".join(list(diff)[:60])
        pytest.fail(
            f"docs/cli.md is out of date; regenerate it: {REGENERATE}\n{shown}", pytrace=False
        )


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_an_example_and_short_help(name: str) -> None:
    r = CliRunner().invoke(main, [name, "-h"])
    assert r.exit_code == 0 and r.stderr == ""
    assert "Example:" in r.stdout, f"`searcher {name} -h` shows no example"
    assert f"## searcher {name}\n" in cli_reference()


def test_version_comes_from_package_metadata() -> None:
    r = CliRunner().invoke(main, ["--version"])
    assert r.exit_code == 0 and r.stdout == f"searcher {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", __version__)


def test_usage_errors_exit_2() -> None:
    r = CliRunner().invoke(main, ["search", "--format", "docx"])
    assert r.exit_code == 2 and r.stdout == "" and "docx" in r.stderr
    assert CliRunner().invoke(main, ["no-such-command"]).exit_code == 2


def test_readme_starts_with_the_two_setup_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    assert blocks[:2] == [
        'pip install . && searcher search "South Korea" --speaker Gorbachev\n',
        'pip install -e ".[test]" && python -m pytest\n',
    ]
    assert "_SEARCHER_COMPLETE=bash_source searcher" in readme
    assert (REPO / "CHANGELOG.md").read_text(encoding="utf-8").count(__version__) >= 1


def _public_api() -> list[tuple[str, object]]:
    import searcher
    from searcher import cite

    items: list[tuple[str, object]] = []
    for module, names in ((searcher, searcher.__all__), (cite, ["Citation", "cite", "anchor"])):
        for name in names:
            obj = getattr(module, name)
            if name.startswith("_") or not callable(obj):
                continue
            items.append((name, obj))
            for attr, value in vars(obj).items() if isinstance(obj, type) else ():
                if attr.startswith("_"):
                    continue
                if isinstance(value, classmethod | staticmethod):
                    items.append((f"{name}.{attr}", value.__func__))
                elif isinstance(value, property):
                    items.append((f"{name}.{attr}", value.fget))
                elif callable(value):
                    items.append((f"{name}.{attr}", value))
    return items


def test_public_objects_have_docstrings() -> None:
    missing = [name for name, obj in _public_api() if not (getattr(obj, "__doc__", None) or "")]
    assert not missing, f"public objects without a docstring: {missing}"
