"""Lint of raw HTML and script URLs in lessons, pages and the bibliography.

Raw HTML in a lesson or a page (a ```` ```{=html} ```` block, an inline
``{=html}`` span, HTML written in the Markdown, HTML a code cell displays) is
trusted author content, as in Quarto: the build publishes it as written (see
``docs/authoring.md``, "Raw HTML"). What never belongs on a page that promises
no script and no other host is reported here as a warning, so ``curriculum
check --strict`` (which CI runs) refuses it: inline scripts, event handlers,
URLs that run script (in Markdown links and images, autolinks, raw HTML and
BibTeX ``url``, ``doi`` and ``howpublished`` fields), HTML that makes the
browser contact another host by itself, ``<base>``, and component markup
written by hand (the build removes it: only the build creates components).

Markdown is read with markdown-it (code spans and code blocks are text, not
HTML); HTML with the standard library's tokenizer, which decodes character
references in attribute values as a browser does.
"""

from __future__ import annotations

import functools
import html
import os
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from curriculum._memo import Memo
from curriculum.content._diagnostics import RULES, Rule, Severity
from curriculum.content._files import FileRefused, read_bytes
from curriculum.content._project import PROJECT_FILE, Curriculum, Document, display_path, generated_dirs
from curriculum.content._registry import (
    Finding,
    check,
    document_check,
    document_findings,
    findings_memo,
    no_context,
)
from curriculum.content._source import read_source, size_limit
from curriculum.content._yaml import load_yaml

__all__ = ["project_pages", "scripted_url"]

_WHY = "The site promises that nothing authored runs as script and nothing loads from another host."
SCRIPT = RULES.add("CUR701", Severity.warning, "Raw HTML holds an inline script.", _WHY)
HANDLER = RULES.add(
    "CUR702", Severity.warning, "An element carries an event-handler attribute (on...=).", _WHY
)
SCRIPT_URL = RULES.add(
    "CUR703",
    Severity.warning,
    "A link, image or reference URL runs script (javascript:, vbscript:, data:text/html).",
    _WHY + " The build also drops such targets from Markdown links.",
)
OTHER_HOST = RULES.add(
    "CUR704",
    Severity.warning,
    "Raw HTML makes the browser go to another host by itself (meta refresh, resource hint, ping).",
    _WHY,
)
BASE = RULES.add(
    "CUR705",
    Severity.warning,
    "Raw HTML has a <base> element.",
    "It changes where every link of the page goes.",
)
COMPONENT = RULES.add(
    "CUR706",
    Severity.warning,
    "Component markup (cur-widget, cur-payload) is written by hand; the build removes it.",
    "Only the build creates components, from the content files.",
)

Problem = tuple[int, Rule, str, str]
"""A character offset, the rule, what is wrong, how to fix it."""

