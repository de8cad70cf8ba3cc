"""YAML with line numbers: parse a content file into plain data and a location map.

PyYAML's composer already knows where every node starts; we keep that as a
:class:`LocMap` from key paths such as ``("items", 3, "answer")`` to 1-based
``(line, column)``, so any later problem (a schema error, a dangling
reference, a lint) can point at the exact place. Keys are always read as text
(so ``no:`` stays ``"no"``), duplicate keys and aliases are refused, and every
parser failure becomes a diagnostic rather than an exception.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from curriculum._memo import Memo
from curriculum.content._diagnostics import RULES, Diagnostic, Severity
from curriculum.content._source import E_EMPTY, Source

__all__ = ["Loc", "LocMap", "load_yaml", "locs_from_json", "locs_json", "parse_yaml"]

Loc = tuple[str | int, ...]
Pos = tuple[int, int]

MAX_DEPTH = 40
"""Deepest nesting accepted; real content needs fewer than ten levels."""

E_SYNTAX = RULES.add("CUR110", Severity.error, "The YAML cannot be parsed.")
E_DUPLICATE_KEY = RULES.add(
    "CUR111",
    Severity.error,
    "A key appears twice in one mapping.",
    "YAML keeps only the last value, so the first one would be silently lost.",
)
E_ALIAS = RULES.add(
    "CUR112",
    Severity.error,
    "YAML anchors and aliases are not supported.",
    "They hide content from reviewers and can expand without bound.",
)
E_DEPTH = RULES.add("CUR113", Severity.error, "The YAML is nested too deeply.")
E_DOCUMENTS = RULES.add("CUR114", Severity.error, "A content file holds one YAML document.")
E_KEY = RULES.add("CUR116", Severity.error, "A mapping key is not plain text.")

_QUOTE = (
    "text with a colon and a space, or a comma inside `{...}` or `[...]`, needs quotes, "
    'e.g. text: "Note: this"; or check the indentation of the line above'
)
_TABS = "YAML indentation must use spaces, not tabs"
_SYNTAX_HINTS = {
    # PyYAML's and libyaml's wordings of the common mistakes
    "mapping values are not allowed": _QUOTE,
    "did not find expected ',' or": _QUOTE,
    "expected ',' or": _QUOTE,
    "found character '\\t'": _TABS,
    "found a tab character": _TABS,
    "could not find expected ':'": "each line of a mapping needs `key: value`; a long text belongs "
    "in a block, e.g. `stem: |` with the text indented below",
    "did not find expected key": "check that the keys of this mapping are indented alike",
    "did not find expected '-' indicator": "items of a list start with `- ` at the same indentation",
    "found undefined alias": "aliases (*name) are not supported; write the value out",
    "found unexpected end of stream": "a quotation mark or bracket is not closed",
    "found unknown escape character": "inside double quotes a backslash starts an escape; use "
    "single quotes or a block (`|`) for text with backslashes",
    "cannot start any token": "a value that starts with ` @ % or similar characters must be quoted",
}


@dataclass(eq=False)
class LocMap:
    """Where each value and key of a parsed document starts.

    Attributes
    ----------
    values : dict[Loc, tuple[int, int]]
        1-based position of each value node, by key path.
    keys : dict[Loc, tuple[int, int]]
        1-based position of each mapping key, by the path of its value.
    plain : dict[Loc, str]
        The source text of plain (unquoted) scalars, to explain YAML's
        implicit typing (``no`` read as false, dates, numbers).
    block : dict[Loc, Pos]
        For block scalars (``|`` or ``>``), the 1-based line where the text starts
        and its indentation; used to point inside long texts.
    """

    values: dict[Loc, Pos] = field(default_factory=dict)
    keys: dict[Loc, Pos] = field(default_factory=dict)
    plain: dict[Loc, str] = field(default_factory=dict)
    block: dict[Loc, Pos] = field(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LocMap):
            return NotImplemented
        return (self.values, self.keys, self.plain, self.block) == (
            other.values,
            other.keys,
            other.plain,
            other.block,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq

    def inside(self, loc: Loc, offset: int, text: str) -> Pos:
        """Return the position of character ``offset`` of the text value at ``loc``.

        Exact for block scalars and one-line scalars; for other multi-line
        scalars, the start of the value.
        """
        before = text[:offset]
        line_index = before.count("\n")
        col_in_line = offset - (before.rfind("\n") + 1)
        if tuple(loc) in self.block:
            first_line, indent = self.block[tuple(loc)]
            return first_line + line_index, indent + col_in_line + 1
        line, col = self.value(loc)
        if line_index == 0 and tuple(loc) in self.values:
            quoted = 0 if tuple(loc) in self.plain else 1
            return line, col + quoted + col_in_line
        return line, col

    def value(self, loc: Loc) -> Pos:
        """Return the position of the value at ``loc``, or of its nearest known ancestor."""
        return self._nearest(self.values, loc)

    def key(self, loc: Loc) -> Pos:
        """Return the position of the key at ``loc``, else of the value or an ancestor."""
        return self.keys.get(tuple(loc)) or self.value(loc)

    @staticmethod
    def _nearest(table: dict[Loc, Pos], loc: Loc) -> Pos:
        loc = tuple(loc)
        while loc and loc not in table:
            loc = loc[:-1]
        return table.get(loc, (1, 1))

    def shifted(self, move: Callable[[Pos], Pos]) -> LocMap:
        """Return a copy with every position passed through ``move``.

        Used for YAML embedded in another file, such as a notebook's front matter.
        """
        return LocMap(
            {k: move(v) for k, v in self.values.items()},
            {k: move(v) for k, v in self.keys.items()},
            dict(self.plain),
            {k: move(v) for k, v in self.block.items()},
        )


_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it (about ten times faster), else the pure-Python one."""
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def load_yaml(text: str) -> Any:
    """Parse YAML as ``yaml.safe_load`` does, with libyaml's parser where PyYAML has it.

    For the project's own small files read on every page (``_quarto.yml``, a
    page's front matter), where no location is needed; content files go
    through :func:`parse_yaml`, which locates every value.

    Raises
    ------
    yaml.YAMLError
        The text is not YAML.
    """
    return yaml.load(text, Loader=_Loader)


