"""Validate plain data into a model and translate pydantic's errors for authors.

Pydantic reports errors as ``loc`` tuples of keys, indices and union-member
names. We walk each ``loc`` through the parsed data to find the deepest YAML
node that exists (union artefacts are skipped), point at its line and column,
and word the error as a sentence with a hint. We keep one error per location,
so a wrong value never produces a cascade of union complaints.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from curriculum.content._diagnostics import RULES, Diagnostic, Severity
from curriculum.content._models import ID_PATTERN, KEY_PATTERN, OPTION_PATTERN
from curriculum.content._yaml import Loc, LocMap

__all__ = ["did_you_mean", "model_adapter", "validate_model"]

E_UNKNOWN_KEY = RULES.add(
    "CUR201",
    Severity.error,
    "A key is not part of the format.",
    "Unknown keys are errors so that a misspelt key is never silently ignored.",
)
E_MISSING = RULES.add("CUR202", Severity.error, "A required key is missing.")
E_TYPE = RULES.add("CUR203", Severity.error, "A value has the wrong type.")
E_CHOICE = RULES.add("CUR204", Severity.error, "A value is not one of the allowed words.")
E_VALUE = RULES.add("CUR205", Severity.error, "A value is out of range or badly formed.")
E_BOOL_TRAP = RULES.add(
    "CUR206",
    Severity.error,
    "An unquoted yes/no/on/off was read as true or false.",
    "YAML 1.1 reads yes, no, on, off, true and false as booleans, so `answer: no` means false.",
)
E_IMPLICIT = RULES.add(
    "CUR207",
    Severity.error,
    "An unquoted value was read as a number or date, not text.",
)

_PATTERNS = {
    ID_PATTERN: "an id: lowercase letters, digits and single hyphens, e.g. `cbt-intro`",
    OPTION_PATTERN: "an option id: one lowercase letter from a to h",
    KEY_PATTERN: "a citation key such as `plakun2009`",
}
_TYPE_WORDS = {
    "string": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "list": "a list",
    "dict": "a mapping of keys to values",
    "model": "a mapping of keys to values",
}
_BOOL_WORDS = {"yes", "no", "on", "off", "true", "false"}


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    """Return ``" (did you mean `x`?)"`` for the closest of ``choices``, or ``""``.

    Parameters
    ----------
    word : str
        What the author wrote.
    choices : Iterable[str]
        What would have been valid.

    Returns
    -------
    str
        A suggestion to append to a message, or an empty string.
    """
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


_ADAPTERS: dict[int, TypeAdapter[Any]] = {}


def model_adapter(model: Any) -> TypeAdapter[Any]:
    """Return the (cached) pydantic adapter of a content model or union of models.

    The content models build their schemas when first used, not as they are
    made (``defer_build``): each model the adapter wraps is built first, so the
    adapter and the model's own methods (``model_dump_json``) share one schema.
    """
    adapter = _ADAPTERS.get(id(model))
    if adapter is None:
        _build(model)
        adapter = _ADAPTERS[id(model)] = TypeAdapter(model)
    return adapter


def _build(annotation: Any) -> None:
    """Build the schema of ``annotation`` if it is a model, else of each model it holds (a union's)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        annotation.model_rebuild()
        return
    for member in typing.get_args(annotation):
        _build(member)


def validate_model(model: Any, data: Any, locs: LocMap, display: str) -> tuple[Any, list[Diagnostic]]:
    """Validate ``data`` into ``model``; on failure, return located diagnostics.

    Parameters
    ----------
    model : type[BaseModel] or annotation
        The content model, or an annotated discriminated union of models.
    data : Any
        Plain data from :func:`parse_yaml`.
    locs : LocMap
        Where each value is in the file.
    display : str
        The file name diagnostics show.

    Returns
    -------
    tuple[BaseModel | None, list[Diagnostic]]
        The model, or None and at least one diagnostic.
    """
    adapter = model_adapter(model)
    try:
        return adapter.validate_python(data), []
    except ValidationError as exc:
        seen: set[tuple[Loc, str]] = set()
        out: list[Diagnostic] = []
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            if error["type"] in ("missing", "extra_forbidden"):
                found, rest = _resolve(data, loc[:-1])
                rest.append(loc[-1])
                target: tuple[Loc, str] = ((*found, str(loc[-1])), error["type"])
            else:
                found, rest = _resolve(data, loc)
                target = (found, "")
            if target in seen or (found, "") in seen:
                continue
            seen.add(target)
            out.append(_translate(error, found, rest, data, locs, display, model))
        return None, out


def _resolve(data: Any, loc: tuple[Any, ...]) -> tuple[Loc, list[Any]]:
    """Split ``loc`` into the path that exists in ``data`` and the segments that do not."""
    found: list[str | int] = []
    rest: list[Any] = []
    node = data
    for seg in loc:
        if seg == "[key]":
            rest.append(seg)
            continue
        child = _child(node, seg)
        present = (isinstance(node, dict) and seg in node) or child is not None
        if present:
            node = child
            found.append(seg)
        else:
            rest.append(seg)
    return tuple(found), rest


def _value_at(data: Any, loc: Loc) -> Any:
    for seg in loc:
        data = data[seg]
    return data


def _name(loc: Loc) -> str:
    """Return the last key of ``loc`` (or its list position) as authors read it."""
    for seg in reversed(loc):
        if isinstance(seg, str):
            return seg
    return "the file"


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "..."


def _translate(
    error: ErrorDetails,
    found: Loc,
    rest: list[Any],
    data: Any,
    locs: LocMap,
    display: str,
    model: Any,
) -> Diagnostic:
    kind = error["type"]
    ctx = error.get("ctx", {})
    value = error.get("input")
    pos = locs.value(found)
    if kind == "missing":
        field = rest[-1]
        return E_MISSING.at(
            display,
            pos,
            f"`{field}` is missing here",
            f"add `{field}:` and its value; `curriculum new` shows a complete example",
        )
    if kind == "extra_forbidden":
        key = str(rest[-1])
        allowed = _allowed_keys(model, data, found)
        hint = "remove it, or check its indentation"
        if allowed:
            hint = f"allowed here: {', '.join(sorted(allowed))}"
        return E_UNKNOWN_KEY.at(
            display,
            locs.key((*found, key)),
            f"unknown key `{key}`{did_you_mean(key, allowed)}",
            hint,
        )
    if rest and rest[-1] == "[key]":
        return E_VALUE.at(
            display,
            locs.key((*found, str(value))),
            f"`{_show(value)}` is not {_PATTERNS.get(ctx.get('pattern', ''), 'a valid key')}",
            "rename it",
        )
    name = _name(found)
    plain = locs.plain.get(found)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = str(ctx.get("discriminator", "")).strip("'")
        expected = str(ctx.get("expected_tags", "")).replace("'", "")
        if kind == "union_tag_not_found":
            tags = ", ".join(sorted(_union_tags(model, data, found, tag)))
            return E_MISSING.at(display, pos, f"`{tag}` is missing here", f"add `{tag}:` with one of: {tags}")
        wrote = ctx.get("tag", "")
        return E_CHOICE.at(
            display,
            locs.value((*found, tag)),
            f"`{tag}` must be one of: {expected}, not `{wrote}`{did_you_mean(wrote, expected.split(', '))}",
            f"write one of: {expected}",
        )
    if isinstance(value, bool) and plain is not None and plain.lower() in _BOOL_WORDS:
        return E_BOOL_TRAP.at(
            display,
            pos,
            f"`{name}: {plain}` was read as {str(value).lower()}, not as the word `{plain}`",
            f'quote it: {name}: "{plain}"',
        )
    if (
        kind.startswith("string")
        and kind != "string_too_short"
        and isinstance(value, (int, float, dt.date))
        and not isinstance(value, bool)
    ):
        what = "a date" if isinstance(value, dt.date) else "a number"
        return E_IMPLICIT.at(
            display,
            pos,
            f"`{name}: {plain or value}` was read as {what}, not text",
            f'quote it: {name}: "{plain or value}"',
        )
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        options = [e.strip() for e in expected.replace(" or ", ", ").split(",") if e.strip()]
        return E_CHOICE.at(
            display,
            pos,
            f"`{name}` must be one of: {', '.join(options)}; found `{_show(value)}`"
            f"{did_you_mean(str(value), options)}",
            "use one of the listed words exactly",
        )
    if kind == "string_pattern_mismatch":
        what = _PATTERNS.get(str(ctx.get("pattern", "")), "in the expected form")
        return E_VALUE.at(display, pos, f"`{name}: {_show(value)}` is not {what}", "rename it")
    if value is None:
        return E_TYPE.at(
            display,
            pos,
            f"`{name}` has no value",
            "write the value after the colon, or remove the key",
        )
    if kind == "string_too_long":
        return E_VALUE.at(
            display,
            pos,
            f"`{name}` has {len(str(value)):,} characters; at most {ctx.get('max_length', 0):,} are allowed",
            "shorten it, or move long teaching text into the lesson notebook",
        )
    if kind in ("string_too_short", "too_short"):
        need = ctx.get("min_length", 1)
        if kind == "string_too_short":
            return E_VALUE.at(display, pos, f"`{name}` is empty", "write the text")
        return E_VALUE.at(
            display,
            pos,
            f"`{name}` needs at least {need} entr{'y' if need == 1 else 'ies'}, "
            f"found {ctx.get('actual_length')}",
            "add the missing entries",
        )
    if kind == "too_long":
        return E_VALUE.at(
            display,
            pos,
            f"`{name}` has {ctx.get('actual_length')} entries; at most {ctx.get('max_length')} are allowed",
            "remove some",
        )
    bounds = {
        "greater_than": "greater than",
        "greater_than_equal": "at least",
        "less_than": "less than",
        "less_than_equal": "at most",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()), "")
        return E_VALUE.at(
            display,
            pos,
            f"`{name}` must be {bounds[kind]} {limit}; found {_show(value)}",
            "change the value",
        )
    base = kind.split("_")[0]
    if base in _TYPE_WORDS:
        found_kind = type(value).__name__
        found_word = _TYPE_WORDS.get({"str": "string"}.get(found_kind, found_kind), found_kind)
        hint = "check the indentation and punctuation"
        if base == "list" and isinstance(value, str):
            hint = f"write a list: `{name}: [{value}]`"
        return E_TYPE.at(display, pos, f"`{name}` must be {_TYPE_WORDS[base]}, not {found_word}", hint)
    return E_VALUE.at(display, pos, f"`{name}`: {error['msg']}", "")


