"""The budget notice a channel gets once a month (``digest/delivery/budget.py``), in every reader language."""

from __future__ import annotations

from digest.i18n import Catalog

BUDGET_TEXT = Catalog({
    "en": {"notice": "💸 The digest of *{topic}* (#{id}) has used {percent}% of its monthly LLM budget "
           "({limit} tokens): until the 1st of next month its new cards are extractive summaries of the "
           "abstract, labelled as such. `/arxiv usage` shows this month's tokens; `/arxiv edit {id} budget=<tokens>` "
           "changes the budget."},
    "ja": {"notice": "💸 *{topic}* (#{id}) のダイジェストは今月のLLM予算（{limit}トークン）の{percent}%に達しました。"
           "来月1日まで、新しいカードはアブストラクトからの抽出要約になります（カードにその旨を表示します）。"
           "今月の使用量は `/arxiv usage`、予算の変更は `/arxiv edit {id} budget=<トークン数>` でどうぞ。"},
    "zh": {"notice": "💸 *{topic}*（#{id}）的摘要已用掉本月LLM预算（{limit} tokens）的{percent}%：下月1日前，"
           "新卡片将改为根据摘要抽取的摘要，并予以标注。`/arxiv usage` 显示本月用量；"
           "`/arxiv edit {id} budget=<tokens>` 可修改预算。"},
    "ko": {"notice": "💸 *{topic}* (#{id}) 다이제스트가 이번 달 LLM 예산({limit} 토큰)의 {percent}%를 사용했습니다. "
           "다음 달 1일까지 새 카드는 초록에서 추출한 요약으로 표시됩니다. 이번 달 사용량은 `/arxiv usage`, "
           "예산 변경은 `/arxiv edit {id} budget=<토큰 수>`로 할 수 있습니다."},
    "de": {"notice": "💸 Der Digest zu *{topic}* (#{id}) hat {percent} % seines monatlichen LLM-Budgets "
           "({limit} Tokens) verbraucht: Bis zum 1. des nächsten Monats sind seine neuen Karten Auszüge aus dem "
           "Abstract, als solche gekennzeichnet. `/arxiv usage` zeigt die Tokens dieses Monats; "
           "`/arxiv edit {id} budget=<Tokens>` ändert das Budget."},
    "fr": {"notice": "💸 Le digest de *{topic}* (#{id}) a utilisé {percent} % de son budget LLM mensuel "
           "({limit} tokens) : jusqu'au 1er du mois prochain, ses nouvelles cartes sont des extraits du résumé, "
           "signalés comme tels. `/arxiv usage` montre les tokens du mois ; `/arxiv edit {id} budget=<tokens>` "
           "change le budget."},
    "es": {"notice": "💸 El resumen de *{topic}* (#{id}) ha usado el {percent} % de su presupuesto mensual de LLM "
           "({limit} tokens): hasta el día 1 del mes que viene, sus nuevas tarjetas son extractos del resumen del "
           "artículo, señalados como tales. `/arxiv usage` muestra los tokens del mes; "
           "`/arxiv edit {id} budget=<tokens>` cambia el presupuesto."},
})
