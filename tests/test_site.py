"""The static site (digest/site/): what the store kept, as pages at stable addresses,
escaped, rewritten only where they changed; and `digest-bot site build|serve`."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from bot.__main__ import app
from digest.site import PublishedAnswer, RelatedPaper, build_site, paper_path, paper_url
from digest.site.build import MANIFEST, write_files
from digest.site.plan import Page
from digest.site.paths import edition_dir, link, safe_url, topic_slug
from digest.site.text import LABELS
from digest.i18n import LANGUAGE_NAMES
from digest.models import CardKey, CardText
from digest.store import open_store
from digest.store.ledger import Mark
from digest.store.runs import RunEnd
from digest.store.site_reads import posted_runs, stored_papers
from tests.site_fixtures import Posted, make_paper, post_digests, week

HOSTILE = 'Masked <mask> models & <script>alert("t")</script> <img src=x onerror=alert(1)>'
HOSTILE_ABSTRACT = 'We show <script>document.title="pwned"</script> and <img src=x onerror=alert(2)> stay text.'
DATATUNE = make_paper("2404.14361", "Better Synthetic Data by Retrieving and Transforming Existing Datasets")
PHI3 = make_paper("2404.14219", "Phi-3 Technical Report", categories=("cs.CL", "cs.AI"))
OLD = make_paper("math/0211159", "The entropy formula for the Ricci flow", categories=("math.DG",), comment=None)
EVIL = make_paper("2404.99999", HOSTILE, abstract=HOSTILE_ABSTRACT)
WEEK1, WEEK2 = week(date(2024, 4, 19)), week(date(2024, 4, 26))


class Elements(HTMLParser):
    """The elements and the text of a page, as a browser's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def hrefs(self) -> list[str]:
        return [a["href"] for tag, a in self.tags if tag in ("a", "link") and a.get("href")]


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def posted(store):
    post_digests(store, [
        Posted("合成データ", WEEK1, [DATATUNE, PHI3, EVIL]),
        Posted("合成データ", WEEK1, [DATATUNE, OLD], channel="C2"),  # same edition, another channel
        Posted("synthetic data", WEEK2, [PHI3], language="en", channel="C3", announced=True),
    ])  # fmt: skip
    return store


def test_the_store_gives_finished_runs_cards_in_order_and_papers_from_either_table(posted):
    runs = posted_runs(posted)
    assert [(r.topic, [c.arxiv_id for c in r.cards]) for r in runs] == [
        ("合成データ", ["2404.14361", "2404.14219", "2404.99999"]),
        ("合成データ", ["2404.14361", "math/0211159"]),
        ("synthetic data", ["2404.14219"]),
    ]
    assert runs[0].cards[0].text.headline.endswith("合成データで性能向上")
    papers = stored_papers(posted, [("2404.14219", 1), ("math/0211159", 1), ("9999.99999", 1)])
    assert set(papers) == {("2404.14219", 1), ("math/0211159", 1)}
    assert papers[("2404.14219", 1)].announced_at is not None  # harvested for the third digest
    assert papers[("math/0211159", 1)].announced_at is None


def test_only_done_runs_and_sent_cards_are_on_the_site(store):
    failed, unsent, kept = post_digests(store, [Posted("a", WEEK1, [DATATUNE]), Posted("b", WEEK1, [PHI3], channel="C2"),
                                                Posted("c", WEEK1, [PHI3, OLD], channel="C3")])  # fmt: skip
    store.finish_runs([RunEnd(failed, "failed", error="gave up")])
    store.mark_many([Mark(unsent, 1, "unknown", error="reply lost")])
    store.mark_many([Mark(kept, 2, "failed", error="x")])
    assert [(r.key, [c.arxiv_id for c in r.cards]) for r in posted_runs(store)] == [(kept, ["2404.14219"])]


