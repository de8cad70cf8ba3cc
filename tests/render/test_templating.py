"""Templates escape what they print, the way html.escape does, and leave sanitised markup alone."""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.metadata
import importlib.util
import marshal
import os
import pickle
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.bccache import bc_magic
from markupsafe import Markup

import curriculum.hosts
from curriculum._cache import cache_dir
from curriculum.render import _bytecode, html_templates, package_templates
from curriculum.render._bytecode import (
    FOLDER,
    UNUSED_FOR,
    KeptBytecode,
    code_folder,
    kept_bytecode,
    options_key,
)

HOSTILE = """<script>alert('x')</script> & "quoted" 'single'"""


def test_values_are_escaped_as_html_escape_escapes_them() -> None:
    template = html_templates("curriculum.hosts").from_string('<p title="{{ value }}">{{ value }}</p>')
    escaped = html.escape(HOSTILE)
    assert template.render(value=HOSTILE) == f'<p title="{escaped}">{escaped}</p>'
    assert "&#x27;" in escaped and "&quot;" in escaped and "<script>" not in template.render(value=HOSTILE)


def test_markup_goes_in_as_it_is_and_numbers_as_text() -> None:
    template = html_templates("curriculum.hosts").from_string("{{ html }} {{ n }}")
    assert template.render(html=Markup("<em>safe</em>"), n=0.7) == "<em>safe</em> 0.7"


def test_every_host_panel_escapes_its_text() -> None:
    env = html_templates("curriculum.hosts")
    problem = env.get_template("problem.html.j2").render(message=HOSTILE, diagnostics=[HOSTILE])
    table = env.get_template("progress-table.html.j2").render(
        rows=[{"component": HOSTILE, "id": "x", "status": "s", "score": None, "updated": "u"}], path=HOSTILE
    )
    for markup in (problem, table):
        assert "<script>" not in markup and html.escape(HOSTILE) in markup
    assert "<td></td>" in table  # no score: an empty cell, not "None"


def _problem(**options: object) -> str:
    """Render a template with a new environment, as a new process makes it (the function's cache left out)."""
    options = options or {"autoescape": True, "trim_blocks": True}
    environment = package_templates.__wrapped__("curriculum.hosts", **options)
    return str(environment.get_template("problem.html.j2").render(message="m", diagnostics=["d"]))


@pytest.fixture(autouse=True)
def _code_folder_afresh() -> Iterator[None]:
    """Each test computes the code folder anew, and leaves none its patches made to the next."""
    code_folder.cache_clear()
    yield
    code_folder.cache_clear()


@pytest.fixture
def kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The folder of compiled templates in a byte-code folder of the test's own (Python writes byte-code)."""
    (tmp_path / "__pycache__").mkdir()
    moved = lambda package, options: KeptBytecode(tmp_path / "__pycache__", options_key(package, options))  # noqa: E731
    monkeypatch.setattr(_bytecode, "kept_bytecode", moved)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return tmp_path / "__pycache__" / FOLDER


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Return the list of templates Jinja compiles from their source from now on."""
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def spy(self: jinja2.Environment, source: str, name: str | None = None, *args: Any, **kw: Any) -> Any:
        compiled.append(str(name))
        return original(self, source, name, *args, **kw)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    return compiled


def test_a_template_compiled_once_is_loaded_by_the_next_process_without_compiling(
    monkeypatch: pytest.MonkeyPatch, kept: Path
) -> None:
    compiled = _compiles(monkeypatch)
    first = _problem()
    assert compiled == ["problem.html.j2"]
    assert len(list(kept.glob("*/*/*.cache"))) == 1
    assert _problem() == first and compiled == ["problem.html.j2"]


def test_compiled_templates_are_kept_with_the_packages_byte_code_never_in_a_cache_folder() -> None:
    """A compiled template is code the process runs: it is kept where Python keeps the package's."""
    cache = kept_bytecode("curriculum.hosts", {"autoescape": True})
    assert cache is not None
    byte_code = Path(importlib.util.cache_from_source(str(curriculum.hosts.__file__))).parent
    assert cache.folder.parent.parent == byte_code / FOLDER
    assert not cache.folder.is_relative_to(cache_dir())


def test_environments_or_code_that_compile_otherwise_never_share_a_compiled_template(
    monkeypatch: pytest.MonkeyPatch, kept: Path
) -> None:
    compiled = _compiles(monkeypatch)
    trimmed, untrimmed = _problem(), _problem(autoescape=True)
    assert compiled == ["problem.html.j2", "problem.html.j2"]
    assert trimmed != untrimmed  # trim_blocks is compiled in: the second would be wrong with the first's code
    assert len(list(kept.glob("*/*"))) == 2
    before = code_folder()
    monkeypatch.setattr(_bytecode, "code_key", lambda: "other code (a filter or finalize changed)")
    assert code_folder() == before  # computed once a process, as the code key is
    code_folder.cache_clear()
    assert code_folder() != before


def test_what_other_code_compiled_goes_when_this_codes_folder_is_made_if_unwritten_a_week(
    kept: Path,
) -> None:
    stale, recent = kept / ("0" * 24) / ("1" * 24), kept / ("2" * 24) / ("3" * 24)
    for folder in (stale, recent):
        folder.mkdir(parents=True)
        (folder / "x.cache").write_bytes(b"old")
    week_ago = time.time() - UNUSED_FOR - 60
    for path in (stale, stale.parent):
        os.utime(path, (week_ago, week_ago))
    unrelated = kept / "notes"
    unrelated.mkdir()
    _problem()
    _problem(autoescape=True)  # this code's other environment keeps what the first compiled
    assert not stale.parent.exists() and recent.is_dir() and unrelated.is_dir()
    assert len(list(kept.glob(f"{code_folder()}/*/*.cache"))) == 2


def test_what_jinja_folds_in_is_in_the_key_and_odd_options_or_pythons_are_no_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = code_folder()
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0" if name == "Jinja2" else real(name))
    code_folder.cache_clear()  # as a process with another Jinja
    assert code_folder() != before  # another Jinja folds filters and escaping in otherwise
    assert options_key("p", {"f": functools.partial(str)}) != options_key("p", {"f": functools.partial(repr)})
    monkeypatch.setattr(sys.implementation, "cache_tag", None)
    assert kept_bytecode("curriculum.hosts", {}) is None  # a Python that keeps no byte-code


def test_a_damaged_or_unwritable_cache_means_compiling_again_never_an_error(
    monkeypatch: pytest.MonkeyPatch, kept: Path
) -> None:
    expected = _problem()
    [file] = kept.glob("*/*/*.cache")
    valid = file.read_bytes()
    compiled = _compiles(monkeypatch)
    header = len(bc_magic) + len(pickle.dumps(hashlib.sha1(b"").hexdigest(), 2))
    not_code = valid[:header] + marshal.dumps(("not", "code"))
    for damage in (valid[:20] + b"\x80garbage", b"", valid[:-9], not_code):
        file.write_bytes(damage)
        assert _problem() == expected
    assert len(compiled) == 4
    shutil.rmtree(kept)
    kept.write_text("a file where the folder would be", encoding="utf-8")
    assert _problem() == expected


def test_nothing_is_written_where_python_writes_no_byte_code(
    monkeypatch: pytest.MonkeyPatch, kept: Path
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _problem()
    assert not kept.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    kept.parent.rmdir()  # Python made no byte-code folder for the package (it is read-only, say)
    _problem()
    assert not kept.parent.exists()  # and none is made: a build watches the package's folders