def _as_mark(mark: Any) -> yaml.Mark:
    """Libyaml's marks are another class with the same ``line`` and ``column``."""
    return yaml.Mark("", 0, mark.line, mark.column, "", 0)


def _too_deep(text: str) -> yaml.Mark | None:
    """Return where the nesting first exceeds :data:`MAX_DEPTH`, reading events only.

    libyaml composes nodes recursively in C, so a document nested tens of
    thousands deep would crash the interpreter; the event stream is flat.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                return _as_mark(event.start_mark)
        elif isinstance(event, _CLOSE):
            depth -= 1
    return None


def _pos(mark: yaml.Mark) -> Pos:
    return mark.line + 1, mark.column + 1


class _Walker:
    """Turns a composed node tree into plain data, recording locations."""

    def __init__(self, loader: Any, display: str, text: str) -> None:
        self.loader = loader
        self.display = display
        self.locs = LocMap()
        self.diagnostics: list[Diagnostic] = []
        self.lines = text.split("\n")
        self.seen: set[int] = set()

    def walk(self, node: yaml.Node, loc: Loc, depth: int = 0) -> Any:
        if id(node) in self.seen:  # the composer shares one node between an anchor and its aliases
            self.diagnostics.append(
                E_ALIAS.at(
                    self.display,
                    self.locs.keys.get(loc) or _pos(node.start_mark),
                    "YAML aliases (`*name`) are not supported",
                    "write the value out in full",
                )
            )
            return None
        self.seen.add(id(node))
        self.locs.values[loc] = _pos(node.start_mark)
        if depth > MAX_DEPTH:
            self.diagnostics.append(
                E_DEPTH.at(
                    self.display,
                    _pos(node.start_mark),
                    f"the YAML is nested more than {MAX_DEPTH} levels deep",
                    "content needs only a few levels; check the indentation",
                )
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(child, (*loc, i), depth + 1) for i, child in enumerate(node.value)]
        style = getattr(node, "style", None) or None  # libyaml says "" for plain scalars
        if style is None:
            self.locs.plain[loc] = node.value
        elif style in "|>" and node.end_mark.line > node.start_mark.line:
            first = node.start_mark.line + 1
            lines = self.lines
            indent = 0
            while first < len(lines) and not lines[first].strip():
                first += 1
            if first < len(lines):
                indent = len(lines[first]) - len(lines[first].lstrip(" "))
            self.locs.block[loc] = (node.start_mark.line + 2, indent)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.diagnostics.append(
                E_SYNTAX.at(
                    self.display,
                    _pos(node.start_mark),
                    f"cannot read this value: {exc.problem}",
                    "remove the `!tag`; content files use plain YAML values",
                )
            )
            return None
        except (ValueError, OverflowError) as exc:  # a date or time that does not exist: 2026-13-01
            self.diagnostics.append(
                E_SYNTAX.at(
                    self.display,
                    _pos(node.start_mark),
                    f"`{node.value}` looks like a date or time but is not a real one ({exc})",
                    "write a date as YYYY-MM-DD with a real month and day, or quote the value if it is text",
                )
            )
            return None

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, Pos] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.append(
                    E_KEY.at(
                        self.display,
                        _pos(key_node.start_mark),
                        "this key is a list or mapping, not text",
                        "keys are plain words such as `stem`",
                    )
                )
                continue
            key = str(key_node.value)
            where = _pos(key_node.start_mark)
            if key in seen:
                self.diagnostics.append(
                    E_DUPLICATE_KEY.at(
                        self.display,
                        where,
                        f"the key `{key}` appears twice (first on line {seen[key][0]})",
                        "keep one of them; YAML would silently drop the first",
                    )
                )
                continue
            seen[key] = where
            self.locs.keys[(*loc, key)] = where
            result[key] = self.walk(value_node, (*loc, key), depth + 1)
        return result


_DATE = "\0date"
_DATETIME = "\0datetime"


class _NotJson(Exception):
    """A parsed value the memo cannot store as JSON (it is parsed again each time)."""


def _to_json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        if any(not isinstance(k, str) or k.startswith("\0") for k in value):
            raise _NotJson
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, datetime.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, datetime.date):
        return {_DATE: value.isoformat()}
    raise _NotJson  # a !!set, !!binary and the like: rare, and not worth a format


def _from_json(data: Any) -> Any:
    if isinstance(data, list):
        return [_from_json(v) for v in data]
    if isinstance(data, dict):
        if len(data) == 1 and _DATE in data:
            return datetime.date.fromisoformat(data[_DATE])
        if len(data) == 1 and _DATETIME in data:
            return datetime.datetime.fromisoformat(data[_DATETIME])
        return {k: _from_json(v) for k, v in data.items()}
    return data


def _encode_parsed(parsed: tuple[Any, LocMap | str] | None) -> Any:
    if parsed is None:
        return None
    data, locs = parsed
    if isinstance(locs, str):
        return {"data": _to_json(data), "locs": locs}
    try:
        return {"data": _to_json(data), "locs": locs_json(locs)}
    except _NotJson:
        return None


def locs_json(locs: LocMap) -> str:
    """Return the locations as JSON text, decoded only when one is asked for (see :class:`_StoredLocMap`)."""
    return json.dumps(
        [
            [[list(k), *v] for k, v in locs.values.items()],
            [[list(k), *v] for k, v in locs.keys.items()],
            [[list(k), v] for k, v in locs.plain.items()],
            [[list(k), *v] for k, v in locs.block.items()],
        ],
        separators=(",", ":"),
    )


def locs_from_json(text: str) -> LocMap:
    """Return the locations :func:`locs_json` wrote (raises ValueError, TypeError or KeyError if damaged)."""
    values, keys, plain, block = json.loads(text)
    return LocMap(
        {tuple(k): (int(a), int(b)) for k, a, b in values},
        {tuple(k): (int(a), int(b)) for k, a, b in keys},
        {tuple(k): str(v) for k, v in plain},
        {tuple(k): (int(a), int(b)) for k, a, b in block},
    )


def _decode_parsed(stored: Any) -> tuple[Any, LocMap | str]:
    if not isinstance(stored, dict) or not isinstance(stored["locs"], str):
        raise TypeError("not a parsed document")  # also a document the memo could not store
    return _from_json(stored["data"]), stored["locs"]


class _StoredLocMap(LocMap):
    """Locations read back from the memo, decoded the first time one is asked for.

    Most documents of a build are never asked where anything is (only a
    problem names a line), so their locations stay one string. A stored text
    that cannot be decoded gives the locations of the file parsed again.

    Parameters
    ----------
    stored : str
        The locations as :func:`locs_json` wrote them.
    source : Source
        The file, parsed again if ``stored`` is damaged.
    """

    def __init__(self, stored: str, source: Source) -> None:  # the fields are set on first use
        self._stored = stored
        self._source = source

    def __getattr__(self, name: str) -> Any:
        if name not in _LOC_FIELDS:
            raise AttributeError(name)
        try:
            locs = locs_from_json(self._stored)
        except (ValueError, TypeError, KeyError, IndexError, RecursionError):
            locs = _parse(self._source)[1]
        for field_name in _LOC_FIELDS:
            setattr(self, field_name, getattr(locs, field_name))
        return getattr(self, name)


_LOC_FIELDS = ("values", "keys", "plain", "block")

_PARSED = Memo[tuple[Any, LocMap | str] | None]("content.yaml", 2, _encode_parsed, _decode_parsed)
"""Each clean document's data and locations, across runs (a file with problems is parsed each time).

