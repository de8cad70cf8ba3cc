"""The ``curriculum`` command: a thin layer over the package.

Each command calls one function of the layers below and turns its result
into output and an exit status: 0 success, 1 content problems or a failed
build, 2 a usage error. An unexpected exception is a bug: the command says
so in one line (the traceback only with ``--debug``) and exits with 3.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from curriculum._version import __version__
from curriculum.errors import CurriculumError

if TYPE_CHECKING:
    from curriculum.assess import Problem

__all__ = ["cli", "main"]

BUG_EXIT = 3


if TYPE_CHECKING:
    _TextParam = click.ParamType[str, str]  # generic for type checkers only since click 8.2
else:
    _TextParam = click.ParamType


class _Registered(_TextParam):
    """A name from a registry (component templates, export formats), read when the command runs.

    A kind or format registered after the command was defined is accepted too.
    """

    def __init__(self, name: str, names: Callable[[], Iterable[str]]) -> None:
        self.name = name
        self.names = names

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return f"[{'|'.join(self.names())}]"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> str:
        names = list(self.names())
        if value not in names:
            self.fail(f"{value!r} is not one of {', '.join(map(repr, names))}.", param, ctx)
        return value


def _new_kinds() -> tuple[str, ...]:
    from curriculum.content import new_kinds

    return new_kinds()


def _export_formats() -> list[str]:
    from curriculum.export import EXPORTERS

    return list(EXPORTERS)


def _engines() -> list[str]:
    from curriculum.site import engine_names

    return engine_names()


def _engine_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--engine``: auto (the first engine available here), or one of the registered engines by name."""
    return click.option(
        "--engine",
        type=_Registered("engine", _engines),
        default="auto",
        show_default=True,
        help="Quarto where it is installed (auto), or the embedded Pandoc.",
    )


def _profile_option(
    help: str, default: str | None = "resident"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--profile``: the edition built or read."""
    return click.option(
        "--profile",
        type=click.Choice(["resident", "faculty"]),
        default=default,
        show_default=default is not None,
        help=help,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="curriculum")
@click.option("--debug", is_flag=True, help="Show the full traceback of an unexpected error.")
def cli(debug: bool) -> None:
    """Check, build and serve the psychotherapy curriculum."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
@click.option(
    "--format",
    "style",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="Output format of the diagnostics.",
)
def check(paths: tuple[Path, ...], strict: bool, style: str) -> int:
    """Check content for errors and item-writing, privacy and language problems.

    With no PATHS, check the whole project around the current folder as the
    build needs it: content, _quarto.yml of every profile, every page, and the
    lesson notebooks executed (through the build's cache).
    """
    from curriculum.site import cached_check

    # Nothing read changed since the last clean check: its report, without loading the content.
    report = None if paths else cached_check(Path.cwd())
    if report is None:
        from curriculum.content import check_paths
        from curriculum.site import check_output, check_project

        report = check_output(check_paths(list(paths), Path.cwd()) if paths else check_project(Path.cwd()))
    output = report.output[style]
    if output or style == "json":
        click.echo(output)  # JSON is always a document: [] when clean
    failed = report.errors > 0 or (strict and report.warnings > 0)
    if style == "text":
        status = click.style("failed", fg="red", bold=True) if failed else click.style("passed", fg="green")
        found = report.found
        click.echo(
            f"Check {status}: {report.summary}" + (f"; {found}" if found else "; no problems"), err=True
        )
    return 1 if failed else 0


@cli.command()
def rules() -> int:
    """List every check and lint: code, severity, what it checks."""
    from rich.console import Console
    from rich.table import Table

    from curriculum.content import rules_by_area

    console = Console()
    for title, group in rules_by_area():
        table = Table(title=title, title_justify="left")
        for column in ("Code", "Severity", "What it checks", "Suppressible"):
            table.add_column(column)
        for rule in group:
            table.add_row(rule.code, str(rule.severity), rule.summary, "yes" if rule.suppressible else "")
        console.print(table)
    return 0


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write to (default: schemas/ in the project).",
)
def schema(out: Path | None) -> int:
    """Write JSON Schemas of the content formats and the learners' and norms files, for editors and tools."""
    from curriculum.assess import Norms, ProgressFile, ResponseFile
    from curriculum.content import write_schemas

    folder = out or _root() / "schemas"
    for path in write_schemas(folder, {"progress": ProgressFile, "responses": ResponseFile, "norms": Norms}):
        click.echo(path)
    return 0


