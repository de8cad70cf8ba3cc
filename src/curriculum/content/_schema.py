"""JSON Schemas for editors, generated from the content models.

Editors with the YAML language server read the ``# yaml-language-server:
$schema=...`` line at the top of each content file and then autocomplete keys
and underline mistakes as the author types, using the same field
descriptions as the reference pages.

A field's description is the docstring written under it in its model, as
pydantic's ``use_attribute_docstrings`` gives it; the models do not ask
pydantic for them, which would read and parse the models' source each time
they are imported (30 ms of every build and check), but the schemas add them
as they are written (:func:`field_docstrings`).
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import textwrap
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, TypeAdapter

from curriculum.content._files import write_atomic
from curriculum.content._models import FacilitatorNotes, LessonFrontMatter, TechniqueVocabulary
from curriculum.content._project import FORMATS

__all__ = ["field_docstrings", "schema_text", "schemas", "write_schemas"]


def schemas() -> dict[str, Any]:
    """Return each content format's model by schema name (each is written as ``<name>.schema.json``).

    The YAML formats come from :data:`~curriculum.content.FORMATS` (a component kind
    with a folder of its own brings its format, so its schema too), then the
    lesson front matter, the technique vocabulary and the facilitator notes.
    """
    formats = {fmt.noun: fmt.model for fmt in FORMATS.values()}
    return {
        **formats,
        "lesson": LessonFrontMatter,
        "techniques": TechniqueVocabulary,
        "notes": FacilitatorNotes,
    }


def schema_text(name: str, model: Any = None) -> str:
    """Return the JSON Schema of content kind ``name`` (or of ``model``) as stable, indented text."""
    target = model if model is not None else schemas()[name]
    schema = TypeAdapter(target).json_schema(by_alias=True)
    _describe(schema, target)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("title", name.capitalize())
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(folder: Path, extra: dict[str, Any] | None = None) -> list[Path]:
    """Write every schema into ``folder``, skipping files whose text is unchanged.

    Parameters
    ----------
    folder : Path
        Usually the project's ``schemas/``.
    extra : dict[str, Any] | None
        Further models by schema name, e.g. the progress file's.

    Returns
    -------
    list[Path]
        The files written or already up to date.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in {**schemas(), **(extra or {})}.items():
        target = folder / f"{name}.schema.json"
        write_atomic(target, schema_text(name, model), within=folder)
        written.append(target)
    return written


def field_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """Return the docstring written under each field of ``model``, by field name.

    As pydantic's ``use_attribute_docstrings`` reads them: a string right
    after an annotated name in the class body, cleaned as
    :func:`inspect.cleandoc` cleans it. A field the class declares again
    without one has none; one it inherits keeps its own class's.
    """
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not issubclass(cls, BaseModel) or cls is BaseModel:
            continue
        declared, documented = _class_docstrings(cls)
        for name in declared:
            found.pop(name, None)
        found.update(documented)
    return found


@functools.cache
def _class_docstrings(cls: type) -> tuple[frozenset[str], dict[str, str]]:
    """Return the fields ``cls`` itself annotates, and the docstring under each that has one."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):  # no source (a class made at run time)
        return frozenset(getattr(cls, "__annotations__", {})), {}
    body = next((node.body for node in ast.parse(source).body if isinstance(node, ast.ClassDef)), [])
    declared, documented = set(), {}
    for stmt, after in zip(body, [*body[1:], None], strict=True):
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            declared.add(stmt.target.id)
            if (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                documented[stmt.target.id] = inspect.cleandoc(after.value.value)
    return frozenset(declared), documented


def _models(target: Any) -> dict[str, type[BaseModel]]:
    """Return the content models a schema of ``target`` holds, by class name (as its definitions go).

    Those reached from ``target`` through its fields' annotations; a name two of
    them share names neither. Only content models (whose docstrings pydantic
    used to read) are returned.
    """
    from curriculum.content._models import _Base

    named: dict[str, set[type[BaseModel]]] = {}
    seen: set[int] = set()
    todo: list[Any] = [target]
    while todo:
        annotation = todo.pop()
        if id(annotation) in seen:
            continue
        seen.add(id(annotation))
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            named.setdefault(annotation.__name__, set()).add(annotation)
            todo += [field.annotation for field in annotation.model_fields.values()]
        todo += get_args(annotation)
    unique = {name: found.pop() for name, found in named.items() if len(found) == 1}
    return {name: cls for name, cls in unique.items() if issubclass(cls, _Base)}


def _describe(schema: dict[str, Any], target: Any) -> None:
    """Give each property of a content model in ``schema`` (of ``target``) its field's docstring.

    Unless it has a description already. The schema's root (a model's) and each
    of its definitions are named by the model's class name, as pydantic names them.
    """
    models = _models(target)
    for node in [schema, *schema.get("$defs", {}).values()]:
        model = models.get(node.get("title", ""))
        if model is None or not isinstance(node.get("properties"), dict):
            continue
        docs = field_docstrings(model)
        for name, field in model.model_fields.items():
            prop = node["properties"].get(field.alias or name)
            if isinstance(prop, dict) and "description" not in prop and name in docs:
                prop["description"] = docs[name]
