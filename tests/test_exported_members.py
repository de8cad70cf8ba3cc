"""The public API, pinned: what the package and each subpackage export, and who may import what.

As in httpx's ``tests/test_exported_members.py``: every public name a package
defines is in its ``__all__`` and every name in ``__all__`` exists, and the
lists themselves are written out here, so a change to the public API is a
change to this file that a reviewer sees. The layering rule is checked on
the source: no module imports a private module (``_name``) of another
subpackage; what another layer needs is exported from the subpackage. The
package root's own helpers (``curriculum._version``, ``curriculum._cache``,
``curriculum._root``, ``curriculum._words``, ``curriculum._memo``) may be
imported anywhere; their ``__all__`` is pinned too.
"""

from __future__ import annotations
import __future__

import ast
import importlib
import types
from pathlib import Path

import pytest

import curriculum

PACKAGE = Path(curriculum.__file__).parent

EXPORTED = {
    "curriculum": [
        "Curriculum",
        "__version__",
        "activity",
        "check_curriculum",
        "load_curriculum",
        "overview",
        "progress",
        "quiz",
        "spotter",
        "vignette",
        "worksheet",
    ],
    "curriculum.assess": [
        "ImportResult",
        "Norms",
        "Problem",
        "ProgressFile",
        "ProgressRecord",
        "ProgressStore",
        "ProgressWarning",
        "ResponseFile",
        "Tally",
        "item_correct",
        "latest_results",
        "make_grades",
        "make_report",
        "passed",
        "score",
        "summary",
        "tally_mastery",
    ],
    "curriculum.components": [
        "BUILT_IN",
        "COMPONENTS",
        "Companion",
        "ComponentSpec",
        "LessonParts",
        "Mount",
        "NewTemplate",
        "PageContext",
        "Param",
        "Registry",
        "SitePages",
        "Status",
        "dom_id",
        "lesson_parts",
        "lists_of",
        "outline",
        "register",
    ],
    "curriculum.content": [
        "BIBLIOGRAPHY",
        "CHECK_RECORD",
        "CITATION",
        "COMPACT_AT",
        "COMPETENCY_DOMAINS",
        "EVERY",
        "E_CONFIG",
        "E_EMPTY",
        "E_EXECUTE",
        "E_FREEZE",
        "E_OUTSIDE",
        "E_PAGE",
        "E_PANDOC",
        "E_REFERENCE",
        "FORMATS",
        "GROUP",
        "NOTES_FOLDER",
        "PROJECT_FILE",
        "RULES",
        "STARTS_CITATION",
        "WORKSHEET_FIELDS",
        "Activity",
        "Bibliography",
        "Call",
        "Cell",
        "CellCode",
        "CheckReport",
        "Choice",
        "Confined",
        "ContentFormat",
        "Curriculum",
        "DebriefPart",
        "Diagnostic",
        "Document",
        "DocumentFacts",
        "Exercise",
        "FacilitatorNotes",
        "FileRefused",
        "FolderStamp",
        "HiddenContent",
        "Item",
        "LessonFrontMatter",
        "Listings",
        "Loc",
        "LocMap",
        "MultipleItem",
        "Node",
        "Objective",
        "Option",
        "PathCondition",
        "Patient",
        "Pos",
        "Quiz",
        "Rule",
        "Severity",
        "SingleItem",
        "Source",
        "Spotter",
        "Technique",
        "TechniqueVocabulary",
        "Turn",
        "Vignette",
        "Worksheet",
        "changed_while_read",
        "changes_path",
        "check_curriculum",
        "check_paths",
        "citation_keys",
        "cited_keys",
        "competency_domain",
        "competency_name",
        "describe",
        "did_you_mean",
        "display_path",
        "every_objective_text",
        "find_root",
        "folder_entries",
        "folder_names",
        "folder_stamp",
        "format_diagnostics",
        "front_matter_digest",
        "generated_dirs",
        "generated_prefixes",
        "inside",
        "lessons_digest",
        "load_curriculum",
        "load_files",
        "load_yaml",
        "masked",
        "nesting_problem",
        "new_content",
        "new_kinds",
        "notebook_cells",
        "objective_texts",
        "parse_cells",
        "parse_yaml",
        "printable",
        "project_file_names",
        "project_files",
        "read_bibliography",
        "read_bytes",
        "read_existing",
        "read_source",
        "register_format",
        "relative_namer",
        "relative_names",
        "relative_posix",
        "rules_by_area",
        "size_limit",
        "text_digest",
        "validate_model",
        "worst",
        "write_atomic",
        "write_changes_or_base",
        "write_schemas",
    ],
    "curriculum.export": [
        "BUILT_IN",
        "EXPORTERS",
        "FIELDS",
        "Anki",
        "Csv",
        "ExportContext",
        "Exporter",
        "Exporters",
        "Gift",
        "Handout",
        "ItemText",
        "MoodleXml",
        "OptionText",
        "Qti",
        "QuizText",
        "handout_order",
        "keyed",
        "quiz_text",
        "write_exports",
    ],
    "curriculum.hosts": [],
    "curriculum.project": [
        "CACHE_DIR",
        "DEFAULT_TIMEOUT",
        "Freeze",
        "NavEntry",
        "Project",
        "QuartoFile",
        "SiteConfig",
        "Stamp",
        "active_profile",
        "digest",
        "load_config",
        "output_path",
        "output_paths",
        "package_files",
        "package_fingerprint",
        "path_texts",
        "profiles",
        "site_id",
    ],
    "curriculum.render": [
        "PLACES",
        "FormattedReference",
        "GeneratedPage",
        "Origin",
        "PageWriter",
        "PayloadBuilder",
        "Piece",
        "Profile",
        "Renderer",
        "Where",
        "html_templates",
        "package_templates",
        "placed",
        "raw_html",
        "reference_list",
        "sanitize",
        "without_verdict",
    ],
    "curriculum.site": [
        "CSP",
        "CSP_HEADER",
        "ENGINES",
        "BuildContext",
        "BuildResult",
        "Engine",
        "PandocEngine",
        "QuartoEngine",
        "RenderStats",
        "build_site",
        "cached_check",
        "check_output",
        "check_project",
        "check_site",
        "choose_engine",
        "engine_names",
        "export_context",
        "format_references",
        "payload_builder",
        "run_prerender",
        "serve",
        "write_reader_notebooks",
    ],
}
"""The public API of the package and of each subpackage (``curriculum.web`` is checked below, not pinned)."""