@cli.command()
@click.argument("kind", type=_Registered("kind", _new_kinds))
@click.argument("ident", metavar="ID")
@click.option("--lesson", default=None, help="The lesson the new content belongs to (default: the last).")
def new(kind: str, ident: str, lesson: str | None) -> int:
    """Create a commented template for new content; it passes `check --strict`.

    A new lesson comes with its facilitator notes, faculty/notes/ID.qmd.
    """
    from curriculum.content import new_content

    root = _root()
    created = new_content(kind, ident, root, lesson=lesson)
    for path in created:
        click.echo(f"Created {path}")
    if kind == "lesson":
        click.echo(
            f"Next: add lessons/{ident}.ipynb to the sidebar in _quarto.yml, and "
            f"faculty/notes/{ident}.qmd to the Facilitator notes section of _quarto-faculty.yml."
        )
    return 0


@cli.command()
@click.argument("format_name", type=_Registered("format", _export_formats))
@click.argument("quiz_ids", nargs=-1, metavar="[QUIZ-ID]...")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into: one file per quiz, named after it.",
)
@_profile_option("The edition whose content is exported.")
def export(format_name: str, quiz_ids: tuple[str, ...], out: Path, profile: str) -> int:
    """Export quizzes in a format other programs read, one file per quiz (every quiz without QUIZ-ID).

    Each format writes <quiz-id> with its own suffix into --out: handout (a
    printable page without answers), gift and moodle-xml (Moodle), qti (an IMS
    QTI 2.1 package: Canvas and other LMSs), anki (a deck) and csv. A format
    that carries the key exports a summative quiz only with --profile
    faculty. The content is checked first; nothing is exported from content
    with errors.
    """
    from curriculum.export import write_exports
    from curriculum.site import export_context

    for path in write_exports(format_name, quiz_ids, out, export_context(_root(), profile)):
        click.echo(path)
    return 0


@cli.command()
@_engine_option()
@_profile_option("faculty adds facilitator notes and answer keys.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: the profile's project.output-dir).",
)
@click.option(
    "--no-freeze",
    is_flag=True,
    help="Execute every notebook, ignoring _freeze/ and the build cache (then store the new outputs).",
)
def build(engine: str, profile: str, out: Path | None, no_freeze: bool) -> int:
    """Check the content and build the website.

    With `execute: freeze: auto` in _quarto.yml, notebooks whose code is
    unchanged are not executed: their outputs come from _freeze/, which the
    build keeps current (commit it).
    """
    from curriculum.site import build_site

    build_site(_root(), engine=engine, profile=profile, out=out, freeze=not no_freeze)
    return 0


@cli.command()
@_profile_option("Default: the QUARTO_PROFILE Quarto sets, else resident.", default=None)
def prerender(profile: str | None) -> int:
    """Write the generated pages (Quarto runs this as its pre-render step)."""
    from curriculum.project import active_profile
    from curriculum.site import run_prerender

    run_prerender(_root(), profile or active_profile())
    return 0


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write to (default: _notebooks/ in the project).",
)
def notebooks(out: Path | None) -> int:
    """Write the lessons as reader notebooks for JupyterLab (what residents open).

    Each reader notebook opens on the lesson's title, objectives and how to
    start; citations read as text, callouts as quoted blocks, and faculty-only
    material is left out. A notebook the learner has edited is kept.
    """
    from curriculum.site import write_reader_notebooks

    root = _root()
    result = write_reader_notebooks(root, out)
    for path in result.kept:
        click.echo(
            f"kept {path}: its cells were edited, so it was not replaced "
            "(delete it to get the lesson as it is now)",
            err=True,
        )
    click.echo(
        f"notebooks  {len(result.written)} written · {len(result.unchanged)} unchanged · "
        f"{len(result.kept)} kept · {len(result.removed)} removed · in {result.out}",
        err=True,
    )
    if not result.out.is_relative_to(root.resolve()):
        click.echo(
            f"These notebooks are outside the project: start JupyterLab with CURRICULUM_ROOT={root} "
            "so their interactive parts find it.",
            err=True,
        )
    return 0


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@_profile_option("faculty adds facilitator notes and answer keys.")
@_engine_option()
@click.option("--no-build", is_flag=True, help="Serve what is built; still rebuild when sources change.")
def serve(port: int, profile: str, engine: str, no_build: bool) -> int:
    """Preview the site on http://127.0.0.1, rebuilding when a source changes."""
    from curriculum.site import serve as run

    if not gc.isenabled():  # the command line turned the collector off: a server runs for hours
        gc.set_threshold(*GC_THRESHOLDS)
        gc.enable()
    run(_root(), port=port, profile=profile, engine=engine, build_first=not no_build)
    return 0


