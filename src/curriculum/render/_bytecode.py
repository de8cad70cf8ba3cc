"""Compiled templates kept between processes, with the package's byte-code, as Python keeps it.

Jinja compiles a template from its source the first time a process loads it.
For the package's page and component templates that is about 50 ms of Python
in every build that writes a page (measured on a one-quiz edit: the page
template alone takes 35 ms), and in every kernel that shows a component.
:class:`KeptBytecode` keeps the compiled code, so a later process loads it
instead.

A compiled template is code that the process runs, so it is kept where
Python keeps the package's own byte-code (``<package>/__pycache__/__jinja__/``),
never in a cache folder: whoever may write there may already change what the
package runs. Where Python keeps no byte-code for the package (an
installation the user may not change, ``PYTHONDONTWRITEBYTECODE``) nothing is
kept, and each process compiles, as it did before.

What a compiled template depends on is all in where it is kept. Jinja checks
the template's source (a checksum) and the Python that compiled it (its
version); the folder, ``__jinja__/<code>/<options>``, is named by a hash of
curriculum's code (:func:`curriculum._memo.code_key`: its version and files,
so the functions a compiled template calls or folded in, such as
``finalize`` and filters), the versions of Jinja and MarkupSafe (which fold
constant filters and escaping into the code), Python's byte-code magic number,
implementation and optimisation level (:func:`code_folder`), then by one of
the package and the environment's options (:func:`options_key`). When this
code's folder is first made, those of other code not written for a week go
(two environments of one source tree, two Pythons say, keep theirs). A file
that cannot be read, written or understood means the template is compiled
again, never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import importlib.metadata
import importlib.util
import io
import re
import shutil
import sys
import time
import types
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket

from curriculum._memo import code_key
from curriculum._plain import read_existing
from curriculum.content import write_atomic
from curriculum.errors import CurriculumError

__all__ = ["FOLDER", "UNUSED_FOR", "KeptBytecode", "code_folder", "kept_bytecode", "options_key"]

_LIMIT = 16 << 20
"""The largest compiled template read (a larger file is compiled again)."""
FOLDER = "__jinja__"
"""The folder of compiled templates in a package's byte-code folder (no source folder is named so)."""
UNUSED_FOR = 7 * 24 * 3600
"""How long another code's compiled templates stay unwritten before this code's first compile removes them."""
_KEY = re.compile(r"[0-9a-f]{24}")
"""The name of a folder of what some code compiled (:func:`code_folder`)."""


def _described(value: Any) -> str:
    """Describe an option's value the same way in every process (a function by its name, not its address)."""
    if isinstance(value, functools.partial):
        return f"partial({_described(value.func)}, {value.args!r}, {sorted(value.keywords.items())!r})"
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return repr(value)


@functools.cache
def code_folder() -> str:
    """Return the name of the folder of what this code and Python compiled (another's are removed).

    Computed once a process, as the code key is (the libraries' versions are
    looked up in their installed metadata: 1 ms for each environment made).

    Returns
    -------
    str
        24 hex digits of a hash of curriculum's code key (its version and
        files: the functions a compiled template calls or folded in, such as
        ``finalize`` and filters), the versions of Jinja and MarkupSafe, and
        Python's byte-code magic number, implementation and optimisation level.
    """
    libraries = " ".join(importlib.metadata.version(name) for name in ("Jinja2", "MarkupSafe"))
    python = f"{importlib.util.MAGIC_NUMBER.hex()} {sys.implementation.cache_tag} {sys.flags.optimize}"
    return hashlib.sha256(f"{code_key()}\n{libraries}\n{python}".encode()).hexdigest()[:24]


def options_key(package: str, options: dict[str, Any]) -> str:
    """Return the name of the folder that keeps the compiled templates of one environment.

    Parameters
    ----------
    package : str
        The package whose ``templates`` folder the environment loads.
    options : dict[str, Any]
        The environment's keyword arguments other than its loader and cache (a
        function is described by its module and name, its code being in the
        code key; a :func:`functools.partial` also by its arguments).

    Returns
    -------
    str
        24 hex digits of a hash of the package and the options: environments
        that compile a template differently never share a compiled template.
    """
    described = "\n".join(f"{name}={_described(value)}" for name, value in sorted(options.items()))
    return hashlib.sha256(f"{package}\n{described}".encode()).hexdigest()[:24]