def test_pages_live_at_stable_addresses(posted, tmp_path):
    report = build_site(posted, tmp_path / "site")
    files = site_files(tmp_path / "site")
    ja = edition_dir("合成データ", WEEK1.start, WEEK1.end, "ja")
    assert ja == f"topics/{topic_slug('合成データ')}/2024-04-19_2024-04-25_ja"
    assert {"index.html", "style.css", f"{ja}/index.html", f"{ja}/index.md",
            "papers/2404.14361/index.html", "papers/math/0211159/index.html"} <= set(files)  # fmt: skip
    assert (report.topics, report.digests, report.papers) == (2, 2, 4)
    assert report.written == report.files == len(files) - 1  # the manifest aside
    # The edition gathers both channels' cards, best first, each once.
    page = files[f"{ja}/index.html"].decode()
    assert page.count('class="card"') == 4
    assert paper_path("2404.14361") == "papers/2404.14361/index.html"
    assert paper_url("https://example.org/d/", "math/0211159") == "https://example.org/d/papers/math/0211159/"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "2404.14361/../..", "2404.143", "2404.143612", "math/021115", "", "a b/0211159"])
def test_an_id_that_is_no_arxiv_id_has_no_path(bad):
    with pytest.raises(ValueError, match="not an arXiv id"):
        paper_path(bad)


def test_topic_folders_are_distinct_stable_and_ascii():
    assert topic_slug("Synthetic data") != topic_slug("synthetic data")
    assert topic_slug("synthetic data") == topic_slug("synthetic data")
    assert topic_slug("合成データ").isalnum() and topic_slug("合成データ").isascii()
    assert topic_slug('cat:cs.CL AND abs:"diffusion"').startswith("cat-cs-cl-and-abs-diffusion-")
    assert link("papers/math/0211159/index.html", "index.html") == "../../../index.html"
    assert safe_url("javascript:alert(1)") is None and safe_url("data:text/html,x") is None
    assert safe_url("http://arxiv.org/abs/2404.14361 ") == "http://arxiv.org/abs/2404.14361"


def test_hostile_text_is_text_on_every_page(posted, tmp_path):
    build_site(posted, tmp_path / "site")
    files = site_files(tmp_path / "site")
    pages = {path: data.decode() for path, data in files.items() if path.endswith(".html")}
    shown = 0
    for path, html in pages.items():
        found = Elements(html)
        assert not [tag for tag, _ in found.tags if tag in ("script", "img", "iframe")], path
        assert not any(name.startswith("on") for _, attrs in found.tags for name in attrs), path
        text = "".join(found.text)
        if "Masked" in text:
            assert HOSTILE in " ".join(text.split()), path  # shown exactly, "<mask>" included
            shown += 1
    # The digest, the paper's own page: both show the title as text.
    assert shown == 2
    evil = pages["papers/2404.99999/index.html"]
    assert HOSTILE_ABSTRACT in " ".join(" ".join(Elements(evil).text).split())
    assert "&lt;mask&gt;" in evil


def test_a_second_build_writes_nothing_and_one_new_digest_rewrites_only_its_pages(posted, tmp_path):
    out = tmp_path / "site"
    build_site(posted, out)
    before = {p: (out / p).stat().st_mtime_ns for p in site_files(out)}
    again = build_site(posted, out)
    assert (again.written, again.unchanged, again.removed) == (0, again.files, 0)
    assert {p: (out / p).stat().st_mtime_ns for p in site_files(out)} == before

    new = make_paper("2405.00001", "A new paper on synthetic data")
    post_digests(posted, [Posted("合成データ", week(date(2024, 5, 3)), [new, PHI3], channel="C9")], key_prefix="next")
    old = site_files(out)
    report = build_site(posted, out)
    now = site_files(out)
    changed = {p for p in now if now[p] != old.get(p)} - {MANIFEST}
    edition = edition_dir("合成データ", date(2024, 5, 3), date(2024, 5, 9), "ja")
    assert changed == {
        f"{edition}/index.html", f"{edition}/index.md",  # the new digest
        f"topics/{topic_slug('合成データ')}/index.html", "index.html",  # its topic's list, the topics' latest
        "papers/2405.00001/index.html", "papers/2404.14219/index.html",  # its papers: new, and one now in 3 digests
    }  # fmt: skip
    assert (report.written, report.removed) == (len(changed), 0)
    assert report.unchanged == report.files - report.written


def test_pages_the_site_no_longer_makes_are_removed_and_no_other_file(tmp_path):
    out = tmp_path / "site"
    (out / "papers").mkdir(parents=True)
    (out / "CNAME").write_text("digest.example.org")  # not the builder's: never touched
    assert write_files(out, [page("index.html", "a"), page("papers/x/index.html", "b")])["written"] == 2
    counts = write_files(out, [page("index.html", "a")])
    assert counts == {"files": 1, "written": 0, "unchanged": 1, "removed": 1}
    assert sorted(site_files(out)) == [MANIFEST, "CNAME", "index.html"]
    for bad in ("../escape.html", "/etc/x.html", "a//b.html", "papers/../../x.html"):
        with pytest.raises(ValueError, match="outside"):
            write_files(out, [page(bad, "x")])


