"""Shared fixtures: a copy of the small test project, built with the real doit and dodo.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import doit, make_project


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project, built once for the whole session (read-only for tests)."""
    project = make_project(tmp_path_factory.mktemp("built") / "mini")
    result = doit(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the mini project that a test may edit and rebuild."""
    return make_project(tmp_path / "mini")
