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
modules share one scope. For anywidget (:func:`live_esm`): the shared modules
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
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = [
    "SHARED",
    "STATIC_HOST",
    "classic_bundle",
    "classic_script",
    "component_esm",
    "component_modules",
    "link",
    "live_esm",
    "sources",
    "stylesheet",
]

SHARED = ("base", "dom", "view", "random", "scoring", "format", "files")
"""The modules the components and the hosts share, in link order (each imports only earlier ones)."""

STATIC_HOST = ("store", "shim", "panel", "mount")
"""The static host's modules, in link order, after the shared modules and the components."""

_FRAME_SLOT = re.compile(r"^[ \t]*// @modules[ \t]*\n", re.MULTILINE)
_GLOBALS = re.compile(r"^/\* global [^*]*\*/[ \t]*\n+", re.MULTILINE)
_IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"\./([a-z][a-z0-9-]*)\.js";[ \t]*\n?', re.MULTILINE)
_ANY_IMPORT = re.compile(r"^\s*import\b", re.MULTILINE)
_EXPORT = re.compile(r"^export\s+(?=(?:async\s+)?function\b|const\b)", re.MULTILINE)
_ANY_EXPORT = re.compile(r"^export\b(?!\s+default\b)", re.MULTILINE)
_EXPORTED = re.compile(r"^export\s+(?:async\s+)?(?:function\*?\s+|const\s+)([A-Za-z_$][\w$]*)", re.MULTILINE)
_DEFAULT = re.compile(r"^export\s+default\s+", re.MULTILINE)
_TOP_LEVEL = re.compile(
    r"^(?:export\s+)?(?:(?:async\s+)?function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)", re.MULTILINE
)


def component_modules() -> dict[str, str]:
    """Return the JS module of each component kind, in the order the kinds are listed.

    Returns
    -------
    dict[str, str]
        Kind to module name in this package (``quiz`` to ``quiz``, for ``quiz.js``).
    """
    return {kind: kind for kind in ("quiz", "vignette", "spotter", "worksheet")}


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
    if len(exports) != len(_EXPORT.findall(body)) or len(_ANY_EXPORT.findall(body)) != len(exports):
        raise ValueError(f"{name}.js: export only top-level `export function` and `export const`")
    defaults = len(_DEFAULT.findall(body))
    if defaults > 1 or (defaults and not re.search(r"\nexport default \{\n(?:.*\n)*\};\s*$", body)):
        raise ValueError(f"{name}.js: `export default {{ ... }};` must be the only default export, and last")
    declared = _TOP_LEVEL.findall(body)
    if len(set(declared)) != len(declared):
        raise ValueError(f"{name}.js: a top-level name is declared twice")
    return Module(name, imports, exports, frozenset(declared), _EXPORT.sub("", body), bool(defaults))


_WEB = Path(str(resources.files("curriculum.web")))


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


def _needs(names: Iterable[str]) -> list[Module]:
    """Return the shared modules that ``names`` import, directly or not, in link order."""
    wanted: set[str] = set()
    todo = [imported for name in names for imported, _ in _module(_WEB, name).imports]
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo += [imported for imported, _ in _module(_WEB, name).imports]
    return [_module(_WEB, name) for name in SHARED if name in wanted]


def _section(module: Module, body: str | None = None) -> str:
    return f"// ---- {module.name}.js\n{(module.body if body is None else body).strip()}\n"


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
    names = [*SHARED, *component_modules().values(), *STATIC_HOST, "static", "live"]
    return {f"{name}.js": _text(_WEB, name) for name in names}


@functools.cache
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
    modules = component_modules()
    if kind not in modules:
        raise ValueError(f"unknown component {kind!r}; components are {', '.join(modules)}")
    component = _module(_WEB, modules[kind])
    linked = link([*_needs([component.name]), component])
    return "\n".join(_section(m) for m in linked)


@functools.cache
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
    modules = component_modules()
    if kind not in modules:
        raise ValueError(f"unknown component {kind!r}; components are {', '.join(modules)}")
    component, live = _module(_WEB, modules[kind]), _module(_WEB, "live")
    if not component.has_default:
        raise ValueError(f"{component.name}.js must end with `export default {{ ... }};`")
    linked = link([*_needs([component.name, live.name]), component, live])
    parts = [_section(m) for m in linked[:-2]]
    parts.append(_section(component, _DEFAULT.sub("const component = ", component.body)))
    parts.append(_section(live, _GLOBALS.sub("", live.body)))
    return "\n".join(parts)


@functools.cache
def classic_bundle() -> str:
    """Return ``curriculum.js``: every component and the static host in one classic script.

    Returns
    -------
    str
        A script that mounts every ``.cur-widget`` and ``.cur-progress`` on the
        page and sets ``window.Curriculum`` (``mountAll``, ``exportProgress``,
        ``importProgress``).
    """
    components = {kind: _module(_WEB, name) for kind, name in component_modules().items()}
    host = [_module(_WEB, name) for name in STATIC_HOST]
    shared = _needs([*(m.name for m in components.values()), *(m.name for m in host)])
    for module in components.values():
        if not module.has_default:
            raise ValueError(f"{module.name}.js must end with `export default {{ ... }};`")
        link([*shared, module])
    link([*shared, *host])
    table = ["const COMPONENTS = {"]
    for kind, module in components.items():
        body = _DEFAULT.sub("return ", module.body).strip()
        table.append(f"  {json.dumps(kind)}: (function () {{\n// ---- {module.name}.js\n{body}\n}})(),")
    table.append("};\n")
    parts = [*(_section(m) for m in shared), "\n".join(table), *(_section(m) for m in host)]
    return _frame(_text(_WEB, "static"), "static", parts)


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
    return (_WEB / "curriculum.css").read_text(encoding="utf-8")
