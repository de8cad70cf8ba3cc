"""JSON Schemas for editors, generated from the content models.

Editors with the YAML language server read the ``# yaml-language-server:
$schema=...`` line at the top of each content file and then autocomplete keys
and underline mistakes as the author types, using the same field
descriptions as the reference pages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from curriculum.content._files import write_atomic
from curriculum.content._models import FacilitatorNotes, LessonFrontMatter, TechniqueVocabulary
from curriculum.content._project import FORMATS

__all__ = ["schema_text", "schemas", "write_schemas"]


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
    schema = TypeAdapter(model if model is not None else schemas()[name]).json_schema(by_alias=True)
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
