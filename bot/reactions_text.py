"""Every sentence about learning from reactions (``/arxiv list``'s count, ``edit learn=``), in all
seven languages: ``TEXTS``, a ``digest.i18n.Catalog``. Markup as in ``bot/command_text.py``.
"""

from __future__ import annotations

from digest.i18n import Catalog

_EN = {
    "learnt": "Learns from reactions: {count} 👍/👎 in this channel so far.",
    "not_learning": "Not learning from reactions (`learn=on` turns it on).",
    "learn_on": "Its ranking now learns from this channel's 👍/👎 on cards.",
    "learn_off": "Its ranking no longer uses this channel's 👍/👎; they are kept for `learn=on`.",
    "bad_learn": "`learn={value}` is not a choice: write learn=on or learn=off, e.g. /arxiv edit 3 learn=off.",
}
_JA = {
    "learnt": "リアクションから学習中: このチャンネルの 👍/👎 {count} 件。",
    "not_learning": "リアクションからの学習はオフです (`learn=on` でオンにできます)。",
    "learn_on": "このチャンネルのカードへの 👍/👎 を、今後の並び順に反映します。",
    "learn_off": "このチャンネルの 👍/👎 を並び順に使わなくなりました (記録は残り、`learn=on` で再開できます)。",
    "bad_learn": "`learn={value}` は指定できません。learn=on か learn=off と書いてください。例: /arxiv edit 3 learn=off",
}
_ZH = {
    "learnt": "正在从反应中学习：本频道目前有 {count} 个 👍/👎。",
    "not_learning": "未从反应中学习（`learn=on` 可开启）。",
    "learn_on": "排序今后会参考本频道对卡片的 👍/👎。",
    "learn_off": "排序不再使用本频道的 👍/👎；记录仍保留，可用 `learn=on` 恢复。",
    "bad_learn": "`learn={value}` 不是有效选项：请写 learn=on 或 learn=off，例如 /arxiv edit 3 learn=off。",
}
_KO = {
    "learnt": "반응에서 학습 중: 이 채널의 👍/👎 {count}개.",
    "not_learning": "반응에서 학습하지 않습니다 (`learn=on`으로 켤 수 있습니다).",
    "learn_on": "이제 이 채널의 카드에 대한 👍/👎가 순위에 반영됩니다.",
    "learn_off": "이제 이 채널의 👍/👎를 순위에 사용하지 않습니다. 기록은 남아 있으며 `learn=on`으로 다시 켤 수 있습니다.",
    "bad_learn": "`learn={value}`는 선택할 수 없습니다. learn=on 또는 learn=off로 쓰세요. 예: /arxiv edit 3 learn=off",
}
_DE = {
    "learnt": "Lernt aus Reaktionen: bisher {count} 👍/👎 in diesem Kanal.",
    "not_learning": "Lernt nicht aus Reaktionen (`learn=on` schaltet es ein).",
    "learn_on": "Die Reihenfolge lernt jetzt aus den 👍/👎 dieses Kanals auf Karten.",
    "learn_off": "Die Reihenfolge nutzt die 👍/👎 dieses Kanals nicht mehr; sie bleiben für `learn=on` erhalten.",
    "bad_learn": "`learn={value}` ist keine Wahl: schreibe learn=on oder learn=off, z. B. /arxiv edit 3 learn=off.",
}
_FR = {
    "learnt": "Apprend des réactions : {count} 👍/👎 dans ce salon jusqu'ici.",
    "not_learning": "N'apprend pas des réactions (`learn=on` l'active).",
    "learn_on": "Son classement apprend désormais des 👍/👎 de ce salon sur les cartes.",
    "learn_off": "Son classement n'utilise plus les 👍/👎 de ce salon ; ils sont conservés pour `learn=on`.",
    "bad_learn": "`learn={value}` n'est pas un choix : écrivez learn=on ou learn=off, p. ex. /arxiv edit 3 learn=off.",
}
_ES = {
    "learnt": "Aprende de las reacciones: {count} 👍/👎 en este canal hasta ahora.",
    "not_learning": "No aprende de las reacciones (`learn=on` lo activa).",
    "learn_on": "Su orden aprende ahora de los 👍/👎 de este canal en las tarjetas.",
    "learn_off": "Su orden ya no usa los 👍/👎 de este canal; se conservan para `learn=on`.",
    "bad_learn": "`learn={value}` no es una opción: escribe learn=on o learn=off, p. ej. /arxiv edit 3 learn=off.",
}

TEXTS = Catalog({"en": _EN, "ja": _JA, "zh": _ZH, "ko": _KO, "de": _DE, "fr": _FR, "es": _ES})