Not of a content file the content index records: its validated model and locations are kept in the
document memo instead (see :func:`parse_yaml`'s ``remember``)."""


def parse_yaml(source: Source, *, remember: bool = True) -> tuple[Any, LocMap, list[Diagnostic]]:
    """Parse one YAML document, keeping the position of every key and value.

    A document that parsed cleanly before is read back from the memo
    (:mod:`curriculum._memo`), data and locations alike.

    Parameters
    ----------
    source : Source
        The file's text.
    remember : bool
        Ask the memo (and store in it what is parsed). False for a caller
        that keeps what it makes of the document itself (the content index
        keeps a content file's validated model and locations by its text's
        digest): the text is parsed, and neither its data nor its locations
        made into JSON for the memo, which a later run would not ask.

    Returns
    -------
    tuple[Any, LocMap, list[Diagnostic]]
        The data (None if it could not be read), its locations, and the
        problems found while reading it. Never raises for bad input.
    """
    if not remember:
        return _parse(source)
    fresh: list[tuple[Any, LocMap, list[Diagnostic]]] = []

    def parse() -> tuple[Any, LocMap | str] | None:
        fresh.append(_parse(source))
        data, locs, problems = fresh[0]
        return None if problems or data is None else (data, locs)

    kept = _PARSED.get(source.text, parse)
    if fresh or kept is None:
        return fresh[0] if fresh else _parse(source)
    data, locs = kept
    return data, locs if isinstance(locs, LocMap) else _StoredLocMap(locs, source), []


def _parse(source: Source) -> tuple[Any, LocMap, list[Diagnostic]]:
    display = source.display
    loader: Any = None
    try:
        deep = _too_deep(source.text)
        if deep is not None:
            return (
                None,
                LocMap(),
                [
                    E_DEPTH.at(
                        display,
                        _pos(deep),
                        f"the YAML is nested more than {MAX_DEPTH} levels deep",
                        "content needs only a few levels; check the brackets and indentation",
                    )
                ],
            )
        loader = _Loader(source.text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return None, LocMap(), [_syntax_diagnostic(exc, display)]
    except yaml.reader.ReaderError as exc:
        before = source.text[: exc.position]
        pos = (before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        return (
            None,
            LocMap(),
            [
                E_SYNTAX.at(
                    display,
                    pos,
                    f"the character U+{exc.character:04X} is not allowed in YAML",
                    "delete it; it is usually an invisible control character pasted from another program",
                )
            ],
        )
    except yaml.YAMLError as exc:
        return None, LocMap(), [E_SYNTAX.at(display, (1, 1), f"the YAML cannot be read: {exc}")]
    except RecursionError:
        return (
            None,
            LocMap(),
            [
                E_DEPTH.at(
                    display,
                    (1, 1),
                    "the YAML is nested too deeply to read",
                    "check the brackets and indentation",
                )
            ],
        )
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return (
            None,
            LocMap(),
            [
                E_EMPTY.at(
                    display,
                    (1, 1),
                    "the file holds only comments",
                    "fill it in, or start from `curriculum new`",
                )
            ],
        )
    assert loader is not None
    walker = _Walker(loader, display, source.text)
    data = walker.walk(node, ())
    return data, walker.locs, walker.diagnostics


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, display: str) -> Diagnostic:
    problem = exc.problem or exc.context or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    pos = _pos(mark) if mark is not None else (1, 1)
    if "expected a single document" in f"{problem} {exc.context or ''}":
        return E_DOCUMENTS.at(
            display,
            pos,
            "the file holds more than one YAML document (`---`)",
            "keep one document per file; remove the second `---`",
        )
    hint = next((h for key, h in _SYNTAX_HINTS.items() if key in problem), "")
    message = problem
    if exc.context and exc.context not in problem:
        message = f"{problem} ({exc.context}"
        if exc.context_mark is not None and mark is not None and exc.context_mark.line != mark.line:
            message += f" on line {exc.context_mark.line + 1}"
        message += ")"
    return E_SYNTAX.at(display, pos, message, hint)
