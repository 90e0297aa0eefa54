"""A chat platform's locale -> a reader language of ``config.settings.LANGUAGES``.

Discord sends ``interaction.locale`` (``"ja"``, ``"en-US"``, ``"zh-CN"``, ``"es-ES"``:
https://discord.com/developers/docs/reference#locales); Slack's ``users.info`` with
``include_locale=true`` gives a user's ``locale`` (``"ja-JP"``, ``"en-US"``). Both are
IETF tags whose first subtag is the language; a language we have no texts for is None,
and the caller falls back to the channel's language.
"""

from __future__ import annotations

from config.settings import LANGUAGES


def language_of(locale: object) -> str | None:
    """``"ja-JP"`` -> ``"ja"``; None, empty or unsupported (``"pt-BR"``) -> None.

    Traditional Chinese (zh-TW, zh-HK) is None too: our Chinese texts are Simplified.
    """
    tag = str(getattr(locale, "value", locale) or "").replace("_", "-").lower()
    if tag in ("zh-tw", "zh-hk", "zh-hant"):
        return None
    language = tag.split("-", 1)[0]
    return language if language in LANGUAGES else None
