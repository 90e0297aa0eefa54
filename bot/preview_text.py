"""Every sentence of ``/arxiv preview`` and ``digest-bot preview``, in all seven languages:
``TEXTS``, a ``digest.i18n.Catalog``.

The chat's texts use the markup both platforms read (`code`, *stars*), as
``bot/command_text.py`` does; the command line's (``cli_*``, ``col_*``) use none: rich
prints them as they are. Japanese is the reference language.
"""

from __future__ import annotations

from digest.i18n import Catalog

_EN = {
    # the grammar (bot/commands.py)
    "no_topic": "preview needs a topic, e.g. `/arxiv preview synthetic data max=5`.",
    "unknown_option": "`{key}=` is not an option of preview.{hint} It takes the options of subscribe: day=, "
    "time=, tz=, lang=, max= and terms=, e.g. `/arxiv preview LLM agents max=5 tz=Europe/Berlin`.",
    # the chat's reply (bot/preview_command.py)
    "working": "Previewing *{topic}*: looking for the papers of {start} ~ {end}…",
    "header": "Preview of *{topic}* ({start} ~ {end}): {matched} paper(s) matched. The {shown} a digest of {max} "
    "would pick, with their relevance scores:",
    "empty": "Preview of *{topic}* ({start} ~ {end}): no paper matched, so a digest would have been empty. "
    "Try broader or other words.",
    "line": "{rank}. `{score}` {link}",
    "more": "…and {count} more, not shown here (too long for one message).",
    "query": "arXiv query: `{query}`",
    "terms": "Searched by the English terms `{terms}`.",
    "footer": "Only you can see this; nothing was subscribed or posted.",
    "error": "The preview of *{topic}* could not be built: {error}",
    # digest-bot preview (bot/cli_preview.py)
    "cli_header": "{matched} paper(s) matched “{topic}” from {start} to {end}; the {shown} a digest of {max} "
    "would pick:",
    "cli_empty": "No paper matched “{topic}” from {start} to {end}: a digest would have been empty.",
    "cli_query": "arXiv query: {query}",
    "cli_terms": "Searched by the English terms: {terms}",
    "col_score": "Score",
    "col_id": "arXiv id",
    "col_title": "Title",
}

_JA = {
    "no_topic": "preview にはトピックが必要です。例: `/arxiv preview synthetic data max=5`",
    "unknown_option": "`{key}=` は preview のオプションではありません。{hint} preview は subscribe と同じオプション "
    "(day=、time=、tz=、lang=、max=、terms=) を取ります。例: `/arxiv preview LLM agents max=5 tz=Europe/Berlin`",
    "working": "*{topic}* をプレビューしています: {start} ~ {end} の論文を探しています…",
    "header": "*{topic}* のプレビュー ({start} ~ {end}): 該当した論文は {matched} 本です。"
    "{max} 本のダイジェストなら選ばれる {shown} 本と、その関連度スコア:",
    "empty": "*{topic}* のプレビュー ({start} ~ {end}): 該当する論文はなく、ダイジェストは空になるところでした。"
    "もっと広い語や別の語を試してください。",
    "line": "{rank}. `{score}` {link}",
    "more": "…ほか {count} 本 (1通のメッセージに収まらないため省略しました)",
    "query": "arXivでの検索式: `{query}`",
    "terms": "英語の検索語 `{terms}` で検索しました。",
    "footer": "このプレビューはあなたにだけ表示されています。購読も投稿もしていません。",
    "error": "*{topic}* のプレビューを作れませんでした: {error}",
    "cli_header": "「{topic}」に該当した論文は {start} 〜 {end} で {matched} 本。{max} 本のダイジェストなら選ばれる {shown} 本:",
    "cli_empty": "{start} 〜 {end} に「{topic}」に該当する論文はなく、ダイジェストは空になるところでした。",
    "cli_query": "arXivでの検索式: {query}",
    "cli_terms": "英語の検索語: {terms}",
    "col_score": "スコア",
    "col_id": "arXiv ID",
    "col_title": "タイトル",
}