@cli.command()
@click.option(
    "--import",
    "import_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Merge a progress file exported from the site's progress page (newer records win).",
)
@click.option(
    "--export",
    "export_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write your progress to a file the site's progress page can import.",
)
def progress(import_file: Path | None, export_file: Path | None) -> int:
    """Show, import or export the progress saved by the lesson notebooks."""
    from curriculum.assess import ProgressStore
    from curriculum.project import site_id

    store = ProgressStore.for_site(site_id(_root()))
    if import_file is not None:
        result = store.import_file(import_file)
        click.echo(f"Imported {_records(result.changed)} from {import_file} into {store.path}")
        if result.kept:
            click.echo(f"Kept {_records(result.kept)} of yours, as new or newer than the file's.")
        for key, reason in sorted(result.ignored.items()):
            click.echo(f"Ignored the record {key[:80]!r}: {reason}.")
    if export_file is not None:
        click.echo(f"Exported {_records(store.export_file(export_file))} to {export_file}")
    if import_file is None and export_file is None:
        from curriculum.hosts.notebook import progress_table

        click.echo(repr(progress_table(store.site)))
    return 0


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html and the CSV files.",
)
@click.option(
    "--norms",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the cohort's anonymous norms (no names) to this JSON file, for the site.",
)
def report(files: tuple[Path, ...], out: Path, norms: Path | None) -> int:
    """Analyse learners' files: item statistics and flags, reliability, scores, mastery.

    FILES are summative response files, exported progress files, or folders
    of them (read recursively). A file that cannot be counted is reported and
    skipped, and the exit status is then 1.
    """
    from curriculum.assess import make_report, summary

    outcome = make_report(_root(), list(files), out, norms)
    return _faculty_output(outcome.analysis.problems, outcome.analysis.notes, summary(outcome, out, norms))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--quiz", "quiz_id", required=True, metavar="ID", help="The summative quiz to grade.")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for scores.csv, feedback/ and the quiz's statistics.",
)
def grade(files: tuple[Path, ...], quiz_id: str, out: Path) -> int:
    """Grade a summative quiz: scores.csv, a feedback page per learner, and the quiz's statistics.

    FILES are the learners' response files, or folders of them.
    """
    from curriculum.assess import make_grades, summary

    outcome = make_grades(_root(), list(files), quiz_id, out)
    lines = summary(outcome, out)
    graded = sum(1 for p in outcome.written if p.parent.name == "feedback")
    lines.append(f"grade   {graded} feedback page{'s' if graded != 1 else ''} in {out / 'feedback'}")
    return _faculty_output(outcome.analysis.problems, outcome.analysis.notes, lines)


def _faculty_output(problems: Sequence[Problem], notes: Sequence[str], lines: Sequence[str]) -> int:
    for problem in problems:
        click.echo(_printable(problem.format()), err=True)
    for line in [*notes, *lines]:
        click.echo(_printable(line), err=True)
    return 1 if problems else 0


def _printable(message: str) -> str:
    """Escape what a terminal would obey in a message (a file name may hold an escape sequence)."""
    from curriculum.content import printable

    return printable(message, keep_newlines=True)


def _records(n: int) -> str:
    return f"{n} record{'s' if n != 1 else ''}"


def _root() -> Path:
    from curriculum._root import find_root
    from curriculum.errors import UsageError

    root = find_root(Path.cwd())
    if root is None:
        raise UsageError("this is not a curriculum project (no _quarto.yml here or above)")
    return root


GC_THRESHOLDS = (50_000, 20, 10)
"""The collector's thresholds for ``curriculum serve`` (Python's are 700, 10, 10).

Loading a curriculum and its memo allocates hundreds of thousands of objects
that live until the command ends; with Python's thresholds the collector
walks them again and again (a tenth of a second of a one-quiz rebuild). Every
other command ends soon and runs without the collector at all: its cycles
are few (a cold build of 64 lessons peaks at the same memory either way), and
walking its objects cost 20 ms of a one-lesson rebuild. The preview server
runs for hours, rebuilding in its process, so it collects its cycles, seldom."""


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with its status; never show a traceback for an author's mistake."""
    args = sys.argv[1:] if argv is None else argv
    if argv is None:  # the process's own command line: its garbage-collection policy is ours to set
        gc.disable()  # until it ends (but `serve`: see GC_THRESHOLDS)
    try:
        status = cli.main(args=args, prog_name="curriculum", standalone_mode=False)
    except click.exceptions.Exit as exc:
        status = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        status = exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        status = 1
    except CurriculumError as exc:
        click.echo(f"Error: {_printable(exc.format_message())}", err=True)
        status = exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        status = 130
    except Exception as exc:
        if "--debug" in args:
            import traceback

            traceback.print_exc()
        click.echo(
            f"Internal error: {type(exc).__name__}: {_printable(str(exc))}\n"
            f"This is a bug in curriculum {__version__}, not a problem with your content. Please report it "
            "in the project's issue tracker with the command you ran; add --debug to see the traceback.",
            err=True,
        )
        status = BUG_EXIT
    if argv is None:  # the process ends here
        # Spare the interpreter's shutdown its garbage collections over everything the command
        # loaded (content, memo entries): after a build they cost more than a tenth of a second.
        # Objects are still freed and finalised as usual; cycles among them are left to the OS.
        gc.freeze()
    sys.exit(status if isinstance(status, int) else 0)
