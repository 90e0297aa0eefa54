"""The static site: every posted digest and every paper as web pages (``build_site``).

``pages.py`` gathers what the store kept (``digest/store/site_reads.py``) into digests
and paper entries, ``render.py`` makes the pages with the templates in ``templates/``
(Jinja2, autoescaped), ``build.py`` writes the pages that changed, ``paths.py`` says
where each page lives, ``serve.py`` previews a built site on loopback.
"""

from digest.site.build import BuildReport, build_site
from digest.site.pages import PublishedAnswer, RelatedPaper
from digest.site.paths import paper_path, paper_url

__all__ = ["BuildReport", "PublishedAnswer", "RelatedPaper", "build_site", "paper_path", "paper_url"]
