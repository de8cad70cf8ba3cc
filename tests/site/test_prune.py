"""The prune stage: what the last build wrote and this one did not is removed, and only that."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from curriculum.site import _stages
from curriculum.site._quick import MANIFEST
from curriculum.site._report import RenderStats


def _pruned(out: Path, files: list[str]) -> Any:
    """Run the prune stage over ``out`` for a render that wrote ``files``; return the render."""
    cache = out.with_name(f"{out.name}-cache")
    cache.mkdir(exist_ok=True)
    run: Any = SimpleNamespace(
        out=out, cache=cache, stats=RenderStats(files=list(files)), log=lambda *_: None
    )
    _stages.prune(run)
    return run


def test_a_build_of_the_same_files_neither_reads_nor_writes_the_last_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list is compared as bytes: only a build whose files are others decodes it and prunes."""
    for name in ("a.html", "b.html"):
        (tmp_path / name).write_text(name)
    assert _pruned(tmp_path, ["b.html", "a.html"]).stats.removed == 0
    manifest = tmp_path / MANIFEST
    written = manifest.stat().st_mtime_ns
    with monkeypatch.context() as never:
        never.setattr(_stages, "_removed", lambda *_: pytest.fail("the last list was decoded"))
        never.setattr(_stages, "write_atomic", lambda *_, **__: pytest.fail("the list was written"))
        assert _pruned(tmp_path, ["a.html", "b.html"]).stats.removed == 0
    assert manifest.stat().st_mtime_ns == written
    assert _pruned(tmp_path, ["a.html"]).stats.removed == 1 and not (tmp_path / "b.html").exists()
    assert manifest.read_text() == '[\n"a.html"\n]\n'


def test_a_build_of_the_same_files_in_the_same_order_does_not_even_list_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A digest of the files in the order written, kept beside the list, stands for it while it is as left.

    Another order is compared as bytes as before; a list changed by hand is written again.
    """
    out = tmp_path / "site"
    out.mkdir()
    for name in ("a.html", "b.html"):
        (out / name).write_text(name)
    assert _pruned(out, ["b.html", "a.html"]).stats.removed == 0
    manifest = out / MANIFEST
    with monkeypatch.context() as never:
        never.setattr(_stages, "_listing", lambda *_: pytest.fail("the files were listed"))
        assert _pruned(out, ["b.html", "a.html"]).stats.removed == 0
    with monkeypatch.context() as never:
        never.setattr(_stages, "write_atomic", lambda *_, **__: pytest.fail("the list was written"))
        assert _pruned(out, ["a.html", "b.html"]).stats.removed == 0  # listed: the same bytes
    manifest.write_text('[\n"a.html"\n]\n')  # by hand
    assert _pruned(out, ["a.html", "b.html"]).stats.removed == 0
    assert manifest.read_text() == '[\n"a.html",\n"b.html"\n]\n'
    assert _pruned(out, ["a.html"]).stats.removed == 1 and not (out / "b.html").exists()
    (tmp_path / "site-cache" / _stages.LISTED_RECORD).write_text("damaged")
    assert _pruned(out, ["a.html"]).stats.removed == 0 and manifest.read_text() == '[\n"a.html"\n]\n'
