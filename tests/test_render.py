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


def test_the_project_overrides_the_theme_and_includes_resolve_across_both(tmp_path: Path) -> None:
    """A project file replaces the theme's of the same name; the theme's own file stays reachable."""
    from studyguide.paths import THEME

    project = tmp_path / "templates"
    (project / "print").mkdir(parents=True)
    (project / "print" / "toc.html.j2").write_text("<nav>ours</nav>\n", encoding="utf-8")
    (project / "print" / "extra.html.j2").write_text(
        '{% include "print/toc.html.j2" %}{% include "theme/print/toc.html.j2" ignore missing %}\n', encoding="utf-8")
    search = (project, THEME)
    deps = template_dependencies(search, "print/book.html.j2")
    assert project / "print" / "toc.html.j2" in deps  # the override, not the theme's toc
    assert THEME / "print" / "toc.html.j2" not in deps
    assert THEME / "print" / "base.html.j2" in deps and THEME / "print" / "book.html.j2" in deps
    extra = template_dependencies(search, "print/extra.html.j2")
    assert set(extra) == {project / "print" / "extra.html.j2", THEME / "print" / "toc.html.j2",
                          project / "print" / "toc.html.j2"}


def test_every_template_the_stages_use_ships_in_the_theme() -> None:
    from studyguide import epub, figures, handouts, pdf
    from studyguide.config import GENERATED_BACK
    from studyguide.paths import THEME

    names = [*pdf.TEMPLATES, *epub.TEMPLATES, *handouts.TEMPLATES, *figures.TEMPLATES,
             *(f"back/{name}.md.j2" for name in GENERATED_BACK)]
    assert [n for n in names if not (THEME / n).is_file()] == []
