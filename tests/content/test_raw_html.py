"""The raw-HTML lint: what it sees, what it leaves alone, which pages it reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from curriculum.cli import main
from curriculum.content import check_paths
from curriculum.content._raw_html import _page, project_pages, scan_html, scan_markdown, scripted_url
from curriculum.site._rules_page import rules_markdown


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "  JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "JaVaScRiPt&#58;alert(1)",
        "javascript&colon;alert(1)",
        "&#x6A;avascript:alert(1)",
        "&amp;#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "DATA:text/html;base64,PHNjcmlwdD4=",
    ],
)
def test_script_urls_are_recognised_however_written(url: str) -> None:
    assert scripted_url(url)


@pytest.mark.parametrize(
    "url", ["https://example.org/javascript:x", "page.html", "#javascript", "data:image/png;base64,AA==", ""]
)
def test_ordinary_urls_are_not(url: str) -> None:
    assert not scripted_url(url)


def _codes(problems: list[tuple[int, object, str, str]]) -> list[str]:
    return [rule.code for _, rule, _, _ in problems]  # type: ignore[attr-defined]


def test_code_is_text_not_html() -> None:
    text = (
        "`<script>alert(1)</script>` and `[x](javascript:y)` are code.\n\n"
        '```html\n<div class="cur-widget" onclick="x"></div>\n```\n\n'
        "    <script>indented code</script>\n"
    )
    assert scan_markdown(text) == []


def test_raw_html_in_every_form_is_read() -> None:
    text = (
        'Inline `<b onclick="x">b</b>`{=html} raw.\n\n'
        "```{=html5}\n<script>alert(1)</script>\n```\n\n"
        '<div onmouseover="y">typed straight into the Markdown (Quarto\'s raw HTML)</div>\n\n'
        '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>\n'
    )
    assert sorted(_codes(scan_markdown(text))) == ["CUR701", "CUR701", "CUR702", "CUR702"]


def test_data_scripts_and_local_refreshes_are_fine() -> None:
    markup = (
        '<script type="application/json">{}</script><meta http-equiv="refresh" content="5; url=next.html">'
    )
    assert scan_html(markup) == []


def test_pages_are_the_rendered_ones(tmp_path: Path) -> None:
    for name in (
        "index.qmd",
        "docs/a.md",
        "docs/b.md",
        "_drafts/x.qmd",
        "quiz/q.qmd",
        "README.md",
        "notes.txt",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("text\n")
    (tmp_path / "_quarto.yml").write_text("project:\n  type: website\n")
    assert [p.relative_to(tmp_path).as_posix() for p in project_pages(tmp_path)] == [
        "index.qmd",
        "docs/a.md",
        "docs/b.md",
    ]
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  render: [index.qmd, 'docs/a*.md', ../outside.qmd, quiz/*.qmd]\n"
    )
    (tmp_path.parent / "outside.qmd").write_text("<script>x</script>\n")
    assert [p.relative_to(tmp_path).as_posix() for p in project_pages(tmp_path)] == ["index.qmd", "docs/a.md"]
    outside = tmp_path.parent.as_posix()
    (tmp_path / "_quarto.yml").write_text(  # absolute paths: outside the project, never read (nor a crash)
        f"project:\n  render: [index.qmd, '{outside}/outside.qmd', '{outside}/*.qmd']\n"
    )
    assert [p.relative_to(tmp_path).as_posix() for p in project_pages(tmp_path)] == ["index.qmd"]


@pytest.mark.parametrize(
    ("pattern", "listed"),
    [
        ("lessons/*.ipynb", False),  # no page of this lint: 64 notebooks are not listed for it
        ("quiz/*.qmd", False),  # generated pages only
        ("rules/index.qmd", False),
        ("docs/*.md", True),
        ("faculty/*.qmd", True),
        ("**/*.qmd", True),
        ("*", True),
        ("docs/**", True),
        ("docs/*.q*", True),
        ("*/x.qmd", True),  # a wildcard folder may be any folder
        ("docs/*[.]md", True),  # a suffix that is a pattern
    ],
)
def test_a_render_pattern_that_can_match_no_page_is_not_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, listed: bool
) -> None:
    """What the lint reads is the same; only the patterns that may match its pages are listed."""
    globbed: list[str] = []
    glob = Path.glob
    monkeypatch.setattr(Path, "glob", lambda self, p: globbed.append(p) or glob(self, p))
    for name in ("lessons/a.ipynb", "quiz/q.qmd", "rules/index.qmd", "docs/a.md", "faculty/n.qmd", "x/x.qmd"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("text\n")
    (tmp_path / "_quarto.yml").write_text(f"project:\n  render: ['{pattern}']\n")
    found = project_pages(tmp_path)
    assert (pattern in globbed or ("*" not in pattern and found != [])) == listed
    everything = sorted(tmp_path.glob(pattern)) if "*" in pattern else [tmp_path / pattern]
    assert found == [p for p in everything if p.is_file() and _page(p.relative_to(tmp_path))]


def test_strict_check_refuses_a_page_with_a_script(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "index.qmd").write_text(
        "---\ntitle: Home\n---\n\nWelcome.\n\n```{=html}\n<script>alert(1)</script>\n```\n", encoding="utf-8"
    )
    monkeypatch.chdir(project)
    [problem] = check_paths([], project).diagnostics
    assert (problem.path, problem.line, problem.col, problem.code) == ("index.qmd", 8, 1, "CUR701")
    for strict, status in (([], 0), (["--strict"], 1)):
        with pytest.raises(SystemExit) as exited:
            main(["check", *strict])
        assert exited.value.code == status


def test_the_rules_reference_lists_the_area() -> None:
    page = rules_markdown()
    assert "## Raw HTML and script URLs in lessons and pages" in page
    assert all(f"`CUR70{n}`" in page for n in range(1, 7))
