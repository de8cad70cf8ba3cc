"""The Content-Security-Policy of the site's pages, in a module of its own (the server imports it alone)."""

from __future__ import annotations

__all__ = ["CSP", "CSP_HEADER"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
"""The Content-Security-Policy of every page: nothing may load from another host."""
CSP_HEADER = f"{CSP}; frame-ancestors 'none'"
"""The same policy for a ``Content-Security-Policy`` response header (``curriculum serve``, a web server).

A header can carry what a ``<meta>`` policy cannot: ``frame-ancestors 'none'``
(no other site may show the pages in a frame). ``base-uri 'none'`` is in both.
"""
