"""Lint, format and type checks as tests, so the README's test command enforces them too."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from .conftest import REPO

CHECKS = {
    "ruff check": ("ruff", ["check", "searcher", "tests"]),
    "ruff format": ("ruff", ["format", "--check", "searcher", "tests"]),
    "mypy": ("mypy", []),
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_tool_passes(name: str) -> None:
    module, args = CHECKS[name]
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed")
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        report = (proc.stdout + proc.stderr).strip()
        pytest.fail(f"`{' '.join([module, *args])}` failed:\n{report[-20_000:]}", pytrace=False)
