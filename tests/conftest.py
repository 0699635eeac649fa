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


@pytest.fixture(scope="session", autouse=True)
def sandbox_unconfined() -> Iterator[None]:
    """Outside a project the tests themselves are trusted: fixtures read the repository and write
    to pytest's temporary folders. A test that loads a project (load_book) is confined to
    that project, as the build is."""
    from studyguide import sandbox

    sandbox.trust_caller()
    yield
    sandbox.clear_root()


@pytest.fixture(autouse=True)
def sandbox_root(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts unconfined and leaves no root behind for the next (load_book sets one)."""
    from studyguide import sandbox

    sandbox.trust_caller()
    yield
    sandbox.trust_caller()