_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:application/xhtml")
_IGNORED_IN_URL = re.compile(r"[\x00-\x20]+")
_COMPONENT = re.compile(r"cur-(?:widget|payload)", re.IGNORECASE)
_ATTRIBUTES = re.compile(r"\{([^{}\n]*)\}")
_HANDLER_ATTRIBUTE = re.compile(r"(?:^|\s)(on[a-z]+)\s*=", re.IGNORECASE)
_CLASS = re.compile(r"(?:^|\s)\.(cur-widget|cur-payload)\b", re.IGNORECASE)
_RAW_FORMAT = re.compile(r"\{\s*=\s*html[45]?\s*\}", re.IGNORECASE)
_REFRESH_TARGET = re.compile(r"url\s*=\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_HINTED = {"dns-prefetch", "preconnect", "prefetch", "prerender", "preload", "modulepreload"}
_DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/plain"}


def scripted_url(url: str) -> bool:
    """Return whether a browser would run ``url`` as script (or as a page of script) when followed."""
    plain = _IGNORED_IN_URL.sub("", _decoded(url)).lower()
    return plain.startswith(_SCRIPT_SCHEMES)


def _decoded(text: str) -> str:
    """Decode character references until nothing changes, as nested HTML (srcdoc) is decoded."""
    for _ in range(8):
        again = html.unescape(text)
        if again == text:
            break
        text = again
    return text


class _Tags(HTMLParser):
    def __init__(self, emit: Callable[[tuple[int, int], Rule, str, str], None], depth: int) -> None:
        super().__init__(convert_charrefs=True)
        self.emit = emit
        self.depth = depth

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = self.getpos()
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and values.get("type", "").strip().lower() not in _DATA_SCRIPT_TYPES:
            self.emit(
                at,
                SCRIPT,
                "an inline <script> element",
                "the site's CSP blocks it; show interactive parts "
                "with a component (curriculum.quiz(...) and friends)",
            )
        if tag == "base":
            self.emit(at, BASE, "a <base> element", "remove it and write relative links")
        refresh = tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh"
        if refresh and _REFRESH_TARGET.search(values.get("content", "")):
            what = '<meta http-equiv="refresh"> sends the reader to another address'
            self.emit(at, OTHER_HOST, what, "link to the address instead")
        if tag == "link" and _HINTED & set(values.get("rel", "").lower().split()):
            self.emit(
                at,
                OTHER_HOST,
                f'<link rel="{values["rel"]}"> contacts a host before anyone asks',
                "remove the resource hint",
            )
        for name, value in values.items():
            if name.startswith("on"):
                self.emit(
                    at, HANDLER, f"the event-handler attribute `{name}`", "remove it: the CSP blocks it"
                )
            elif name == "ping":
                self.emit(
                    at,
                    OTHER_HOST,
                    "the `ping` attribute reports clicks to an address",
                    "remove the attribute",
                )
            elif name == "srcdoc" and self.depth < 3:
                nested = _Tags(lambda _pos, rule, what, fix: self.emit(at, rule, what, fix), self.depth + 1)
                nested.feed(value)
                nested.close()
            if scripted_url(value):
                self.emit(
                    at, SCRIPT_URL, f"`{name}` holds a URL that runs script", "link to a page or an address"
                )

    handle_startendtag = handle_starttag


def _offsets(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def scan_html(markup: str, *, depth: int = 0) -> list[Problem]:
    """Return the problems of a piece of raw HTML, at character offsets in ``markup``."""
    found: list[Problem] = []
    lines = _offsets(markup)
    if _COMPONENT.search(_decoded(markup)):
        found.append(
            (
                0,
                COMPONENT,
                "raw HTML names the component markup (cur-widget, cur-payload); the build removes it",
                "show a component with curriculum.quiz(...), vignette(...), spotter(...) or worksheet(...) "
                "in a code cell",
            )
        )

    def emit(pos: tuple[int, int], rule: Rule, what: str, fix: str) -> None:
        found.append((lines[min(pos[0], len(lines)) - 1] + pos[1], rule, what, fix))

    parser = _Tags(emit, depth)
    parser.feed(markup)
    parser.close()
    return found


class _Reader(MarkdownIt):
    """CommonMark that keeps every link target as written, including those markdown-it refuses."""

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url


_MARKDOWN = _Reader("commonmark")


def _shifted(problems: list[Problem], by: int) -> list[Problem]:
    return [(by + offset, rule, what, fix) for offset, rule, what, fix in problems]


def scan_markdown(text: str) -> list[Problem]:
    """Return the problems of a Markdown text (Pandoc's raw attributes and fenced divs included)."""
    lines = _offsets(text)
    found: list[Problem] = []

    def block_start(token: Token) -> int:
        return lines[token.map[0]] if token.map else 0

    def near(token: Token, needle: str) -> int:
        start = block_start(token)
        end = lines[token.map[1]] if token.map and token.map[1] < len(lines) else len(text)
        at = text.find(needle, start, end) if needle else -1
        return at if at >= 0 else start

    def attributes(token: Token, source: str) -> None:
        for block in _ATTRIBUTES.finditer(source):
            at = near(token, block.group())
            for handler in _HANDLER_ATTRIBUTE.finditer(block.group(1)):
                what = f"the event-handler attribute `{handler.group(1)}`"
                found.append((at, HANDLER, what, "remove it: the build drops it and the CSP blocks it"))
            for name in _CLASS.finditer(block.group(1)):
                what = f"the class `.{name.group(1)}` is component markup; the build removes it"
                found.append((at, COMPONENT, what, "show a component with curriculum.quiz(...) and friends"))

    for token in _MARKDOWN.parse(text):
        if token.type == "fence":
            if _RAW_FORMAT.fullmatch(token.info.strip()):
                start = lines[token.map[0] + 1] if token.map and token.map[0] + 1 < len(lines) else 0
                found += _shifted(scan_html(token.content), start)
            else:
                attributes(token, token.info)
        elif token.type == "html_block":
            found += _shifted(scan_html(token.content), block_start(token))
        elif token.type == "inline":
            children = token.children or []
            for index, child in enumerate(children):
                following = children[index + 1].content if index + 1 < len(children) else ""
                raw = child.type == "code_inline" and _RAW_FORMAT.match(following)
                if raw or child.type == "html_inline":
                    found += _shifted(scan_html(child.content), near(token, child.content))
                elif child.type in ("link_open", "image"):
                    target = str(child.attrs.get("href" if child.type == "link_open" else "src", ""))
                    if scripted_url(target):
                        what = f"the link target `{target[:60]}` runs script"
                        fix = "link to a page or an address; the build drops this target"
                        found.append((near(token, target), SCRIPT_URL, what, fix))
                elif child.type == "text":
                    attributes(token, child.content)
    return found


_BIB_FIELD = re.compile(r"\b(url|doi|howpublished)\s*=\s*", re.IGNORECASE)
_BIB_COMMAND = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}")


def _bib_value(text: str, start: int) -> str:
    """Return the value of the BibTeX field at ``start``: in braces, in quotes or a bare word."""
    if start >= len(text):
        return ""
    opening = text[start]
    if opening == '"':
        end = text.find('"', start + 1)
        return text[start + 1 : end if end >= 0 else len(text)]
    if opening != "{":
        return re.match(r"[^,\s}]*", text[start:]).group()  # type: ignore[union-attr]
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start + 1 : index]
    return text[start + 1 :]


