"""Reader-facing text of thread Q&A: a ``digest.i18n.Catalog`` (English fills any gap)."""

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
})
label = LABELS.text  # label(question_language(q), "not_said"); None: English
