"""Every sentence of ``/arxiv usage`` and of ``edit``'s ``budget=``, in all seven languages:
``USAGE_TEXT``, a ``digest.i18n.Catalog``. Markup as in ``bot/command_text.py``."""

from __future__ import annotations

from digest.i18n import Catalog

USAGE_TEXT = Catalog({
    "en": {
        "title": "*LLM tokens this month* ({month}, UTC), estimated at ${prompt} / ${completion} per 1,000 "
        "prompt / completion tokens:",
        "line": "{id}. *{topic}*: {tokens} tokens ({prompt} prompt + {completion} completion), ~${cost}; budget {budget}",
        "channel": "This channel's own (`/arxiv paper` cards and their threads, topics' English terms): "
        "{tokens} tokens, ~${cost}",
        "total": "Total: {tokens} tokens, ~${cost}",
        "none": "No LLM tokens used in this channel this month ({month}, UTC).",
        "unlimited": "unlimited",
        "limit": "{limit} tokens, {percent}% used",
        "reached": " (reached: new cards are extractive until the 1st)",
        "bad_budget": "`budget={value}` is not a monthly token budget: give a number of tokens up to {most} "
        "(`budget=500000`, `budget=500k`, `budget=2m`), `budget=0` for unlimited, or `budget=default` for the "
        "workspace's budget.",
    },
    "ja": {
        "title": "*今月のLLMトークン* （{month}、UTC）。費用はプロンプト／出力1,000トークンあたり ${prompt} / ${completion} で見積もり:",
        "line": "{id}. *{topic}*: {tokens}トークン（プロンプト {prompt} + 出力 {completion}）、約${cost}。予算: {budget}",
        "channel": "このチャンネル自身の分（`/arxiv paper` のカードとそのスレッド、トピックの英語検索語）: {tokens}トークン、約${cost}",
        "total": "合計: {tokens}トークン、約${cost}",
        "none": "今月（{month}、UTC）このチャンネルではLLMトークンを使っていません。",
        "unlimited": "無制限",
        "limit": "{limit}トークン（{percent}%使用）",
        "reached": "（上限に達したため、来月1日まで新しいカードは抽出要約です）",
        "bad_budget": "`budget={value}` は月間トークン予算として読めません。{most} 以下のトークン数"
        "（`budget=500000`、`budget=500k`、`budget=2m`）、無制限なら `budget=0`、ワークスペースの予算に戻すなら "
        "`budget=default` を指定してください。",
    },
    "zh": {
        "title": "*本月LLM tokens*（{month}，UTC），按每1,000个提示／生成 tokens ${prompt} / ${completion} 估算：",
        "line": "{id}. *{topic}*：{tokens} tokens（提示 {prompt} + 生成 {completion}），约 ${cost}；预算 {budget}",
        "channel": "本频道自身（`/arxiv paper` 卡片及其话题串、主题的英文检索词）：{tokens} tokens，约 ${cost}",
        "total": "合计：{tokens} tokens，约 ${cost}",
        "none": "本月（{month}，UTC）本频道未使用LLM tokens。",
        "unlimited": "不限",
        "limit": "{limit} tokens，已用 {percent}%",
        "reached": "（已达上限：下月1日前新卡片为抽取式摘要）",
        "bad_budget": "`budget={value}` 不是每月 token 预算：请给出不超过 {most} 的 token 数（`budget=500000`、"
        "`budget=500k`、`budget=2m`），`budget=0` 表示不限，`budget=default` 表示使用工作区的预算。",
    },
    "ko": {
        "title": "*이번 달 LLM 토큰* ({month}, UTC), 프롬프트/출력 1,000 토큰당 ${prompt} / ${completion}로 추정:",
        "line": "{id}. *{topic}*: {tokens} 토큰 (프롬프트 {prompt} + 출력 {completion}), 약 ${cost}; 예산 {budget}",
        "channel": "이 채널 자체 사용분 (`/arxiv paper` 카드와 그 스레드, 주제의 영어 검색어): {tokens} 토큰, 약 ${cost}",
        "total": "합계: {tokens} 토큰, 약 ${cost}",
        "none": "이번 달({month}, UTC) 이 채널에서 사용한 LLM 토큰이 없습니다.",
        "unlimited": "무제한",
        "limit": "{limit} 토큰, {percent}% 사용",
        "reached": " (한도 도달: 다음 달 1일까지 새 카드는 추출 요약)",
        "bad_budget": "`budget={value}`는 월간 토큰 예산이 아닙니다. {most} 이하의 토큰 수(`budget=500000`, "
        "`budget=500k`, `budget=2m`), 무제한은 `budget=0`, 워크스페이스 예산은 `budget=default`로 지정하세요.",
    },
    "de": {
        "title": "*LLM-Tokens diesen Monat* ({month}, UTC), geschätzt zu ${prompt} / ${completion} je 1.000 "
        "Prompt- / Antwort-Tokens:",
        "line": "{id}. *{topic}*: {tokens} Tokens ({prompt} Prompt + {completion} Antwort), ~${cost}; Budget {budget}",
        "channel": "Dieser Kanal selbst (`/arxiv paper`-Karten und ihre Threads, englische Suchbegriffe der Themen): "
        "{tokens} Tokens, ~${cost}",
        "total": "Gesamt: {tokens} Tokens, ~${cost}",
        "none": "Diesen Monat ({month}, UTC) hat dieser Kanal keine LLM-Tokens verbraucht.",
        "unlimited": "unbegrenzt",
        "limit": "{limit} Tokens, {percent} % verbraucht",
        "reached": " (erreicht: neue Karten sind bis zum 1. Auszüge)",
        "bad_budget": "`budget={value}` ist kein monatliches Token-Budget: Gib eine Zahl von Tokens bis {most} an "
        "(`budget=500000`, `budget=500k`, `budget=2m`), `budget=0` für unbegrenzt oder `budget=default` für das "
        "Budget des Workspace.",
    },
    "fr": {
        "title": "*Tokens LLM ce mois-ci* ({month}, UTC), estimés à ${prompt} / ${completion} pour 1 000 tokens "
        "de prompt / de réponse :",
        "line": "{id}. *{topic}* : {tokens} tokens ({prompt} prompt + {completion} réponse), ~${cost} ; budget {budget}",
        "channel": "Ce canal lui-même (cartes `/arxiv paper` et leurs fils, termes anglais des sujets) : "
        "{tokens} tokens, ~${cost}",
        "total": "Total : {tokens} tokens, ~${cost}",
        "none": "Aucun token LLM utilisé dans ce canal ce mois-ci ({month}, UTC).",
        "unlimited": "illimité",
        "limit": "{limit} tokens, {percent} % utilisés",
        "reached": " (atteint : les nouvelles cartes sont des extraits jusqu'au 1er)",
        "bad_budget": "`budget={value}` n'est pas un budget mensuel de tokens : donnez un nombre de tokens jusqu'à "
        "{most} (`budget=500000`, `budget=500k`, `budget=2m`), `budget=0` pour illimité, ou `budget=default` pour "
        "le budget de l'espace de travail.",
    },
    "es": {
        "title": "*Tokens de LLM este mes* ({month}, UTC), estimados a ${prompt} / ${completion} por 1.000 tokens "
        "de prompt / respuesta:",
        "line": "{id}. *{topic}*: {tokens} tokens ({prompt} prompt + {completion} respuesta), ~${cost}; presupuesto {budget}",
        "channel": "De este canal (tarjetas de `/arxiv paper` y sus hilos, términos en inglés de los temas): "
        "{tokens} tokens, ~${cost}",
        "total": "Total: {tokens} tokens, ~${cost}",
        "none": "Este canal no ha usado tokens de LLM este mes ({month}, UTC).",
        "unlimited": "ilimitado",
        "limit": "{limit} tokens, {percent} % usado",
        "reached": " (alcanzado: las nuevas tarjetas son extractos hasta el día 1)",
        "bad_budget": "`budget={value}` no es un presupuesto mensual de tokens: indica un número de tokens hasta "
        "{most} (`budget=500000`, `budget=500k`, `budget=2m`), `budget=0` para ilimitado o `budget=default` para "
        "el presupuesto del espacio de trabajo.",
    },
})
