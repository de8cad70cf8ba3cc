"""The API reference's child process: quartodoc's builder on a project, and nothing of the package.

The build starts ``python -P -m curriculum.site._quartodoc ROOT`` (see
:func:`curriculum.site._reference.start_reference`). This module imports only
the standard library and quartodoc, so the child does not load the
package's content models, which it never uses (a fifth of a second).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

__all__ = ["NO_QUARTODOC"]

NO_QUARTODOC = 3
"""The child's exit status when quartodoc is not installed."""


def _quartodoc_builder() -> Any:
    """Import quartodoc's ``Builder``, without the second an unused import chain costs.

    quartodoc imports sphobjinv, which imports jsonschema; when the optional
    ``rfc3987-syntax`` is installed (Jupyter's packages pull it in),
    jsonschema compiles its IRI grammars on import, about a second, for
    format checks quartodoc never makes. The import is hidden from this
    child process, which does nothing else.
    """
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import fails: jsonschema skips it
    from quartodoc import Builder

    return Builder


def _generate(root: Path) -> int:
    """Run quartodoc's builder on ``root``'s ``_quarto.yml`` (in the child); return the exit status."""
    try:
        Builder = _quartodoc_builder()
    except ImportError:
        return NO_QUARTODOC
    with contextlib.chdir(root):
        Builder.from_quarto_config(str(root / "_quarto.yml")).build()
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a child process (covered through the build)
    sys.exit(_generate(Path(sys.argv[1])))
