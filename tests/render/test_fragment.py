"""The static fragment: its JSON payload can never end the script element that holds it."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from curriculum._fragment import static_fragment


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
