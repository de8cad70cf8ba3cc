"""The renderer's memo: what it returns from its file is what it would render, and settings key it."""

from __future__ import annotations

from pathlib import Path

import pytest

from curriculum import _memo
from curriculum._cache import PROJECT_CACHE
from curriculum._memo import memo_session
from curriculum.render import FormattedReference, Renderer

REFERENCES = {
    "smith2020": FormattedReference("smith2020", "Smith, 2020", "Smith (2020)", "<p>Smith. 2020.</p>"),
    "doe2019": FormattedReference("doe2019", "Doe, 2019", "Doe (2019)", "<p>Doe. 2019.</p>"),
}
TEXTS = [
    "The alliance predicts outcome [@smith2020; @doe2019, p. 3], as @smith2020 showed [-@doe2019].",
    "Code keeps its at sign: `x = @smith2020` and\n\n```\n[@doe2019]\n```\n",
    '<script>alert(1)</script> <img src=x onerror="alert(1)"> [a link](javascript:alert(1))',
    "A table:\n\n| a | b |\n|---|---|\n| *1* | **2** |\n\n> quoted [@unknown2000]",
]


def render(renderer: Renderer) -> list[tuple[str, str]]:
    return [(renderer.block(text), renderer.inline(text)) for text in TEXTS]


@pytest.mark.parametrize("cite_links", [True, False])
def test_the_memo_returns_what_the_renderer_renders(tmp_path: Path, cite_links: bool) -> None:
    uncached = render(Renderer(REFERENCES, cite_links=cite_links))
    html = "".join(block + inline for block, inline in uncached)
    assert "<script" not in html and "<img" not in html and "javascript:" not in html.split("](")[0]
    assert 'href="javascript' not in html and "<table>" in html and "<code>" in html
    with memo_session(tmp_path):
        assert render(Renderer(REFERENCES, cite_links=cite_links)) == uncached
    _memo._stores.clear()
    with memo_session(tmp_path):
        renderer = Renderer(REFERENCES, cite_links=cite_links)
        renderer._render_now = None  # type: ignore[method-assign,assignment]  # every text must come from the file
        assert render(renderer) == uncached


def test_the_references_and_cite_links_key_the_memo(tmp_path: Path) -> None:
    text = TEXTS[0]
    with memo_session(tmp_path):
        linked = Renderer(REFERENCES).block(text)
        plain = Renderer(REFERENCES, cite_links=False).block(text)
        other = {**REFERENCES, "doe2019": FormattedReference("doe2019", "Doe, 2018", "Doe (2018)", "")}
        changed = Renderer(other).block(text)
        bare = Renderer().block(text)
    assert linked != plain and '<a href="#ref-smith2020"' in linked and "<a " not in plain
    assert "Doe, 2018" in changed and "Doe, 2019" not in changed
    assert "@smith2020" in bare
    assert any((tmp_path / PROJECT_CACHE / "memo").glob("render.markdown.*.jsonl")), "its files or journal"
