"""Compiled templates kept between processes: Jinja's bytecode cache, in the user's cache folder.

Jinja compiles a template from its source the first time a process loads it.
For the package's page and component templates that is about 50 ms of Python
in every build that writes a page (measured on a one-quiz edit: the page
template alone takes 35 ms), and in every kernel that shows a component.
:class:`KeptBytecode` keeps the compiled code, so a later process loads it
instead.

What a compiled template depends on is all in where it is kept: Jinja checks
the template's source (a checksum) and the Python that compiled it (its
magic header); the folder, ``templates/<key>`` of :func:`curriculum._cache.cache_dir`,
is named by a hash of Jinja's version and the environment's options
(:func:`options_key`), which the source cannot tell. A file that cannot be
read, written or understood means the template is compiled again, never an
error: a locked-down computer whose cache folder is read-only builds as it
did.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket

from curriculum._cache import cache_dir
from curriculum._plain import read_existing
from curriculum.content import write_atomic
from curriculum.errors import CurriculumError

__all__ = ["KeptBytecode", "options_key"]

_LIMIT = 16 << 20
"""The largest compiled template read (a larger file is compiled again)."""


def _described(value: Any) -> str:
    """Describe an option's value the same way in every process (a function by its name, not its address)."""
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return repr(value)


def options_key(package: str, options: dict[str, Any]) -> str:
    """Return the name of the folder that keeps the compiled templates of one environment.

    Parameters
    ----------
    package : str
        The package whose ``templates`` folder the environment loads.
    options : dict[str, Any]
        The environment's keyword arguments other than its loader (a function
        is described by its module and name).

    Returns
    -------
    str
        A hash of Jinja's version, the package and the options: environments
        that compile a template differently never share a compiled template.
    """
    described = "\n".join(f"{name}={_described(value)}" for name, value in sorted(options.items()))
    text = f"jinja2 {jinja2.__version__}\n{package}\n{described}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class KeptBytecode(jinja2.BytecodeCache):
    """Jinja's compiled templates, one file each, in ``templates/<key>`` of the cache folder.

    The cache folder is looked up at each load and store (``CURRICULUM_CACHE_DIR``
    may change between them, as it does between tests).

    Parameters
    ----------
    key : str
        The environment's :func:`options_key`.
    """

    def __init__(self, key: str) -> None:
        self.key = key

    def _path(self, bucket: Bucket) -> Path:
        return cache_dir() / "templates" / self.key / f"{bucket.key}.cache"

    def load_bytecode(self, bucket: Bucket) -> None:
        """Give ``bucket`` the kept code of its template, if a usable file holds it."""
        data = read_existing(self._path(bucket), _LIMIT)
        if not data or len(data) > _LIMIT:
            return
        try:  # a damaged file, or one of another Jinja or Python, is compiled again
            bucket.load_bytecode(io.BytesIO(data))
        except Exception:  # Jinja reads the checksum with pickle, which can raise anything
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the code ``bucket`` compiled; a folder that cannot be written keeps nothing."""
        data = io.BytesIO()
        bucket.write_bytecode(data)
        with contextlib.suppress(CurriculumError):  # what write_atomic raises for any file it cannot write
            write_atomic(self._path(bucket), data.getvalue())