PACKAGES = [*EXPORTED, "curriculum.web"]
ROOT_EXPORTED = {
    "curriculum._cache": ["PROJECT_CACHE", "RACY_NS", "cache_dir"],
    "curriculum._memo": [
        "MAX_BYTES",
        "Look",
        "Memo",
        "code_key",
        "in_session",
        "lf_digest",
        "machine_key",
        "memo_session",
        "package_digests",
        "package_files",
        "package_looks",
        "read_tied",
        "text_value",
        "tied_key",
    ],
    "curriculum._plain": [
        "MAP_FROM",
        "RECORD_LIMIT",
        "decoded_record",
        "open_plain",
        "read_existing",
        "read_headed",
        "read_json",
        "read_record",
    ],
    "curriculum._root": ["PROJECT_FILE", "find_root"],
    "curriculum._words": ["counted"],
}
"""What each of the package root's helpers exports (``curriculum._version`` holds only the version)."""
ROOT_HELPERS = {"curriculum._version", *ROOT_EXPORTED}
"""The package root's helpers, which any module may import."""


def _public(module: types.ModuleType) -> set[str]:
    """The public names a module's namespace holds, other than submodules and ``__future__`` features."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and not isinstance(value, __future__._Feature)
    }


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_the_public_api_is_pinned(name: str) -> None:
    assert importlib.import_module(name).__all__ == EXPORTED[name]


@pytest.mark.parametrize("name", sorted(ROOT_EXPORTED))
def test_the_root_helpers_are_pinned(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == ROOT_EXPORTED[name]
    assert all(hasattr(module, member) for member in module.__all__)


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_is_exported_and_every_export_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert _public(module) <= set(module.__all__), "public names missing from __all__"
    assert all(hasattr(module, member) for member in module.__all__), "__all__ names a missing member"
    assert len(set(module.__all__)) == len(module.__all__)


def test_a_registered_kind_is_reached_as_curriculum_dot_kind() -> None:
    for kind in curriculum.components.COMPONENTS:
        assert callable(getattr(curriculum, kind))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        curriculum.nothing  # type: ignore[attr-defined]  # noqa: B018


def _subpackage(module: str) -> str:
    """``content`` for ``curriculum.content._x``; ``""`` for a module of the package root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir() else ""


def _private_module(target: str) -> str | None:
    """The private module ``target`` reaches (``curriculum.site._check``), or None if it names none."""
    parts = target.split(".")
    for n, part in enumerate(parts[1:], 1):
        if part.startswith("_") and not part.startswith("__"):
            path = PACKAGE.joinpath(*parts[1 : n + 1])
            return ".".join(parts[: n + 1]) if path.with_suffix(".py").is_file() or path.is_dir() else None
    return None


def sideways_imports() -> list[str]:
    """Every import of a private module of another subpackage, as ``module:line -> target``."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                private = _private_module(target) if target.startswith("curriculum.") else None
                if private and private not in ROOT_HELPERS and _subpackage(private) != _subpackage(module):
                    found.append(f"{module}:{node.lineno} -> {private}")
    return sorted(set(found))


def test_no_module_imports_a_private_module_of_another_subpackage() -> None:
    assert sideways_imports() == []


def test_the_audit_sees_a_sideways_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "curriculum"
    (package / "site").mkdir(parents=True)
    (package / "content").mkdir()
    (package / "content" / "_files.py").write_text("")
    (package / "site" / "_build.py").write_text("from curriculum.content._files import read_bytes\n")
    (package / "site" / "_own.py").write_text("from curriculum.site._build import x\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", package)
    assert sideways_imports() == ["curriculum.site._build:1 -> curriculum.content._files"]
