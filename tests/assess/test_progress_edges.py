"""The progress file at its edges: hostile imports, special files, killed writers, read-only places.

The read-only cases need the operating system to refuse a write. Run as root, the tests drop
the capabilities that let root write anywhere (``setpriv``), so the refusals are real.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from curriculum.assess import ProgressStore
from curriculum.assess._progress import CLOCK_SKEW, MAX_DEPTH, MAX_IMPORT_BYTES
from curriculum.errors import ProgressFileError
from tests.conftest import PROJECT, REPO

SITE = "test-curriculum"  # the test project's site id


def progress_file(records: dict[str, Any], site: str = SITE) -> str:
    return json.dumps(
        {"format": "curriculum-progress", "version": 1, "site": site, "updated": "x", "records": records}
    )


def stamp(delta: dt.timedelta = dt.timedelta()) -> str:
    return (dt.datetime.now(dt.UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def store(tmp_path: Path) -> ProgressStore:
    mine = ProgressStore(tmp_path / "progress.json", SITE)
    mine.save("worksheet:mine", {"fields": {"situation": "LEARNER-NEWER-TEXT"}})
    return mine


def test_a_record_that_is_not_a_date_is_ignored_and_pins_nothing(
    store: ProgressStore, tmp_path: Path
) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text(progress_file({"quiz:pinned": {"updated": "zzzz-not-a-date", "state": {"v": "odd"}}}))
    result = store.import_file(odd)
    assert result.changed == 0 and "not a date" in result.ignored["quiz:pinned"]
    # A record written that way by an older version does not win either: a real date replaces it.
    data = json.loads(store.path.read_text())
    data["records"]["quiz:pinned"] = {"updated": "zzzz-not-a-date", "state": {"v": "odd"}}
    store.path.write_text(json.dumps(data))
    real = tmp_path / "real.json"
    real.write_text(progress_file({"quiz:pinned": {"updated": stamp(), "state": {"v": "real"}}}))
    assert store.import_file(real).changed == 1 and store.get("quiz:pinned") == {"v": "real"}


def test_a_record_dated_in_the_future_never_overwrites_newer_work(
    store: ProgressStore, tmp_path: Path
) -> None:
    future = tmp_path / "future.json"
    records = {
        "worksheet:mine": {
            "updated": "9999-12-31T00:00:00Z",
            "state": {"fields": {"situation": "FROM-FUTURE"}},
        },
        "quiz:soon": {"updated": stamp(CLOCK_SKEW / 2), "state": {"v": "a clock a little ahead"}},
        "quiz:late": {"updated": stamp(CLOCK_SKEW * 2), "state": {"v": "too far ahead"}},
        "<img src=x onerror=alert(1)>": {"updated": stamp(), "state": {}},
    }
    future.write_text(progress_file(records))
    result = store.import_file(future)
    assert result.changed == 1 and store.get("quiz:soon") == {"v": "a clock a little ahead"}
    assert set(result.ignored) == {"worksheet:mine", "quiz:late", "<img src=x onerror=alert(1)>"}
    assert "future" in result.ignored["worksheet:mine"]
    assert store.get("worksheet:mine") == {"fields": {"situation": "LEARNER-NEWER-TEXT"}}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused_on_import(
    constant: str, store: ProgressStore, tmp_path: Path
) -> None:
    source = tmp_path / "nan.json"
    text = progress_file({"quiz:x": {"updated": stamp(), "state": {"attempts": [{"score": 0}]}}})
    source.write_text(text.replace('"score": 0', f'"score": {constant}'))
    before = store.path.read_bytes()
    with pytest.raises(
        ProgressFileError, match=f"{constant} is not a number JSON allows.*nothing was imported"
    ):
        store.import_file(source)
    assert store.path.read_bytes() == before


def test_non_finite_numbers_are_never_written(store: ProgressStore) -> None:
    before = store.path.read_bytes()
    with pytest.raises(ProgressFileError, match="not finite"):
        store.save("quiz:x", {"attempts": [{"score": float("nan")}]})
    assert store.path.read_bytes() == before
    json.loads(before, parse_constant=lambda name: pytest.fail(f"{name} in the file"))


def test_an_import_over_the_sites_cap_is_refused_unread(store: ProgressStore, tmp_path: Path) -> None:
    store_js = (REPO / "src" / "curriculum" / "web" / "store.js").read_text(encoding="utf-8")
    assert "export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;" in store_js
    assert MAX_IMPORT_BYTES == 5 * 1024 * 1024
    big = tmp_path / "big.json"
    with big.open("w") as handle:
        handle.write(progress_file({})[:-2] + ', "padding": "')
        handle.write("x" * MAX_IMPORT_BYTES)
        handle.write('"}')
    with pytest.raises(ProgressFileError, match=r"at most 5 MiB \(the site's limit\)"):
        store.import_file(big)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deep_nesting_is_refused_with_a_message(depth: int, store: ProgressStore, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    state = "[" * depth + "]" * depth
    deep.write_text(
        progress_file({"quiz:x": {"updated": stamp(), "state": {}}}).replace("{}}}", f'{{"a": {state}}}}}}}')
    )
    with pytest.raises(ProgressFileError, match=f"nested more than {MAX_DEPTH} levels deep"):
        store.import_file(deep)


def test_a_byte_order_mark_is_read_as_the_site_reads_it(store: ProgressStore, tmp_path: Path) -> None:
    marked = tmp_path / "bom.json"
    marked.write_bytes(
        b"\xef\xbb\xbf" + progress_file({"quiz:x": {"updated": stamp(), "state": {}}}).encode()
    )
    assert store.import_file(marked).changed == 1


SPECIAL_FILES = """
import os, sys
from pathlib import Path
from curriculum.assess import ProgressStore
from curriculum.errors import ProgressFileError
folder = Path(sys.argv[1])
os.mkfifo(folder / "fifo.json")
(folder / "zero.json").symlink_to("/dev/zero")
for name in ("fifo.json", "zero.json"):
    for action in ("import", "own file"):
        store = ProgressStore(folder / "mine.json", "s")
        try:
            if action == "import":
                store.import_file(folder / name)
            else:
                ProgressStore(folder / name, "s").load()
        except ProgressFileError as exc:
            print(name, action, exc)
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_special_files_are_refused_by_type_before_opening(tmp_path: Path) -> None:
    """A FIFO would block a reader forever and /dev/zero never ends: both are refused at once."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", SPECIAL_FILES, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4, result.stdout
    assert all("a named pipe, not a progress file" in line for line in lines if line.startswith("fifo"))
    assert all("a device, not a progress file" in line for line in lines if line.startswith("zero"))
    assert time.monotonic() - started < 30


def test_a_killed_writers_temporary_files_are_removed_by_the_next_write(store: ProgressStore) -> None:
    folder = store.path.parent
    stale = folder / ".progress.json.killed1.tmp"
    fresh = folder / ".progress.json.writing.tmp"
    other = folder / ".other.json.killed2.tmp"
    for path in (stale, fresh, other):
        path.write_text("{" * 1000)
    old = time.time() - 3600
    for path in (stale, other):
        os.utime(path, (old, old))
    store.save("quiz:x", {})
    assert not stale.exists(), "a writer's temporary file an hour old is removed"
    assert fresh.exists(), "one just written may belong to a writer still at work"
    assert other.exists(), "another file's temporaries are not this store's"


def test_a_read_only_file_is_never_replaced(store: ProgressStore) -> None:
    store.path.chmod(0o444)
    before = store.path.read_bytes()
    try:
        with pytest.raises(
            ProgressFileError, match=r"is read-only, so your progress was not saved.*make it writable"
        ):
            store.save("quiz:x", {})
        assert store.path.read_bytes() == before and stat.S_IMODE(store.path.stat().st_mode) == 0o444
        assert store.get("worksheet:mine"), "reading it still works"
    finally:
        store.path.chmod(0o644)


# ------------------------------------------------------------------ real refusals from the system


def _unprivileged() -> list[str]:
    """The command prefix that runs a process without root's power to write anywhere."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if os.environ.get("CI"):
            pytest.fail("the read-only tests need setpriv (util-linux) when run as root")
        pytest.skip("run as root without setpriv: a read-only folder cannot be made to refuse root")
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}"]


