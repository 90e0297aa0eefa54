"""Where each page of the static site lives: stable addresses, safe on any file system.

- ``index.html``: the topics;
- ``topics/<slug>/index.html``: a topic's digests, newest first. ``<slug>`` is the
  topic's ASCII words (at most 40 characters) and 8 hex digits of the sha256 of the
  topic itself, so "Synthetic data" and "synthetic data" never share a page and a new
  topic never moves an old one; a topic with no ASCII word ("合成データ") is its digits;
- ``topics/<slug>/<start>_<end>_<lang>/index.html`` and ``index.md`` beside it: one
  digest (its window and language), as a page and as the Markdown post;
- ``papers/<arXiv id>/index.html``: one paper, the address to share. An old-style id
  keeps its slash, as arXiv's own addresses do (``papers/math/0211159/index.html``,
  like ``arxiv.org/abs/math/0211159``); ids are checked against arXiv's two schemes
  first, so no id from the store can reach outside ``papers/``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from urllib.parse import quote

# arXiv's identifier schemes (https://info.arxiv.org/help/arxiv_identifier.html): since
# 2007 YYMM.NNNN(N); before, archive(.SUBJECT-CLASS)/YYMMNNN.
_NEW_ID = re.compile(r"\d{4}\.\d{4,5}")
_OLD_ID = re.compile(r"[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}")
_SAFE_URL = re.compile(r"https?://[^\s/]", re.IGNORECASE)
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"


def valid_id(arxiv_id: str) -> bool:
    """True for an arXiv id without version in either scheme ("2404.14361", "math/0211159")."""
    return bool(_NEW_ID.fullmatch(arxiv_id) or _OLD_ID.fullmatch(arxiv_id))


def paper_path(arxiv_id: str) -> str:
    """The paper's page, relative to the site's root: ``papers/2404.14361/index.html``.

    Raises ValueError for a string that is not an arXiv id (it would be no safe path)."""
    if not valid_id(arxiv_id):
        raise ValueError(f"{arxiv_id!r} is not an arXiv id (e.g. 2404.14361 or math/0211159)")
    return f"papers/{arxiv_id}/index.html"


def paper_url(base_url: str, arxiv_id: str) -> str:
    """The paper page's public address under ``base_url`` (``https://example.org/digest/``),
    its folder form, which every web server serves: ``…/papers/2404.14361/``."""
    return base_url.rstrip("/") + "/" + paper_path(arxiv_id).removesuffix("index.html")


def topic_slug(topic: str) -> str:
    """The topic's folder name: ``synthetic-data-1a2b3c4d`` (see the module's docstring)."""
    words = re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:40].strip("-")
    digits = hashlib.sha256(topic.encode("utf-8")).hexdigest()[:8]
    return f"{words}-{digits}" if words else digits


def topic_path(topic: str) -> str:
    return f"topics/{topic_slug(topic)}/index.html"


def edition_dir(topic: str, start: date, end: date, language: str) -> str:
    """A digest's folder: ``topics/<slug>/2024-04-19_2024-04-25_ja``."""
    if not re.fullmatch(r"[a-z]{2,8}", language):
        raise ValueError(f"{language!r} is not a language code")
    return f"topics/{topic_slug(topic)}/{start.isoformat()}_{end.isoformat()}_{language}"


def link(source: str, target: str) -> str:
    """``target`` as seen from the page ``source`` (both relative to the root, ``a/b/c.html``,
    no ``..``): a relative link, so the site works under any base path and from the file
    system. String work only: a site has tens of thousands of links."""
    here, there = source.split("/")[:-1], target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return quote("../" * (len(here) - common) + "/".join(there[common:]), safe="/._-~")


def safe_relative(path: str) -> bool:
    """True for a path that stays under the root: relative, no ``..``, no empty part."""
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and all(part not in ("", ".", "..") for part in parts)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for ``href``, or None (``javascript:``, ``data:``, garbage)."""
    if not url or not _SAFE_URL.match(url.strip()):
        return None
    return quote(url.strip(), safe=_URL_SAFE)
