"""The linking of the browser modules (web/_bundle.py), and the rules on our sources it relies on.

ESLint and ``tsc`` check the sources themselves (``make lint``: no eval, no network, no inline
styles or handlers, typed JSDoc); these tests check what the link needs, and that every linked
script parses.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from tests import node

from curriculum.site._assets import SITE_MODULES, resource, site_script
from curriculum.web import (
    SHARED,
    STATIC_HOST,
    classic_bundle,
    classic_script,
    component_esm,
    component_modules,
    live_esm,
    sources,
    stylesheet,
)
from curriculum.web._bundle import _parse, link

KINDS = list(component_modules())


def code_only(text: str) -> str:
    """The text without comments (rough, good enough for our own files)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"(?m)^\s*//.*$", "", text)


@pytest.mark.parametrize("kind", KINDS)
def test_component_shape(kind):
    name = component_modules()[kind].stem
    text = sources()[f"{name}.js"]
    last = text.rstrip()
    start = last.rfind("\nexport default {")
    assert start > 0 and last.endswith("};"), "export default { ... }; is the last statement"
    assert re.search(r"^  render\(\{ model, el \}\) \{", last[start:], re.MULTILINE)
    assert re.search(r"^  status[:,]", last[start:], re.MULTILINE), "the static host calls status"
    imported = {m for m, _ in _parse(name, text).imports}
    assert imported <= set(SHARED), "a component imports the shared modules only"


def test_every_module_links():
    for kind in KINDS:
        assert component_esm(kind) and live_esm(kind)
    assert classic_bundle() and site_script()
    with pytest.raises(ValueError, match="unknown component 'nope'; components are quiz, vignette"):
        live_esm("nope")


def test_the_classic_bundle_registers_every_kind_once():
    bundle = classic_bundle()
    table = bundle[bundle.index("const COMPONENTS = {") :]
    assert re.findall(r'^  "([a-z_]+)": \(function \(\) \{$', table, re.MULTILINE) == KINDS
    assert bundle.count("startHost(COMPONENTS, KINDS);") == 1
    assert not re.search(r"^\s*(import|export)\b", bundle, re.MULTILINE)


def test_the_live_module_wraps_the_component_once():
    for kind in KINDS:
        text = live_esm(kind)
        assert text.count("const component = {") == 1
        assert len(re.findall(r"^export\b", text, re.MULTILINE)) == 1
        assert text.rstrip().endswith("};") and "export default {" in text[text.index("// ---- live.js") :]
        assert not re.search(r"^\s*import\b", text, re.MULTILINE), "a single module: nothing to import"


def test_a_component_gets_only_the_shared_modules_it_imports():
    vignette = component_esm("vignette")
    assert "// ---- dom.js" in vignette and "// ---- random.js" not in vignette
    assert "// ---- random.js" in component_esm("quiz")


