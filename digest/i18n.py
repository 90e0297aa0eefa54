"""Reader-facing texts: the ``Catalog`` every text table uses, and the engine's labels.

A ``Catalog`` holds one table per language, keyed by what a text is for ("posted",
"notice_failing"), and a text's ``{placeholders}`` are filled with ``str.format``. Every
reader language (``config.settings.LANGUAGES``) has every key: ``tests/test_i18n.py``
finds each Catalog and checks it, with English's placeholders and markup, bar a short
allow-list of texts that are the same everywhere ("Comment", arXiv's field name); English
stands in only for those, and for a language we have no table for (None, "pt"). The
engine's labels live here; the chat adapters' texts live in ``bot/lang/<language>.py``,
gathered by ``bot/command_text.py``, ``bot/slack/texts.py`` and ``bot/discord/texts.py``,
and Q&A's in ``digest/qa/text.py``; all are looked up by ``Catalog.text``.

Why not gettext (stdlib) or Babel: both read compiled ``.mo`` catalogs, conventionally
keyed by the English sentence, so every wording change would need an extract-and-compile
step (a build tool, and Babel as a dependency) for about 150 keys in 7 languages.
Their strengths (plural forms, translator tooling, locale formatting) are unused here:
counts are phrased to need no plural form, and dates are ISO (a header's announcement
days aside: weekday and month names are labels of their own). A dict lookup is the whole
job; one module per language (``bot/lang/``) keeps each translation in one file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date


class Catalog:
    """Texts by language, then key: ``{"en": {"posted": "Posted", ...}, "ja": {...}}``.

    ``tables["en"]`` must hold every key; the tests hold the others to it too.
    """

    def __init__(self, tables: Mapping[str, Mapping[str, str]]) -> None:
        self.tables = tables
        self.english = tables["en"]

    def __contains__(self, key: object) -> bool:
        return key in self.english

    def text(self, language: str | None, key: str, /, **values: object) -> str:
        """The text of ``key`` in ``language`` (None, unknown or a text left to English: English),
        its ``{placeholders}`` filled from ``values`` when any are given.

        Raises KeyError for a key English lacks, and for a placeholder not in ``values``.
        """
        text = self.tables.get(language or "en", {}).get(key) or self.english[key]
        return text.format(**values) if values else text


LANGUAGE_NAMES = {
    "ja": "Japanese",
    "en": "English",
    "zh": "Simplified Chinese",
    "ko": "Korean",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
}

_EN = {
    "intro": "Papers on {topic} ({start} ~ {end})",
    "topic": "Topic",
    "categories": "Categories",
    "posted": "Posted", "paper_page": "Paper page",
    "relevance": "Relevance",
    "comment": "Comment",
    "extractive": "Extractive summary from the abstract (no LLM configured)",
    "extractive:llm-failed": "Extractive summary from the abstract (the LLM's answer was unusable)",
    "extractive:budget": "Extractive summary from the abstract (this month's LLM budget is reached)",
    "no_papers": "No new papers on this topic in this window.",
    "announced": "Announcements of {days}",
    "announced_day": "{weekday} {day} {month}",
    "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
    "months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "day_range": "{first} – {last}",
    "count": "{shown} of {candidates} papers",
    "skipped": "{skipped} more already posted in this channel",
    "arxiv_short": "arXiv returned {got} of {total} results (the rest never came)",
    "et_al": "et al.",
    "unsupported_figure": "(Point left out: it stated a figure the abstract does not give.)",
    # Notices of a scheduled digest that could not be built (bot/notices.py).
    "failed:arxiv": "arXiv did not answer",
    "failed:other": "it could not be built",
    "notice_failing": "⚠️ The weekly digest of *{topic}* is late: {what}. No papers are lost: the next digest "
    "covers the whole gap. Next try: {next}.",
    "notice_back": "✅ The weekly digest of *{topic}* is back ({start} ~ {end}): posting it now.",
    "notice_back_empty": "✅ The weekly digest of *{topic}* is back ({start} ~ {end}): no new papers this time.",
    "notice_gave_up": "❌ Gave up on the weekly digest of *{topic}* after {attempts} tries ({what}). No papers are "
    "lost: the next weekly digest, {next}, covers these papers.",
}

LABELS = Catalog({
    "en": _EN,
    "ja": {
        "intro": "{topic}に関する論文まとめ ({start} ~ {end})",
        "topic": "トピック",
        "categories": "カテゴリ",
        "posted": "投稿日時", "paper_page": "論文ページ",
        "relevance": "関連度",
        "comment": "Comment",
        "extractive": "アブストラクトからの抽出要約（LLM未設定）",
        "extractive:llm-failed": "アブストラクトからの抽出要約（LLMの応答が使えなかったため）",
        "extractive:budget": "アブストラクトからの抽出要約（今月のLLM予算に達したため）",
        "no_papers": "この期間にこのトピックの新しい論文はありません。",
        "announced": "{days}の公開分",
        "announced_day": "{month}{day}日({weekday})",
        "weekdays": "月 火 水 木 金 土 日",
        "months": "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月",
        "day_range": "{first}〜{last}",
        "count": "{candidates}件中{shown}件",
        "skipped": "ほか{skipped}件はこのチャンネルに投稿済み",
        "arxiv_short": "arXivは{total}件中{got}件しか返しませんでした（残りは届きませんでした）",
        "et_al": "ほか",
        "unsupported_figure": "（この要点は省略しました：アブストラクトにない数値を含んでいたため）",
        "failed:arxiv": "arXivが応答しませんでした",
        "failed:other": "作成できませんでした",
        "notice_failing": "⚠️ *{topic}* の週次ダイジェストが遅れています：{what}。論文が失われることはありません"
        "（次のダイジェストが期間全体をカバーします）。次の試行：{next}",
        "notice_back": "✅ *{topic}* の週次ダイジェストを再開します（{start} ~ {end}）。これから投稿します。",
        "notice_back_empty": "✅ *{topic}* の週次ダイジェストを再開しました（{start} ~ {end}）。今回は新しい論文はありません。",
        "notice_gave_up": "❌ *{topic}* の週次ダイジェストは{attempts}回試みましたが中止しました（{what}）。論文が失われることは"
        "ありません：次の週次ダイジェスト（{next}）がこれらの論文をカバーします。",
    },
    "zh": {
        "intro": "{topic} 相关论文汇总 ({start} ~ {end})",
        "topic": "主题",
        "categories": "分类",
        "posted": "发布时间", "paper_page": "论文页面",
        "relevance": "相关度",
        "no_papers": "此期间没有该主题的新论文。",
        "announced": "{days}公布的论文",
        "announced_day": "{month}{day}日（{weekday}）",
        "weekdays": "周一 周二 周三 周四 周五 周六 周日",
        "months": "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月",
        "day_range": "{first}至{last}",
        "et_al": "等",
        "extractive": "根据摘要抽取的摘要（未配置LLM）",
        "extractive:llm-failed": "根据摘要抽取的摘要（LLM的回答无法使用）",
        "extractive:budget": "根据摘要抽取的摘要（本月LLM预算已用完）",
        "count": "{candidates}篇中的{shown}篇",
        "skipped": "另有{skipped}篇已在本频道发布",
        "arxiv_short": "arXiv 只返回了 {total} 条结果中的 {got} 条（其余未送达）",
        "unsupported_figure": "（此要点已省略：其中的数字在摘要中找不到）",
        "failed:arxiv": "arXiv没有响应",
        "failed:other": "无法生成",
        "notice_failing": "⚠️ *{topic}* 的每周摘要延迟了：{what}。论文不会丢失：下一期摘要会覆盖整个空档。下次尝试：{next}。",
        "notice_back": "✅ *{topic}* 的每周摘要恢复了（{start} ~ {end}）：现在发布。",
        "notice_back_empty": "✅ *{topic}* 的每周摘要恢复了（{start} ~ {end}）：这次没有新论文。",
        "notice_gave_up": "❌ *{topic}* 的每周摘要尝试{attempts}次后放弃（{what}）。论文不会丢失：下一期每周摘要（{next}）会包含这些论文。",
    },
    "ko": {
        "intro": "{topic} 관련 논문 모음 ({start} ~ {end})",
        "topic": "주제",
        "categories": "카테고리",
        "posted": "게시일시", "paper_page": "논문 페이지",
        "relevance": "관련도",
        "no_papers": "이 기간에 이 주제의 새 논문이 없습니다.",
        "announced": "{days} 공개분",
        "announced_day": "{month} {day}일({weekday})",
        "weekdays": "월 화 수 목 금 토 일",
        "months": "1월 2월 3월 4월 5월 6월 7월 8월 9월 10월 11월 12월",
        "day_range": "{first} ~ {last}",
        "et_al": "외",
        "extractive": "초록에서 추출한 요약 (LLM 미설정)",
        "extractive:llm-failed": "초록에서 추출한 요약 (LLM 응답을 사용할 수 없음)",
        "extractive:budget": "초록에서 추출한 요약 (이번 달 LLM 예산 도달)",
        "count": "{candidates}편 중 {shown}편",
        "skipped": "{skipped}편은 이미 이 채널에 게시됨",
        "arxiv_short": "arXiv가 {total}건 중 {got}건만 반환했습니다 (나머지는 오지 않았습니다)",
        "unsupported_figure": "(이 항목은 생략했습니다: 초록에 없는 수치를 포함했습니다.)",
        "failed:arxiv": "arXiv가 응답하지 않았습니다",
        "failed:other": "만들 수 없었습니다",
        "notice_failing": "⚠️ *{topic}* 주간 다이제스트가 늦어지고 있습니다: {what}. 논문은 누락되지 않습니다: 다음 다이제스트가 전체 기간을 다룹니다. 다음 시도: {next}.",
        "notice_back": "✅ *{topic}* 주간 다이제스트가 재개되었습니다 ({start} ~ {end}): 지금 게시합니다.",
        "notice_back_empty": "✅ *{topic}* 주간 다이제스트가 재개되었습니다 ({start} ~ {end}): 이번에는 새 논문이 없습니다.",
        "notice_gave_up": "❌ *{topic}* 주간 다이제스트를 {attempts}번 시도한 후 중단했습니다 ({what}). 논문은 누락되지 않습니다: 다음 주간 다이제스트({next})가 이 논문들을 다룹니다.",
    },
    "de": {
        "intro": "Neue Arbeiten zu {topic} ({start} ~ {end})",
        "topic": "Thema",
        "categories": "Kategorien",
        "posted": "Eingereicht", "paper_page": "Artikelseite",
        "relevance": "Relevanz",
        "no_papers": "Keine neuen Arbeiten zu diesem Thema in diesem Zeitraum.",
        "announced": "Ankündigungen vom {days}",
        "announced_day": "{weekday} {day}. {month}",
        "weekdays": "Mo. Di. Mi. Do. Fr. Sa. So.",
        "months": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez.",
        "day_range": "{first} bis {last}",
        "extractive": "Auszug aus dem Abstract (kein LLM eingerichtet)",
        "extractive:llm-failed": "Auszug aus dem Abstract (die Antwort des LLM war unbrauchbar)",
        "extractive:budget": "Auszug aus dem Abstract (das LLM-Budget dieses Monats ist erreicht)",
        "count": "{shown} von {candidates} Arbeiten",
        "skipped": "{skipped} weitere bereits in diesem Kanal",
        "arxiv_short": "arXiv lieferte nur {got} von {total} Ergebnissen (der Rest kam nicht an)",
        "et_al": "u. a.",
        "unsupported_figure": "(Punkt ausgelassen: er nannte eine Zahl, die nicht im Abstract steht.)",
        "failed:arxiv": "arXiv hat nicht geantwortet",
        "failed:other": "er konnte nicht erstellt werden",
        "notice_failing": "⚠️ Der Wochen-Digest zu *{topic}* verspätet sich: {what}. Es gehen keine Arbeiten verloren: der nächste Digest deckt die ganze Lücke ab. Nächster Versuch: {next}.",
        "notice_back": "✅ Der Wochen-Digest zu *{topic}* ist zurück ({start} ~ {end}): er wird jetzt gepostet.",
        "notice_back_empty": "✅ Der Wochen-Digest zu *{topic}* ist zurück ({start} ~ {end}): diesmal keine neuen Arbeiten.",
        "notice_gave_up": "❌ Der Wochen-Digest zu *{topic}* wurde nach {attempts} Versuchen aufgegeben ({what}). Es gehen keine Arbeiten verloren: der nächste Wochen-Digest, {next}, enthält sie.",
    },
    "fr": {
        "intro": "Articles sur {topic} ({start} ~ {end})",
        "topic": "Sujet",
        "categories": "Catégories",
        "posted": "Publié", "paper_page": "Page de l'article",
        "relevance": "Pertinence",
        "no_papers": "Aucun nouvel article sur ce sujet pendant cette période.",
        "announced": "Annonces du {days}",
        "announced_day": "{weekday} {day} {month}",
        "weekdays": "lun. mar. mer. jeu. ven. sam. dim.",
        "months": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
        "day_range": "{first} au {last}",
        "extractive": "Extraits du résumé (aucun LLM configuré)",
        "extractive:llm-failed": "Extraits du résumé (la réponse du LLM était inutilisable)",
        "extractive:budget": "Extraits du résumé (le budget LLM du mois est atteint)",
        "count": "{shown} articles sur {candidates}",
        "skipped": "{skipped} autres déjà publiés dans ce canal",
        "arxiv_short": "arXiv n'a renvoyé que {got} résultats sur {total} (le reste n'est jamais arrivé)",
        "unsupported_figure": "(Point omis : il citait un chiffre absent du résumé.)",
        "failed:arxiv": "arXiv n'a pas répondu",
        "failed:other": "il n'a pas pu être construit",
        "notice_failing": "⚠️ Le digest hebdomadaire de *{topic}* est en retard : {what}. Aucun article n'est perdu : le prochain digest couvre toute la période. Prochain essai : {next}.",
        "notice_back": "✅ Le digest hebdomadaire de *{topic}* est de retour ({start} ~ {end}) : publication en cours.",
        "notice_back_empty": "✅ Le digest hebdomadaire de *{topic}* est de retour ({start} ~ {end}) : pas de nouvel article cette fois.",
        "notice_gave_up": "❌ Abandon du digest hebdomadaire de *{topic}* après {attempts} essais ({what}). Aucun article n'est perdu : le prochain digest hebdomadaire, {next}, les couvre.",
    },
    "es": {
        "intro": "Artículos sobre {topic} ({start} ~ {end})",
        "topic": "Tema",
        "categories": "Categorías",
        "posted": "Publicado", "paper_page": "Página del artículo",
        "relevance": "Relevancia",
        "no_papers": "No hay artículos nuevos sobre este tema en este periodo.",
        "announced": "Anuncios del {days}",
        "announced_day": "{weekday} {day} {month}",
        "weekdays": "lun mar mié jue vie sáb dom",
        "months": "ene feb mar abr may jun jul ago sep oct nov dic",
        "day_range": "{first} al {last}",
        "extractive": "Extracto del resumen (sin LLM configurado)",
        "extractive:llm-failed": "Extracto del resumen (la respuesta del LLM no era utilizable)",
        "extractive:budget": "Extracto del resumen (se alcanzó el presupuesto de LLM del mes)",
        "count": "{shown} de {candidates} artículos",
        "skipped": "{skipped} más ya publicados en este canal",
        "arxiv_short": "arXiv devolvió solo {got} de {total} resultados (el resto no llegó)",
        "unsupported_figure": "(Punto omitido: citaba una cifra que el resumen no da.)",
        "failed:arxiv": "arXiv no respondió",
        "failed:other": "no se pudo generar",
        "notice_failing": "⚠️ El resumen semanal de *{topic}* se retrasa: {what}. No se pierde ningún artículo: el próximo resumen cubre todo el periodo. Próximo intento: {next}.",
        "notice_back": "✅ El resumen semanal de *{topic}* ha vuelto ({start} ~ {end}): publicándolo ahora.",
        "notice_back_empty": "✅ El resumen semanal de *{topic}* ha vuelto ({start} ~ {end}): esta vez no hay artículos nuevos.",
        "notice_gave_up": "❌ Se abandonó el resumen semanal de *{topic}* tras {attempts} intentos ({what}). No se pierde ningún artículo: el próximo resumen semanal, {next}, los cubre.",
    },
})
# A new version of a posted paper, noted in its card's thread (digest/delivery/versions.py):
# one block, merged into the tables above so that every table keeps every key.
_VERSION_NOTES = {
    "en": {"version_note": "v{version}, {date}: {comment}", "version_bare": "v{version}, {date}",
           "version_withdrawn": "v{version}, {date}: withdrawn"},
    "ja": {"version_note": "v{version}（{date}）：{comment}", "version_bare": "v{version}（{date}）",
           "version_withdrawn": "v{version}（{date}）：取り下げられました"},
    "zh": {"version_note": "v{version}（{date}）：{comment}", "version_bare": "v{version}（{date}）",
           "version_withdrawn": "v{version}（{date}）：已撤回"},
    "ko": {"version_note": "v{version}, {date}: {comment}", "version_bare": "v{version}, {date}",
           "version_withdrawn": "v{version}, {date}: 철회됨"},
    "de": {"version_note": "v{version}, {date}: {comment}", "version_bare": "v{version}, {date}",
           "version_withdrawn": "v{version}, {date}: zurückgezogen"},
    "fr": {"version_note": "v{version}, {date} : {comment}", "version_bare": "v{version}, {date}",
           "version_withdrawn": "v{version}, {date} : retiré"},
    "es": {"version_note": "v{version}, {date}: {comment}", "version_bare": "v{version}, {date}",
           "version_withdrawn": "v{version}, {date}: retirado"},
}  # fmt: skip
for _language, _notes in _VERSION_NOTES.items():
    LABELS.tables[_language].update(_notes)  # type: ignore[attr-defined]  # the dicts above
label = LABELS.text  # the engine's labels: label("ja", "posted")


def announced_text(language: str, days: Sequence[date]) -> str:
    """A digest header's announcement days: "Announcements of Mon 23 Nov – Fri 27 Nov"
    (the first and last listing dates); "" for none."""
    if not days:
        return ""
    names, months = label(language, "weekdays").split(), label(language, "months").split()

    def day(d: date) -> str:
        return label(language, "announced_day", weekday=names[d.weekday()], day=d.day, month=months[d.month - 1])

    first, last = min(days), max(days)
    span = day(first) if first == last else label(language, "day_range", first=day(first), last=day(last))
    return label(language, "announced", days=span)


def count_text(language: str, shown: int, candidates: int, skipped: int = 0) -> str:
    """A digest header's count: "8 of 40 papers", and the ranked ones the channel already has."""
    text = label(language, "count", shown=shown, candidates=max(candidates, shown))
    return f"{text} ({label(language, 'skipped', skipped=skipped)})" if skipped else text
