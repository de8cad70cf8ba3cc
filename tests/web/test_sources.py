"""Text rules on the browser sources that the linking and the site's CSP rely on (no browser)."""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib import resources

import pytest

from curriculum.web import COMPONENTS, classic_bundle, component_esm, stylesheet

WEB = resources.files("curriculum.web")
IMPORT = re.compile(r'^import\s*\{[^}]*\}\s*from\s*"\./core\.js";\s*$', re.MULTILINE)


def source(name: str) -> str:
    return WEB.joinpath(name).read_text(encoding="utf-8")


def code_only(text: str) -> str:
    """The text without comments (rough, good enough for our own files)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"(?m)^\s*//.*$", "", text)


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_shape(name):
    text = source(f"{name}.js")
    assert len(IMPORT.findall(text)) == 1, "the only import is one line from ./core.js"
    assert len(re.findall(r"(?m)^\s*import\b", text)) == 1
    last = text.rstrip()
    start = last.rfind("\nexport default {")
    assert start > 0 and last.endswith("};"), "export default { ... }; is the last statement"
    assert re.search(r"render\(\{ model, el \}\)", last[start:])
    assert len(re.findall(r"(?m)^export\b", text)) == 1, "no other exports"


def test_core_exports_only_functions_and_constants():
    text = source("core.js")
    exports = re.findall(r"(?m)^export\s+(\w+)", text)
    assert exports and set(exports) <= {"function", "const"}
    assert not re.search(r"(?m)^import\b", text)


@pytest.mark.parametrize("name", [*(f"{c}.js" for c in COMPONENTS), "core.js", "host.js"])
def test_no_unsafe_constructs(name):
    code = code_only(source(name))
    for pattern, why in [
        (r"\beval\s*\(", "eval"),
        (r"\bnew\s+Function\b", "new Function"),
        (r"\bfetch\s*\(", "network"),
        (r"XMLHttpRequest|WebSocket|EventSource|sendBeacon", "network"),
        (r"\bimport\s*\(", "dynamic import"),
        (r"\.style\b|setAttribute\(\s*[\"']style", "inline styles (CSP)"),
        (r"setAttribute\(\s*[\"']on", "inline event handlers (CSP)"),
        (r"\bon\w+\s*=\s*[\"'`]", "inline event handlers (CSP)"),
        (r"insertAdjacentHTML|outerHTML|document\.write", "markup insertion"),
    ]:
        assert not re.search(pattern, code), f"{name}: {why}"
    if name != "core.js":
        assert "innerHTML" not in code, f"{name}: insert HTML through core's htmlBlock only"
        assert "console." not in code, f"{name}: log through core's log ([curriculum] prefix)"


def test_innerhtml_only_in_htmlblock():
    code = code_only(source("core.js"))
    assert code.count("innerHTML") == 1
    block = code[code.index("export function htmlBlock") :]
    assert "innerHTML" in block[: block.index("\n}\n")]
    assert code.count("console.") == 3  # the three levels of log()


def test_stylesheet_is_prefixed():
    css = re.sub(r"/\*.*?\*/", "", stylesheet(), flags=re.DOTALL)
    selectors = re.findall(r"([^{}]+)\{", css)
    classes = {
        c
        for sel in selectors
        if not sel.strip().startswith("@")
        for c in re.findall(r"\.([A-Za-z][\w-]*)", sel)
    }
    assert classes and all(c.startswith("cur-") for c in classes), sorted(
        c for c in classes if not c.startswith("cur-")
    )
    assert "prefers-color-scheme: dark" in css and "@media print" in css and "prefers-reduced-motion" in css
    assert ":focus-visible" in css


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_node_parses_every_file(tmp_path):
    def check(text: str, module: bool) -> None:
        args = (
            ["node", "--input-type=module", "--check"]
            if module
            else ["node", "--check", str(tmp_path / "x.js")]
        )
        if not module:
            (tmp_path / "x.js").write_text(text, encoding="utf-8")
        run = subprocess.run(args, input=text if module else None, capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, run.stderr

    for name in ["core.js", *(f"{c}.js" for c in COMPONENTS)]:
        check(source(name), module=True)
    check(source("host.js"), module=False)
    check(classic_bundle(), module=False)
    for name in COMPONENTS:
        check(component_esm(name), module=True)
