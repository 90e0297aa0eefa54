"""Reader-facing labels, one table per language (English fills any gap)."""

from __future__ import annotations

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
    "posted": "Posted",
    "relevance": "Relevance",
    "comment": "Comment",
    "extractive": "Extractive summary from the abstract (no LLM configured)",
    "extractive:llm-failed": "Extractive summary from the abstract (the LLM's answer was unusable)",
    "no_papers": "No new papers on this topic in this window.",
    "count": "{shown} of {candidates} papers",
    "et_al": "et al.",
    "unsupported_figure": "(Point left out: it stated a figure the abstract does not give.)",
}

LABELS: dict[str, dict[str, str]] = {
    "en": _EN,
    "ja": {
        "intro": "{topic}に関する論文まとめ ({start} ~ {end})",
        "topic": "トピック",
        "categories": "カテゴリ",
        "posted": "投稿日時",
        "relevance": "関連度",
        "comment": "Comment",
        "extractive": "アブストラクトからの抽出要約（LLM未設定）",
        "extractive:llm-failed": "アブストラクトからの抽出要約（LLMの応答が使えなかったため）",
        "no_papers": "この期間にこのトピックの新しい論文はありません。",
        "count": "{candidates}件中{shown}件",
        "et_al": "ほか",
        "unsupported_figure": "（この要点は省略しました：アブストラクトにない数値を含んでいたため）",
    },
    "zh": {
        "intro": "{topic} 相关论文汇总 ({start} ~ {end})",
        "topic": "主题",
        "categories": "分类",
        "posted": "发布时间",
        "relevance": "相关度",
        "no_papers": "此期间没有该主题的新论文。",
        "et_al": "等",
    },
    "ko": {
        "intro": "{topic} 관련 논문 모음 ({start} ~ {end})",
        "topic": "주제",
        "categories": "카테고리",
        "posted": "게시일시",
        "relevance": "관련도",
        "no_papers": "이 기간에 이 주제의 새 논문이 없습니다.",
        "et_al": "외",
    },
    "de": {
        "intro": "Neue Arbeiten zu {topic} ({start} ~ {end})",
        "topic": "Thema",
        "categories": "Kategorien",
        "posted": "Eingereicht",
        "relevance": "Relevanz",
        "no_papers": "Keine neuen Arbeiten zu diesem Thema in diesem Zeitraum.",
    },
    "fr": {
        "intro": "Articles sur {topic} ({start} ~ {end})",
        "topic": "Sujet",
        "categories": "Catégories",
        "posted": "Publié",
        "relevance": "Pertinence",
        "no_papers": "Aucun nouvel article sur ce sujet pendant cette période.",
    },
    "es": {
        "intro": "Artículos sobre {topic} ({start} ~ {end})",
        "topic": "Tema",
        "categories": "Categorías",
        "posted": "Publicado",
        "relevance": "Relevancia",
        "no_papers": "No hay artículos nuevos sobre este tema en este periodo.",
    },
}


def label(language: str, key: str, **values: object) -> str:
    text = LABELS.get(language, {}).get(key) or _EN.get(key, key)
    return text.format(**values) if values else text
