"""Which pages are made from exactly what the last build made them from, so none of their work is done again.

A page's Pandoc Markdown is a function of its source file, of what the
pre-render or the notebook's outputs put in it, and of what every page shares
(the package, Pandoc, the profile, the bibliography, the content every
payload and overview reads). When all of these are as they were, so are its
cache entry, title and components: the build takes them from the record and
skips converting the page, naming its cache entry and reading its HTML
(the wrap and search stages read it only if they must make their files again).
The source files' hashes are those the build's stamp took as the build began
(:class:`~curriculum.site._stamp.BuildStamp`: each input hashed once a build),
except for the pages the build writes itself: the pre-render's come from its
record, which kept each file's hash as it wrote it
(:meth:`~curriculum.site._generated_record.GeneratedRecord.hashes`), and the
others (the API reference) from a :class:`~curriculum.site._stamp.FileDigests`
record of the plan's own; each reads only the files whose size or time changed:
what an unchanged page costs is reading its stamp, once. The record is kept as its changes
(:class:`~curriculum.site._record_file.RecordFile`): an edit of one page
writes that page's entry, not the whole record. Its files are sealed (each
begins with a digest of the rest): one damaged in place is no record, so an
entry whose key is a page's is one this code wrote on this computer (the key
names the package and the computer's key, through what every page shares), and
it is taken as it is, its components not checked again one by one.

Nor is a key made for every page: the record also names, for each page, what
its key was made from (see :func:`_inputs`), and the pages whose inputs
changed are found by one comparison of those names with the record's, as
sets. A page whose inputs are as they were has its entry's key; only the
others' are made, and compared with their entries'.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import operator
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from curriculum.components import Mount
from curriculum.project import path_texts
from curriculum.site._record_file import RecordFile, looked_up
from curriculum.site._stamp import FileDigests, hashed_beside

__all__ = ["PagePlan", "PlannedPage", "mounts_of", "shows_of"]

PLAN_VERSION = 3
"""The version of the record's entries (in every page's key: an entry of another is never taken)."""


class PlannedPage(NamedTuple):
    """A page as the last build made it from the same inputs.

    A named tuple, made from its entry in the record as it is (the pages a
    build keeps are made at once, no Python call a page: see
    :meth:`PagePlan.kept_pages`); its components are named as the record
    names them, one text (:func:`shows_of`), and made into :class:`Mount`
    objects only when asked for (:attr:`mounts`): a page that stands never is.

    Attributes
    ----------
    title : str
        Its title.
    entry : str
        Its page cache entry.
    shows : str
        The components in its body, as :func:`shows_of` names them (empty: none).
    marked : bool
        Its body holds the progress panel or progress marks (it needs the page script).
    standalone : bool
        It is its components' own page (a quiz's, a case's; see :class:`~curriculum.site._search.SearchPage`).
    """

    title: str
    entry: str
    shows: str
    marked: bool
    standalone: bool

    @property
    def mounts(self) -> tuple[Mount, ...]:
        """The components in its body (made each time: asked for once, for a page made again)."""
        return mounts_of(self.shows)


class PagePlan:
    """The inputs of every page of a build, and what the last build made of the same inputs.

    Parameters
    ----------
    root : Path
        The project folder.
    cache : Path
        The profile's build cache (the record is ``pages.json``, the files' hashes ``page-digests.json``).
    sources : list[str]
        Every page's source, relative to the root.
    shared : list[Any]
        What every page depends on besides its own source (JSON data).
    extra : Mapping[str, Any]
        What else a page depends on, by source (a notebook's outputs, whether the pre-render wrote it).
    hashed : Mapping[str, str]
        The hash of the contents of some sources, taken this build already (the
        build stamp's, of the files the build does not write), by source: those
        are not looked at again. The others are hashed here (:func:`~curriculum.site._stamp.hashed_beside`).
    stamp : FileDigests | None
        What took ``hashed``: a page made from a source of ``hashed`` is
        recorded only if its file is still as the stamp found it once made (see :meth:`made`).
    known : Mapping[str, str] | None
        The hash of the contents of each page the pre-render knows as it wrote
        it (:meth:`~curriculum.site._generated_record.GeneratedRecord.hashes`),
        by source: such a file is neither looked at nor hashed here, nor kept in the plan's own record.
    """

    def __init__(
        self,
        root: Path,
        cache: Path,
        sources: list[str],
        shared: list[Any],
        extra: Mapping[str, Any],
        hashed: Mapping[str, str] | None = None,
        stamp: FileDigests | None = None,
        known: Mapping[str, str] | None = None,
    ) -> None:
        self._file = RecordFile(cache / "pages.json", ("pages", "inputs"), sealed=True)
        self._root = root
        hashed = self._hashed = hashed or {}
        self._stamp = stamp
        known = known or {}
        unknown = path_texts(root, [s for s in sources if s not in hashed and s not in known])  # the others
        self._files = hashed_beside(root, cache / "page-digests.json", unknown, hashed)
        if known:
            self._files = {**self._files, **known}
        self._extra = extra
        self._common = json.dumps([PLAN_VERSION, shared], sort_keys=True)
        self._inputs = _inputs(self._common, sources, self._files, extra)
        record = self._file.read()
        self._before, self._inputs_before = record["pages"], record["inputs"]
        self._changed = _changed(self._inputs, self._inputs_before)
        """The pages whose inputs are not those their entry was made from (or that have none)."""
        self._keys: dict[str, str] = {}
        """The key of each page whose inputs changed, once asked for."""
        self._now: dict[str, list[Any]] = {}

    def kept(self, source: str) -> PlannedPage | None:
        """Return the page ``source`` as the last build made it from the same inputs, if it did.

        An entry made from the inputs the page has now is taken as :meth:`made`
        wrote it (see the module's description); the key of a page whose inputs
        changed is made, and compared with the entry's.
        """
        then = self._before.get(source)
        if type(then) is not list or not then or (source in self._changed and then[0] != self.key(source)):
            return None
        _, title, entry, shows, marked, standalone = then
        return PlannedPage(title, entry, shows, marked, standalone)

    def kept_pages(self, sources: list[str]) -> dict[str, PlannedPage]:
        """Return each of ``sources`` the last build made from the same inputs, as :meth:`kept` would.

        The pages whose inputs are those their entry was made from (all but
        the :attr:`_changed`) are told from the others, and taken at once, by
        :func:`map` and :func:`filter` over them and their entries (no Python
        call, nor loop, a page); the others are asked about one by one
        (:meth:`kept`: their key is made and compared).
        """
        before, changed = self._before, self._changed
        same = list(itertools.filterfalse(changed.__contains__, sources))
        found = list(looked_up(before, same))
        entries = dict(itertools.compress(zip(same, found, strict=True), found))
        pages = dict(zip(entries, map(_PLANNED, map(_REST, entries.values())), strict=True))
        for source in filter(changed.__contains__, sources):
            if (page := self.kept(source)) is not None:
                pages[source] = page
        return pages

    def key(self, source: str) -> str:
        """Return what names the inputs of the page ``source`` (a digest: see the module's description).

        A page whose inputs are those its entry was made from has that entry's key.
        """
        then = self._before.get(source)
        if source not in self._changed and then:
            key: str = then[0]
            return key
        if source not in self._keys:
            files, extra = self._files, self._extra
            text = f"{self._common}\0{source}\0{_part(files.get(source))}\0{_part(extra.get(source))}"
            self._keys[source] = hashlib.sha256(text.encode()).hexdigest()
        return self._keys[source]

    def keys(self, sources: Iterable[str]) -> list[str]:
        """Return the :meth:`key` of each of ``sources`` (its entry's, without a call, if its inputs are).

        When the inputs of none of them changed (the pages a build took as
        the last one made them), the keys are their entries', taken by :func:`map`.
        """
        before, changed = self._before, self._changed
        sources = list(sources)
        if changed.isdisjoint(sources):
            try:
                return list(map(_KEY, map(before.__getitem__, sources)))
            except (KeyError, IndexError, TypeError):  # a page of no entry: its key is made
                pass
        return [
            then[0] if source not in changed and (then := before.get(source)) else self.key(source)
            for source in sources
        ]

    def keep(self, sources: Iterable[str]) -> None:
        """Record the pages ``sources`` as the last build made them (:meth:`kept` gave them), at once."""
        names = list(sources)
        self._now.update(zip(names, map(self._before.__getitem__, names), strict=True))

    def made(self, source: str, page: PlannedPage) -> None:
        """Record what the page ``source`` was made into, if it was made from the source its key names.

        A source whose hash was taken as the build began (``hashed``) and
        that was saved since, before it was read, was made into a page of
        other text than the key names: it is not recorded, and the next build
        makes it again (else, the file put back as it was, that key would name this page).
        """
        if source in self._hashed:
            stamp = self._stamp
            if stamp is None or not stamp.as_found(path_texts(self._root, [source])):
                return
        key = self.key(source)
        self._now[source] = [key, page.title, page.entry, page.shows, page.marked, page.standalone]

    def save(self) -> None:
        """Write the record, if it changed: each page's entry, and every page's inputs (:func:`_inputs`)."""
        if self._now != self._before or self._inputs != self._inputs_before:
            self._file.save({"pages": self._now, "inputs": self._inputs})


_SHARED = "\0shared"
"""The entry of the record's inputs that names what every page shares (no page's source begins with NUL)."""


def _inputs(
    common: str, sources: list[str], files: Mapping[str, str], extra: Mapping[str, Any]
) -> dict[str, str]:
    """Return, for each page, a text naming what its key is made from besides its source (the dict's key).

    The :func:`repr` of the pair of the source's hash (``files``) and what
    else the page depends on (``extra``): a page's text is the one its entry
    was made from only if its key is too (a string and a flag, a hash and
    none, differ by their :func:`repr` as by :func:`_part`), and a hash's or
    a flag's holds no character JSON escapes (the record decodes faster). What every
    page shares (``common``) is named once, by its digest, as :data:`_SHARED`.
    Made in one pass of :func:`map`, no call of Python a page: the texts are
    compared with the record's as sets (:func:`_changed`).
    """
    pairs = zip(map(files.get, sources), map(extra.get, sources), strict=True)
    texts = dict(zip(sources, map(repr, pairs), strict=True))
    texts[_SHARED] = hashlib.sha256(common.encode()).hexdigest()
    return texts


def _changed(now: dict[str, str], then: dict[str, Any]) -> set[str]:
    """Return the pages whose text of inputs ``now`` (:func:`_inputs`) is not the one recorded ``then``.

    One difference of the two dictionaries' items: every page, if what every
    page shares changed, or the record is of another shape (a value that is no text).
    """
    try:
        changed = {source for source, _ in now.items() - then.items()}
    except TypeError:
        changed = {_SHARED}
    return set(now) if _SHARED in changed else changed


_PLANNED = functools.partial(tuple.__new__, PlannedPage)
"""Makes a :class:`PlannedPage` of an entry's fields after its key, in C (a named tuple's own is Python)."""

_REST = operator.itemgetter(slice(1, None))
"""An entry's fields after its key (title, cache entry, components, marked, standalone)."""

_KEY = operator.itemgetter(0)
"""An entry's key."""


def shows_of(mounts: Iterable[Mount]) -> str:
    """Return ``mounts`` as a :class:`PlannedPage` and the record name them: one text (empty: none).

    The JSON of a list of ``[component, args]`` pairs, kept in the record as
    one string: the record, read whole by every build, decodes one string a
    page, not a list for each component and its arguments, which a page that
    stands never needs (:func:`mounts_of` makes them into components again,
    when they are asked for). A page with none has the empty text, so that
    whether it shows any is the text's truth.

    Examples
    --------
    >>> shows_of([Mount("quiz", ("intro",))]), shows_of([])
    ('[["quiz", ["intro"]]]', '')
    """
    data = [[m.component, list(m.args)] for m in mounts]
    return json.dumps(data) if data else ""


def mounts_of(text: str) -> tuple[Mount, ...]:
    """Return the components an entry :meth:`PagePlan.made` wrote names (:func:`shows_of`'s text).

    Each was a component when it was written by this code (see :class:`PagePlan`): it is not checked again.
    A pair, not :meth:`Mount.as_json`'s object: the record, read whole by every build, decodes faster.
    """
    return tuple([Mount(component, tuple(args)) for component, args in json.loads(text)]) if text else ()


def _part(value: Any) -> str:
    """Return one input of a page as its key names it: a string as it is (marked ``s``), else as JSON (``j``).

    A string (a hash) is not JSON-encoded, nor is a flag (whether the
    pre-render wrote a page, what every page but a notebook has) or none, whose
    JSON is known: a key costs no encoding per page. The marks, and the NUL
    between parts (which JSON never holds, and a string holding one is
    JSON-encoded), keep two different inputs from naming one key.

    Examples
    --------
    >>> _part("ab"), _part(True), _part("true"), _part(None), _part(1), _part([False])
    ('sab', 'jtrue', 'strue', 'jnull', 'j1', 'j[false]')
    """
    if isinstance(value, str) and "\0" not in value:
        return "s" + value
    if value is None or isinstance(value, bool):
        return _WORDS[value]
    return "j" + json.dumps(value)


_WORDS = {value: "j" + json.dumps(value) for value in (True, False, None)}
"""What :func:`_part` gives a flag or none (looked up by a flag or None only: ``1 == True``)."""
