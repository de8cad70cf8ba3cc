"""What a lesson's code cells show: the component calls, found by parsing the code.

A code cell such as ``curriculum.quiz("00-orientation")`` names content by
id. The check resolves every id before anything runs, and the build's
notebook cache uses the same calls to know which content files a notebook
depends on. Both read the calls here, from Python's own parser (:mod:`ast`),
so aliases (``import curriculum as c``, ``from curriculum import quiz``),
keyword arguments and calls inside expressions are all found, and text that
only looks like a call (in a string or a comment) is not.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

__all__ = ["Call", "CellCode", "parse_cells", "signatures"]


def signatures() -> dict[str, tuple[str, ...]]:
    """Return the functions of ``curriculum`` that show content, and the names of their id parameters.

    They are the registered component kinds (:mod:`curriculum.components`, read when
    cells are parsed, so a kind registered later counts) and ``overview``.
    """
    from curriculum.components import COMPONENTS  # above this layer: it names content formats

    functions = {kind: tuple(p.name for p in spec.params) for kind, spec in COMPONENTS.items()}
    return {**functions, "overview": ("lesson_id",)}


@dataclass(frozen=True)
class Call:
    """One call of a component function in a code cell.

    Attributes
    ----------
    function : str
        A component kind (``quiz``, ``worksheet``...) or ``overview``.
    args : tuple[str | None, ...]
        The id arguments in parameter order: the literal text, or None when the
        argument is computed (or, for an optional one, not given).
    dynamic : bool
        True when an id argument is an expression, not a literal string, so the
        content it names is known only when the cell runs.
    line, col : int
        1-based position of the call in the cell's source.
    """

    function: str
    args: tuple[str | None, ...]
    dynamic: bool
    line: int
    col: int


@dataclass(frozen=True)
class CellCode:
    """A parsed code cell.

    Attributes
    ----------
    calls : tuple[Call, ...]
        Every component call, in source order.
    error : SyntaxError | None
        Why the cell is not valid Python, or None.
    """

    calls: tuple[Call, ...]
    error: SyntaxError | None = None


def parse_cells(sources: list[str]) -> list[CellCode]:
    """Parse a notebook's code cells, in order, and return each one's component calls.

    The cells share one namespace, as in the kernel: ``import curriculum as c``
    in one cell makes ``c.quiz("x")`` a call in the cells after it. The name
    ``curriculum`` itself always counts, imported or not (without the import
    the cell fails when it runs, and the build says so at that cell).
    IPython syntax (``%magic``, ``!shell``) is turned into Python first, as
    the kernel does, so only real syntax errors are reported.

    Parameters
    ----------
    sources : list[str]
        The code of each code cell.

    Returns
    -------
    list[CellCode]
        For each cell, its calls or its syntax error.
    """
    finder = _Finder(signatures())
    return [finder.cell(source) for source in sources]


def _ipython_to_python(source: str) -> str:
    lines = source.splitlines()
    if not any(line.lstrip().startswith(("%", "!", "?")) or line.rstrip().endswith("?") for line in lines):
        return source
    from IPython.core.inputtransformer2 import TransformerManager

    return str(TransformerManager().transform_cell(source))  # type: ignore[no-untyped-call]


class _Finder:
    """The names bound to the package or its component functions so far, and the calls through them."""

    def __init__(self, signatures: dict[str, tuple[str, ...]]) -> None:
        self.signatures = signatures
        self.modules: set[str] = {"curriculum"}
        self.functions: dict[str, str] = {}

    def cell(self, source: str) -> CellCode:
        try:
            tree = ast.parse(source)
        except SyntaxError as first:
            try:
                tree = ast.parse(_ipython_to_python(source))
            except SyntaxError:
                return CellCode((), first)
        except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes; absurd nesting
            return CellCode((), SyntaxError(str(exc) or type(exc).__name__, ("<cell>", 1, 1, "")))
        nodes = list(ast.walk(tree))  # iterative: no recursion, whatever the nesting
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "curriculum":
                        self.modules.add(alias.asname or "curriculum")
            elif isinstance(node, ast.ImportFrom) and node.module == "curriculum" and node.level == 0:
                for alias in node.names:
                    if alias.name in self.signatures:
                        self.functions[alias.asname or alias.name] = alias.name
        calls = []
        for node in nodes:
            if isinstance(node, ast.Call):
                function = self._function(node.func)
                if function is not None:
                    calls.append(self._call(function, node))
        return CellCode(tuple(sorted(calls, key=lambda c: (c.line, c.col))))

    def _function(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in self.modules and func.attr in self.signatures:
                return func.attr
        elif isinstance(func, ast.Name):
            return self.functions.get(func.id)
        return None

    def _call(self, function: str, node: ast.Call) -> Call:
        names = self.signatures[function]
        given: dict[str, ast.expr] = dict(zip(names, node.args, strict=False))
        given.update({k.arg: k.value for k in node.keywords if k.arg in names})
        starred = any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        )
        args: list[str | None] = []
        dynamic = starred
        for name in names:
            value = given.get(name)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                args.append(value.value)
            else:
                args.append(None)
                dynamic = dynamic or value is not None
        if not given and not starred:
            dynamic = False  # a call without its id fails when it runs; nothing to look up
        return Call(function, tuple(args), dynamic, node.lineno, node.col_offset + 1)
