"""Paperwork for the application and the command line: one call from input data to PDF or paper.

`render_document` needs no Qt and no display, so `tongban print …` can write a PDF anywhere;
`print_document` renders and sends the result to the workstation's printer (blocking — the GUI
uses printers.start_print_job instead).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tongban.printing import DocumentKind, MissingGlyphsError, Paper, make_document

if TYPE_CHECKING:
    from tongban.desktop.printers import PrinterSettings

__all__ = [
    "DocumentKind",
    "MissingGlyphsError",
    "missing_glyphs",
    "print_document",
    "render_document",
]


def render_document(
    kind: DocumentKind | str,
    data: object,
    paper: Paper | str = Paper.A4,
    *,
    allow_missing_glyphs: bool = False,
) -> bytes:
    """The PDF of one document.

    MissingGlyphsError (message for the clerk) when a character cannot be printed with the bundled
    fonts, unless allow_missing_glyphs: then each such character prints as 〓 to complete by hand.
    """
    document = make_document(
        kind, data, paper=Paper(paper), substitute_missing_glyphs=allow_missing_glyphs
    )
    return document.build()


def missing_glyphs(kind: DocumentKind | str, data: object) -> tuple[str, ...]:
    """Characters of the document no bundled font has: check before printing, warn the clerk."""
    return make_document(kind, data).missing_glyphs()


def print_document(
    kind: DocumentKind | str,
    data: object,
    settings: PrinterSettings,
    *,
    allow_missing_glyphs: bool = False,
    to_file: Path | None = None,
) -> int:
    """Render for the workstation's paper and print; the number of pages printed."""
    # Qt is imported only when printing, so that rendering a PDF stays light for the CLI.
    from tongban.desktop.printers import print_pdf

    pdf = render_document(kind, data, settings.paper, allow_missing_glyphs=allow_missing_glyphs)
    return print_pdf(pdf, settings, job_name=f"tongban-{DocumentKind(kind)}", to_file=to_file)
