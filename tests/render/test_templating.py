"""Templates escape what they print, the way html.escape does, and leave sanitised markup alone."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from curriculum.render import html_templates, package_templates

HOSTILE = """<script>alert('x')</script> & "quoted" 'single'"""


def test_values_are_escaped_as_html_escape_escapes_them() -> None:
    template = html_templates("curriculum.hosts").from_string('<p title="{{ value }}">{{ value }}</p>')
    escaped = html.escape(HOSTILE)
    assert template.render(value=HOSTILE) == f'<p title="{escaped}">{escaped}</p>'
    assert "&#x27;" in escaped and "&quot;" in escaped and "<script>" not in template.render(value=HOSTILE)


def test_markup_goes_in_as_it_is_and_numbers_as_text() -> None:
    template = html_templates("curriculum.hosts").from_string("{{ html }} {{ n }}")
    assert template.render(html=Markup("<em>safe</em>"), n=0.7) == "<em>safe</em> 0.7"


def test_every_host_panel_escapes_its_text() -> None:
    env = html_templates("curriculum.hosts")
    problem = env.get_template("problem.html.j2").render(message=HOSTILE, diagnostics=[HOSTILE])
    table = env.get_template("progress-table.html.j2").render(
        rows=[{"component": HOSTILE, "id": "x", "status": "s", "score": None, "updated": "u"}], path=HOSTILE
    )
    for markup in (problem, table):
        assert "<script>" not in markup and html.escape(HOSTILE) in markup
    assert "<td></td>" in table  # no score: an empty cell, not "None"


def _problem(**options: object) -> str:
    """Render a template with a new environment, as a new process makes it (the function's cache left out)."""
    options = options or {"autoescape": True, "trim_blocks": True}
    environment = package_templates.__wrapped__("curriculum.hosts", **options)
    return str(environment.get_template("problem.html.j2").render(message="m", diagnostics=["d"]))


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A cache folder of the test's own, empty."""
    monkeypatch.setenv("CURRICULUM_CACHE_DIR", str(tmp_path))
    return tmp_path


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Return the list of templates Jinja compiles from their source from now on."""
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def spy(self: jinja2.Environment, source: str, name: str | None = None, *args: Any, **kw: Any) -> Any:
        compiled.append(str(name))
        return original(self, source, name, *args, **kw)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    return compiled


def test_a_template_compiled_once_is_loaded_by_the_next_process_without_compiling(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    compiled = _compiles(monkeypatch)
    first = _problem()
    assert compiled == ["problem.html.j2"]
    assert len(list((cache / "templates").glob("*/*.cache"))) == 1
    assert _problem() == first and compiled == ["problem.html.j2"]


def test_environments_with_other_options_never_share_a_compiled_template(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    compiled = _compiles(monkeypatch)
    trimmed, kept = _problem(), _problem(autoescape=True)
    assert compiled == ["problem.html.j2", "problem.html.j2"]
    assert trimmed != kept  # trim_blocks is compiled in: the second would be wrong with the first's code
    assert len(list((cache / "templates").iterdir())) == 2


def test_a_damaged_or_unwritable_cache_means_compiling_again_never_an_error(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    expected = _problem()
    [kept] = (cache / "templates").glob("*/*.cache")
    compiled = _compiles(monkeypatch)
    for damage in (kept.read_bytes()[:20] + b"\x80garbage", b"", kept.read_bytes()[:-9]):
        kept.write_bytes(damage)
        assert _problem() == expected
    assert len(compiled) == 3
    blocked = cache / "file"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("CURRICULUM_CACHE_DIR", str(blocked))
    assert _problem() == expected
