"""What files a build wrote were made from, so that a file nothing changed is not made again.

Wrapping renders the page template with the whole sidebar, and the search
index encodes every page: each costs more as the site grows. An
:class:`OutputRecord` names the files each key made (a page; the search index
and its texts). An entry whose key is that of the last build, and whose files
are still the ones that build wrote (the same size and modification time,
which the staging folder's hard links keep), is left as it is. (The
pre-render's files have a record of their own, which a page made from its
document alone passes without a key: :mod:`curriculum.site._generated_record`.)

Beside its entries, a record may hold notes: what a caller needs of some
entries without making them again (the memo keys a page's payloads have),
with what it was made from: a key of the note's own (the page's inputs, as a
digest) and the names of inputs other notes may share (the documents the
page's components show), whose digests the record keeps once, in a section
of their own. The caller finds the shared inputs that changed in one pass
over them (:meth:`OutputRecord.changed_inputs`), not one a note; a note whose
key is the caller's and that names none of them keeps its entries, whose keys
are then not even made (:meth:`OutputRecord.standing`). A note and its
entries are saved in one record, so they are always of the same build. The
record is sealed (:class:`~curriculum.site._record_file.RecordFile`) and names
what names every entry: one of this code, computer and site is trusted as
it is read (no entry or note is checked one by one: an entry's files are
looked at all at once and compared with it in one step), and one damaged in
place, or of another, is no record.
The record is kept as its changes (:class:`~curriculum.site._record_file.RecordFile`):
a build that makes a few pages again writes their entries, not the whole record.

An entry names its files' sizes and times after its key's digest. Most
entries have one file, named as the entry (a page, a data script): such an
entry is ``[digest, size, time]``, the name not written again, so the record,
read whole by every build, is smaller to hash and decode, and an entry is
compared with its file's ``[size, time]`` as it is. Any other entry is
``[digest, [name, size, time], ...]``.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from curriculum._memo import tied_key
from curriculum.site._record_file import RecordFile, looked_up

__all__ = ["KeyDigest", "KeyText", "OutputRecord", "file_stamps", "size_and_time", "size_and_times"]

_JSON = json.JSONEncoder(ensure_ascii=False)
"""Encodes keys (made once: :func:`json.dumps` with an option makes an encoder a call)."""

_SITE = ""
"""The input every note is made from: what names every entry (:attr:`OutputRecord.shared`); no other name."""


class KeyText(str):
    """A key given as a text that names it (compact JSON, a digest): hashed as it is, not encoded again.

    For a key the caller has as text already: encoding it as JSON data once
    more would cost more than hashing it. A key given so is never taken for
    one given as JSON data (a string is encoded with its quotes).
    """


class KeyDigest(str):
    """A key given as the digest the record names it by (:meth:`OutputRecord.digest_of`): not hashed again.

    For a key another record of the same site kept the digest of, as this one
    named it (the search index's record of what each page gave it): the
    digest is compared as it is.
    """


def _ignore(_names: list[str]) -> None:
    """Count nothing."""


class OutputRecord:
    """What the files of one folder were made from, kept in a file of the build cache.

    The record is sealed (:class:`~curriculum.site._record_file.RecordFile`)
    and names what names every entry (:attr:`shared`): one of this code,
    computer and site is trusted as it is read, each entry of the shape this
    code writes (``[digest, size, time]`` when its one file is named as the
    entry, else ``[digest, [name, size, time], ...]``: see the module's
    description); one of another, or damaged, is none (no entry of it could
    be kept: each entry's digest is made from what names them all).

    Parameters
    ----------
    path : Path
        The record (in the profile's build cache).
    out : Path
        The folder the files are in (their names are relative to it).
    site : list[Any]
        What every entry depends on besides its own key (with the package and this computer).
    on_kept : Callable[[list[str]], None]
        Told the files of each entry found unchanged (a render counts them as its own).
    notes : bool
        The record keeps notes (:meth:`note`).
    """

    def __init__(
        self,
        path: Path,
        out: Path,
        site: list[Any],
        on_kept: Callable[[list[str]], None] = _ignore,
        *,
        notes: bool = False,
    ) -> None:
        self._folder = os.path.join(os.fspath(out), "")  # a file's path: this and its name, joined as strings
        self._on_kept = on_kept
        self._shared = tied_key(_JSON.encode(site))  # hashed once: it names every page
        self._file = RecordFile(path, ("entries", "notes", "inputs"), sealed=True)
        record = self._file.read()
        # the entries, the notes and the inputs' digests are of this site (named by the input ""), or none
        ours = record["inputs"].get(_SITE) == self._shared
        self._before: dict[str, Any] = record["entries"] if ours else {}
        self._notes_before: dict[str, Any] = record["notes"] if ours and notes else {}
        self._inputs_before: dict[str, Any] = record["inputs"] if ours else {}
        self._noting = notes
        self._notes: dict[str, list[Any]] = {}
        self._inputs: dict[str, Any] = {**self._inputs_before, _SITE: self._shared}
        self._now: dict[str, list[Any]] = {}
        self._keys: dict[str, str] = {}

    @property
    def shared(self) -> str:
        """A digest of what names every entry: the code, this computer's key and the site's settings."""
        return self._shared

    def kept(self, entry: str, key: Any, files: list[str] | None = None) -> bool:
        """Return whether the files of ``entry`` are unchanged (and tell ``on_kept`` so).

        Parameters
        ----------
        entry : str
            The entry's name (a page's path in the site).
        key : Any
            What the files are made from (JSON data, a :class:`KeyText` or a :class:`KeyDigest`).
        files : list[str] | None
            The files the entry makes (default: the one named ``entry``).
        """
        then = self._before.get(entry)
        digest = self._keys[entry] = self._digest(key)
        names = files if files is not None else [entry]
        if then is None or then[0] != digest or then[1:] != self._files_now(entry, names):
            return False
        self._now[entry] = then
        self._on_kept(names)
        return True

    def stands(self, entry: str, key: Any, files: list[str] | None = None) -> bool:
        """Return whether the files of ``entry`` are there as the last build recorded them, made from ``key``.

        As :meth:`kept` finds them, but nothing is kept, nor ``on_kept``
        told: for a caller that reads such a file to make the entry's new one
        (the search index's last script, whose heads an edit of a few words
        leaves as they are).
        """
        then = self._before.get(entry)
        names = files if files is not None else [entry]
        return then is not None and then[0] == self._digest(key) and then[1:] == self._files_now(entry, names)

    def to_make(self, keys: Mapping[str, Any]) -> list[str]:
        """Return the entries of ``keys`` whose files must be made again; keep the others.

        What :meth:`kept` does for each entry (of one file, named as the entry,
        made from its key in ``keys``), in one pass for them all: the files of
        the entries of the same key are looked at at once, and ``on_kept`` is
        told once, of every file kept. The caller records each entry
        returned once it has made its file (:meth:`wrote`, whose key is by
        default the one given here).

        Parameters
        ----------
        keys : Mapping[str, Any]
            Each entry's key (JSON data, a :class:`KeyText` or a :class:`KeyDigest`), by the entry's name.

        Returns
        -------
        list[str]
            The entries not kept, in the order of ``keys``.
        """
        given = list(keys.values())
        if set(map(type, given)) <= {KeyDigest}:  # digests already (as the search index's pages are): by map
            digests = list(map(str, given))
        else:
            digests = list(map(self._digest, given))
        self._keys.update(zip(keys, digests, strict=True))
        # the entries of the same key: their files (one each) are looked at together
        same = [
            (entry, then)
            for entry, digest, then in zip(keys, digests, looked_up(self._before, keys), strict=True)
            if then is not None and then[0] == digest
        ]
        names = [entry for entry, _ in same]
        kept = {
            entry: then
            for (entry, then), stamp in zip(same, size_and_times(self._folder, names), strict=True)
            if then[1:] == stamp
        }
        self._now.update(kept)
        self._on_kept(list(kept))
        return [entry for entry in keys if entry not in kept]

    def changed_inputs(
        self, digest: Callable[[str], str], known: Mapping[str, str] | None = None
    ) -> set[str]:
        """Return the inputs the notes name whose digest is not as recorded (``digest`` gives each now).

        One pass over the inputs the record keeps, each once whatever the
        number of notes naming it (before any :meth:`standing`). ``known``
        gives the digests of many inputs now, at once: those are compared with
        the record's by one difference of the two mappings' items, and only an
        input it does not give is asked of ``digest``. A note naming one of
        them does not stand; the input is recorded again only as a note made
        again names it (:meth:`note`).
        """
        recorded, known = self._inputs_before, known or {}
        try:
            differ = {name for name, _ in recorded.items() - known.items()}
        except TypeError:  # a digest that is no text (a damaged record): each is asked for
            differ, known = set(recorded), {}
        changed = {
            name for name in differ if name != _SITE and (name in known or digest(name) != recorded[name])
        }
        for name in changed:
            self._inputs.pop(name, None)
        return changed

    def standing(self, notes: Mapping[str, tuple[str, list[str]]], changed: set[str]) -> dict[str, list[str]]:
        """Return the data of each of ``notes`` made from what the caller has now; keep their entries.

        A note says that what made it made the files of its entries too (each
        entry's files as the last build recorded them): so when its key is the
        one given, none of the inputs it names is among the ``changed`` ones
        (:meth:`changed_inputs`), and every file of its entries is unchanged,
        the entries are kept (and ``on_kept`` told), without their keys.
        Otherwise nothing of it is kept. The notes are decided at once: the
        files of them all are looked at in one pass, and a file not as
        recorded leaves only the note of its entry not standing.

        Parameters
        ----------
        notes : Mapping[str, tuple[str, list[str]]]
            By each note's name: what the note and its entries are made from,
            besides the inputs it names and what names every entry; and the
            entries made from the same (each of files named in the record).
        changed : set[str]
            The inputs whose digests changed (:meth:`changed_inputs`).

        Returns
        -------
        dict[str, list[str]]
            The data of each note that stands (see :meth:`note`), by its name.
        """
        # [key, inputs, data]: the names of each joined by spaces, as :meth:`note` writes them
        keys = [key for key, _ in notes.values()]
        made = {
            name: then
            for name, key, then in zip(notes, keys, looked_up(self._notes_before, notes), strict=True)
            if then is not None and then[0] == key and (not changed or changed.isdisjoint(then[1].split()))
        }
        entries = [entry for name in made for entry in notes[name][1]]
        found, files = self._as_recorded(dict(zip(entries, looked_up(self._before, entries), strict=True)))
        if len(found) < len(entries):  # a note with an entry not recorded, or a file not as recorded
            made = {name: then for name, then in made.items() if found.keys() >= set(notes[name][1])}
            found = {entry: found[entry] for name in made for entry in notes[name][1]}
            files = _names_of(found)
        self._now.update(found)
        self._on_kept(files)
        self._notes.update(made)
        return {name: then[2].split() for name, then in made.items()}

    def _as_recorded(self, entries: Mapping[str, list[Any] | None]) -> tuple[dict[str, list[Any]], list[str]]:
        """Return those of ``entries`` whose files are all there as the record holds them, and those files.

        ``entries`` are as the record holds them (None: it holds none). Every
        file is looked at at once: the entries of one file named as the entry
        (most, see the module's description) are taken as their files' sizes
        and times are, in one comparison of two lists; only when one of them is
        not so is each entry's compared on its own.
        """
        recorded = {entry: then for entry, then in entries.items() if then is not None}
        names = list(recorded)
        if _as_found(recorded, _sizes_and_times(self._folder, names)):
            return recorded, names
        kept = {
            entry: then
            for entry, then in recorded.items()
            if then[1:] == self._files_now(entry, _names(entry, then))
        }
        return kept, _names_of(kept)

    def _files_now(self, entry: str, names: list[str]) -> list[Any]:
        """Return what an entry of the files ``names`` would hold after its digest, the files as they are now.

        ``[size, time]`` for one file named as the entry, else each file's
        ``[name, size, time]`` (see the module's description); a file not there is
        None, which no entry holds.
        """
        if names == [entry]:
            stamp = size_and_times(self._folder, names)[0]
            return stamp if stamp is not None else [None]
        return file_stamps(self._folder, names)

    def note(self, name: str, key: str, inputs: Mapping[str, str], data: list[str]) -> None:
        """Note ``data`` as made from ``key`` and ``inputs`` (their digests now, by name), like its entries.

        The caller notes only what the entries it names to :meth:`standing`
        were made from: each of them must be recorded by this build too
        (:meth:`kept` or :meth:`wrote`). A record made without ``notes`` keeps
        none. The names and the data are each kept as one text, their strings
        joined by spaces (read back with one split, no string looked at): a
        note with a string that is empty or holds white space is not kept.
        """
        texts = [" ".join(inputs), " ".join(data)]
        if self._noting and [len(text.split()) for text in texts] == [len(inputs), len(data)]:
            self._inputs.update(inputs)
            self._notes[name] = [key, *texts]

    def rest_as_recorded(self) -> bool:
        """Keep the entries this build did not ask about, if each one's files are there as it records them.

        For a record whose entries are all made from what one entry names (the
        search index's page list), which holds its key only: that entry found
        unchanged, so are they, while their files are (all looked at at once,
        and ``on_kept`` told of them all at once). Returns whether they were
        kept (else none is).
        """
        rest = {entry: then for entry, then in self._before.items() if entry not in self._now}
        return self._keep_as_recorded(rest)

    def _keep_as_recorded(self, entries: Mapping[str, list[Any]]) -> bool:
        """Keep ``entries`` (as the record holds them) if every file of theirs is there as they record it.

        All their files are looked at at once, and ``on_kept`` told of them all;
        returns whether they were kept (else none is).
        """
        found, files = self._as_recorded(entries)
        if len(found) < len(entries):
            return False
        self._now.update(entries)
        self._on_kept(files)
        return True

    def wrote(self, entry: str, files: list[str] | None = None, *, key: Any = None) -> None:
        """Record the files of ``entry`` as just written, made from ``key`` (default: :meth:`kept`'s)."""
        digest = self._keys[entry] if key is None else self._digest(key)
        self._keys[entry] = digest
        names = files if files is not None else [entry]
        if names == [entry]:
            self._now[entry] = [digest, *size_and_time(self._folder + entry)]
        else:
            self._now[entry] = [digest, *[[name, *size_and_time(self._folder + name)] for name in names]]

    def digest_of(self, entry: str) -> str:
        """Return the digest of the key of ``entry`` this build named (:meth:`kept`, :meth:`to_make`)."""
        return self._keys[entry]

    def digests_of(self, entries: list[str]) -> list[str]:
        """Return the digest of the key of each of ``entries`` this build named (see :meth:`digest_of`)."""
        return [self._keys[entry] for entry in entries]

    def save(self) -> None:
        """Write the record, if it changed (its changes, or the whole of it: see :class:`RecordFile`)."""
        notes = (self._notes, self._inputs)
        if self._now != self._before or notes != (self._notes_before, self._inputs_before):
            self._file.save({"entries": self._now, "notes": self._notes, "inputs": self._inputs})

    def _digest(self, key: Any) -> str:
        """Return what the record names ``key`` by (a :class:`KeyDigest` is that already)."""
        if isinstance(key, KeyDigest):
            return str(key)
        text = key if isinstance(key, KeyText) else _JSON.encode(key)
        return hashlib.sha256(f"{self._shared}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def _names(entry: str, then: list[Any]) -> list[str]:
    """Return the names of the files of ``entry``, held as ``then`` (see the module's description)."""
    if len(then) == 3 and type(then[1]) is int:  # [digest, size, time]: its one file is named as it is
        return [entry]
    return [file[0] for file in then[1:]]


def _names_of(entries: Mapping[str, list[Any]]) -> list[str]:
    """Return the names of the files of ``entries``, as the record holds them (each entry's in turn)."""
    return [name for entry, then in entries.items() for name in _names(entry, then)]


def _as_found(entries: Mapping[str, list[Any]], found: tuple[list[int], list[int]] | None) -> bool:
    """Whether each of ``entries`` is ``[digest, size, time]`` of its one file, which ``found`` gives as so.

    ``found`` gives the size and the time of the file named as each entry, in
    the same order (:func:`_sizes_and_times`; None: one is not there). Two
    comparisons of lists, each made by :func:`map`: no Python call, nor list, an entry.
    """
    if found is None:
        return False
    try:
        return (list(map(_SIZE_AT, entries.values())), list(map(_TIME_AT, entries.values()))) == found
    except IndexError:  # an entry of another form (see the module's description)
        return False


_SIZE_AT = operator.itemgetter(1)
_TIME_AT = operator.itemgetter(2)
"""Where an entry ``[digest, size, time]`` holds its file's size and time."""

_SIZE = operator.attrgetter("st_size")
_TIME = operator.attrgetter("st_mtime_ns")


def size_and_times(folder: str, names: list[str]) -> list[list[int] | None]:
    """Return the size and modification time of each file ``names`` in ``folder`` (None: not there).

    The files are looked at in one pass (:func:`map` of :func:`os.stat`),
    and their sizes and times taken by :func:`map` too, no Python call a file;
    only when one of them is not there is each looked at on its own
    (:func:`size_and_time`). ``folder`` ends with a separator: a name is
    joined to it as a string.
    """
    looked = _sizes_and_times(folder, names)
    if looked is None:
        return [None if (stamp := size_and_time(folder + name))[0] < 0 else stamp for name in names]
    return list(map(list, zip(*looked, strict=True)))


def _sizes_and_times(folder: str, names: list[str]) -> tuple[list[int], list[int]] | None:
    """Return the sizes of the files ``names`` in ``folder``, and their times (None: one is not there).

    Looked at in one pass (:func:`map` of :func:`os.stat`), their sizes and
    times taken by :func:`map` too: no Python call, nor list, a file.
    """
    try:
        found = list(map(os.stat, [folder + name for name in names]))
    except (OSError, ValueError):
        return None
    return list(map(_SIZE, found)), list(map(_TIME, found))


def file_stamps(folder: str, names: list[str]) -> list[list[Any] | None]:
    """Return what a record keeps of each file ``names`` in ``folder``: ``[name, size, modification time]``.

    None for a file not there (so that it is never as any record has it): each
    file's :func:`size_and_times`, named.
    """
    stamps = size_and_times(folder, names)
    return [None if stamp is None else [name, *stamp] for name, stamp in zip(names, stamps, strict=True)]


def size_and_time(path: str) -> list[int]:
    """Return what a record keeps of a file: its size and modification time (``[-1, -1]``: none there).

    A path no file can have (a NUL in a name a damaged record gave) is none there.
    """
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return [-1, -1]
    return [info.st_size, info.st_mtime_ns]
