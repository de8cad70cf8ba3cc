"""Execute lesson notebooks for the static host; keep their outputs in ``_freeze/`` and the build cache.

Each notebook runs in its own kernel (two at a time) with
``CURRICULUM_HOST=static``, so its component calls and overviews display
references by id, not content (the engine fills them in from the content
files when it renders the page). The outputs therefore depend only on the
notebook's code and its execution options, and that is their key: editing a
lesson's prose, a quiz, a vignette or an exercise executes nothing.

Outputs are kept in two places:

- the build cache (``.curriculum-cache/executed/<key>.json``), always;
- ``_freeze/<notebook path without suffix>/execute-results/curriculum.json``
  when ``execute: freeze`` is ``auto`` or ``true`` (in ``_quarto.yml`` or the
  notebook's front matter), Quarto's own folder and layout. The folder is
  committed with the repository, so a fresh clone builds without a kernel.
  Quarto keeps its own ``html.json`` beside ours and reads nothing else; see
  ``docs/authoring.md`` (Frozen execution) for why the two files differ.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import json
import operator
import os
import posixpath
import shutil
import stat
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, cast

from curriculum._cache import RACY_NS
from curriculum._memo import Memo, tied_key
from curriculum._plain import RECORD_LIMIT, decoded_record, read_headed
from curriculum.content import (
    E_CONFIG,
    E_EXECUTE,
    E_FREEZE,
    Cell,
    Diagnostic,
    FileRefused,
    changed_while_read,
    display_path,
    inside,
    nesting_problem,
    notebook_cells,
    read_bytes,
    read_existing,
    relative_namer,
    size_limit,
    text_digest,
    write_atomic,
)
from curriculum.errors import BuildError, ContentError
from curriculum.project import DEFAULT_TIMEOUT, Freeze, SiteConfig, path_texts
from curriculum.site._record_file import seal, unsealed
from curriculum.site._sources import read_front_matter
from curriculum.site._stamp import hashed_beside

__all__ = [
    "FREEZE_DIR",
    "FREEZE_FILE",
    "FROZEN_FORMAT",
    "ExecutedNotebooks",
    "NotebookCache",
    "Ran",
    "fingerprint_json",
    "notebook_cache",
]


_CACHE_LIMIT = 256 << 20
"""Largest stored outputs read back."""
FREEZE_DIR = "_freeze"
"""The folder of frozen outputs, in the project (Quarto's name)."""
FREEZE_FILE = "execute-results/curriculum.json"
"""Our file in a notebook's folder of ``_freeze/``, beside Quarto's ``execute-results/html.json``."""
FROZEN_FORMAT = 1
"""The version of what is stored: the references' shapes. Another version is not used."""
_KEPT = ("display_data", "execute_result")
"""The outputs a page shows; streams and errors are build diagnostics, not stored."""


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether a listed entry is a folder, or a link to one (as :func:`os.walk` lists them)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def frozen_files(root: Path, pages: Sequence[str]) -> list[str]:
    """Return the path, as a string, of our frozen outputs of each notebook among ``pages``.

    ``pages`` are named relative to the project (as the configuration lists
    them). A build reads these files (a file there or not, as it is, decides
    a notebook's outputs), so they are among what its stamp compares (see
    :class:`~curriculum.site._stamp.BuildStamp`).

    Examples
    --------
    >>> frozen_files(Path("/p"), ["index.qmd", "lessons/a.ipynb"])
    ['/p/_freeze/lessons/a/execute-results/curriculum.json']
    """
    return path_texts(root, _frozen_names(list(filter(_IS_NOTEBOOK, pages))))  # no Python step a page


_path_text = cast(Callable[[Path | str], str], os.fspath)
"""A path as a string (:func:`os.fspath`, typed for :func:`map`)."""

_IS_NOTEBOOK = operator.methodcaller("endswith", ".ipynb")
"""Whether a page (its name) is a notebook."""


def _frozen_names(notebooks: list[str]) -> list[str]:
    """Return :func:`_frozen_name` of each notebook, in one pass.

    A name ending in ``.ipynb`` after a file name (as the build's notebooks
    do) loses that suffix in the pass itself; any other is named by :func:`_frozen_name`.

    Examples
    --------
    >>> names = ["lessons/a.b.ipynb", "a.ipynb", "lessons/.ipynb", ".ipynb", "a/..ipynb", "a.txt"]
    >>> _frozen_names(names) == list(map(_frozen_name, names))
    True
    """
    return [
        f"{FREEZE_DIR}/{name[:-6]}/{FREEZE_FILE}"
        if name[-6:] == ".ipynb" and name[-7:-6] not in ("", "/")
        else _frozen_name(name)
        for name in notebooks
    ]


def _frozen_name(notebook: str) -> str:
    """Return the name in the project of a notebook's frozen file, from the notebook's (relative, ``/``).

    Examples
    --------
    >>> _frozen_name("lessons/a.ipynb")
    '_freeze/lessons/a/execute-results/curriculum.json'
    """
    return f"{FREEZE_DIR}/{_without_suffix(notebook)}/{FREEZE_FILE}"


def _without_suffix(name: str) -> str:
    """Return a relative POSIX path without its last suffix, as :meth:`pathlib.PurePath.with_suffix` does.

    A string operation (a build names every notebook's frozen file).

    Examples
    --------
    >>> _without_suffix("lessons/a.b.ipynb"), _without_suffix("lessons/.ipynb"), _without_suffix("a.")
    ('lessons/a.b', 'lessons/.ipynb', 'a.')
    """
    head, slash, last = name.rpartition("/")
    dot = last.rfind(".")
    return head + slash + (last[:dot] if 0 < dot < len(last) - 1 else last)


def _decode_known(data: Any) -> tuple[Freeze, str]:
    freeze, key = data
    if not (freeze is True or freeze is False or freeze == "auto") or not isinstance(key, str):
        raise ValueError("not a notebook's freeze and key")
    return freeze, key


_KNOWN = Memo[tuple[Freeze, str]]("execute.key", 1, list, _decode_known)
"""A notebook's ``freeze`` and the key of its outputs (:meth:`NotebookCache.key`), by its text's
digest and the project's options: a notebook the content index holds as it was is not read."""


@dataclass(frozen=True)
class _Outputs:
    """A notebook's frozen outputs, known by their digest and read from their file only when asked for.

    The file is kept as a string: a path object is made only if it is read.
    ``held`` is the hash the build took of the file, and ``forget`` what
    forgets the record that gave the digest (see :meth:`read`).
    """

    file: str
    digest: str
    held: str | None = None
    forget: Callable[[], None] | None = field(default=None, compare=False)

    def read(self) -> list[Any]:
        """Return the outputs, which must still be those of :attr:`digest`.

        A file whose bytes still have the hash the build took (:attr:`held`)
        did not change: a digest it does not hold came from a wrong record,
        which is forgotten (:attr:`forget`), and the file's outputs are returned.

        Raises
        ------
        ContentError
            If the file no longer holds them (CUR101): it changed while the build ran.
        """
        path = Path(self.file)
        record = _record(path)
        if record is not None and fingerprint_json(record["outputs"]) == self.digest:
            outputs: list[Any] = record["outputs"]
            return outputs
        data = _bytes(path)  # read again: the outputs returned must be those of the bytes hashed
        record = _parsed(data)
        if record is None or self.held is None or hashlib.sha256(data or b"").hexdigest() != self.held:
            raise changed_while_read(display_path(path))
        if self.forget is not None:
            self.forget()  # the record named other outputs than the file it hashed holds
        found: list[Any] = record["outputs"]
        return found


class ExecutedNotebooks(Mapping[Path, Any]):
    """Each notebook with the outputs of its code cells, read from its file only when asked for.

    A build whose pages are taken as the last build made them asks for none
    (it compares :meth:`outputs_digests`), so an edit of a quiz reads no notebook.

    Parameters
    ----------
    read : Callable[[str], Any] | None
        What reads a notebook :meth:`take` added (given its path as a string), with its outputs.
    """

    def __init__(self, read: Callable[[str], Any] | None = None) -> None:
        self._files: list[str] = []
        """Each notebook's path as a string (a path object is made only to iterate over them)."""
        self._taken: dict[str, str] = {}
        """The outputs' digest of each notebook :meth:`take` added, by its path as a string."""
        self._read = read
        self._outputs: dict[str, list[Any] | _Outputs] = {}
        """The outputs by the notebook's path as a string (``os.fspath``): no path object to look one up."""
        self._notebooks: dict[str, Any] = {}
        self._readers: dict[str, Callable[[], Any]] = {}
        """The notebooks, and what reads one not read yet, by its path as a string too (no path's hash)."""

    def add(
        self,
        path: Path | str,
        outputs: list[Any] | _Outputs,
        notebook: Any = None,
        read: Callable[[], Any] | None = None,
    ) -> None:
        """Add a notebook: its outputs (or what reads them), and the notebook with them or what reads it.

        ``path`` may be the notebook's path as a string (``os.fspath(path)``).
        """
        file = os.fspath(path)
        if file not in self._outputs:
            self._files.append(file)
        self._outputs[file] = outputs
        if read is None:
            self._notebooks[file] = notebook
        else:
            self._readers[file] = read

    def take(self, taken: Mapping[str, str]) -> None:
        """Add notebooks known by their outputs' digest, by their paths as strings, all at once.

        Each is read (by ``read``) only when asked for: a build takes most of
        its notebooks so, as the last build learnt them, and makes no object for one.
        """
        self._files += taken
        self._taken.update(taken)

    def outputs_digest(self, path: Path | str) -> str:
        """Return a digest of what a page shows of the notebook's outputs (as they are stored).

        ``path`` may be the notebook's path as a string (``os.fspath(path)``).
        """
        file = os.fspath(path)
        if file in self._taken:
            return self._taken[file]
        outputs = self._outputs[file]
        return outputs.digest if isinstance(outputs, _Outputs) else fingerprint_json(outputs)

    def outputs_digests(self, files: list[str]) -> list[str]:
        """Return :meth:`outputs_digest` of each notebook, given by its path as a string.

        A page plan names every notebook: one taken (:meth:`take`) costs a look-up
        (by :func:`map`, when all are: no Python step a notebook).
        """
        taken = self._taken
        try:
            return list(map(taken.__getitem__, files))
        except KeyError:  # one not taken: its outputs' digest is made
            return [taken[file] if file in taken else self.outputs_digest(file) for file in files]

    def __getitem__(self, path: Path) -> Any:
        file = os.fspath(path)
        if file not in self._notebooks:
            if file in self._readers:
                self._notebooks[file] = self._readers.pop(file)()
            elif file in self._taken and self._read is not None:
                self._notebooks[file] = self._read(file)
            else:
                raise KeyError(path)
        return self._notebooks[file]

    def __iter__(self) -> Iterator[Path]:
        return map(Path, self._files)

    def __len__(self) -> int:
        return len(self._files)


class Ran(NamedTuple):
    """How a notebook's outputs were obtained.

    A named tuple: the notebooks a build takes as the last build learnt them
    are told of at once, each made in C (see :data:`_RAN`), not a Python call a notebook.

    Attributes
    ----------
    file : str
        The notebook's path as a string (as :meth:`NotebookCache.executed` was given it).
    how : str
        ``executed`` (a kernel ran it), ``frozen`` (from ``_freeze/``) or
        ``cached`` (from the build cache).
    name : str
        The notebook's path relative to the project, with ``/``.
    """

    file: str
    how: str
    name: str

    @property
    def path(self) -> Path:
        """The notebook (made when asked for: a build names every notebook, and reports them by name)."""
        return Path(self.file)


_RAN = functools.partial(tuple.__new__, Ran)
"""Makes a :class:`Ran` of its fields' tuple, in C (a named tuple's own is Python)."""

_NAME, _FROZEN_NAME = operator.itemgetter(0), operator.itemgetter(1)
"""A notebook's name (:attr:`Ran.name`) and its frozen file's, in :attr:`NotebookCache._frozen`."""


class NotebookCache:
    """Executed notebooks' outputs, stored by a hash of the code and the execution options.

    Parameters
    ----------
    root : Path
        The project folder.
    folder : Path
        The build cache's folder of outputs.
    timeout : int
        Seconds each code cell may run (``execute: timeout`` in ``_quarto.yml``).
    options : Mapping[str, Any]
        The project's ``execute:`` options (a notebook's front matter may override them).
    freeze : Freeze
        The project's ``execute: freeze``.
    refresh : bool
        Execute every notebook, whatever is stored (``curriculum build --no-freeze``).
    write_freeze : bool
        Write ``_freeze/`` (the build does; ``curriculum check`` only reads it).
    """

    def __init__(
        self,
        root: Path,
        folder: Path,
        timeout: int = DEFAULT_TIMEOUT,
        *,
        options: Mapping[str, Any] | None = None,
        freeze: Freeze = False,
        refresh: bool = False,
        write_freeze: bool = True,
    ) -> None:
        self.root = root
        self.folder = folder
        self.timeout = timeout
        self.options = {k: v for k, v in (options or {}).items() if k != "freeze"}
        self.freeze = freeze
        self.refresh = refresh
        self.write_freeze = write_freeze
        self._named = relative_namer(root)
        self._frozen: dict[str, tuple[str, str, str]] = {}
        """Each notebook's name (:attr:`Ran.name`), :meth:`frozen_name` and :meth:`frozen_path` as a
        string, by the notebook's path as a string (see :meth:`_name`)."""

    def frozen_path(self, path: Path | str) -> Path:
        """Return where a notebook's frozen outputs are kept (Quarto's folder for it)."""
        return Path(self._frozen_at(path)[1])

    def frozen_name(self, path: Path | str) -> str:
        """Return :meth:`frozen_path` relative to the project, with forward slashes.

        Raises
        ------
        ValueError
            If the notebook is not in the project.
        """
        return self._frozen_at(path)[0]

    def _frozen_at(self, path: Path | str) -> tuple[str, str]:
        """Return :meth:`frozen_name` and :meth:`frozen_path` as a string (see :meth:`_name`)."""
        text = os.fspath(path)
        found = self._frozen.get(text)
        if found is None:
            self._name([path])
            found = self._frozen[text]
        return found[1:]

    def _name(self, notebooks: Sequence[Path | str]) -> list[str]:
        """Name each notebook and its frozen file, once a cache; return each one's path as a string.

        Each is named relative to the project (:attr:`Ran.name`), and its frozen
        file too (:meth:`frozen_name`), with that file's path as a string:
        ``os.fspath(root / name)`` (:func:`~curriculum.project.path_texts`). In
        one pass, from strings: a build names every notebook, and makes no
        path object for a frozen file it does not read.

        Raises
        ------
        ValueError
            If a notebook is not in the project.
        """
        texts = list(map(_path_text, notebooks))
        new = list(itertools.filterfalse(self._frozen.__contains__, texts))  # no Python step a notebook
        if new:
            self._note(new, [self._relative(text) for text in new])
        return texts

    def named(self, names: Sequence[str]) -> list[str]:
        """Return the path, as a string, of each notebook given by its name in the project (``a/b.ipynb``).

        Each is named as :meth:`_name` names it, from the name given where
        that is its name (the usual case: a page as the configuration lists
        it, joined to the root as a string), not found again from its path.
        The names must be inside the project, as the configuration's pages
        are (it refuses ``..`` and absolute paths): a name is taken as given.

        Raises
        ------
        ValueError
            If a notebook whose path is not its name joined to the root is not in the project.
        """
        texts = path_texts(self.root, names)
        prefix = os.path.join(os.fspath(self.root), "")  # a name joined to it as a string is its own
        if texts == list(map(prefix.__add__, names)):  # every one (the usual case), compared at once
            self._note(texts, list(names))
            return texts
        pairs = zip(texts, names, strict=True)
        self._note(texts, [name if text == prefix + name else self._relative(text) for text, name in pairs])
        return texts

    def _note(self, texts: list[str], names: list[str]) -> None:
        """Keep the name of each notebook (its path as a string), and its frozen file's name and path."""
        shown = _frozen_names(names)
        frozen = zip(names, shown, path_texts(self.root, shown), strict=True)
        self._frozen.update(zip(texts, frozen, strict=True))  # in one pass, not a Python step a notebook

    def _relative(self, text: str) -> str:
        """Return a notebook's path relative to the project, with ``/`` (from its path as a string).

        Raises
        ------
        ValueError
            If it is not in the project.
        """
        name = self._named(text)
        if name is None:
            raise ValueError(f"{text} is not in the project {self.root}")
        return name

    def settings(self, path: Path, notebook: dict[str, Any], text: str = "") -> tuple[Freeze, dict[str, Any]]:
        """Return a notebook's ``freeze`` and its other execution options (front matter over project).

        Raises
        ------
        ContentError
            If the front matter's ``execute: freeze`` is not ``auto``, ``true`` or ``false``.
        """
        cells = notebook.get("cells") or []
        first = cells[0] if cells and isinstance(cells[0], dict) else {}
        execute: Any = {}
        if first.get("cell_type") == "raw":  # front matter the content check could not read counts as none
            execute = read_front_matter(_source(first).lstrip() + "\n").get("execute")
        execute = execute if isinstance(execute, dict) else {}
        freeze = execute.get("freeze", self.freeze)
        if freeze not in (True, False, "auto"):
            where = (1, 1)
            if text:
                source = _source(first)
                where = notebook_cells(text, cells)[0].pos(max(0, source.find("freeze:")))
            raise ContentError(
                [
                    E_CONFIG.at(
                        display_path(path),
                        where,
                        f"`execute: freeze` is {freeze!r}",
                        "write `freeze: auto` (reuse the stored outputs while the code is unchanged), "
                        "`freeze: true` (always reuse them) or `freeze: false`",
                    )
                ]
            )
        options = {**self.options, **{k: v for k, v in execute.items() if k != "freeze"}}
        return freeze, options

    def key(self, notebook: dict[str, Any], options: Mapping[str, Any] | None = None) -> str:
        """Return the key of a notebook's outputs: its code cells and its execution options, nothing else."""
        code = [_source(c) for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
        return fingerprint_json([FROZEN_FORMAT, dict(options or self.options), code])

    def stale(self, notebooks: list[Path]) -> list[Diagnostic]:
        """Return a warning for each notebook whose ``_freeze/`` outputs are missing or out of date.

        Also for frozen outputs of a notebook the site no longer renders. CI runs
        ``curriculum check --strict``, where a warning fails.
        """
        problems: list[Diagnostic] = []
        expected: set[str] = set()
        hint = "run `curriculum build` (it executes the notebook, refreshing _freeze/), then commit _freeze/"
        for path in notebooks:
            nb, text = self._read(path)
            freeze, options = self.settings(path, nb, text)
            if freeze is False:
                continue
            shown = self.frozen_name(path)
            expected.add(shown)
            record = _record(self.root / shown)
            if record is None:
                missing = f"has no frozen outputs in {shown}"
                problems.append(E_FREEZE.at(display_path(path), (1, 1), missing, hint))
            elif freeze == "auto" and record.get("hash") != self.key(nb, options):
                problems.append(
                    E_FREEZE.at(
                        display_path(path),
                        (1, 1),
                        f"changed since its outputs were frozen in {shown} (its code or execution options)",
                        hint,
                    )
                )
        for orphan in (self.root / name for name in self._stored_frozen_files() - expected):
            problems.append(
                E_FREEZE.at(
                    display_path(orphan),
                    (1, 1),
                    "holds the frozen outputs of a notebook the site does not render",
                    "run `curriculum build` (it removes them), then commit _freeze/",
                )
            )
        return problems

    def executed(
        self,
        notebooks: Sequence[Path | str],
        on_done: Callable[[list[Ran]], None] | None = None,
        workers: int = 2,
        digests: Mapping[str, str] | None = None,
        *,
        execute: bool = True,
        hashed: Mapping[str, str] | None = None,
    ) -> ExecutedNotebooks:
        """Return every notebook with outputs, executing only those whose outputs are not stored.

        Parameters
        ----------
        notebooks : Sequence[Path | str]
            Lesson notebooks, or their paths as strings (``os.fspath``): a
            build names every notebook, and makes a path object only for one
            it reads.
        on_done : Callable[[list[Ran]], None] | None
            Told how each notebook's outputs were obtained: called once with
            every notebook whose outputs are stored (before any is executed),
            then with each notebook executed, as it is done.
        workers : int
            Kernels run at once.
        digests : Mapping[str, str] | None
            The digest of each notebook's text as the content was loaded (from the
            content index, unread when unchanged), by the notebook's path as a
            string (``os.fspath``, as the index lists it). A notebook whose key is known
            by its digest is read only when its page must be made again, and
            must then still have that digest.
        execute : bool
            Execute the notebooks whose outputs are not stored; if False, they
            are left out (and ``on_done`` is not told of them), and the record
            of the ``_freeze/`` files' hashes is not written: a look at what is
            stored, for a few notebooks, while the build goes on.
        hashed : Mapping[str, str] | None
            The hash of the contents of files the caller took this run, by their
            names in the project (the build's stamp, which hashed each notebook's
            ``_freeze/`` file as the build began): a frozen file found there is
            not looked at again (see :meth:`_frozen_digests`).

        Returns
        -------
        ExecutedNotebooks
            Notebooks (as JSON data) with the outputs of their code cells.

        Raises
        ------
        ContentError
            If a cell raises, runs longer than the timeout, kills its kernel or
            shows something the site cannot publish; each problem is located at its cell.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        todo: list[tuple[Path, str, Freeze, str, str]] = []
        ran: list[Ran] = []
        context = json.dumps([FROZEN_FORMAT, self.freeze, self.options], sort_keys=True, default=str)
        files = self._name(notebooks)
        frozen = self._frozen_digests(files, record=execute, hashed=hashed or {})
        learnt = _Learnt(self.folder.parent / LEARNT_FILE, context)
        # each notebook whose text and frozen file are as learnt: its outputs' digest, the file's hash and
        # the text's digest (see :meth:`_read_taken`); never under --no-freeze (refresh), whatever the
        # frozen files' hashes say: outputs are made anew
        helds = list(map(frozen.get, map(_FROZEN_NAME, map(self._frozen.__getitem__, files))))
        taken = {} if self.refresh else learnt.unchanged_all(files, digests or {}, helds)
        results = ExecutedNotebooks(functools.partial(self._read_taken, taken, learnt))
        # text and frozen file as learnt: nothing to decide again, each told of at once (no Python step a
        # notebook), in the order given; the others one by one
        learnt_files = list(itertools.compress(files, map(taken.__contains__, files)))
        names = map(_NAME, map(self._frozen.__getitem__, learnt_files))
        ran += map(_RAN, zip(learnt_files, itertools.repeat("frozen"), names))
        for file in list(itertools.filterfalse(taken.__contains__, files)):
            name = self._frozen[file][0]
            digest = (digests or {}).get(file)
            known = (learnt.key(file, digest) or _KNOWN.stored(digest, context=context)) if digest else None
            nb: Any = None
            if known is None:
                path = Path(file)
                nb, text = self._read_as(path, digest)  # the text that was checked, if the check read it
                digest = text_digest(text)
                freeze, options = self.settings(path, nb, text)
                key = self.key(nb, options)
                _learn(digest, context, freeze, key)  # known by its digest from now on
            else:
                freeze, key = known
            learnt.learn(file, str(digest), freeze, key)
            outputs, how = self._stored(file, key, freeze, frozen, learnt)
            if outputs is None:
                todo.append((Path(file), key, freeze, str(digest), name))
                continue
            if nb is None:
                results.add(file, outputs, read=functools.partial(self._reread, file, str(digest), outputs))
            else:
                results.add(file, outputs, _with_outputs(nb, _listed(outputs)))
            if how == "cached" and freeze is not False and self.write_freeze:
                self._keep(file, key, freeze, _listed(outputs))  # into _freeze/ too (the cache holds them)
            ran.append(Ran(file, how, name))
        results.take({file: outputs for file, (outputs, _, _) in taken.items()})
        if on_done and ran:
            on_done(ran)
        if todo and execute:
            env = {
                "CURRICULUM_HOST": "static",
                "CURRICULUM_ROOT": str(self.root),
                "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            }
            saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    runs = [pool.submit(self._run, path, digest) for path, _, _, digest, _ in todo]
                    problems: list[Diagnostic] = []
                    for (path, key, freeze, _, name), run in zip(todo, runs, strict=True):
                        try:
                            nb = run.result()
                        except ContentError as exc:
                            problems += exc.diagnostics
                            continue
                        outputs = _stored_outputs(nb)
                        results.add(path, outputs, nb)
                        self._keep(path, key, freeze, outputs)
                        if on_done:
                            on_done([Ran(os.fspath(path), "executed", name)])
                    if problems:
                        raise ContentError(problems)
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
        if execute:
            learnt.save()
        return results

    def prune(
        self, notebooks: Sequence[Path | str], looked: Mapping[str, os.stat_result | None] | None = None
    ) -> int:
        """Remove our frozen outputs of notebooks not in ``notebooks`` (not Quarto's); return how many.

        ``_freeze/`` is listed only when it may hold such a file: when a folder
        in it is not as the last prune left it (:class:`_FreezeFolders`), or
        that prune kept a file of a notebook not in ``notebooks``. ``looked``:
        the own status of folders as the build's stamp took them as the build
        began (:attr:`~curriculum.site._stamp.BuildStamp.folders`); when they are
        every folder of ``_freeze/`` the last prune left, each as it was, the
        folders are not looked at again (nor their record read).
        """
        if not self.write_freeze:
            return 0
        keep = set(map(_FROZEN_NAME, map(self._frozen.__getitem__, self._name(notebooks))))
        folders = _FreezeFolders(self.root, self.folder.parent / FOLDERS_FILE)
        if folders.names <= keep and (folders.seen(looked) or folders.unchanged()):
            return 0
        at = time.time_ns()
        listed = self._frozen_listing()
        removed = 0
        for orphan in (self.root / name for name in listed.names - keep):
            try:
                inside(self.root, orphan.parent)  # never a file elsewhere, whatever links lead there
            except FileRefused:
                continue
            orphan.unlink()
            removed += 1
            folder = orphan.parent
            while folder != self.root / FREEZE_DIR and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        if removed:  # the folders it removed files from changed: listed again, as they are now
            at, listed = time.time_ns(), self._frozen_listing()
        folders.save(listed, at)
        return removed

    def _stored_frozen_files(self) -> set[str]:
        """Return every file of frozen outputs in ``_freeze/`` (as :meth:`frozen_name` names them)."""
        return self._frozen_listing().names

    def _frozen_listing(self) -> _Listing:
        """List ``_freeze/``: every file of frozen outputs in it, and the status of each folder listed.

        Each folder's status is taken before it is listed, so a file added
        while it is listed changes the status :class:`_FreezeFolders` compares.
        """
        listed = _Listing(set(), {})
        folder = self.root / FREEZE_DIR
        listed.folders[FREEZE_DIR] = _status(os.fspath(folder))
        try:
            inside(self.root, folder)  # _freeze/ itself a link out of the project: none of it is ours
        except FileRefused:
            return listed
        results, file = posixpath.split(FREEZE_FILE)
        folders = [(os.fspath(folder), FREEZE_DIR)]  # each folder to list, and its name in the project
        while folders:
            top, name = folders.pop()
            if name != FREEZE_DIR:
                listed.folders[name] = _status(top)
            try:
                with os.scandir(top) as entries:
                    for entry in entries:
                        if _is_folder(entry):
                            if not entry.is_symlink():  # a link to a folder below it is not followed
                                folders.append((entry.path, f"{name}/{entry.name}"))
                        elif entry.name == file and name.endswith(f"/{results}"):
                            listed.names.add(f"{name}/{file}")
            except OSError:
                continue  # a folder that cannot be listed holds nothing found
        return listed

    def _frozen_digests(
        self, files: list[str], *, record: bool = True, hashed: Mapping[str, str]
    ) -> Mapping[str, str]:
        """Return a mapping holding the hash of each notebook's ``_freeze/`` file, by its path in the project.

        ``files`` are the notebooks' paths as strings, named (:meth:`_name`).
        A file ``hashed`` holds (the build's stamp took it this build) is
        taken from there: ``hashed`` itself is returned when it holds them all
        (it may hold other files too). The others are hashed through a record
        of their times and sizes (:class:`~curriculum.site._stamp.FileDigests`):
        a file as it was when last recorded is not read. Without ``record``,
        that record is only read.
        """
        if self.refresh:
            return {}
        frozen = [self._frozen[file] for file in files]
        unknown = [where for _, frozen_name, where in frozen if frozen_name not in hashed]
        return hashed_beside(
            self.root, self.folder.parent / "frozen-digests.json", unknown, hashed, write=record
        )

    def _stored(
        self, file: str, key: str, freeze: Freeze, frozen: Mapping[str, str], learnt: _Learnt
    ) -> tuple[list[Any] | _Outputs | None, str]:
        """Return the stored outputs of a notebook (or what reads them) and where they came from, or None.

        ``file`` is the notebook's path as a string, named (:meth:`_name`). ``frozen``
        holds the hash of each ``_freeze/`` file: a frozen record whose
        hash ``learnt`` or the memo knows is not read until its outputs are asked for.
        """
        if self.refresh:
            return None, ""
        if freeze is not False:
            _, name, where = self._frozen[file]
            held = frozen.get(name)
            made = _frozen_made(file, where, held, learnt)
            if made and (freeze is True or made[0] == key):
                return _Outputs(where, made[1], held, functools.partial(learnt.forget, file)), "frozen"
        record = _record(self.folder / f"{key}.json")
        if record is not None and record.get("hash") == key:
            return record["outputs"], "cached"
        return None, ""

    def _keep(self, path: Path | str, key: str, freeze: Freeze, outputs: list[Any]) -> None:
        """Store a notebook's outputs in the build cache, and in ``_freeze/`` when it is frozen."""
        text = _record_text(key, outputs)
        write_atomic(self.folder / f"{key}.json", text, within=self.root)  # the cache linked out: refused
        if freeze is not False and self.write_freeze:
            frozen = self.frozen_path(path)
            if freeze is True and _record(frozen) is not None and not self.refresh:
                return  # `freeze: true` keeps what is frozen until a build with --no-freeze
            frozen.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(frozen, text, within=self.root)

    def _read_as(self, path: Path, digest: str | None) -> tuple[dict[str, Any], str]:
        """Read a notebook that must still have ``digest`` (the text its key and check were made from).

        Raises
        ------
        ContentError
            If it changed since (CUR101): its outputs would be kept under the key of another text.
        """
        nb, text = self._read(path)
        if digest is not None and text_digest(text) != digest:
            raise changed_while_read(display_path(path))
        return nb, text

    def _read_taken(
        self, taken: Mapping[str, tuple[str, str | None, str]], learnt: _Learnt, file: str
    ) -> dict[str, Any]:
        """Read the notebook ``file`` (its path as a string) taken as ``learnt`` had it, with its outputs.

        ``taken`` holds its outputs' digest, the hash the build took of its
        frozen file, and its text's digest (see :meth:`_reread`).
        """
        outputs, held, digest = taken[file]
        stored = _Outputs(self._frozen[file][2], outputs, held, functools.partial(learnt.forget, file))
        return self._reread(file, digest, stored)

    def _reread(self, file: str, digest: str, outputs: list[Any] | _Outputs) -> dict[str, Any]:
        """Read the notebook ``file`` (its path as a string), known by its digest, with its outputs.

        It must still have that digest.

        Raises
        ------
        ContentError
            If the notebook changed since the content was loaded (CUR101): its
            outputs were chosen for the text that was checked (or the outputs'
            file changed since the build chose them).
        """
        return _with_outputs(self._read_as(Path(file), digest)[0], _listed(outputs))

    def _read(self, path: Path) -> tuple[dict[str, Any], str]:
        """Return a notebook's data and its text, read inside the project and within the size limit."""
        try:
            raw = read_bytes(path, size_limit(path), root=self.root)
        except FileRefused as refused:
            raise ContentError([refused.at(display_path(path))]) from refused
        text = raw.decode("utf-8-sig", errors="replace")
        data: dict[str, Any] = json.loads(text)
        return data, text

    def _run(self, path: Path, digest: str | None = None) -> Any:
        """Execute a notebook, which must still have ``digest`` (see :meth:`_read_as`)."""
        import nbformat
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        data, text = self._read_as(path, digest)
        cells = notebook_cells(text, data.get("cells", []))
        nb = nbformat.reads(text, as_version=4)
        sockets = tempfile.mkdtemp(prefix="curriculum-kernel-")
        running = [0]

        class LocalKernelManager(AsyncKernelManager):
            """IPC sockets keep kernel traffic off the network (and ipykernel's TCP warning off the log)."""

            def __init__(self, **kwargs: Any) -> None:
                if os.name != "nt":  # an absolute socket path: the kernel runs in the notebook's folder
                    kwargs.setdefault("transport", "ipc")
                    kwargs.setdefault("ip", os.path.join(sockets, "kernel"))
                super().__init__(**kwargs)

        def started(cell: Any, cell_index: int, **_: Any) -> None:
            running[0] = cell_index

        client = NotebookClient(
            nb,
            kernel_manager_class=LocalKernelManager,
            timeout=self.timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
            on_cell_start=started,
        )
        display = display_path(path)

        def failed(message: str, hint: str) -> ContentError:
            cell = cells[running[0]] if running[0] < len(cells) else None
            where = cell.pos(0) if cell is not None else (1, 1)
            return ContentError([E_EXECUTE.at(display, where, f"cell {running[0] + 1} {message}", hint)])

        try:
            # The kernel's own stderr is noise here (a killed kernel prints ZMQ tracebacks);
            # what went wrong reaches us through the messages and is reported below.
            client.execute(stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        except CellTimeoutError as exc:
            raise failed(
                f"ran longer than the {self.timeout} s a cell may run",
                "make the cell finish sooner (a loop that never ends?), or raise `execute: timeout` "
                "(seconds per cell) in _quarto.yml",
            ) from exc
        except DeadKernelError as exc:
            raise failed(
                "stopped the Python kernel (a crash, `os._exit`, or running out of memory)",
                "run the notebook in JupyterLab to see what the cell does",
            ) from exc
        except CellExecutionError as exc:
            raise failed(
                f"raised {exc.ename}: {_clip(exc.evalue)}",
                "fix the code; run the notebook in JupyterLab to see the traceback",
            ) from exc
        except Exception as exc:  # the kernel could not start: an installation problem, not the content
            raise BuildError(
                f"{display}: could not start a Python kernel to execute the notebook: "
                f"{type(exc).__name__}: {_clip(str(exc))}"
            ) from exc
        finally:
            shutil.rmtree(sockets, ignore_errors=True)
        executed = json.loads(nbformat.writes(nb))
        problems = _output_problems(executed, cells, display)
        if problems:
            raise ContentError(problems)
        return executed


def _output_problems(nb: dict[str, Any], cells: tuple[Cell, ...], display: str) -> list[Diagnostic]:
    """Return what in the code cells' outputs the site cannot publish, located at each cell."""
    problems: list[Diagnostic] = []
    for index, cell in enumerate(nb.get("cells", [])):
        at = cells[index].pos(0) if index < len(cells) else (1, 1)

        def problem(message: str, hint: str, index: int = index, at: tuple[int, int] = at) -> None:
            problems.append(E_EXECUTE.at(display, at, f"cell {index + 1} {message}", hint))

        for out in cell.get("outputs", []):
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = out.get("data", {})
            if "text/html" in data and 'class="cur-problem"' in _text(data["text/html"]):
                problem(
                    f"shows an error box instead of a component: {_clip(_text(data.get('text/plain', '')))}",
                    "fix the id or the content it names; `curriculum check` lists the content's problems",
                )
            elif "text/html" not in data and "application/vnd.jupyter.widget-view+json" in data:
                problem(
                    "displayed a live widget while building the site",
                    "component calls must see CURRICULUM_HOST=static; call them through `curriculum.`",
                )
            for mime in ("image/png", "image/jpeg"):
                if mime in data:
                    try:
                        base64.b64decode(_text(data[mime]).replace("\n", ""), validate=True)
                    except (ValueError, TypeError):
                        problem(
                            f"displayed an {mime} image whose data is not valid base64",
                            "display the image with IPython.display.Image, or remove the output",
                        )
            if "text/markdown" in data:
                deep = nesting_problem(_text(data["text/markdown"]))
                if deep is not None:
                    problems.append(deep.diagnostic(display, at, f"the Markdown cell {index + 1} displays"))
    return problems


def _text(value: Any) -> str:
    return "".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_cache(
    config: SiteConfig, folder: Path, *, refresh: bool = False, write_freeze: bool = True
) -> NotebookCache:
    """Return the notebook cache of a site configuration: its ``execute:`` options, ``freeze`` and timeout.

    Parameters
    ----------
    config : SiteConfig
        The site's configuration.
    folder : Path
        The build cache's folder of outputs.
    refresh : bool
        Execute every notebook (``--no-freeze``).
    write_freeze : bool
        Write ``_freeze/`` (False: only read it, as ``curriculum check`` does).
    """
    execute = config.raw.get("execute")
    return NotebookCache(
        config.root,
        folder,
        config.execute_timeout,
        options=execute if isinstance(execute, dict) else {},
        freeze=config.freeze,
        refresh=refresh,
        write_freeze=write_freeze,
    )


def _record(path: Path) -> dict[str, Any] | None:
    """Return a stored record of outputs, or None if it is missing, damaged or of another format."""
    return _parsed(_bytes(path))


def _bytes(path: Path) -> bytes | None:
    """Return a record's bytes, or None if it is missing or cannot be read (see :func:`read_existing`)."""
    try:
        return read_existing(path, _CACHE_LIMIT)
    except OSError:
        return None


def _parsed(data: bytes | None) -> dict[str, Any] | None:
    """Return a record of outputs from its bytes, or None if they are not one."""
    try:
        found = json.loads(data or b"null")
    except ValueError:
        return None
    if (
        not isinstance(found, dict)
        or found.get("format") != FROZEN_FORMAT
        or not isinstance(found.get("outputs"), list)
    ):
        return None
    return found


def _record_text(key: str, outputs: list[Any]) -> str:
    """Return the stored form of a notebook's outputs: stable bytes, one code cell per line."""
    cells = ",\n".join(json.dumps(cell, ensure_ascii=False, sort_keys=True) for cell in outputs)
    head = json.dumps({"engine": "curriculum", "format": FROZEN_FORMAT, "hash": key})[:-1]
    return f'{head}, "outputs": [\n{cells}\n]}}\n'


def _stored_outputs(nb: dict[str, Any]) -> list[Any]:
    """Return what is stored of an executed notebook: per code cell, the outputs a page shows.

    Execution counts, streams and errors are left out, and texts are joined,
    so the same code gives the same bytes on any machine.
    """
    cells = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") in _KEPT:
                data = {
                    mime: _text(value) if isinstance(value, (str, list)) else value
                    for mime, value in out.get("data", {}).items()
                }
                metadata = out.get("metadata", {})
                kept.append({"output_type": "display_data", "data": data, "metadata": metadata})
        cells.append(kept)
    return cells


def _with_outputs(nb: dict[str, Any], outputs: list[Any]) -> dict[str, Any]:
    code = iter(outputs)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = next(code, [])
    return nb


def _listed(outputs: list[Any] | _Outputs) -> list[Any]:
    """Return outputs as a list (read from their file, for outputs known by their digest)."""
    return outputs.read() if isinstance(outputs, _Outputs) else outputs


def _frozen_record(path: Path) -> tuple[list[str], str]:
    """Return the key and the outputs' digest of a ``_freeze/`` record (nothing if it is not one).

    Also returns the hash of the bytes read, which the record's memo entry is
    kept under only if it is the hash the build took of the file (it may have
    been replaced in between).
    """
    data = _bytes(path)
    record = _parsed(data)
    read = hashlib.sha256(data or b"").hexdigest()
    if record is None:
        return [], read
    key = record.get("hash")
    return [key if isinstance(key, str) else "", fingerprint_json(record["outputs"])], read


def _frozen_made(file: str, where: str, held: str | None, learnt: _Learnt) -> list[str]:
    """Return the key and outputs' digest in the ``_freeze/`` record ``where`` of notebook ``file``.

    ``held`` is the hash the build took of the file: what ``learnt`` or the memo
    holds of that hash is taken unread; else the file is read, and what it
    holds is kept under the hash only if the bytes read are those hashed.
    """
    made = (learnt.frozen(file, held) or _FROZEN.stored(held)) if held else None
    if made is None:
        made, read = _frozen_record(Path(where))
        if read != held:
            return made
        _FROZEN.get(read, lambda: made)  # the bytes read are those hashed: kept under their hash
    learnt.learn_frozen(file, str(held), made)
    return made


def _decode_frozen(data: Any) -> list[str]:
    if not isinstance(data, list) or len(data) not in (0, 2) or not all(isinstance(s, str) for s in data):
        raise ValueError("not a frozen record's key and digest")
    return data


_FROZEN = Memo[list[str]]("execute.frozen", 1, list, _decode_frozen)
"""A ``_freeze/`` record's key and its outputs' digest, by the hash of the file: a record unchanged
since the last build is not read (its outputs are read only for a page made again)."""


FOLDERS_FILE = "frozen-folders.json"
"""The record of :class:`_FreezeFolders`, in the profile's build cache."""


_CHANGE_TIMES = os.name != "nt"
"""Whether a file's ``st_ctime`` is when its status last changed (POSIX), which a time set back by hand
cannot set back. On Windows it is the creation time: there ``_freeze/`` is listed by every prune."""


def _status(folder: str) -> list[int] | None:
    """Return what tells a folder changed: its inode, modification and change times (None if it is gone).

    A file added, removed or renamed in a folder changes its times; a folder
    replaced is another inode; a time set back by hand changes the change time
    (see :data:`_CHANGE_TIMES`). A link is followed, as the listing follows
    ``_freeze/`` itself when it is one (a folder in it that is a link is not
    listed, and its status is not taken). A path no folder can have (a NUL in
    a damaged record's name) is none.
    """
    try:
        info = os.stat(folder)
    except (OSError, ValueError):
        return None
    return list(_STATUS(info))


_STATUS = operator.attrgetter("st_ino", "st_mtime_ns", "st_ctime_ns")
"""What :func:`_status` takes of a folder's status."""


def _statuses(folders: list[str]) -> list[list[int] | None]:
    """Return the :func:`_status` of each folder (paths as strings).

    When every folder is there, one ``stat`` each, and no call of Python: a
    prune that finds ``_freeze/`` as it left it looks at every folder in it.
    """
    try:
        return list(map(list, map(_STATUS, map(os.stat, folders))))
    except (OSError, ValueError):  # a folder gone, or a name no folder has: each as _status gives it
        return list(map(_status, folders))


@dataclass(frozen=True)
class _Listing:
    """What a listing of ``_freeze/`` found: the files of frozen outputs, and the status of each folder.

    Attributes
    ----------
    names : set[str]
        Each file of frozen outputs, as :meth:`NotebookCache.frozen_name` names them.
    folders : dict[str, list[int] | None]
        The :func:`_status` of each folder listed (``_freeze/`` too), by its path relative to the project.
    """

    names: set[str]
    folders: dict[str, list[int] | None]


class _FreezeFolders:
    """What the last prune left in ``_freeze/``: the status of each folder, and the frozen files they held.

    A file (or a folder) appears in ``_freeze/`` only by changing the status of
    the folder it appears in (:func:`_status`), so while every folder the last
    prune listed is as it was, ``_freeze/`` holds exactly the files it left,
    and the prune does not list it again. A folder changed less than
    :data:`~curriculum._cache.RACY_NS` before its listing began is not trusted
    (a change in the same clock tick leaves its times as they were): the next
    prune lists ``_freeze/`` again. The record is tied to this computer's key
    and to the code (:func:`~curriculum._memo.tied_key`); one from elsewhere,
    of other code, or damaged, is no record. Where a time set back by hand
    leaves a folder's status as it was (Windows: see :data:`_CHANGE_TIMES`),
    every prune lists ``_freeze/``.

    Its first line holds the files and a digest of the folders' statuses
    (:func:`_folders_digest`), the rest the statuses themselves, read only
    when the folders are looked at again (:meth:`unchanged`): a build whose
    stamp looked at every folder of ``_freeze/`` as it began compares the
    digest of what it saw instead (:meth:`seen`).

    Parameters
    ----------
    root : Path
        The project folder.
    path : Path
        The record, in the build cache.
    """

    def __init__(self, root: Path, path: Path) -> None:
        self.root = root
        self.path = path
        self.names: set[str]
        """The frozen files the last prune left (none without a record)."""
        self.names, self._digest, self._rest = _folders_header(read_headed(path, RECORD_LIMIT))

    def seen(self, looked: Mapping[str, os.stat_result | None] | None) -> bool:
        """Whether the folders of ``_freeze/`` in ``looked`` are exactly those recorded, each as it was.

        ``looked`` holds the own status of folders by their paths as strings, as
        the build's stamp took them as the build began
        (:attr:`~curriculum.site._stamp.BuildStamp.folders`); a folder of
        ``_freeze/`` it lacks, or one it has that the record lacks, makes the
        digests differ (the prune then looks at the folders itself, :meth:`unchanged`).
        """
        if self._digest is None or looked is None or not _CHANGE_TIMES:
            return False
        return _looked_digest(self.root, looked) == self._digest

    def unchanged(self) -> bool:
        """Whether there is a record, and every folder it holds is as it was (one look at each).

        The statuses are compared as lists, at once, as they are recorded: one
        of another shape (a damaged record) is none.
        """
        folders = _folders_rest(self._rest)
        names = list(folders)
        if not (_CHANGE_TIMES and names):
            return False
        return _statuses(path_texts(self.root, names)) == list(folders.values())

    def save(self, listed: _Listing, at: int) -> None:
        """Record a listing of ``_freeze/`` begun at ``at`` (its folders only if none changed close to it)."""
        trusted = all(status is None or max(status[1:]) + RACY_NS < at for status in listed.folders.values())
        header = {
            "key": tied_key(FOLDERS_FILE, _FOLDERS_FORM),
            "names": sorted(listed.names),
            "digest": _listed_digest(self.root, listed.folders) if trusted else None,
        }
        folders = listed.folders if trusted else {}
        text = json.dumps(header, separators=(",", ":")) + "\n" + json.dumps(folders, separators=(",", ":"))
        write_atomic(self.path, text, within=self.root)


_FOLDERS_FORM = "2"
"""The form of :class:`_FreezeFolders`' record (its key names it: a record of another form is none)."""


def _folders_header(headed: tuple[dict[str, Any], Any, int] | None) -> tuple[set[str], str | None, bytes]:
    """Return the files, the folders' digest and the rest of a :class:`_FreezeFolders` record.

    None of them (no files, no digest, nothing more) if it is none: missing,
    damaged, of another form or code, or another computer's.
    """
    if headed is None:
        return set(), None, b""
    header, data, start = headed
    names, digest = header.get("names"), header.get("digest")
    if (
        header.get("key") != tied_key(FOLDERS_FILE, _FOLDERS_FORM)
        or not isinstance(names, list)
        or not set(map(type, names)) <= {str}  # every name a string, as JSON gives them
        or not (digest is None or isinstance(digest, str))
    ):
        return set(), None, b""
    return set(names), digest, bytes(data[start:])


def _folders_rest(rest: bytes) -> dict[str, Any]:
    """Return the folders' statuses a :class:`_FreezeFolders` record holds after its first line (or none)."""
    try:
        folders = json.loads(rest) if rest else {}
    except (ValueError, RecursionError):
        return {}
    return folders if isinstance(folders, dict) else {}  # a status of another shape is none (see unchanged)


def _folders_digest(paths: list[str], infos: Sequence[os.stat_result | _Looks]) -> str:
    """Return a digest of folders (their paths as strings, sorted) and their statuses (:func:`_status`).

    Each status is packed as 64-bit integers (no Python step a folder: a build's
    prune compares every folder of ``_freeze/``); ``infos`` are the folders'
    statuses, or what :func:`_status` took of them.

    Raises
    ------
    struct.error
        If a number is out of range.
    """
    packed = struct.pack(
        f"={len(infos)}Q{2 * len(infos)}q",
        *map(_INODE, infos),
        *map(_MTIME_NS, infos),
        *map(_CTIME_NS, infos),
    )
    return hashlib.blake2b("\0".join(paths).encode("utf-8", "surrogatepass") + packed).hexdigest()


class _Looks(NamedTuple):
    """What :func:`_status` took of a folder, named as a status names it (for :func:`_folders_digest`)."""

    st_ino: int
    st_mtime_ns: int
    st_ctime_ns: int


_INODE, _MTIME_NS, _CTIME_NS, _MODE = (
    operator.attrgetter(name) for name in ("st_ino", "st_mtime_ns", "st_ctime_ns", "st_mode")
)
"""What :func:`_folders_digest` and :func:`_looked_digest` take of each status, by :func:`map`."""


def _listed_digest(root: Path, folders: Mapping[str, list[int] | None]) -> str | None:
    """Return :func:`_folders_digest` of a listing's folders (by their names in the project) that are there.

    None where a status cannot be packed (a number out of range, or of another shape).
    """
    top = os.path.abspath(root)
    found = sorted(
        (os.path.join(top, name), status) for name, status in folders.items() if status is not None
    )
    try:
        return _folders_digest([path for path, _ in found], [_Looks(*status) for _, status in found])
    except (struct.error, TypeError):
        return None


def _looked_digest(root: Path, looked: Mapping[str, os.stat_result | None]) -> str | None:
    """Return :func:`_folders_digest` of the folders of ``_freeze/`` among ``looked`` that are there.

    ``looked``: own statuses of folders by their paths as strings (see
    :meth:`_FreezeFolders.seen`), found by :func:`filter` and :func:`map`, no
    Python step a folder. None if one is no folder (a link: the prune's
    listing does not follow it), or a number is out of range.
    """
    top = os.path.join(os.path.abspath(root), FREEZE_DIR)
    paths = sorted(filter(operator.methodcaller("startswith", top + os.sep), looked))
    if top in looked:
        paths.insert(0, top)  # it sorts before every path below it
    infos = list(map(looked.__getitem__, paths))
    if None in infos:  # a folder gone holds nothing: left out
        paths = list(itertools.compress(paths, map(operator.is_not, infos, itertools.repeat(None))))
        infos = [info for info in infos if info is not None]
    there = cast(list[os.stat_result], infos)
    if not all(map(stat.S_ISDIR, map(_MODE, there))):
        return None
    try:
        return _folders_digest(paths, there)
    except struct.error:
        return None


LEARNT_FILE = "notebook-keys.json"
"""The record of :class:`_Learnt`, in the profile's build cache."""


class _Learnt:
    """What the last build learnt of each notebook: its key, and what its ``_freeze/`` file holds.

    Each entry, by the notebook's path as a string (``os.fspath``), holds
    the digest of its text with the ``freeze`` and key that text gives (what
    :data:`_KNOWN` holds by the digest), and the hash of its ``_freeze/`` file
    with the key and outputs' digest the file holds (what :data:`_FROZEN`
    holds by the hash). A notebook whose text and frozen file are as they were
    costs two dictionary look-ups, not two memo look-ups; any other asks the
    memo as before. The record is tied, as the memo's keys are, to this
    computer, the package's code and the project's execution options
    (``context``): one from elsewhere, or written by other code, is no record.
    Its entries are trusted as they are, so the file is sealed
    (:func:`~curriculum.site._record_file.seal`): one damaged in place is no record either.

    Its first line names, when every notebook the build named had its
    outputs taken from its frozen file, a digest of the notebooks (in the
    order named), their texts' digests and their frozen files' hashes
    (:func:`_learnt_token`), with each one's outputs' digest: a build that
    names the same, with the same, takes them all from there (see
    :meth:`unchanged_all`), and parses the entries (the rest of the record)
    only if it needs one.

    Parameters
    ----------
    path : Path
        The record, in the build cache.
    context : str
        The project's execution options (as :data:`_KNOWN` is keyed by them).
    """

    def __init__(self, path: Path, context: str) -> None:
        self._path = path
        self._tie = tied_key(context, _LEARNT_FORM)
        header, self._rest = _learnt_record(unsealed(read_existing(path, RECORD_LIMIT)), self._tie)
        token, outputs = header.get("token"), header.get("outputs")
        self._token = token if isinstance(token, str) else None
        self._outputs: list[str] = outputs if isinstance(outputs, list) else []
        self._parsed: dict[str, Any] | None = None
        self._files: list[str] = []
        """The notebooks :meth:`unchanged_all` was given, in order (the order the token names them in)."""
        self._whole = False
        """Every notebook :meth:`unchanged_all` was given was taken by the token, and nothing learnt since:
        :attr:`_now` is then the record's entries, unparsed."""
        self._now: dict[str, list[Any]] = {}
        self._saved: dict[str, list[Any]] | None = None
        """What the record holds (None: its entries, as read, parsed when asked for)."""

    @property
    def _before(self) -> dict[str, Any]:
        """The record's entries (parsed the first time: a build that takes all by the token does not)."""
        if self._parsed is None:
            notebooks = _learnt_entries(self._rest)
            self._parsed = notebooks if isinstance(notebooks, dict) else {}
        return self._parsed

    def key(self, file: str, digest: str) -> tuple[Freeze, str] | None:
        """Return the ``freeze`` and key of the notebook ``file`` whose text has ``digest``, if learnt."""
        then = self._entry(file)
        if then is None or then[0] != digest:
            return None
        try:
            return _decode_known(then[1:3])
        except ValueError:
            return None

    def frozen(self, file: str, held: str) -> list[str] | None:
        """Return what the notebook ``file``'s ``_freeze/`` file with hash ``held`` holds, if learnt."""
        then = self._entry(file)
        if then is None or then[3] != held:
            return None
        try:
            return _decode_frozen(then[4])
        except ValueError:
            return None

    def unchanged_all(
        self, files: list[str], digests: Mapping[str, str], helds: list[str | None]
    ) -> dict[str, tuple[str, str | None, str]]:
        """Return what :meth:`NotebookCache._read_taken` takes of each notebook of ``files`` learnt.

        That is, by the notebook's path as a string, its outputs' digest, its
        frozen file's hash and its text's digest. Its outputs are learnt when
        its text has the digest learnt (``digests`` holds it, by the notebook's
        path as a string), its frozen file the hash learnt (``helds``, in the
        order of ``files``; None: unknown), and that file holds the outputs of
        the key the text gives (or its ``freeze`` is ``true``): what
        :meth:`key` and :meth:`frozen` would give, and :meth:`learn` and
        :meth:`learn_frozen` record again, taken at once. Each such entry is
        kept as it was.

        When the record's token names these notebooks with these texts and
        frozen files, every one is taken so, from the outputs' digests beside
        it, and the entries are not parsed. Else the notebooks are compared
        with the record as sets (of their path, text digest and frozen file's
        hash), not one by one. The entries are taken as :meth:`save` wrote
        them: the record is sealed and tied to this code, so their shapes are not checked.
        """
        self._files = list(files)
        texts = list(map(digests.get, files))
        if (
            self._token is not None
            and len(self._outputs) == len(files)
            and _learnt_token(files, texts, helds) == self._token
        ):
            self._whole = True
            found = zip(self._outputs, helds, cast(list[str], texts), strict=True)
            return dict(zip(files, found, strict=True))
        now = set(zip(files, texts, helds, strict=True))
        # an entry whose outputs its frozen file holds: they are taken from that file while its text and
        # the file are as learnt
        learnt = {(file, then[0], then[3]) for file, then in self._before.items() if _outputs_frozen(then)}
        taken = {file: (self._before[file][4][1], held, str(digest)) for file, digest, held in now & learnt}
        self._now.update(zip(taken, map(self._before.__getitem__, taken), strict=True))
        return taken

    def learn(self, file: str, digest: str, freeze: Freeze, key: str) -> None:
        """Record the ``freeze`` and key of the notebook ``file``, whose text has ``digest``."""
        self._parse_now()[file] = [digest, freeze, key, "", []]

    def learn_frozen(self, file: str, held: str, made: list[str]) -> None:
        """Record what notebook ``file``'s frozen file (hash ``held``) holds (after :meth:`learn`)."""
        self._parse_now()[file][3:] = [held, made]

    def forget(self, file: str) -> None:
        """Forget what was learnt of the notebook ``file``, and write the record again if it was written.

        For an entry found wrong once the record was saved (see :meth:`_Outputs.read`).
        """
        self._parse_now().pop(file, None)
        if file in self._saved_entries():
            self.save()

    def save(self) -> None:
        """Write the record of the notebooks learnt, sealed, if it changed."""
        if self._whole:  # taken whole by the token: the record holds it already
            return
        if self._now != self._saved_entries():
            body = json.dumps({"notebooks": self._now}, separators=(",", ":"))
            header = json.dumps({"tie": self._tie, **self._header()}, separators=(",", ":"))
            write_atomic(self._path, seal(f"{header}\n{body}"), within=self._path.parent)
        self._saved = dict(self._now)  # what the file holds (entries are replaced, never changed in place)

    def _header(self) -> dict[str, Any]:
        """Return the token of the notebooks :meth:`unchanged_all` was given, and their outputs' digests.

        Only if each is learnt as one whose outputs its frozen file holds (as
        :meth:`unchanged_all` takes it), and none other is; else no token.
        """
        now, files = self._now, self._files
        if len(now) != len(files) or not all(map(now.__contains__, files)):
            return {}
        entries = list(map(now.__getitem__, files))
        if not all(map(_outputs_frozen, entries)):
            return {}
        token = _learnt_token(files, [then[0] for then in entries], [then[3] for then in entries])
        return {"token": token, "outputs": [then[4][1] for then in entries]}

    def _parse_now(self) -> dict[str, list[Any]]:
        """Return :attr:`_now`, made of the record's entries if it was taken whole (then no longer so)."""
        if self._whole:
            self._whole = False
            before = self._before
            held = list(
                filter(before.__contains__, self._files)
            )  # all, as the token said: the record is sealed
            self._now = dict(zip(held, map(before.__getitem__, held), strict=True))
        return self._now

    def _saved_entries(self) -> dict[str, list[Any]]:
        """Return what the record holds (its entries as read, until :meth:`save` writes others)."""
        return self._before if self._saved is None else self._saved

    def _entry(self, file: str) -> list[Any] | None:
        then = self._before.get(file)
        return then if isinstance(then, list) and len(then) == 5 else None


def _outputs_frozen(entry: list[Any]) -> bool:
    """Whether a :class:`_Learnt` entry's frozen file holds its outputs: its key's, or any (``freeze: true``).

    An entry is ``[text digest, freeze, key, frozen file's hash, [key held, outputs' digest] or []]``.
    """
    return entry[1] is not False and bool(entry[4]) and (entry[1] is True or entry[4][0] == entry[2])


_LEARNT_FORM = "2"
"""The form of :class:`_Learnt`'s record (its tie names it: a record of another form is none)."""


def _learnt_record(body: bytes | None, tie: str) -> tuple[dict[str, Any], bytes]:
    """Return the first line of :class:`_Learnt`'s record (unsealed) and the rest; none if it is none.

    None (an empty header and no rest) if it is missing, damaged, or tied to another computer, code,
    form or execution options.
    """
    first, _, rest = (body or b"").partition(b"\n")
    header = decoded_record(first) or {}
    return (header, rest) if header.get("tie") == tie else ({}, b"")


def _learnt_entries(rest: bytes) -> Any:
    """Return the entries of :class:`_Learnt`'s record after its first line (None: none)."""
    data = decoded_record(rest) if rest else None
    return data.get("notebooks") if data is not None else None


def _learnt_token(files: list[str], texts: list[str | None], helds: list[str | None]) -> str | None:
    """Return a digest of notebooks (in order), their texts' digests and their frozen files' hashes.

    None if one is unknown (no token names such notebooks). Made by joining
    them, no Python step a notebook.
    """
    if None in texts or None in helds:
        return None
    parts = ("\0".join(files), "\0".join(cast(list[str], texts)), "\0".join(cast(list[str], helds)))
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _learn(digest: str, context: str, freeze: Freeze, key: str) -> None:
    """Remember a notebook's ``freeze`` and key by its text's digest (see :data:`_KNOWN`)."""
    _KNOWN.get(digest, lambda: (freeze, key), context=context)


def fingerprint_json(data: Any) -> str:
    """Return a stable hash of JSON-serialisable ``data``."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