def run_cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [*_unprivileged(), sys.executable, "-m", "curriculum", *args]
    full = {**os.environ, **env}
    return subprocess.run(command, cwd=cwd, env=full, capture_output=True, text=True, timeout=120)


@pytest.fixture
def read_only(tmp_path: Path) -> Any:
    """A project, and a read-only folder holding the learner's progress."""
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT, project, ignore=shutil.ignore_patterns("_site*", ".curriculum-cache", "quiz", "cases")
    )
    folder = tmp_path / "ro"
    folder.mkdir()
    ProgressStore(tmp_path / "made.json", SITE).save("quiz:intro", {"attempts": []})
    shutil.copy(tmp_path / "made.json", folder / "progress.json")  # no lock file beside it: none can be made
    incoming = tmp_path / "incoming.json"
    incoming.write_text(progress_file({"quiz:other": {"updated": stamp(), "state": {"attempts": []}}}))
    folder.chmod(0o555)
    yield project, folder, incoming
    folder.chmod(0o755)


def test_in_a_read_only_folder_reading_works_and_saving_says_what_to_do(read_only: Any) -> None:
    project, folder, incoming = read_only
    env = {
        "CURRICULUM_PROGRESS_FILE": str(folder / "progress.json"),
        "CURRICULUM_CACHE_DIR": str(folder / "c"),
    }
    shown = run_cli(["progress"], project, env)
    assert shown.returncode == 0 and "quiz" in shown.stdout and "intro" in shown.stdout, shown.stderr
    imported = run_cli(["progress", "--import", str(incoming)], project, env)
    assert imported.returncode == 1, imported.stderr
    assert (
        "Error: cannot save progress in" in imported.stderr
        and "make it writable, or set CURRICULUM_PROGRESS_FILE" in imported.stderr
    )
    assert "Internal error" not in imported.stderr
    new = run_cli(["progress", "--export", str(folder / "exported.json")], project, env)
    assert new.returncode == 1 and "Internal error" not in new.stderr and "make it writable" in new.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["progress.json"]