def _allowed_keys(model: Any, data: Any, loc: Loc) -> set[str]:
    """Keys allowed in the mapping at ``loc``, found by walking the model's annotations."""
    current: Any = model
    node = data
    for seg in loc:
        current = _step(current, node, seg)
        node = _child(node, seg)
        if current is None:
            return set()
    current = _pick_member(current, node)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return {f.alias or n for n, f in current.model_fields.items()}
    return set()


def _child(node: Any, seg: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(seg)
    if isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
        return node[seg]
    return None


def _union_tags(model: Any, data: Any, loc: Loc, tag: str) -> set[str]:
    """Return the values a discriminated union at ``loc`` accepts for ``tag``."""
    current: Any = model
    node = data
    for seg in loc:
        current = _step(current, node, seg)
        node = _child(node, seg)
    while typing.get_origin(current) is typing.Annotated:
        current = typing.get_args(current)[0]
    tags: set[str] = set()
    for member in typing.get_args(current):
        field = getattr(member, "model_fields", {}).get(tag)
        if field is not None:
            tags.update(str(a) for a in typing.get_args(field.annotation))
    return tags


def _pick_member(annotation: Any, node: Any) -> Any:
    """Resolve ``Annotated`` and discriminated unions to one model class."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [_pick_member(a, node) for a in typing.get_args(annotation)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        for m in models:
            for tag in ("type", "kind"):
                field = m.model_fields.get(tag)
                if field and isinstance(node, dict) and node.get(tag) in typing.get_args(field.annotation):
                    return m
        return models[0] if len(models) == 1 else annotation
    return annotation


def _step(annotation: Any, node: Any, seg: str | int) -> Any:
    annotation = _pick_member(annotation, node)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            if seg in (name, field.alias):
                return field.annotation
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None
