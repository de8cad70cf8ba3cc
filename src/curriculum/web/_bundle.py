"""Link the browser modules for each host, without a bundler.

The browser code is a set of ES modules (``docs/components.md``, "Modules"),
checked by ESLint and ``tsc`` and unit-tested by ``node --test`` as they are.
No browser loads them one by one: anywidget takes one module text, and
browsers refuse module imports from ``file://`` pages. So they are joined
here, from ordered lists, by text rules that :func:`link` enforces on every
module it reads:

- a module imports only with ``import { a, b } from "./name.js";`` statements,
  from modules that come earlier in the same link; every name it imports is
  one the other module exports;
- it exports only top-level ``export function`` and ``export const``; a
  component module also has one ``export default { ... };``, its last
  statement;
- nothing at the top level of two modules joined into one scope has the same
  name (a second ``function`` of the same name would silently win).

Linking drops the import statements and the ``export`` keywords, so the
modules share one scope, and the JSDoc blocks (types for ``tsc`` and for
readers of the sources; the line comments stay). For anywidget (:func:`live_esm`): the shared modules
a component needs, the component with its default export bound to
``component``, then ``live.js``, whose default export is the module's. For
the site (:func:`classic_bundle`): the frame in ``static.js`` around the
shared modules, every component in a function scope of its own (its default
export returned into the ``COMPONENTS`` table, one entry per kind), and the
static host's modules. The site's own script is linked the same way
(:func:`classic_script`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from curriculum._memo import Memo, text_value

__all__ = [
    "SHARED",
    "STATIC_HOST",
    "classic_bundle",
    "classic_script",
    "component_esm",
    "component_kinds",
    "component_modules",
    "link",
    "live_esm",
    "sources",
    "stylesheet",
]

SHARED = ("base", "dom", "view", "random", "scoring", "format", "files")
"""The modules the components and the hosts share, in link order (each imports only earlier ones)."""

STATIC_HOST = ("store", "shim", "mastery", "dashboard", "panel", "mount")
"""The static host's modules, in link order, after the shared modules and the components."""

_FRAME_SLOT = re.compile(r"^[ \t]*// @modules[ \t]*\n", re.MULTILINE)
_GLOBALS = re.compile(r"^/\* global [^*]*\*/[ \t]*\n+", re.MULTILINE)
_IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"\./([a-z][a-z0-9-]*)\.js";[ \t]*\n?', re.MULTILINE)
_ANY_IMPORT = re.compile(r"^[ \t]*import\b", re.MULTILINE)  # [ \t], not \s: linear on blank lines
_EXPORT = re.compile(r"^export\s+(?=(?:async\s+)?function\b|const\b)", re.MULTILINE)
_ANY_EXPORT = re.compile(r"^export\b(?!\s+default\b)", re.MULTILINE)
_EXPORTED = re.compile(r"^export\s+(?:async\s+)?(?:function\*?\s+|const\s+)([A-Za-z_$][\w$]*)", re.MULTILINE)
_DEFAULT = re.compile(r"^export\s+default\s+", re.MULTILINE)
_JSDOC = re.compile(r"^[ \t]*/\*\*(?:[^*]|\*(?!/))*\*/[ \t]*\n", re.MULTILINE)
"""A JSDoc block on lines of its own: types for tsc and readers of the sources, left out of what ships."""
_TOP_LEVEL = re.compile(
    r"^(?:export\s+)?(?:(?:async\s+)?function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)", re.MULTILINE
)


def component_modules() -> dict[str, Path]:
    """Return the ES module of each component kind, in registry order.

    Returns
    -------
    dict[str, Path]
        Kind to its module file (:attr:`curriculum.components.ComponentSpec.module`).
    """
    from curriculum.components import COMPONENTS  # the kinds are registered above this layer

    return {kind: spec.module for kind, spec in COMPONENTS.items()}


_SCHEMA_KEYWORDS = frozenset({"type", "required", "properties", "items", "additionalProperties"})
"""The JSON Schema keywords the static host's ``matches`` (store.js) implements."""


def component_kinds() -> dict[str, dict[str, Any]]:
    """Return what the static host needs of each component kind, in registry order.

    Returns
    -------
    dict[str, dict[str, Any]]
        Kind to its ``noun`` (in messages), ``label`` (in the list of parts)
        and ``state`` (the JSON Schema of its saved state, which the static
        host checks stored and imported records against).

    Raises
    ------
    ValueError
        If a state schema uses a keyword the static host does not implement.
    """
    from curriculum.components import COMPONENTS  # the kinds are registered above this layer

    def check(kind: str, schema: Any) -> None:
        if isinstance(schema, bool):
            return
        unknown = sorted(set(schema) - _SCHEMA_KEYWORDS)
        if unknown:
            raise ValueError(
                f"the state schema of {kind!r} uses {', '.join(unknown)}; the static host checks "
                f"states with {', '.join(sorted(_SCHEMA_KEYWORDS))} only (web/store.js: matches)"
            )
        for sub in [*schema.get("properties", {}).values(), schema.get("items", True)]:
            check(kind, sub)
        check(kind, schema.get("additionalProperties", True))

    kinds = {}
    for kind, spec in COMPONENTS.items():
        check(kind, spec.state)
        kinds[kind] = {"noun": spec.noun, "label": spec.label, "state": spec.state}
    return kinds