@pytest.mark.parametrize("lock_file", [False, True])
def test_a_damaged_file_in_a_read_only_folder_is_reported_and_left(read_only: Any, lock_file: bool) -> None:
    project, folder, incoming = read_only
    folder.chmod(0o755)
    (folder / "progress.json").write_text("{ damaged")
    if lock_file:  # an earlier save left its lock file: the lock can be taken, the file not set aside
        (folder / "progress.json.lock").touch()
    folder.chmod(0o555)
    env = {
        "CURRICULUM_PROGRESS_FILE": str(folder / "progress.json"),
        "CURRICULUM_CACHE_DIR": str(folder / "c"),
    }
    shown = run_cli(["progress"], project, env)
    assert shown.returncode == 0 and "could not be read" in shown.stderr and "left as it is" in shown.stderr
    imported = run_cli(["progress", "--import", str(incoming)], project, env)
    expected = "cannot be set aside" if lock_file else "cannot save progress in"
    assert imported.returncode == 1 and expected in imported.stderr, imported.stderr
    assert "Internal error" not in imported.stderr
    assert (folder / "progress.json").read_text() == "{ damaged"


def test_an_unwritable_home_is_a_clear_error_never_a_bug(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT, project, ignore=shutil.ignore_patterns("_site*", ".curriculum-cache", "quiz", "cases")
    )
    home = tmp_path / "home"
    home.mkdir(mode=0o555)
    env = {"HOME": str(home), "XDG_DATA_HOME": "", "XDG_CACHE_HOME": ""}
    env_without = {
        k: v for k, v in os.environ.items() if k not in ("CURRICULUM_PROGRESS_FILE", "CURRICULUM_CACHE_DIR")
    }
    try:
        command = [*_unprivileged(), sys.executable, "-m", "curriculum", "progress"]
        shown = subprocess.run(
            command, cwd=project, env={**env_without, **env}, capture_output=True, text=True, timeout=120
        )
        assert shown.returncode == 0 and "Progress in" in shown.stdout, shown.stderr
        incoming = tmp_path / "in.json"
        incoming.write_text(progress_file({"quiz:x": {"updated": stamp(), "state": {}}}))
        imported = subprocess.run(
            [*command, "--import", str(incoming)],
            cwd=project,
            env={**env_without, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert imported.returncode == 1 and "cannot create the folder" in imported.stderr, imported.stderr
        assert "Internal error" not in imported.stderr
    finally:
        home.chmod(0o755)
