"""The progress file: atomic, locked, never overwritten when unreadable."""

from __future__ import annotations

import json
import multiprocessing
import warnings
from pathlib import Path

import pytest

from curriculum.assess import ProgressFile, ProgressStore, ProgressWarning


def _writer(path: str, prefix: str, count: int) -> None:
    store = ProgressStore(Path(path), "site")
    for i in range(count):
        store.save(f"quiz:{prefix}-{i}", {"attempts": [{"responses": {"q": [prefix]}}]})


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(path), name, 40)) for name in ("a", "b")]
    for worker in workers:
        worker.start()
    try:
        for worker in workers:
            worker.join(timeout=120)
            assert worker.exitcode == 0, "a writer failed or did not finish within 120 s"
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
                worker.join(timeout=10)
    records = ProgressStore(path, "site").load().records
    assert len(records) == 80
    assert records["quiz:a-39"].state == {"attempts": [{"responses": {"q": ["a"]}}]}
    assert not list(tmp_path.glob("*.tmp")), "no temporary files are left behind"


@pytest.mark.parametrize("damage", ["truncate", "not-json", "wrong-shape", "wrong-version"])
def test_an_unreadable_file_is_kept_aside_and_a_fresh_one_started(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path, "site")
    store.save("quiz:one", {"attempts": []})
    text = path.read_text()
    broken = {
        "truncate": text[: len(text) // 2],
        "not-json": "this is not JSON",
        "wrong-shape": json.dumps({"format": "curriculum-progress", "version": 1, "records": []}),
        "wrong-version": text.replace('"version": 1', '"version": 9'),
    }[damage]
    path.write_text(broken)
    with pytest.warns(ProgressWarning, match="could not be read") as caught:
        store.save("quiz:two", {"attempts": []})
    kept = list(tmp_path.glob("progress.unreadable-*.json"))
    assert len(kept) == 1 and kept[0].read_text() == broken, "the damaged file is kept as it was"
    assert str(kept[0]) in str(caught[0].message)
    assert set(store.load().records) == {"quiz:two"}


def test_missing_file_is_empty_and_save_creates_folders(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "deep" / "folder" / "progress.json", "site")
    assert store.get("quiz:x") == {}
    store.save("quiz:x", {"attempts": [1]})
    data = json.loads((tmp_path / "deep" / "folder" / "progress.json").read_text())
    assert data["format"] == "curriculum-progress" and data["version"] == 1 and data["site"] == "site"
    ProgressFile.model_validate(data)


def test_merge_keeps_the_newer_record(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "p.json", "site")
    store.save("quiz:a", {"v": "mine"})
    incoming = ProgressFile.model_validate(
        {
            "site": "site",
            "updated": "2000-01-01T00:00:00Z",
            "records": {
                "quiz:a": {"updated": "2000-01-01T00:00:00Z", "state": {"v": "old"}},
                "quiz:b": {"updated": "2000-01-01T00:00:00Z", "state": {"v": "theirs"}},
            },
        }
    )
    result = store.merge(incoming)
    assert (result.changed, result.kept, result.ignored) == (1, 1, {})
    assert store.get("quiz:a") == {"v": "mine"} and store.get("quiz:b") == {"v": "theirs"}


def test_environment_variable_chooses_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURRICULUM_PROGRESS_FILE", str(tmp_path / "mine.json"))
    assert ProgressStore.for_site("x").path == tmp_path / "mine.json"
    monkeypatch.delenv("CURRICULUM_PROGRESS_FILE")
    assert ProgressStore.for_site("x").path.name == "progress-x.json"


def test_progress_schema_is_shared_with_the_browser() -> None:
    """The JSON Schema documents the file both hosts read and write."""
    schema = ProgressFile.model_json_schema()
    assert set(schema["required"]) >= {"site", "updated"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ProgressFile.model_validate({"site": "s", "updated": "t", "records": {}})


def test_import_and_export_round_trip(tmp_path: Path) -> None:
    site_copy = ProgressStore(tmp_path / "site-export.json", "site")
    site_copy.save("quiz:from-the-site", {"attempts": [{"score": 1.0}]})
    lab = ProgressStore(tmp_path / "lab.json", "site")
    lab.save("vignette:in-the-lab", {"path": []})
    assert lab.import_file(site_copy.path).changed == 1
    assert lab.export_file(tmp_path / "out.json") == 2
    assert set(ProgressStore(tmp_path / "out.json", "site").load().records) == {
        "quiz:from-the-site",
        "vignette:in-the-lab",
    }


@pytest.mark.parametrize("content", ["not json", '{"format": "other"}', None])
def test_import_refuses_what_is_not_this_sites_progress(tmp_path: Path, content: str | None) -> None:
    from curriculum.errors import ProgressFileError

    source = tmp_path / "in.json"
    if content is None:
        ProgressStore(source, "another-site").save("quiz:x", {})
    else:
        source.write_text(content)
    store = ProgressStore(tmp_path / "mine.json", "site")
    store.save("quiz:keep", {"v": 1})
    with pytest.raises(ProgressFileError, match="nothing was imported"):
        store.import_file(source)
    assert set(store.load().records) == {"quiz:keep"}


def test_the_learners_name_is_kept_merged_only_into_a_nameless_file_and_absent_when_none(
    tmp_path: Path,
) -> None:
    store = ProgressStore(tmp_path / "progress.json", "site")
    store.save("quiz:one", {"attempts": []})
    assert "learner" not in json.loads(store.path.read_text()), "no name: the file is as it always was"
    named = tmp_path / "named.json"
    named.write_text(
        json.dumps(
            {"format": "curriculum-progress", "version": 1, "site": "site", "updated": "2026-01-01T00:00:00Z"}
            | {"learner": " Jo\t <Example>\n", "records": {}}
        )
    )
    result = store.import_file(named)
    assert result.changed == 0 and store.load().learner == "Jo <Example>"
    assert json.loads(store.path.read_text())["learner"] == "Jo <Example>"
    other = tmp_path / "other.json"
    other.write_text(named.read_text().replace("Jo\\t <Example>", "Someone Else"))
    assert "Someone Else" in other.read_text()
    store.import_file(other)
    assert store.load().learner == "Jo <Example>", "an import never renames the learner"
    store.save("quiz:two", {"attempts": []})
    assert store.load().learner == "Jo <Example>", "saving a record keeps the name"
    exported = tmp_path / "exported.json"
    store.export_file(exported)
    assert json.loads(exported.read_text())["learner"] == "Jo <Example>"
