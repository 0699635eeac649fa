"""Shared fixtures: a copy of the small test project, built with the real doit and dodo.py."""

from __future__ import annotations

from collections.abc import Iterator
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


@pytest.fixture(autouse=True)
def sandbox_root(request: pytest.FixtureRequest) -> Iterator[None]:
    """A unit test that works in tmp_path has that folder as its project root (load_book sets the
    root for tests that load a project); the sandbox refuses files outside the root."""
    from studyguide import sandbox

    saved = sandbox._root
    if "tmp_path" in request.fixturenames:
        sandbox.set_root(request.getfixturevalue("tmp_path"))
    yield
    sandbox._root = saved
