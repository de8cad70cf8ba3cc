"""Templates escape what they print, the way html.escape does, and leave sanitised markup alone."""

from __future__ import annotations

import html

from markupsafe import Markup

from curriculum.render import html_templates

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