def scan_bibliography(text: str) -> list[Problem]:
    r"""Return the script URLs of a .bib: ``url``, ``doi``, ``howpublished``, ``\url{}``."""
    found: list[Problem] = []
    for field in _BIB_FIELD.finditer(text):
        value = _bib_value(text, field.end())
        if scripted_url(value.replace("{", "").replace("}", "")):
            found.append(
                (
                    field.start(),
                    SCRIPT_URL,
                    f"the `{field.group(1).lower()}` field holds a URL that runs script",
                    "give the work's web address or DOI",
                )
            )
    for command in _BIB_COMMAND.finditer(text):
        if scripted_url(command.group(1)):
            found.append(
                (command.start(), SCRIPT_URL, "a \\url{...} runs script", "give the work's web address")
            )
    return found


def _encode(problems: list[Problem]) -> list[list[object]]:
    return [[offset, rule.code, what, fix] for offset, rule, what, fix in problems]


def _decode(data: Any) -> list[Problem]:
    """Return problems stored as JSON; raise for data of another shape (the memo then recomputes them)."""
    problems: list[Problem] = []
    for offset, code, what, fix in data:
        if not (isinstance(offset, int) and isinstance(what, str) and isinstance(fix, str)):
            raise ValueError("not a problem")
        problems.append((offset, RULES[code], what, fix))
    return problems


_MARKDOWN_PROBLEMS = Memo[list[Problem]]("lint.raw-html.markdown", 1, _encode, _decode)
"""The problems of each Markdown text (:func:`scan_markdown`), across checks."""
_HTML_PROBLEMS = Memo[list[Problem]]("lint.raw-html.html", 1, _encode, _decode)
"""The problems of each piece of HTML (:func:`scan_html`), across checks."""


def _markdown_problems(text: str) -> list[Problem]:
    return _MARKDOWN_PROBLEMS.get(text, lambda: scan_markdown(text))


def _html_problems(text: str) -> list[Problem]:
    return _HTML_PROBLEMS.get(text, lambda: scan_html(text))


def _diagnostics(
    path: str, problems: list[Problem], place: Callable[[int], tuple[int, int]]
) -> Iterator[Finding]:
    seen: set[tuple[tuple[int, int], str]] = set()
    for offset, rule, what, fix in sorted(problems, key=lambda p: p[0]):
        pos = place(offset)
        if (pos, rule.code) not in seen:
            seen.add((pos, rule.code))
            yield Finding(rule.at(path, pos, what, fix))


def _text_position(text: str) -> Callable[[int], tuple[int, int]]:
    def place(offset: int) -> tuple[int, int]:
        before = text[:offset]
        return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1

    return place


