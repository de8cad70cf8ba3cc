"""The project: its configuration and its facts, read in one place.

``_quarto.yml`` (and each profile's overlay, ``_quarto-<profile>.yml``) is the
one source of the site's structure; :func:`load_config` validates it into a
:class:`SiteConfig`, every problem located at its line. :class:`Project`
answers what the notebook session, ``curriculum check``, ``build`` and
``serve`` all need to know: the site id, the profiles, the active profile,
the files a build reads and whether they changed.
"""

from curriculum.project._config import (
    DEFAULT_TIMEOUT,
    Freeze,
    NavEntry,
    QuartoFile,
    SiteConfig,
    load_config,
    output_path,
    output_paths,
    profiles,
)
from curriculum.project._facts import (
    CACHE_DIR,
    Project,
    Stamp,
    active_profile,
    digest,
    package_files,
    package_fingerprint,
    path_texts,
    site_id,
)

__all__ = [
    "CACHE_DIR",
    "DEFAULT_TIMEOUT",
    "Freeze",
    "NavEntry",
    "Project",
    "QuartoFile",
    "SiteConfig",
    "Stamp",
    "active_profile",
    "digest",
    "load_config",
    "output_path",
    "output_paths",
    "package_files",
    "package_fingerprint",
    "path_texts",
    "profiles",
    "site_id",
]
