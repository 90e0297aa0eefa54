"""The built site in a real browser: Debian's headless Chromium, driven by Selenium through
Debian's chromedriver, reading the site that `digest-bot site serve` serves on loopback.

Needs /usr/bin/chromium and /usr/bin/chromedriver (`apt-get install chromium
chromium-driver`; nothing is downloaded). Without them the tests say so and skip, unless
DIGEST_REQUIRE_BROWSER=1 (CI, `.ci/run`), where that is a failure. Screenshots land in
artifacts/site/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from digest.models import ChannelRef
from digest.site import RelatedPaper, build_site
from digest.site.questions import published_questions
from digest.store import open_store
from tests.site_fixtures import Posted, card_text, make_paper, post_digests, week
from tests.test_site import DATATUNE, EVIL, HOSTILE, OLD, PHI3

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "artifacts" / "site"


QUESTION = "<script>document.title=\"qa-pwned\"</script> 何%改善しましたか?"
ANSWER = "平均34%改善しています (§4.2)。\n[Abstract] Results improve by 34% on average."


def related(arxiv_id: str) -> list[RelatedPaper]:
    """A stand-in for digest/related: every paper's related ones, one on the site, one not."""
    return [RelatedPaper("2404.14219" if arxiv_id != "2404.14219" else "2404.14361", "合成データの関連論文", "関連する見出し", 0.77),
            RelatedPaper("2312.00001", "Only on arXiv", "", 0.41)]  # fmt: skip


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("the selenium package (pip install -e '.[test]')")
    if missing:
        reason = f"the browser test needs {', '.join(missing)}: apt-get install -y chromium chromium-driver"
        if os.environ.get("DIGEST_REQUIRE_BROWSER") == "1":
            pytest.fail(f"DIGEST_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)  # Debian's: Selenium Manager never downloads one
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1100,1400", "--lang=ja"):  # fmt: skip
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site of three digests (one with a hostile paper), served by `digest-bot site serve --port 0`."""
    folder = tmp_path_factory.mktemp("site")
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    post_digests(store, [
        Posted("合成データ", week(date(2024, 4, 19)), [DATATUNE, PHI3, EVIL]),
        Posted("合成データ", week(date(2024, 4, 26)), [OLD], channel="C2"),
        Posted("synthetic data", week(date(2024, 4, 26)), [PHI3, make_paper("2404.13813", "From LLM to NMT")],
               language="en", channel="C3", announced=True),
    ])  # fmt: skip
    # Thread Q&A kept from two channels; only C1 publishes (/arxiv publish on).
    asked = datetime(2024, 4, 25, 9, tzinfo=timezone.utc)
    store.keep_answer(ChannelRef("slack", "T1", "C1"), DATATUNE.arxiv_id, 1, QUESTION, ANSWER, ("§4.2", "Abstract"), asked)
    store.keep_answer(ChannelRef("slack", "T1", "C2"), DATATUNE.arxiv_id, 1, "非公開の質問", "非公開の回答", (), asked)
    store.set_publishing(ChannelRef("slack", "T1", "C1"), True, asked)
    report = build_site(store, folder / "out", related=related, questions=published_questions(store))
    store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "site", "serve", "--dir", str(folder / "out"), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(server.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(30)
    try:
        found = re.search(r"http://127\.0\.0\.1:\d+/", first[0] if first else "")
        assert found, f"`site serve` said {first!r}"
        assert report.digests == 3 and report.papers == 5
        yield found.group(0)
    finally:
        server.terminate()
        server.wait(10)


def _links(driver) -> list[str]:
    """Every link and stylesheet of the page, as the browser resolved them."""
    return driver.execute_script(
        "return [...document.querySelectorAll('a[href], link[href]')].map(e => e.href.split('#')[0]);"
    )


def _screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    assert driver.save_screenshot(str(path))
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000  # a real picture, not an empty page
    return path


def test_the_index_lists_the_topics_and_leads_to_a_digest_with_japanese_intact(driver, site):
    from selenium.webdriver.common.by import By

    driver.get(site)
    topics = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "li.topic a")]
    assert sorted(topics) == sorted(["合成データ", "synthetic data"])
    assert driver.find_element(By.TAG_NAME, "h1").text == "トピック一覧"
    driver.find_element(By.LINK_TEXT, "合成データ").click()  # real links, as a reader follows them
    digests = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "li.digest a")]
    assert digests == ["合成データ (2024-04-26 ~ 2024-05-02)", "合成データ (2024-04-19 ~ 2024-04-25)"]  # newest first
    driver.find_element(By.LINK_TEXT, digests[1]).click()
    cards = driver.find_elements(By.CSS_SELECTOR, "section.card")
    assert len(cards) == 3
    first = cards[0]
    assert first.find_element(By.CSS_SELECTOR, "h3 a").text == DATATUNE.title
    assert first.find_element(By.CSS_SELECTOR, ".headline").text == card_text(DATATUNE).headline
    assert [li.text for li in first.find_elements(By.CSS_SELECTOR, ".bullets li")] == list(card_text(DATATUNE).bullets)
    assert first.find_element(By.CSS_SELECTOR, ".comment").text == "データの再利用、面白いかも！"
    assert "トピック: 合成データ, カテゴリ: cs.CL, 投稿日時: 2024-04-22 17:15 JST" in first.find_element(By.CSS_SELECTOR, ".details").text
    # The stylesheet loaded: the page is laid out by it (50rem wide at most).
    assert driver.execute_script("return getComputedStyle(document.querySelector('main')).maxWidth") == "800px"
    _screenshot(driver, "digest.png")
    first.find_element(By.LINK_TEXT, "合成データ").click()  # the card's topic links to the topic's page
    assert driver.find_element(By.TAG_NAME, "h1").text == "合成データ"


def test_a_paper_page_shows_its_parts_and_related_papers(driver, site):
    from selenium.webdriver.common.by import By

    driver.get(f"{site}papers/2404.14361/")  # the address to share: the folder form
    assert driver.find_element(By.TAG_NAME, "h1").text == f"論文の概要: {DATATUNE.title}"
    facts = driver.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "2404.14361v1" in facts and card_text(DATATUNE).headline in facts and "「合成データ」との関連度" in facts
    related_items = driver.find_elements(By.CSS_SELECTOR, "section.related li")
    assert len(related_items) == 2 and "関連する見出し" in related_items[0].text
    _screenshot(driver, "paper.png")
    related_items[0].find_element(By.TAG_NAME, "a").click()
    assert driver.current_url == f"{site}papers/2404.14219/index.html"
    assert driver.find_element(By.TAG_NAME, "h1").text.endswith(PHI3.title)
    driver.get(f"{site}papers/math/0211159/")  # an old-style id: its own folder under its archive
    assert driver.find_element(By.TAG_NAME, "h1").text == f"論文の概要: {OLD.title}"


def test_a_paper_page_shows_the_published_questions_and_answers_as_text(driver, site):
    from selenium.webdriver.common.by import By

    driver.get(f"{site}papers/2404.14361/")
    section = driver.find_element(By.CSS_SELECTOR, "section.questions")
    assert section.find_element(By.TAG_NAME, "h2").text == "質問と回答"
    [qa] = section.find_elements(By.CSS_SELECTOR, ".qa")  # the channel that does not publish: not shown
    assert qa.find_element(By.CSS_SELECTOR, ".question").text == f"Q. {QUESTION}"  # the tags as text
    answer = qa.find_element(By.CSS_SELECTOR, ".answer").text
    assert answer.splitlines() == ["A. 平均34%改善しています (§4.2)。",
                                   "[Abstract] Results improve by 34% on average. (§4.2, Abstract)"]  # fmt: skip
    assert "非公開" not in driver.page_source and "C1" not in section.text
    assert driver.execute_script("return document.querySelectorAll('main script').length") == 0
    assert "qa-pwned" not in driver.title
    driver.execute_script("document.querySelector('section.questions').scrollIntoView()")
    _screenshot(driver, "paper-questions.png")


def test_every_internal_link_resolves(driver, site):
    """Crawl from the index: every link and stylesheet of every page answers 200, and
    every page of the site is reached."""
    seen: set[str] = set()
    queue, checked = [site], 0
    while queue:
        page = queue.pop()
        if page in seen:
            continue
        seen.add(page)
        driver.get(page)
        for url in _links(driver):
            if not url.startswith(site):
                assert url.startswith(("https://arxiv.org/", "http://arxiv.org/")), url  # the only outside links
                continue
            with urllib.request.urlopen(url, timeout=10) as answer:  # raises on 404
                assert answer.status == 200, url
            checked += 1
            if url.endswith((".html", "/")):
                queue.append(url)
    pages = {re.sub(r"index\.html$", "", url) for url in seen}
    # index, 2 topics, 3 digests, 5 papers: the whole site, reached by links alone.
    assert len(pages) == 11 and checked > 50


def test_a_hostile_title_and_abstract_render_as_text(driver, site):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    for page in ("topics/", "papers/2404.99999/index.html"):
        if page == "topics/":
            driver.get(site)
            driver.find_element(By.LINK_TEXT, "合成データ").click()
            driver.find_element(By.LINK_TEXT, "合成データ (2024-04-19 ~ 2024-04-25)").click()
            shown = driver.find_elements(By.CSS_SELECTOR, "section.card h3")[2].text
        else:
            driver.get(site + page)
            shown = driver.find_element(By.CSS_SELECTOR, "dd.title").text
            abstract = driver.find_element(By.CSS_SELECTOR, "section.abstract p").text
            assert "<script>document.title=\"pwned\"</script>" in abstract and "<img src=x onerror=alert(2)>" in abstract
        assert shown == HOSTILE  # "<mask>" shown as "<mask>", the tags as text
        assert driver.execute_script("return document.querySelectorAll('main script, main img').length") == 0
        assert "pwned" not in driver.title
        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert.text  # no script ran: no alert is open
