"""The week at a glance's own words (``digest/cards/overview.py``, ``digest/cards/themes.py``).

Themes are English terms from the papers (their abstracts are English): only the label
and the sentence around them are in the reader's language.
"""

from __future__ import annotations

from digest.i18n import Catalog

OVERVIEW_TEXT = Catalog({
    "en": {
        "themes": "Themes this week: {terms}.",
        "read_first": "Read first: {title}.",
        "quote": "“{title}”",
        "term_sep": ", ",
    },
    "ja": {
        "themes": "今週のテーマ：{terms}。",
        "read_first": "まず読むなら：{title}。",
        "quote": "「{title}」",
        "term_sep": "、",
    },
    "zh": {
        "themes": "本周主题：{terms}。",
        "read_first": "建议先读：{title}。",
        "quote": "《{title}》",
        "term_sep": "、",
    },
    "ko": {
        "themes": "이번 주 주제: {terms}.",
        "read_first": "먼저 읽을 논문: {title}.",
        "quote": "‘{title}’",
        "term_sep": ", ",
    },
    "de": {
        "themes": "Themen dieser Woche: {terms}.",
        "read_first": "Zuerst lesen: {title}.",
        "quote": "„{title}“",
        "term_sep": ", ",
    },
    "fr": {
        "themes": "Thèmes de la semaine : {terms}.",
        "read_first": "À lire en premier : {title}.",
        "quote": "« {title} »",
        "term_sep": ", ",
    },
    "es": {
        "themes": "Temas de esta semana: {terms}.",
        "read_first": "Para leer primero: {title}.",
        "quote": "«{title}»",
        "term_sep": ", ",
    },
})
