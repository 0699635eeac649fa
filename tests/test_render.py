from __future__ import annotations

from pathlib import Path

import pytest

from studyguide.errors import StudyguideError
from studyguide.render import environment, render, template_dependencies


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    (tmp_path / "base.html.j2").write_text("<b>{% block body %}{% endblock %}</b>\n", encoding="utf-8")
    (tmp_path / "part.html.j2").write_text("{{ name }}\n", encoding="utf-8")
    (tmp_path / "page.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block body %}\n{% include "part.html.j2" %}\n{% endblock %}\n', encoding="utf-8")
    (tmp_path / "broken.html.j2").write_text("line one\n{{ title }}\n{% if %}\n", encoding="utf-8")
    (tmp_path / "undefined.html.j2").write_text("line one\nline two {{ missing }}\n", encoding="utf-8")
    environment.cache_clear()
    return tmp_path


def test_dependencies_follow_extends_and_include(templates: Path) -> None:
    names = sorted(p.name for p in template_dependencies(templates, "page.html.j2"))
    assert names == ["base.html.j2", "page.html.j2", "part.html.j2"]


def test_render_fills_the_template(templates: Path) -> None:
    assert render(templates, "page.html.j2", name="Hồ Chí Minh").strip() == "<b>Hồ Chí Minh\n</b>"


def test_undefined_variable_is_an_error_with_its_line(templates: Path) -> None:
    with pytest.raises(StudyguideError, match=r"undefined\.html\.j2:2: error: undefined template variable: 'missing'"):
        render(templates, "undefined.html.j2")


def test_syntax_error_names_the_line(templates: Path) -> None:
    with pytest.raises(StudyguideError, match=r"broken\.html\.j2:3: error: template syntax error"):
        render(templates, "broken.html.j2", title="x")