def page(path, text, fingerprint=None):
    return Page(path, lambda: text, fingerprint)


def test_a_page_with_the_fingerprint_of_the_last_build_is_not_even_rendered(tmp_path):
    def fail():
        raise AssertionError("rendered")

    out = tmp_path / "site"
    write_files(out, [page("papers/2404.14361/index.html", "one", "f1")])
    assert write_files(out, [Page("papers/2404.14361/index.html", fail, "f1")])["unchanged"] == 1
    assert write_files(out, [page("papers/2404.14361/index.html", "two", "f2")])["written"] == 1
    (out / "papers/2404.14361/index.html").unlink()  # a file gone is made again, whatever the fingerprint
    assert write_files(out, [page("papers/2404.14361/index.html", "two", "f2")])["written"] == 1
    assert (out / "papers/2404.14361/index.html").read_text() == "two"


def test_paper_page_shows_the_references_parts_related_papers_and_questions(posted, tmp_path):
    def related(arxiv_id):
        return [RelatedPaper("2404.14219", "Phi-3 Technical Report", "スマホで動く高性能モデル", 0.81),
                RelatedPaper("2401.00001", "Not on this site", "", 0.40),
                RelatedPaper("../../x", "bad id", "", 0.3), RelatedPaper(arxiv_id, "itself", "", 1.0)]  # fmt: skip

    def questions(arxiv_id):
        return [PublishedAnswer("何%改善した?", "平均34%です。", ("§4.2",))] if arxiv_id == "2404.14361" else []

    build_site(posted, tmp_path / "site", related=related, questions=questions)
    html = (tmp_path / "site" / "papers/2404.14361/index.html").read_text()
    text = " ".join(" ".join(Elements(html).text).split())
    for part in ("論文の概要: Better Synthetic Data", "2404.14361v1", "タイトル", "見出し", "Saumya Gandhi",
                 "既存データを再利用する手法を提案", "データの再利用、面白いかも！", "「合成データ」との関連度 1.00",
                 "アブストラクト", "cs.CL", "12 pages", "arXivの論文ページ", "PDF", "関連論文",
                 "スマホで動く高性能モデル", "類似度 0.81", "質問と回答", "平均34%です。 (§4.2)"):  # fmt: skip
        assert part in text, part
    hrefs = Elements(html).hrefs()
    assert "../2404.14219/index.html" in hrefs and "https://arxiv.org/abs/2401.00001" in hrefs
    assert "http://arxiv.org/pdf/2404.14361v1" in hrefs
    assert "bad id" not in text and "itself" not in text
    other = (tmp_path / "site" / "papers/2404.14219/index.html").read_text()
    assert 'id="questions"' not in other and 'id="related"' in other  # no questions: no section


def test_the_markdown_post_links_its_topic_like_the_references(posted, tmp_path):
    build_site(posted, tmp_path / "site")
    post = (tmp_path / "site" / edition_dir("合成データ", WEEK1.start, WEEK1.end, "ja") / "index.md").read_text()
    assert post.startswith('---\ntitle: "合成データ (2024-04-19 ~ 2024-04-25)"\ndate: 2024-04-19\n---\n')
    assert "**トピック:** [合成データ](../), **カテゴリ:** cs.CL" in post
    html = MarkdownIt("commonmark").render(post.split("---\n", 2)[2])
    assert '<a href="../">合成データ</a>' in html and "<script>" not in html


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_site_text_is_in_every_language(language):
    assert set(LABELS.tables[language]) == set(LABELS.english)