def kept_bytecode(package: str, options: dict[str, Any]) -> KeptBytecode | None:
    """Return the cache of an environment's compiled templates, or None for a package without byte-code.

    Parameters
    ----------
    package : str
        The package whose ``templates`` folder the environment loads.
    options : dict[str, Any]
        The environment's other keyword arguments (see :func:`options_key`).

    Returns
    -------
    KeptBytecode | None
        Keeping them in ``__jinja__/<code>/<options>/`` (:func:`code_folder`,
        :func:`options_key`) of the folder where Python keeps the package's
        byte-code (its ``__pycache__``, or its place under
        ``PYTHONPYCACHEPREFIX``); None for a package without a file (a
        namespace package) or a Python that keeps no byte-code (no cache tag).
    """
    init = getattr(importlib.import_module(package), "__file__", None)
    if not init:
        return None
    try:
        pycache = Path(importlib.util.cache_from_source(init)).parent
    except NotImplementedError:  # sys.implementation.cache_tag is None
        return None
    return KeptBytecode(pycache, options_key(package, options))


class KeptBytecode(jinja2.BytecodeCache):
    """Jinja's compiled templates, one file each, in a folder of a package's byte-code folder.

    Parameters
    ----------
    byte_code : Path
        The folder where Python keeps the package's byte-code (nothing is
        written unless it exists).
    key : str
        The environment's :func:`options_key`.

    Attributes
    ----------
    code : Path
        ``<byte_code>/__jinja__/<code>`` (:func:`code_folder`): when it is
        made, its siblings (what other code or another Python compiled) not
        written for :data:`UNUSED_FOR` seconds are removed.
    folder : Path
        ``<code>/<key>``: this environment's compiled templates, one file each.
    """

    def __init__(self, byte_code: Path, key: str) -> None:
        self.byte_code = byte_code
        self.code = byte_code / FOLDER / code_folder()
        self.folder = self.code / key

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"

    def load_bytecode(self, bucket: Bucket) -> None:
        """Give ``bucket`` the kept code of its template, if a usable file holds it."""
        data = read_existing(self._path(bucket), _LIMIT)
        if not data or len(data) > _LIMIT:
            return
        try:  # a damaged file, or one of another Jinja or Python, is compiled again
            bucket.load_bytecode(io.BytesIO(data))
        except Exception:  # Jinja reads the checksum with pickle, which can raise anything
            bucket.reset()
        if not isinstance(bucket.code, types.CodeType):  # what marshal read may be any value
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the code ``bucket`` compiled where Python keeps the package's byte-code, if it does.

        Nothing is written when Python writes no byte-code, or has not made
        the package's byte-code folder (it is read-only, say): this never makes
        a folder in the package itself, whose folders a build watches.
        """
        if sys.dont_write_bytecode or not self.byte_code.is_dir():
            return
        data = io.BytesIO()
        bucket.write_bytecode(data)
        if not self.code.is_dir():
            self._remove_other_code()
        with contextlib.suppress(CurriculumError):  # what write_atomic raises for any file it cannot write
            write_atomic(self._path(bucket), data.getvalue())

    def _remove_other_code(self) -> None:
        """Remove the folders of compiled templates other code or another Python kept and no longer writes."""
        stale = time.time() - UNUSED_FOR
        with contextlib.suppress(OSError):
            for other in self.code.parent.iterdir():
                if (
                    other.name != self.code.name
                    and _KEY.fullmatch(other.name)
                    and not other.is_symlink()
                    and _last_written(other) < stale
                ):
                    shutil.rmtree(other, ignore_errors=True)


def _last_written(folder: Path) -> float:
    """Return when anything in a code's folder of compiled templates was last written (its newest time)."""
    times = [folder.stat().st_mtime]
    with contextlib.suppress(OSError):
        times += [entry.stat().st_mtime for entry in folder.iterdir()]
    return max(times)
