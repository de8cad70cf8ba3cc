"""The static fragment, the mount reference and the data script: data stays data."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curriculum.components import Mount
from curriculum.hosts.static import mount_element, payload_script, static_fragment


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "script"
        if self._in:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.scripts[-1] += data


@given(
    text=st.text(
        alphabet=st.sampled_from(list("<>/!-scriptSCRIPT&\"' \\u2028")) | st.characters(), max_size=60
    )
)
def test_payload_round_trips_inside_its_script(text: str) -> None:
    payload = {"component": "quiz", "key": "quiz:x", "id": "x", "title": text, "items": [{"stem_html": text}]}
    fragment = static_fragment(payload)
    parser = _Scripts()
    parser.feed(fragment)
    assert len(parser.scripts) == 1, "the payload closed its script element"
    assert json.loads(parser.scripts[0]) == payload
    assert not re.search(r"</script", parser.scripts[0], re.I)


def test_hostile_text_stays_data() -> None:
    hostile = "</script><script>alert(1)</script><!--<script>"
    fragment = static_fragment({"component": "quiz", "key": "quiz:x", "id": "x", "title": hostile})
    assert fragment.count("</script>") == 1 and "<!--" not in fragment


@pytest.mark.parametrize(
    "data",
    [
        None,
        "quiz:intro",
        {"component": "quiz"},
        {"component": "quiz", "args": []},
        {"component": "quiz", "args": ["a", "b"]},
        {"component": "quiz", "args": [3]},
        {"component": "quiz", "args": ["../x"]},
        {"component": "quiz", "args": ['x" onclick="y']},
        {"component": "evil", "args": ["x"]},
        {"component": "quiz", "args": ["x"], "payload": "0,x:alert(1)"},
        {"component": "quiz", "ids": ["x"]},
        {"kind": "quiz", "args": ["x"]},
        {"component": ["quiz"], "args": ["x"]},
        {"component": "quiz", "args": ("x",)},
        {"component": "quiz", "args": [b"x"]},
        {"component": "quiz", "args": [None]},
    ],
)
def test_a_mount_reference_is_only_a_known_component_and_plain_ids(data: object) -> None:
    assert Mount.from_json(data) is None


def test_a_mount_reference_round_trips_and_names_its_element() -> None:
    mount = Mount("worksheet", ("thought-record", "tr-1"))
    assert Mount.from_json(mount.as_json()) == mount
    assert mount.key == "worksheet:tr-1" and mount.dom_id == "cur-worksheet-tr-1"
    assert mount_element(mount) == (
        '<div class="cur-widget" data-component="worksheet" id="cur-worksheet-tr-1" data-payload="deferred">'
        "<noscript><p>This worksheet needs JavaScript, which is turned off in this browser.</p>"
        "</noscript></div>"
    )


HOSTILE = "0,x:alert('ran'),</script><script>alert(1)</script><!-- \u2028\u2029 `${1}`"


def test_the_data_script_is_one_json_object_whatever_the_text() -> None:
    payloads = {"cur-quiz-a": {"key": "quiz:a", "title": HOSTILE}, "cur-x": {"key": HOSTILE}}
    script = payload_script(payloads)
    prefix = "window.CURRICULUM_PAYLOADS = Object.assign(window.CURRICULUM_PAYLOADS || {}, "
    assert script.startswith(prefix) and script.endswith(");\n")
    assert json.loads(script[len(prefix) : -len(");\n")]) == payloads
    assert "</" not in script and "<!--" not in script
    assert payload_script({}) == ""


def test_citation_forms_are_plain_text_even_with_citeprocs_own_spans() -> None:
    from curriculum.site._citeproc import citation_texts as _citations

    out = (
        '<p><span class="citation" data-cites="k1">(<span class="nocase">Keepers</span> et al. 2020)</span>'
        ' <span class="citation" data-cites="k2">(A &amp; B 1999)</span></p>'
    )
    assert _citations(out) == [("k1", "(Keepers et al. 2020)"), ("k2", "(A & B 1999)")]
