"""The site's structure, read from ``_quarto.yml`` (and a profile's overlay).

``_quarto.yml`` is the one source of the site's structure for both engines:
title, sidebar, footer, bibliography, output folder. Quarto reads it itself;
the Pandoc engine reads the same keys here. A profile file
(``_quarto-faculty.yml``) is merged over it the way Quarto merges profiles:
mappings merge key by key, lists are concatenated without repeats, and other
values are replaced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._source import read_source
from curriculum.content._yaml import LocMap, parse_yaml
from curriculum.errors import ContentError

__all__ = ["NavEntry", "SiteConfig", "load_config"]

E_CONFIG = RULES.add("CUR601", Severity.error, "The site configuration (_quarto.yml) is not usable.")


@dataclass(frozen=True)
class NavEntry:
    """One sidebar entry: a page, or a section holding entries.

    Attributes
    ----------
    text : str | None
        Label; None for a page means "use the page's title".
    href : str | None
        Source path of a page, relative to the project (None for a section).
    children : tuple[NavEntry, ...]
        A section's entries.
    """

    text: str | None
    href: str | None
    children: tuple[NavEntry, ...] = ()

    def pages(self) -> list[str]:
        """Return every page under this entry, in order."""
        if self.href is not None:
            return [self.href]
        return [p for child in self.children for p in child.pages()]


@dataclass
class SiteConfig:
    """What the build needs from ``_quarto.yml``.

    Attributes
    ----------
    root : Path
        The project folder.
    profile : str
        ``resident`` or ``faculty``.
    title : str
        The site's title.
    description : str
        One line about the site, for the home page's metadata.
    sidebar : list[NavEntry]
        The navigation, in order.
    output_dir : str
        Where the site is written, relative to the project.
    bibliography : str | None
        The bibliography file.
    footer : str
        Markdown shown at the bottom of every page.
    extra_pages : list[str]
        Pages rendered though not in the sidebar (``project.render``).
    raw : dict
        The merged configuration.
    """

    root: Path
    profile: str
    title: str
    description: str
    sidebar: list[NavEntry]
    output_dir: str
    bibliography: str | None
    footer: str
    extra_pages: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def pages(self) -> list[str]:
        """Every page to render: sidebar order first, then the others."""
        ordered = [p for entry in self.sidebar for p in entry.pages()]
        return ordered + [p for p in self.extra_pages if p not in ordered]


_DEFAULT_RENDER = ["**/*.qmd", "**/*.ipynb", "**/*.md"]
"""What Quarto renders when ``project.render`` is not given: every document..."""


def _ignored(path: str) -> bool:
    """...except those under a ``_`` or ``.`` folder or file, and README files, as Quarto does."""
    parts = path.split("/")
    return any(p.startswith(("_", ".")) for p in parts) or parts[-1].lower().startswith("readme.")


def _merge(base: Any, over: Any) -> Any:
    """Merge a profile's value over the base value, as Quarto merges configurations.

    Mappings merge key by key; when either value is a list, the two are
    concatenated (a single value counts as a list of one) and repeats dropped,
    the first occurrence kept; a missing or empty scalar on either side gives
    way to the other; any other value is replaced.
    """
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) or isinstance(over, list):
        if _unset(base):
            return over
        if _unset(over):
            return base
        combined = (base if isinstance(base, list) else [base]) + (over if isinstance(over, list) else [over])
        seen: set[str] = set()
        unique = []
        for value in combined:
            key = json.dumps(value, default=str)
            if key not in seen:
                seen.add(key)
                unique.append(value)
        return unique
    return over


def _unset(value: Any) -> bool:
    """Whether Quarto's merge treats a value beside a list as absent (JavaScript's falsy values)."""
    return value is None or (not isinstance(value, (list, dict)) and not value)


def _read(path: Path, root: Path) -> tuple[dict[str, Any], LocMap]:
    display = path.relative_to(root).as_posix()
    source, problems = read_source(path, display)
    if source is None:
        raise ContentError(problems)
    data, locs, problems = parse_yaml(source)
    if problems:
        raise ContentError(problems)
    if not isinstance(data, dict):
        raise ContentError(
            [
                E_CONFIG.at(
                    display,
                    (1, 1),
                    "the file is not a mapping of keys",
                    "see Quarto's website project documentation",
                )
            ]
        )
    return data, locs


def _nav(items: Any, locs: LocMap, loc: tuple[str | int, ...]) -> list[NavEntry]:
    entries = []
    for i, item in enumerate(items or []):
        if isinstance(item, str):
            entries.append(NavEntry(None, item))
        elif isinstance(item, dict) and "section" in item:
            inner = _nav(item.get("contents"), locs, (*loc, i, "contents"))
            entries.append(NavEntry(str(item["section"]), None, tuple(inner)))
        elif isinstance(item, dict) and "href" in item:
            entries.append(NavEntry(item.get("text"), str(item["href"])))
        else:
            raise ContentError(
                [
                    E_CONFIG.at(
                        "_quarto.yml",
                        locs.value((*loc, i)),
                        f"a sidebar entry is not understood: {item!r}",
                        "use a path, `href:`/`text:`, or `section:` with `contents:`",
                    )
                ]
            )
    return entries


def load_config(root: Path, profile: str = "resident") -> SiteConfig:
    """Read ``_quarto.yml`` and, for a profile, ``_quarto-<profile>.yml`` over it.

    Parameters
    ----------
    root : Path
        The project folder.
    profile : str
        ``resident`` (the default build) or ``faculty``.

    Returns
    -------
    SiteConfig
        The merged configuration.

    Raises
    ------
    ContentError
        If a configuration file is missing, malformed or not a website project.
    """
    data, locs = _read(root / "_quarto.yml", root)
    overlay = root / f"_quarto-{profile}.yml"
    if profile != "resident" and overlay.is_file():
        data = _merge(data, _read(overlay, root)[0])
    website = data.get("website") or {}
    sidebar = website.get("sidebar") or {}
    sidebar_loc: tuple[str | int, ...] = ("website", "sidebar", "contents")
    if isinstance(sidebar, list):
        sidebar = sidebar[0] if sidebar else {}
        sidebar_loc = ("website", "sidebar", 0, "contents")
    project = data.get("project") or {}
    footer = website.get("page-footer") or ""
    if isinstance(footer, dict):
        footer = " ".join(str(v) for v in footer.values())
    render: list[str] = []
    patterns = project.get("render") or _DEFAULT_RENDER
    for pattern in patterns:
        if not isinstance(pattern, str) or pattern.startswith("!"):
            continue
        matches = (
            sorted(p.relative_to(root).as_posix() for p in root.glob(pattern))
            if "*" in pattern
            else [pattern]
        )
        render += [m for m in matches if m not in render and not _ignored(m)]
    return SiteConfig(
        root=root,
        profile=profile,
        title=str(website.get("title") or root.name),
        description=str(website.get("description") or ""),
        sidebar=_nav(sidebar.get("contents"), locs, sidebar_loc),
        output_dir=str(project.get("output-dir") or "_site"),
        bibliography=data.get("bibliography"),
        footer=str(footer),
        extra_pages=render,
        raw=data,
    )
