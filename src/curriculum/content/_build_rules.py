"""The rules of the website build (CUR6xx), registered here with every other rule.

The build's stages (the configuration, the pages, the notebooks' execution,
Pandoc) live in :mod:`curriculum.project` and :mod:`curriculum.site`, but their
rules are part of the one registry that ``curriculum rules`` and the site's
rules page list, so they are registered with the content's own: whatever is
imported, :data:`~curriculum.content.RULES` holds every rule.
"""

from __future__ import annotations

from curriculum.content._diagnostics import RULES, Severity

__all__ = ["E_CONFIG", "E_EXECUTE", "E_FREEZE", "E_PAGE", "E_PANDOC", "E_REFERENCE"]

E_CONFIG = RULES.add("CUR601", Severity.error, "The site configuration (_quarto.yml) is not usable.")
E_PAGE = RULES.add("CUR602", Severity.error, "A page of the site cannot be read.")
E_EXECUTE = RULES.add("CUR603", Severity.error, "A lesson notebook failed to execute.")
E_PANDOC = RULES.add("CUR604", Severity.error, "Pandoc could not render a page.")
E_FREEZE = RULES.add(
    "CUR605", Severity.warning, "A notebook's frozen outputs in _freeze/ are missing or out of date."
)
E_REFERENCE = RULES.add(
    "CUR606", Severity.warning, "The API reference in reference/ is missing or out of date."
)