@dataclass(frozen=True)
class Module:
    """One source module, read and checked for linking.

    Attributes
    ----------
    name : str
        Its file name without ``.js``.
    imports : tuple[tuple[str, tuple[str, ...]], ...]
        Each imported module with the names taken from it.
    exports : frozenset[str]
        The names it exports (``export function`` / ``export const``).
    declared : frozenset[str]
        Every name declared at its top level.
    body : str
        Its text without the import statements and the ``export`` keywords of
        named exports (a default export is left to the link).
    has_default : bool
        Whether it ends with ``export default { ... };``.
    """

    name: str
    imports: tuple[tuple[str, tuple[str, ...]], ...]
    exports: frozenset[str]
    declared: frozenset[str]
    body: str
    has_default: bool


def _parse(name: str, text: str) -> Module:
    imports = tuple(
        (m[2], tuple(n.strip() for n in m[1].split(",") if n.strip())) for m in _IMPORT.finditer(text)
    )
    body = _IMPORT.sub("", text)
    if _ANY_IMPORT.search(body):
        raise ValueError(f'{name}.js: import only with `import {{ ... }} from "./module.js";` statements')
    exports = frozenset(_EXPORTED.findall(body))
    if len(_ANY_EXPORT.findall(body)) != len(exports):  # every named export well formed, none twice
        raise ValueError(f"{name}.js: export only top-level `export function` and `export const`")
    defaults = len(_DEFAULT.findall(body))
    if defaults > 1 or (defaults and not re.search(r"\nexport default \{\n(?:.*\n)*\};\s*$", body)):
        raise ValueError(f"{name}.js: `export default {{ ... }};` must be the only default export, and last")
    declared = _TOP_LEVEL.findall(body)
    if len(set(declared)) != len(declared):
        raise ValueError(f"{name}.js: a top-level name is declared twice")
    return Module(name, imports, exports, frozenset(declared), _EXPORT.sub("", body), bool(defaults))


WEB = Path(str(resources.files("curriculum.web")))
"""The folder of the browser modules."""


@functools.cache
def _text(folder: Path, name: str) -> str:
    return (folder / f"{name}.js").read_text(encoding="utf-8")


@functools.cache
def _module(folder: Path, name: str) -> Module:
    return _parse(name, _text(folder, name))


def link(modules: Sequence[Module]) -> list[Module]:
    """Check that ``modules``, in this order, can share one scope, and return them.

    Parameters
    ----------
    modules : Sequence[Module]
        The modules to join, each after the modules it imports from.

    Returns
    -------
    list[Module]
        The same modules.

    Raises
    ------
    ValueError
        If a module imports from a module that does not come before it, a
        name that module does not export, or declares a top-level name that
        an earlier module declares too.
    """
    seen: dict[str, Module] = {}
    owner: dict[str, str] = {}
    for module in modules:
        for source, names in module.imports:
            if source not in seen:
                raise ValueError(f"{module.name}.js imports from {source}.js, which is not linked before it")
            missing = [n for n in names if n not in seen[source].exports]
            if missing:
                listed = ", ".join(missing)
                raise ValueError(f"{module.name}.js imports {listed}, which {source}.js does not export")
        for declared in sorted(module.declared):
            if declared in owner:
                other = owner[declared]
                raise ValueError(f"{module.name}.js and {other}.js both declare {declared!r} at top level")
            owner[declared] = module.name
        seen[module.name] = module
    return list(modules)


def _needs(modules: Iterable[Module]) -> list[Module]:
    """Return the shared modules that ``modules`` import, directly or not, in link order."""
    wanted: set[str] = set()
    todo = [imported for module in modules for imported, _ in module.imports]
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo += [imported for imported, _ in _module(WEB, name).imports]
    return [_module(WEB, name) for name in SHARED if name in wanted]


def _section(module: Module, body: str | None = None) -> str:
    text = _JSDOC.sub("", module.body if body is None else body)
    return f"// ---- {module.name}.js\n{text.strip()}\n"


def _frame(frame: str, name: str, parts: Sequence[str]) -> str:
    """Put ``parts`` where the frame's ``// @modules`` line stands."""
    text = _GLOBALS.sub("", frame)
    filled, count = _FRAME_SLOT.subn(lambda _: "\n".join(parts), text)
    if count != 1:
        raise ValueError(f"{name}.js must have exactly one `// @modules` line")
    return filled


def sources() -> dict[str, str]:
    """Return the text of every browser module in this package, by file name.

    Returns
    -------
    dict[str, str]
        ``<name>.js`` to its text: the shared modules, the components, the
        static host's modules and the two hosts' frames (``static.js``,
        ``live.js``).
    """
    files = [
        *(WEB / f"{name}.js" for name in SHARED),
        *component_modules().values(),
        *(WEB / f"{name}.js" for name in (*STATIC_HOST, "static", "live")),
    ]
    return {path.name: _text(path.parent, path.stem) for path in files}


