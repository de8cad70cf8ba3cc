"""Field descriptions in the JSON Schemas: the docstrings under the fields, as pydantic reads them."""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict

from curriculum.content._schema import field_docstrings, schema_text, schemas


class _Parent(BaseModel):
    """Models whose docstrings pydantic reads too (our reading ignores the setting)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    kept: str
    """Inherited as it is."""
    redeclared: str
    """Lost where a subclass declares the field again without one."""
    replaced: str
    """Replaced by the subclass's."""
    bare: str


class _Child(_Parent):
    redeclared: str
    replaced: str
    """The subclass's own."""
    added: int = 0
    """

        Cleaned as inspect.cleandoc cleans it.
    """


def test_field_docstrings_are_those_pydantic_reads() -> None:
    expected = {
        "kept": "Inherited as it is.",
        "replaced": "The subclass's own.",
        "added": "Cleaned as inspect.cleandoc cleans it.",
    }
    assert field_docstrings(_Child) == expected
    read = {name: field.description for name, field in _Child.model_fields.items() if field.description}
    assert read == expected


def test_the_schemas_describe_the_fields_of_nested_models_too() -> None:
    quiz = json.loads(schema_text("quiz", schemas()["quiz"]))
    option = quiz["$defs"]["Option"]["properties"]["id"]
    assert option["description"] == "Option letter, ``a`` to ``h``; unique within the item."


def test_a_model_that_only_shares_a_content_model_s_name_gets_none_of_its_descriptions() -> None:
    """Descriptions come from the models the schema holds, not from any model of that name."""

    class Option(BaseModel):  # a quiz option's name, in another program's file
        id: str

    schema = json.loads(schema_text("other", Option))
    assert "description" not in schema["properties"]["id"]
