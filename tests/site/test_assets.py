"""The published scripts keep every string a reader sees, exactly as written.

A minifier that misreads nested template literals turns "Label the 13 marked
turns" into "Label the 13marked turns". The text of every template literal
(the parts between its interpolations) and every quoted string with a space
in the sources must reach the published files unchanged.
"""

from __future__ import annotations

import pytest

from curriculum.site._assets import SITE_MODULES, resource, site_assets
from curriculum.web import SHARED, STATIC_HOST, component_modules, sources


def literals(source: str) -> list[str]:
    """The text of the string and template literals of a JavaScript source (not its comments).

    A small scanner: it follows quotes, template literals with their nested
    ``${...}`` expressions, comments and regular-expression literals well
    enough for our own sources, which the tests also parse with Node.
    """
    out: list[str] = []
    i, n = 0, len(source)
    # A stack of contexts: "code" (with its brace depth) or "template".
    stack: list[list[object]] = [["code", 0]]
    text: list[str] = []
    previous = ""  # the last significant character of code, to tell a regex from a division
    while i < n:
        c = source[i]
        top = stack[-1]
        if top[0] == "template":
            if c == "\\":
                text.append(source[i : i + 2])
                i += 2
            elif c == "`":
                out.append("".join(text))
                text = []
                stack.pop()
                previous = "`"
                i += 1
            elif source.startswith("${", i):
                out.append("".join(text))
                text = []
                stack.append(["code", 0])
                i += 2
            else:
                text.append(c)
                i += 1
            continue
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = n if i < 0 else i
        elif source.startswith("/*", i):
            i = source.index("*/", i) + 2
        elif c in "\"'":
            j = i + 1
            while source[j] != c:
                j += 2 if source[j] == "\\" else 1
            out.append(source[i + 1 : j])
            previous = c
            i = j + 1
        elif c == "`":
            stack.append(["template"])
            i += 1
        elif (c == "/" and previous in "(,=:[!&|?{};+-*%<>~^") or (c == "/" and previous == ""):
            j = i + 1
            in_class = False
            while in_class or source[j] != "/":
                if source[j] == "\\":
                    j += 1
                elif source[j] == "[":
                    in_class = True
                elif source[j] == "]":
                    in_class = False
                j += 1
            previous = "/"
            i = j + 1
        else:
            if c == "{":
                top[1] = int(str(top[1])) + 1
            elif c == "}":
                if top[1] == 0 and len(stack) > 1:
                    stack.pop()  # the end of a ${...}: back in the template
                    i += 1
                    continue
                top[1] = int(str(top[1])) - 1
            if not c.isspace():
                previous = c if not (c.isalnum() or c in "_$") else "a"
            i += 1
    return out


def _sources() -> dict[str, str]:
    """The modules of ``curriculum.js`` and of the site's ``site.js``, by where they are published."""
    web = [*SHARED, *(path.stem for path in component_modules().values()), *STATIC_HOST]
    return {
        **{f"curriculum.js: {name}.js": sources()[f"{name}.js"] for name in web},
        **{
            f"site.js: {name}.js": resource(f"{name}.js").read_text(encoding="utf-8") for name in SITE_MODULES
        },
    }


def visible(source: str) -> list[str]:
    """Literal text with a space in it: what a reader sees or a screen reader says."""
    return [t for t in literals(source) if " " in t and t.strip()]


def test_the_scanner_finds_the_text_around_interpolations() -> None:
    found = literals('const a = `Label the ${n === 1 ? "turn" : `${n} marked turns`}: go`; // "not this"')
    assert " marked turns" in found and "Label the " in found and ": go" in found and "turn" in found
    assert "not this" not in found


@pytest.mark.parametrize("name", sorted(_sources()))
def test_published_scripts_keep_every_visible_string(name: str) -> None:
    published = site_assets()[f"assets/{name.split(':')[0]}"]
    strings = visible(_sources()[name])
    missing = [s for s in strings if s not in published]
    assert not missing, f"{name}: the published script changed these strings: {missing[:10]}"


def test_the_scanner_finds_what_the_modules_say() -> None:
    """Modules that only compute say nothing; every component, the panel and the site do."""
    talking = [*(path.stem for path in component_modules().values()), "panel", "store", "mount"]
    for name in [*(f"curriculum.js: {n}.js" for n in talking), "site.js: site.js"]:
        assert visible(_sources()[name]), f"no strings found in {name}: the scanner is broken"


def test_the_spotter_sentence_is_there() -> None:
    """The sentence the newcomer saw broken, checked by name."""
    published = site_assets()["assets/curriculum.js"]
    assert " marked turns`" in published and " of the turns had a label missing." in published