def _module(name: str, text: str):
    return _parse(name, text)


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ({"a": 'import { x } from "./b.js";\n'}, "a.js imports from b.js, which is not linked before it"),
        (
            {"b": "export const y = 1;\n", "a": 'import { x } from "./b.js";\n'},
            "a.js imports x, which b.js does not export",
        ),
        (
            {"b": "export function f() {}\n", "a": "function f() {}\n"},
            "a.js and b.js both declare 'f' at top level",
        ),
    ],
)
def test_bad_links_are_refused_with_the_reason(texts, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        link([_module(name, text) for name, text in texts.items()])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('import x from "./b.js";\n', 'import only with `import { ... } from "./module.js";` statements'),
        ('import { x } from "b";\n', "import only with"),
        ("export let x = 1;\n", "export only top-level `export function` and `export const`"),
        ("export { x };\nconst x = 1;\n", "export only top-level"),
        ("export default {\n};\nconst x = 1;\n", "must be the only default export, and last"),
        ("function f() {}\nfunction f() {}\n", "a top-level name is declared twice"),
    ],
)
def test_bad_modules_are_refused_with_the_reason(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        _parse("bad", text)


def test_a_frame_needs_one_slot(tmp_path: Path):
    (tmp_path / "a.js").write_text("export const a = 1;\n", encoding="utf-8")
    (tmp_path / "frame.js").write_text("(function () {\n  a;\n})();\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape("frame.js must have exactly one `// @modules` line")):
        classic_script(tmp_path, ["a"], "frame")
    (tmp_path / "framed.js").write_text("(function () {\n  // @modules\n  a;\n})();\n", encoding="utf-8")
    assert (
        classic_script(tmp_path, ["a"], "framed")
        == "(function () {\n// ---- a.js\nconst a = 1;\n  a;\n})();\n"
    )


def test_innerhtml_only_in_htmlblock():
    for name, text in sources().items():
        code = code_only(text)
        if name != "dom.js":
            assert "innerHTML" not in code, f"{name}: insert HTML through dom.js's htmlBlock only"
        if name != "base.js":
            assert "console." not in code, f"{name}: log through base.js's log ([curriculum] prefix)"
    code = code_only(sources()["dom.js"])
    assert code.count("innerHTML") == 1
    block = code[code.index("export function htmlBlock") :]
    assert "innerHTML" in block[: block.index("\n}\n")]
    assert code_only(sources()["base.js"]).count("console.") == 3  # the three levels of log()


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


def test_node_parses_every_file(tmp_path):
    def check(text: str, module: bool) -> None:
        script = tmp_path / ("x.mjs" if module else "x.cjs")
        script.write_text(text, encoding="utf-8")
        run = subprocess.run(
            [node.node(), "--check", str(script)], capture_output=True, text=True, timeout=30
        )
        assert run.returncode == 0, run.stderr

    for name, text in sources().items():
        check(text, module=name not in {"static.js"})
    for name in SITE_MODULES:
        check(resource(f"{name}.js").read_text(encoding="utf-8"), module=True)
    check(classic_bundle(), module=False)
    check(site_script(), module=False)
    for kind in KINDS:
        check(component_esm(kind), module=True)
        check(live_esm(kind), module=True)


def test_the_host_modules_come_after_the_shared_ones():
    assert not set(STATIC_HOST) & set(SHARED)
    for name in STATIC_HOST:
        imported = {m for m, _ in _parse(name, sources()[f"{name}.js"]).imports}
        assert imported <= set(SHARED) | set(STATIC_HOST[: STATIC_HOST.index(name)])


def test_no_development_file_in_the_package():
    """The wheel ships src/curriculum: the Node tools, their configuration and the JS tests stay outside."""
    package = Path(__file__).resolve().parents[2] / "src" / "curriculum"
    shipped = [p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()]
    dev = [
        p
        for p in shipped
        if "node_modules" in p
        or p.endswith((".d.ts", ".test.js", "package.json", ".npmrc", "tsconfig.json", "eslint.config.js"))
    ]
    assert shipped and not dev


def test_jsdoc_blocks_stay_out_of_what_ships_and_casts_stay_in(tmp_path: Path):
    (tmp_path / "a.js").write_text(
        "/**\n * Twice.\n * @param {number} x\n */\nexport function twice(x) {\n"
        "  /** @type {number} */\n  const y = /** @type {number} */ (x);\n  // a line comment stays\n"
        "  return 2 * y; /** trailing */\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "frame.js").write_text("// @modules\n", encoding="utf-8")
    assert classic_script(tmp_path, ["a"], "frame") == (
        "// ---- a.js\nfunction twice(x) {\n  const y = /** @type {number} */ (x);\n"
        "  // a line comment stays\n  return 2 * y; /** trailing */\n}\n"
    )
    assert "@typedef" not in classic_bundle() and "@typedef" in sources()["view.js"]


def test_the_bundle_is_linked_once_and_again_when_a_module_it_may_hold_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linking parses every module: the memo keeps the bundle by the text of each, the components' too."""
    from curriculum import _memo
    from curriculum.web import _bundle

    (tmp_path / "_quarto.yml").write_text("project: {}\n")
    quiz = tmp_path / "quiz.js"  # a component's module outside the package, as a plugin's
    quiz.write_text(_bundle.component_modules()["quiz"].read_text())
    modules = {**_bundle.component_modules(), "quiz": quiz}
    monkeypatch.setattr(_bundle, "component_modules", lambda: modules)
    linked: list[str] = []
    link_all = _bundle._linked
    monkeypatch.setattr(_bundle, "_linked", lambda *args: linked.append("linked") or link_all(*args))

    def bundle() -> str:
        _bundle.forget()
        _memo._stores.clear()  # as a new process
        with _memo.memo_session(tmp_path):
            return classic_bundle()

    first = bundle()
    assert bundle() == first and linked == ["linked"], "the second build takes it from the memo"
    quiz.write_text("// a component's module edited\n" + quiz.read_text())
    assert "a component's module edited" in bundle() and len(linked) == 2
    _bundle.forget()
    _bundle.component_esm("quiz")  # the module's text, read for a widget before the edit
    quiz.write_text("// edited again\n" + quiz.read_text())
    _memo._stores.clear()
    with _memo.memo_session(tmp_path):
        stale = classic_bundle()  # this process links the text it read: kept by that text's key
    assert "edited again" not in stale
    assert "edited again" in bundle(), "a new process links the file as it is now"