def test_site_build_command_and_serve_refusals(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = open_store(url)
    post_digests(store, [Posted("合成データ", WEEK1, [DATATUNE, PHI3, EVIL]), Posted("合成データ", WEEK1, [OLD], channel="C2"),
                         Posted("synthetic data", WEEK2, [PHI3], language="en", channel="C3")])  # fmt: skip
    store.close()
    env = {"DIGEST_DATABASE_URL": url, "DIGEST_CONFIG_FILE": None, "DIGEST_DEFAULTS_TIMEZONE": "UTC"}
    runner = CliRunner()
    out = tmp_path / "site"
    first = runner.invoke(app, ["site", "build", "--out", str(out)], env=env, catch_exceptions=False)
    assert first.exit_code == 0 and "topics: 2, digests: 2, papers: 4;" in first.output and "unchanged: 0," in first.output
    assert "No digest is in the database yet" not in first.output
    again = runner.invoke(app, ["site", "build", "--out", str(out)], env=env, catch_exceptions=False)
    assert "files written: 0," in again.output
    blank = runner.invoke(app, ["site", "build", "--out", str(tmp_path / "blank")],
                          env=env | {"DIGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'blank.db'}"})  # fmt: skip
    assert blank.exit_code == 0 and "No digest is in the database yet" in blank.output
    bad = runner.invoke(app, ["site", "build", "--out", str(out), "--lang", "xx"], env=env)
    assert bad.exit_code == 2 and "xx" in bad.output
    empty = runner.invoke(app, ["site", "serve", "--dir", str(tmp_path / "none")], env=env)
    assert empty.exit_code == 2 and "build the site first" in empty.output


def test_site_build_shows_each_paper_s_real_related_papers_linked_to_their_pages_or_arxiv(tmp_path):
    """`site build` over a store of real quantisation papers: GPTQ's page lists the others
    by digest/related, a posted one linked to its page (which exists), the rest to arXiv."""
    from bench.related_quality import labelled

    papers = {p.arxiv_id: p for p in labelled()[0]}
    url = f"sqlite:///{tmp_path / 'related.db'}"
    store = open_store(url)
    posted_ids = ["2210.17323", "2306.00978", "2211.10438"]  # GPTQ, AWQ, SmoothQuant: posted
    post_digests(store, [Posted("量子化", WEEK1, [papers[i] for i in posted_ids])])
    store.put_papers([papers[i] for i in ("2305.14314", "2208.07339", "2305.18290", "2003.08934")])  # only stored
    store.put_card(CardKey("2306.00978", 1, "ja", "m", "p1", 4), CardText("AWQの見出し", ("a",), "", "ja", "llm:m"))
    store.close()
    env = {"DIGEST_DATABASE_URL": url, "DIGEST_CONFIG_FILE": None, "DIGEST_DEFAULTS_TIMEZONE": "UTC"}
    out = tmp_path / "site"
    built = CliRunner().invoke(app, ["site", "build", "--out", str(out)], env=env, catch_exceptions=False)
    assert built.exit_code == 0, built.output
    page = "papers/2210.17323/index.html"
    html = (out / page).read_text()
    related = html[html.index('id="related"'):html.index("</section>", html.index('id="related"'))]
    hrefs = Elements(related).hrefs()
    assert len(hrefs) == 5 and "2210.17323" not in " ".join(hrefs)  # k=5, never itself
    assert "../2306.00978/index.html" in hrefs and "../2211.10438/index.html" in hrefs  # posted: their pages
    assert "https://arxiv.org/abs/2208.07339" in hrefs  # stored, never posted: no page, arXiv
    quantised = {"2306.00978", "2211.10438", "2208.07339", "2305.14314"}
    assert sum(any(i in h for i in quantised) for h in hrefs[:4]) == 4  # the four quantisation papers first
    for href in hrefs:  # every link on the site resolves to a page the build made
        if not href.startswith("https://"):
            assert (out / "papers/2210.17323" / href).resolve().is_file(), href
    assert "AWQの見出し" in related  # its card's headline, in the site's language


def test_site_serve_serves_pages_but_not_the_builder_s_own_files(tmp_path):
    import threading
    import urllib.error
    import urllib.request

    from digest.site.serve import site_server

    (tmp_path / "index.html").write_text("<h1>ok</h1>", encoding="utf-8")
    (tmp_path / ".site-files").write_text("index.html\n", encoding="utf-8")
    server = site_server(tmp_path, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert urllib.request.urlopen(f"{base}/index.html").read() == b"<h1>ok</h1>"
        for hidden in ("/.site-files", "/.site-files?x=1"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + hidden)
            assert refused.value.code == 404
    finally:
        server.shutdown()
        server.server_close()