def _component(kind: str) -> Module:
    modules = component_modules()
    if kind not in modules:
        raise ValueError(f"unknown component {kind!r}; components are {', '.join(modules)}")
    module = _module(modules[kind].parent, modules[kind].stem)
    if not module.has_default:
        raise ValueError(f"{module.name}.js must end with `export default {{ ... }};`")
    return module


def component_esm(kind: str) -> str:
    """Return a component's module, linked with the shared modules it needs (no host glue).

    Parameters
    ----------
    kind : str
        A component kind (see :func:`component_modules`).

    Returns
    -------
    str
        The shared modules, then the component, whose ``export default`` is
        the module's.
    """
    component = _component(kind)
    linked = link([*_needs([component]), component])
    return "\n".join(_section(m) for m in linked)


def live_esm(kind: str) -> str:
    """Return the ES module anywidget loads in JupyterLab for a component.

    Parameters
    ----------
    kind : str
        A component kind (see :func:`component_modules`).

    Returns
    -------
    str
        The shared modules, the component with its default export bound to
        ``component``, then ``live.js`` (which keeps the learner's keys inside
        the component), whose default export is the module's.
    """
    component, live = _component(kind), _module(WEB, "live")
    linked = link([*_needs([component, live]), component, live])
    parts = [_section(m) for m in linked[:-2]]
    parts.append(_section(component, _DEFAULT.sub("const component = ", component.body)))
    parts.append(_section(live, _GLOBALS.sub("", live.body)))
    return "\n".join(parts)


def forget() -> None:
    """Forget the sources read so far (a source changed: the next link reads them again)."""
    _text.cache_clear()
    _module.cache_clear()
    _classic_bundle.cache_clear()


def classic_bundle() -> str:
    """Return ``curriculum.js``: every component and the static host in one classic script.

    Returns
    -------
    str
        A script that mounts every ``.cur-widget`` and ``.cur-progress`` on the
        page and sets ``window.Curriculum`` (``mountAll``, ``exportProgress``,
        ``importProgress``).
    """
    kinds = component_kinds()
    return _classic_bundle(json.dumps(kinds), tuple(component_modules().items()))


@functools.cache
def _classic_bundle(kinds: str, modules: tuple[tuple[str, Path], ...]) -> str:
    """Return the bundle, from the memo while every module it may hold is as it was.

    Linking parses every module (a tenth of a one-quiz rebuild's time, at
    every build): the memo keeps the result by the kinds and the text of each
    module, ours and the components' (which may live outside the package).
    """
    files = sorted({*WEB.glob("*.js"), *(path for _, path in modules)}, key=str)
    # each text as the link reads it (:func:`_text`: once a process, until :func:`forget`)
    texts = [
        [str(path), hashlib.sha256(_text(path.parent, path.stem).encode()).hexdigest()] for path in files
    ]
    sources = json.dumps([kinds, [[kind, str(path)] for kind, path in modules], texts])
    return _BUNDLES.get(sources, lambda: _linked(kinds, modules))


_BUNDLES = Memo[str]("web.classic-bundle", 1, str, text_value)
"""``curriculum.js`` (:func:`classic_bundle`), by the kinds and the text of every module it may hold."""


def _linked(kinds: str, modules: tuple[tuple[str, Path], ...]) -> str:
    """Link the component modules and the static host into one classic script (see :func:`classic_bundle`)."""
    components = {kind: _component(kind) for kind, _ in modules}
    host = [_module(WEB, name) for name in STATIC_HOST]
    shared = _needs([*components.values(), *host])
    for module in components.values():
        link([*shared, module])
    link([*shared, *host])
    table = [
        "// ---- the component kinds (curriculum.components), and their modules",
        f"const KINDS = {kinds};",
        "const COMPONENTS = {",
    ]
    for kind, module in components.items():
        body = _JSDOC.sub("", _DEFAULT.sub("return ", module.body)).strip()
        table.append(f"  {json.dumps(kind)}: (function () {{\n// ---- {module.name}.js\n{body}\n}})(),")
    table.append("};\n")
    parts = [*(_section(m) for m in shared), "\n".join(table), *(_section(m) for m in host)]
    return _frame(_text(WEB, "static"), "static", parts)


def classic_script(folder: Path, names: Sequence[str], frame: str) -> str:
    """Return a classic script: the modules ``names`` of ``folder``, linked inside a frame.

    Parameters
    ----------
    folder : Path
        Where the modules are (``<name>.js``).
    names : Sequence[str]
        The modules, in link order.
    frame : str
        The frame's module name in ``folder``: a script with one ``// @modules``
        line, where the modules go.

    Returns
    -------
    str
        The script.
    """
    modules = link([_module(folder, name) for name in names])
    return _frame(_text(folder, frame), frame, [_section(m) for m in modules])


@functools.cache
def stylesheet() -> str:
    """Return ``curriculum.css``, shared by both hosts."""
    return (WEB / "curriculum.css").read_text(encoding="utf-8")