_ZH = {
    "no_topic": "preview 需要一个主题，例如 `/arxiv preview synthetic data max=5`。",
    "unknown_option": "`{key}=` 不是 preview 的选项。{hint} preview 接受与 subscribe 相同的选项：day=、time=、tz=、"
    "lang=、max= 和 terms=，例如 `/arxiv preview LLM agents max=5 tz=Europe/Berlin`。",
    "working": "正在预览 *{topic}*：查找 {start} ~ {end} 的论文…",
    "header": "*{topic}* 的预览（{start} ~ {end}）：共匹配 {matched} 篇论文。{max} 篇的摘要会选出的 {shown} 篇及其相关度分数：",
    "empty": "*{topic}* 的预览（{start} ~ {end}）：没有匹配的论文，摘要将是空的。请尝试更宽泛或不同的词。",
    "line": "{rank}. `{score}` {link}",
    "more": "…另有 {count} 篇未显示（一条消息放不下）。",
    "query": "arXiv 查询：`{query}`",
    "terms": "已按英文检索词 `{terms}` 检索。",
    "footer": "只有你能看到这条预览；没有订阅，也没有发布任何内容。",
    "error": "无法生成 *{topic}* 的预览：{error}",
    "cli_header": "{start} 至 {end} 共有 {matched} 篇论文匹配“{topic}”；{max} 篇的摘要会选出的 {shown} 篇：",
    "cli_empty": "{start} 至 {end} 没有论文匹配“{topic}”：摘要将是空的。",
    "cli_query": "arXiv 查询：{query}",
    "cli_terms": "英文检索词：{terms}",
    "col_score": "分数",
    "col_id": "arXiv ID",
    "col_title": "标题",
}

_KO = {
    "no_topic": "preview에는 주제가 필요합니다. 예: `/arxiv preview synthetic data max=5`",
    "unknown_option": "`{key}=`는 preview의 옵션이 아닙니다.{hint} preview는 subscribe와 같은 옵션(day=, time=, tz=, "
    "lang=, max=, terms=)을 받습니다. 예: `/arxiv preview LLM agents max=5 tz=Europe/Berlin`",
    "working": "*{topic}* 미리보기 중: {start} ~ {end}의 논문을 찾고 있습니다…",
    "header": "*{topic}* 미리보기({start} ~ {end}): 논문 {matched}편이 일치했습니다. {max}편짜리 다이제스트가 고를 "
    "{shown}편과 관련도 점수:",
    "empty": "*{topic}* 미리보기({start} ~ {end}): 일치하는 논문이 없어 다이제스트가 비었을 것입니다. "
    "더 넓거나 다른 단어로 시도해 보세요.",
    "line": "{rank}. `{score}` {link}",
    "more": "…외 {count}편은 표시하지 않았습니다(메시지 하나에 다 들어가지 않음).",
    "query": "arXiv 검색식: `{query}`",
    "terms": "영어 검색어 `{terms}`로 검색했습니다.",
    "footer": "이 미리보기는 나에게만 보입니다. 구독하거나 게시한 것은 없습니다.",
    "error": "*{topic}* 미리보기를 만들 수 없었습니다: {error}",
    "cli_header": "{start}부터 {end}까지 “{topic}”에 논문 {matched}편이 일치했습니다. {max}편짜리 다이제스트가 고를 {shown}편:",
    "cli_empty": "{start}부터 {end}까지 “{topic}”에 일치하는 논문이 없습니다: 다이제스트가 비었을 것입니다.",
    "cli_query": "arXiv 검색식: {query}",
    "cli_terms": "영어 검색어: {terms}",
    "col_score": "점수",
    "col_id": "arXiv ID",
    "col_title": "제목",
}

_DE = {
    "no_topic": "preview braucht ein Thema, z. B. `/arxiv preview synthetic data max=5`.",
    "unknown_option": "`{key}=` ist keine Option von preview.{hint} preview nimmt die Optionen von subscribe: day=, "
    "time=, tz=, lang=, max= und terms=, z. B. `/arxiv preview LLM agents max=5 tz=Europe/Berlin`.",
    "working": "Vorschau auf *{topic}*: suche die Arbeiten vom {start} ~ {end}…",
    "header": "Vorschau auf *{topic}* ({start} ~ {end}): {matched} Arbeit(en) passten. Die {shown}, die ein Digest "
    "von {max} auswählen würde, mit ihrer Relevanz:",
    "empty": "Vorschau auf *{topic}* ({start} ~ {end}): keine Arbeit passte, der Digest wäre leer gewesen. "
    "Versuche weitere oder andere Wörter.",
    "line": "{rank}. `{score}` {link}",
    "more": "…und {count} weitere, hier nicht gezeigt (zu lang für eine Nachricht).",
    "query": "arXiv-Abfrage: `{query}`",
    "terms": "Gesucht mit den englischen Begriffen `{terms}`.",
    "footer": "Nur du siehst das; nichts wurde abonniert oder gepostet.",
    "error": "Die Vorschau auf *{topic}* ließ sich nicht erstellen: {error}",
    "cli_header": "{matched} Arbeit(en) passten vom {start} bis {end} zu „{topic}“; die {shown}, die ein Digest von "
    "{max} auswählen würde:",
    "cli_empty": "Keine Arbeit passte vom {start} bis {end} zu „{topic}“: der Digest wäre leer gewesen.",
    "cli_query": "arXiv-Abfrage: {query}",
    "cli_terms": "Gesucht mit den englischen Begriffen: {terms}",
    "col_score": "Relevanz",
    "col_id": "arXiv-ID",
    "col_title": "Titel",
}

