"""The embedded engine: render the site with the Pandoc from the pypandoc-binary wheel.

A build with this engine runs under a lock (one build of a project at a
time), stops at once when nothing it reads changed since the last successful
build (:class:`~curriculum.site._stamp.BuildStamp`), checks the content,
writes the generated pages, then renders into a staging folder that replaces
the site only when every stage has finished (``_staging.py``). The stages
(execute, convert, pandoc, wrap, assets, search, prune) are functions of
their own, each printing one line (:mod:`._stages`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from curriculum.errors import BuildError
from curriculum.site._policy import CSP, CSP_HEADER
from curriculum.site._report import RenderStats

if TYPE_CHECKING:
    from curriculum.site._context import BuildContext
    from curriculum.site._reference import ReferenceJob

__all__ = ["CSP", "CSP_HEADER", "PandocEngine"]


class PandocEngine:
    """Render the site with the embedded Pandoc."""

    name = "pandoc"
    unavailable = "Pandoc comes inside the pypandoc-binary wheel: reinstall curriculum to get it back"

    def available(self) -> bool:
        """Pandoc ships inside the pypandoc-binary wheel, so it is always available."""
        return True

    def version(self) -> str:
        """Return Pandoc's version."""
        import pypandoc

        return f"Pandoc {pypandoc.get_pandoc_version()}"

    def render(self, build: BuildContext) -> RenderStats:
        """Build the site of ``build``, under the project's build lock.

        Raises
        ------
        ContentError
            If the content has errors, or a page cannot be rendered (located).
        BuildError
            If a stage fails.
        """
        from filelock import FileLock, Timeout

        try:
            build.project.cache.mkdir(exist_ok=True)
        except OSError as exc:
            raise BuildError(f"cannot create the build cache {build.project.cache}: {exc.strerror}") from exc
        lock = FileLock(str(build.project.cache / "build.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            build.stage("waiting", "for another build of this project to finish")
            lock.acquire()
        try:
            return self._render(build)
        finally:
            lock.release()

    def _render(self, build: BuildContext) -> RenderStats:
        from curriculum.site._reference import start_reference

        # quartodoc works on the other core meanwhile (it starts before the imports the build needs)
        reference = start_reference(build.project.root)
        try:
            return self._render_with(build, reference)
        finally:
            reference.cancel()

    def _render_with(self, build: BuildContext, reference: ReferenceJob) -> RenderStats:
        from curriculum.site._citeproc import FormattingAhead
        from curriculum.site._manifest import MANIFEST_SCRIPT
        from curriculum.site._quick import PROFILE_MARK
        from curriculum.site._render_ahead import RenderAhead
        from curriculum.site._stages import KeyedFile, Render, edited_pages, render_site
        from curriculum.site._staging import recover, staged_output
        from curriculum.site._stamp import BuildStamp

        try:
            recover(build.target)  # a build killed while swapping folders left the previous site aside
        except OSError as exc:
            raise BuildError(f"cannot repair {build.target} after an interrupted build: {exc}") from exc
        stamp = BuildStamp(
            build.project,
            build.profile,
            build.target,
            build.cache / "build.json",
            reference.sources,
            configured=build.out is None,
        )
        if not build.refresh and reference.process is None and stamp.unchanged():  # else it may change pages
            build.warnings = stamp.warnings
            pages = len(build.config.pages())
            stamp.commit(build.warnings, engine=self.version(), pages=pages)  # the times the quick stamp sees
            build.stage("render", f"nothing changed since the last build · {build.seconds:.1f} s")
            return RenderStats(pages=pages)
        build.references = FormattingAhead(build.project.root)  # citeproc, for the components
        ahead = RenderAhead(build, reference)
        try:
            ahead.start([] if build.refresh else edited_pages(build.config, stamp.digests.changed()))
            cur = build.check(stamp.digests.statuses)  # pages that need no content are rendered meanwhile
            builder = build.builder(cur)
            renderer = ahead.renderer_for(builder.renderer.references, builder.bibliography_text)
        except BaseException:
            ahead.close(stop=True)
            raise
        try:
            generated = build.prerender(cur, builder, reference=False)
            ahead.wait()
            # the API reference or the pre-render may have added or removed pages its patterns match
            config = build.project.config(build.profile, reread=bool(reference.key) or generated.moved)
            mirrored = build.cache / "mirror.json"  # how the staging's folders looked once alike
            with build.progress() as step, staged_output(build.target, mirrored) as staging:
                run = Render(config, staging, build.cache, builder, step, build.stage, generated.pages)
                run.refresh = build.refresh
                run.pages = renderer
                run.planned = True  # a page made from what the last build made it from is taken as it was
                run.stamp = stamp.digests  # each input hashed once a build: the plan's pages too
                run.folders = stamp.folders  # and each of their folders looked at once: _freeze/'s too
                run.known = generated.hashes  # the pre-render's pages as it wrote them: not hashed again
                manifest = generated.manifest  # the script is read or made only if the site's is not as made
                run.keyed[MANIFEST_SCRIPT] = KeyedFile(manifest.digest, lambda: manifest.script)
                run.extra[PROFILE_MARK] = f"{build.profile}\n"  # whose site this is (see built_profile)
                stats = render_site(run)
        finally:
            renderer.close(prune=False)  # after a failure its workers stop (the Pandoc stage closed them)
            ahead.close()
        stamp.commit(build.warnings, engine=self.version(), pages=stats.pages, wrote=stats.files)
        build.stage(
            "render",
            f"{stats.pages} pages · {stats.executed} notebooks executed · {stats.rendered} pages rendered · "
            f"{stats.written} files written · {stats.removed} removed · {build.seconds:.1f} s",
        )
        return stats