_LESSONS = findings_memo("check.raw-html-lessons")
"""What :func:`raw_html_in_lessons` finds in each lesson."""


@document_check(no_context, lambda cur: list(cur.lessons.values()))
def raw_html_in_lessons(doc: Document[Any], _context: Any) -> Iterator[Finding]:
    """Lint Markdown and raw cells, and the HTML code cells display (as written in their code).

    Checked again for a lesson whose text changed only (see :func:`markdown_nesting`).
    """
    yield from document_findings(_LESSONS, doc, functools.partial(_lesson_problems, doc))


def _lesson_problems(doc: Document[Any]) -> Iterator[Finding]:
    """Yield the raw-HTML problems of one lesson's cells."""
    for cell in doc.cells:
        if cell.kind == "markdown":
            problems = _markdown_problems(cell.text)
        elif cell.kind == "code" or (cell.kind == "raw" and cell.index > 0):
            problems = _html_problems(cell.text)
        else:
            continue
        yield from _diagnostics(doc.display, problems, cell.pos)


@check(always=True)
def raw_html_in_pages(cur: Curriculum) -> Iterator[Finding]:
    """Lint the project's .qmd and .md pages."""
    if cur.root is None:
        return
    for path in project_pages(cur.root):
        display = display_path(path)
        source, _problems = read_source(path, display)  # a page that cannot be read is the build's to report
        if source is not None:
            yield from _diagnostics(display, _markdown_problems(source.text), _text_position(source.text))


@check
def script_urls_in_bibliography(cur: Curriculum) -> Iterator[Finding]:
    """Lint the ``url``, ``doi`` and ``howpublished`` fields of ``references.bib``."""
    bib = cur.bibliography
    if bib is not None:
        yield from _diagnostics(bib.display, scan_bibliography(bib.text), _text_position(bib.text))


def project_pages(root: Path) -> list[Path]:
    """Return the ``.qmd`` and ``.md`` pages of the site, the generated ones excepted.

    The pages are those ``project.render`` in ``_quarto.yml`` names (globs
    allowed), or, without it, every such file Quarto would render: folders and
    files whose name starts with ``_`` or ``.``, README files and
    ``node_modules`` are left out. A configuration that cannot be read counts
    as none (the build reports it).
    """
    config_file = root / PROJECT_FILE
    try:  # read as the project's files are: inside the project, a plain file, not too large
        raw = read_bytes(config_file, size_limit(config_file), root=root)
        config: Any = load_yaml(raw.decode("utf-8")) if len(raw) <= size_limit(config_file) else {}
        patterns = config["project"]["render"]
    except (FileRefused, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError):
        patterns = None
    if not isinstance(patterns, list):
        return [p for p in _walk(root) if _page(p.relative_to(root))]
    inside = root.resolve()
    pages: dict[Path, None] = {}
    for pattern in patterns:
        if (
            isinstance(pattern, str)
            and not pattern.startswith("!")
            and not Path(pattern).is_absolute()
            and _may_match_pages(pattern)
        ):
            found = sorted(root.glob(pattern)) if "*" in pattern else [root / pattern]
            pages.update(
                (p, None)
                for p in found
                if p not in pages
                and _page(p.relative_to(root))  # before the file is looked at: a generated page is not
                and p.is_file()
                and p.resolve().is_relative_to(inside)
            )
    return list(pages)


def _may_match_pages(pattern: str) -> bool:
    """Whether a render pattern can match a page :func:`_page` accepts (its matches are not listed otherwise).

    ``lessons/*.ipynb`` matches no ``.qmd`` or ``.md`` file, and ``quiz/*.qmd``
    only generated pages: listing them would cost a look at every lesson or quiz page.
    """
    path = PurePosixPath(pattern)

    def literal(part: str) -> bool:
        return not any(c in part for c in "*?[]")

    if path.suffix and literal(path.suffix) and path.suffix not in (".qmd", ".md"):
        return False
    return not (path.parts and literal(path.parts[0]) and path.parts[0] in generated_dirs())


def _page(path: Path) -> bool:
    parts = path.parts
    return (
        path.suffix in (".qmd", ".md")
        and not any(part.startswith(("_", ".")) for part in parts)
        and not parts[-1].lower().startswith("readme.")
        and parts[0] not in generated_dirs()
    )


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")) and d != "node_modules")
        yield from (Path(folder) / f for f in sorted(files))