_FR = {
    "no_topic": "preview demande un sujet, p. ex. `/arxiv preview synthetic data max=5`.",
    "unknown_option": "`{key}=` n'est pas une option de preview.{hint} preview prend les options de subscribe : day=, "
    "time=, tz=, lang=, max= et terms=, p. ex. `/arxiv preview LLM agents max=5 tz=Europe/Berlin`.",
    "working": "Aperçu de *{topic}* : recherche des articles du {start} ~ {end}…",
    "header": "Aperçu de *{topic}* ({start} ~ {end}) : {matched} article(s) correspondent. Les {shown} qu'un digest "
    "de {max} choisirait, avec leur score de pertinence :",
    "empty": "Aperçu de *{topic}* ({start} ~ {end}) : aucun article ne correspond, le digest aurait été vide. "
    "Essayez des mots plus larges ou différents.",
    "line": "{rank}. `{score}` {link}",
    "more": "…et {count} de plus, non affichés ici (trop long pour un seul message).",
    "query": "Requête arXiv : `{query}`",
    "terms": "Recherché avec les termes anglais `{terms}`.",
    "footer": "Vous seul voyez ceci ; rien n'a été abonné ni publié.",
    "error": "L'aperçu de *{topic}* n'a pas pu être construit : {error}",
    "cli_header": "{matched} article(s) correspondent à « {topic} » du {start} au {end} ; les {shown} qu'un digest "
    "de {max} choisirait :",
    "cli_empty": "Aucun article ne correspond à « {topic} » du {start} au {end} : le digest aurait été vide.",
    "cli_query": "Requête arXiv : {query}",
    "cli_terms": "Recherché avec les termes anglais : {terms}",
    "col_score": "Score",
    "col_id": "Id arXiv",
    "col_title": "Titre",
}

_ES = {
    "no_topic": "preview necesita un tema, p. ej. `/arxiv preview synthetic data max=5`.",
    "unknown_option": "`{key}=` no es una opción de preview.{hint} preview admite las opciones de subscribe: day=, "
    "time=, tz=, lang=, max= y terms=, p. ej. `/arxiv preview LLM agents max=5 tz=Europe/Berlin`.",
    "working": "Vista previa de *{topic}*: buscando los artículos del {start} ~ {end}…",
    "header": "Vista previa de *{topic}* ({start} ~ {end}): coincidieron {matched} artículo(s). Los {shown} que "
    "elegiría un resumen de {max}, con su puntuación de relevancia:",
    "empty": "Vista previa de *{topic}* ({start} ~ {end}): ningún artículo coincidió, así que el resumen habría "
    "estado vacío. Prueba con palabras más amplias u otras.",
    "line": "{rank}. `{score}` {link}",
    "more": "…y {count} más, no mostrados aquí (demasiado largo para un solo mensaje).",
    "query": "Consulta de arXiv: `{query}`",
    "terms": "Buscado con los términos en inglés `{terms}`.",
    "footer": "Solo tú ves esto; no se suscribió ni se publicó nada.",
    "error": "No se pudo crear la vista previa de *{topic}*: {error}",
    "cli_header": "Coincidieron {matched} artículo(s) con «{topic}» del {start} al {end}; los {shown} que elegiría "
    "un resumen de {max}:",
    "cli_empty": "Ningún artículo coincidió con «{topic}» del {start} al {end}: el resumen habría estado vacío.",
    "cli_query": "Consulta de arXiv: {query}",
    "cli_terms": "Buscado con los términos en inglés: {terms}",
    "col_score": "Puntuación",
    "col_id": "Id de arXiv",
    "col_title": "Título",
}

TEXTS = Catalog({"ja": _JA, "en": _EN, "zh": _ZH, "ko": _KO, "de": _DE, "fr": _FR, "es": _ES})
