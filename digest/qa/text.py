"""Reader-facing text of thread Q&A: a ``digest.i18n.Catalog``, every key in every reader language."""

from __future__ import annotations

import re

from digest.i18n import LANGUAGE_NAMES, Catalog

_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def question_language(text: str) -> str | None:
    """The language a question is written in, where its script tells (None: a Latin script)."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _HAN.search(text):
        return "zh"
    return None


def language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "", "the language the question is written in")


_EN = {
    "limit_user": (
        "You have asked {limit} questions in the past hour, the most one person may. "
        "Please ask again in about {minutes} min."
    ),
    "limit_thread": (
        "This thread has had {limit} questions in the past hour, the most one thread may. "
        "Please ask again in about {minutes} min."
    ),
    "empty": "Ask a question about this paper in this thread, and I'll answer from its text.",
    "quoted": "No answer written ({why}). The passages of the paper that best match your question, quoted:",
    "nothing": "No passage of the paper matches your question ({why}). It begins:",
    "no_llm": "no LLM is configured",
    "llm_failed": "the LLM gave no usable answer",
    "not_said": "The paper does not say.",
    "abstract_only": "(Answered from the abstract only: arXiv has no readable full text of this paper.)",
    "abstract_for_now": "(Answered from the abstract only: the full text could not be fetched from arXiv just now.)",
    "unverified_figures": "(Check: {figures} does not appear in the passages this answer was written from.)",
}

LABELS = Catalog({
    "en": _EN,
    "ja": {
        "limit_user": "この1時間の質問が上限の{limit}件に達しました。約{minutes}分後にもう一度どうぞ。",
        "limit_thread": "このスレッドへの質問がこの1時間で上限の{limit}件に達しました。約{minutes}分後にもう一度どうぞ。",
        "empty": "このスレッドで論文について質問してください。本文をもとに答えます。",
        "quoted": "回答は作成していません（{why}）。質問に最も関連する本文の箇所を引用します:",
        "nothing": "質問に合う本文の箇所が見つかりません（{why}）。論文の冒頭は次のとおりです:",
        "no_llm": "LLM未設定のため",
        "llm_failed": "LLMの応答が使えなかったため",
        "not_said": "論文にはその記述がありません。",
        "abstract_only": "（アブストラクトのみに基づく回答です。arXivに読める本文がありません。）",
        "abstract_for_now": "（アブストラクトのみに基づく回答です。現在arXivから本文を取得できませんでした。）",
        "unverified_figures": "（注意：{figures} は回答の根拠とした本文の箇所に見当たりません。）",
    },
    "zh": {
        "limit_user": "您在过去一小时内已提问 {limit} 次，达到每人上限。请约 {minutes} 分钟后再问。",
        "limit_thread": "这个讨论串在过去一小时内已有 {limit} 个问题，达到每个讨论串的上限。请约 {minutes} 分钟后再问。",
        "empty": "请在这个讨论串里就这篇论文提问，我会根据论文正文回答。",
        "quoted": "未生成回答（{why}）。以下引用论文中与您的问题最相关的段落：",
        "nothing": "论文中没有与您的问题相符的段落（{why}）。论文开头如下：",
        "no_llm": "未配置LLM",
        "llm_failed": "LLM没有给出可用的回答",
        "not_said": "论文中没有提到这一点。",
        "abstract_only": "（仅根据摘要回答：arXiv 上没有这篇论文可读的全文。）",
        "abstract_for_now": "（仅根据摘要回答：暂时无法从 arXiv 获取全文。）",
        "unverified_figures": "（请核实：{figures} 没有出现在本回答所依据的段落中。）",
    },
    "ko": {
        "limit_user": "지난 1시간 동안 질문을 {limit}번 하셨습니다. 한 사람당 최대치입니다. 약 {minutes}분 후에 다시 물어보세요.",
        "limit_thread": "이 스레드에는 지난 1시간 동안 질문이 {limit}개 있었습니다. 스레드당 최대치입니다. "
        "약 {minutes}분 후에 다시 물어보세요.",
        "empty": "이 스레드에서 이 논문에 대해 질문하세요. 본문을 바탕으로 답하겠습니다.",
        "quoted": "답변을 작성하지 않았습니다({why}). 질문과 가장 관련 있는 논문 구절을 인용합니다:",
        "nothing": "질문과 맞는 논문 구절이 없습니다({why}). 논문은 이렇게 시작합니다:",
        "no_llm": "LLM이 설정되어 있지 않음",
        "llm_failed": "LLM이 쓸 수 있는 답을 주지 않음",
        "not_said": "논문에는 그런 내용이 없습니다.",
        "abstract_only": "(초록만으로 답했습니다: arXiv에 이 논문의 읽을 수 있는 본문이 없습니다.)",
        "abstract_for_now": "(초록만으로 답했습니다: 지금은 arXiv에서 본문을 가져올 수 없었습니다.)",
        "unverified_figures": "(확인 필요: {figures}은(는) 이 답의 근거가 된 구절에 나오지 않습니다.)",
    },
    "de": {
        "limit_user": "Du hast in der letzten Stunde {limit} Fragen gestellt, so viele, wie eine Person darf. "
        "Bitte frag in etwa {minutes} Min. wieder.",
        "limit_thread": "In diesem Thread wurden in der letzten Stunde {limit} Fragen gestellt, so viele, wie ein "
        "Thread darf. Bitte frag in etwa {minutes} Min. wieder.",
        "empty": "Stell in diesem Thread eine Frage zu dieser Arbeit; ich antworte anhand ihres Textes.",
        "quoted": "Keine Antwort geschrieben ({why}). Die Stellen der Arbeit, die am besten zu deiner Frage passen, im Wortlaut:",
        "nothing": "Keine Stelle der Arbeit passt zu deiner Frage ({why}). Sie beginnt so:",
        "no_llm": "es ist kein LLM eingerichtet",
        "llm_failed": "das LLM gab keine brauchbare Antwort",
        "not_said": "Das sagt die Arbeit nicht.",
        "abstract_only": "(Nur aus dem Abstract beantwortet: arXiv hat keinen lesbaren Volltext dieser Arbeit.)",
        "abstract_for_now": "(Nur aus dem Abstract beantwortet: der Volltext war gerade nicht von arXiv abrufbar.)",
        "unverified_figures": "(Prüfen: {figures} steht nicht in den Stellen, aus denen diese Antwort geschrieben wurde.)",
    },
    "fr": {
        "limit_user": "Vous avez posé {limit} questions dans l'heure, le maximum par personne. "
        "Reposez votre question dans {minutes} min environ.",
        "limit_thread": "Ce fil a reçu {limit} questions dans l'heure, le maximum par fil. "
        "Reposez votre question dans {minutes} min environ.",
        "empty": "Posez une question sur cet article dans ce fil : je réponds d'après son texte.",
        "quoted": "Pas de réponse rédigée ({why}). Les passages de l'article les plus proches de votre question, cités :",
        "nothing": "Aucun passage de l'article ne correspond à votre question ({why}). Il commence ainsi :",
        "no_llm": "aucun LLM n'est configuré",
        "llm_failed": "le LLM n'a pas donné de réponse utilisable",
        "not_said": "L'article ne le dit pas.",
        "abstract_only": "(Réponse fondée sur le résumé seul : arXiv n'a pas de texte intégral lisible de cet article.)",
        "abstract_for_now": "(Réponse fondée sur le résumé seul : le texte intégral n'a pas pu être récupéré sur arXiv "
        "pour l'instant.)",
        "unverified_figures": "(À vérifier : {figures} n'apparaît pas dans les passages d'où vient cette réponse.)",
    },
    "es": {
        "limit_user": "Has hecho {limit} preguntas en la última hora, el máximo por persona. "
        "Vuelve a preguntar en unos {minutes} min.",
        "limit_thread": "Este hilo ha recibido {limit} preguntas en la última hora, el máximo por hilo. "
        "Vuelve a preguntar en unos {minutes} min.",
        "empty": "Haz una pregunta sobre este artículo en este hilo y responderé a partir de su texto.",
        "quoted": "No se redactó respuesta ({why}). Cito los pasajes del artículo que mejor encajan con tu pregunta:",
        "nothing": "Ningún pasaje del artículo encaja con tu pregunta ({why}). Empieza así:",
        "no_llm": "no hay ningún LLM configurado",
        "llm_failed": "el LLM no dio una respuesta utilizable",
        "not_said": "El artículo no lo dice.",
        "abstract_only": "(Respondido solo a partir del resumen: arXiv no tiene texto completo legible de este artículo.)",
        "abstract_for_now": "(Respondido solo a partir del resumen: ahora mismo no se pudo obtener el texto completo de arXiv.)",
        "unverified_figures": "(Comprueba: {figures} no aparece en los pasajes de los que sale esta respuesta.)",
    },
})
label = LABELS.text  # label(question_language(q), "not_said"); None: English
