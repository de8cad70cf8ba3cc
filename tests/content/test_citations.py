"""One citation syntax for the check and the renderer: they agree on what is a citation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curriculum.content import citation_keys, cited_keys
from curriculum.render import FormattedReference, Renderer

REFS = {
    key: FormattedReference(key, f"{key.capitalize()} 2001", f"{key.capitalize()} (2001)", f"<p>{key}</p>")
    for key in ("beck", "linehan")
}


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("as shown [@beck; @linehan, p. 3]", ["beck", "linehan"]),
        ("@beck showed it", ["beck"]),
        ("[-@beck]", ["beck"]),
        ("mail me at someone@beck.org", []),  # an e-mail address
        ("`@beck` in code, and ```\n@linehan\n```", []),
        ("[the profile](https://example.org/@beck) and <https://example.org/@linehan>", []),  # link targets
        (r"an escaped \@beck is an at sign", []),
    ],
)
def test_what_is_a_citation(text: str, keys: list[str]) -> None:
    assert citation_keys(text) == keys
    assert [k for k, _ in cited_keys(text)] == keys
    assert Renderer(REFS).keys(text) == keys
    assert Renderer(REFS).inline(text).count('class="cur-cite"') == (1 if keys else 0)  # one group or key


def test_the_offset_is_the_at_sign() -> None:
    text = "see [@beck] and @linehan"
    assert [(k, text[o]) for k, o in cited_keys(text)] == [("beck", "@"), ("linehan", "@")]


def test_the_renderer_leaves_a_link_target_alone() -> None:
    html = Renderer(REFS).inline("[profile](https://example.org/@beck)")
    assert html == '<a href="https://example.org/@beck" rel="noopener noreferrer">profile</a>'


@given(st.text(alphabet="ab@[];`-\\ ()<>:/.", max_size=60))
def test_the_check_and_the_renderer_always_agree(text: str) -> None:
    assert Renderer(REFS).keys(text) == citation_keys(text)
