"""Every sentence of ``/arxiv related`` and the cards' "Related" button, in all seven
languages: ``TEXTS``, a ``digest.i18n.Catalog``. Markup as in ``bot/command_text.py``:
`code` and *stars*, read sensibly by Slack and Discord alike.
"""

from __future__ import annotations

from digest.i18n import Catalog

_EN = {
    "related_needs_paper": "related needs an arXiv id or link, e.g. /arxiv related 2404.14361 or "
    "/arxiv related https://arxiv.org/abs/2404.14361.",
    "related_heading": "Papers like *{title}* ({id}), from those the bot holds:",
    "related_unknown": "The bot holds no paper {id}: related papers are found among the papers its digests "
    "fetched. `/arxiv paper {id}` posts its card (and keeps the paper); then ask again.",
    "related_none": "No paper the bot holds is like *{title}* ({id}) yet.",
    "related_button": "Related",
    "related_not_a_card": "This message is not one of the bot's cards.",
}

TEXTS = Catalog({
    "ja": {
        "related_needs_paper": "related にはarXiv IDかリンクが必要です。例: /arxiv related 2404.14361 、"
        "/arxiv related https://arxiv.org/abs/2404.14361",
        "related_heading": "*{title}* ({id}) に近い論文 (ボットが保持している論文から):",
        "related_unknown": "ボットは論文 {id} を保持していません。関連論文は、ダイジェストのために取得した論文の中から探します。"
        "`/arxiv paper {id}` でカードを投稿すると論文が保存されるので、そのあともう一度試してください。",
        "related_none": "ボットが保持している論文の中に、*{title}* ({id}) に近い論文はまだありません。",
        "related_button": "関連論文",
        "related_not_a_card": "このメッセージはボットのカードではありません。",
    },
    "en": _EN,
    "zh": {
        "related_needs_paper": "related 需要一个 arXiv ID 或链接，例如 /arxiv related 2404.14361 或 "
        "/arxiv related https://arxiv.org/abs/2404.14361。",
        "related_heading": "与 *{title}* ({id}) 相近的论文（来自机器人保存的论文）：",
        "related_unknown": "机器人没有保存论文 {id}：相关论文只在为摘要获取过的论文中查找。"
        "用 `/arxiv paper {id}` 发布它的卡片（论文会被保存），然后再试一次。",
        "related_none": "机器人保存的论文中还没有与 *{title}* ({id}) 相近的论文。",
        "related_button": "相关论文",
        "related_not_a_card": "这条消息不是机器人的卡片。",
    },
    "ko": {
        "related_needs_paper": "related에는 arXiv ID나 링크가 필요합니다. 예: /arxiv related 2404.14361 또는 "
        "/arxiv related https://arxiv.org/abs/2404.14361",
        "related_heading": "*{title}* ({id})와 비슷한 논문 (봇이 보관한 논문 중에서):",
        "related_unknown": "봇은 논문 {id}을(를) 보관하고 있지 않습니다. 관련 논문은 다이제스트를 위해 가져온 논문 중에서 찾습니다. "
        "`/arxiv paper {id}`로 카드를 올리면 논문이 저장되니, 그 후 다시 시도하세요.",
        "related_none": "봇이 보관한 논문 중에 아직 *{title}* ({id})와 비슷한 논문이 없습니다.",
        "related_button": "관련 논문",
        "related_not_a_card": "이 메시지는 봇의 카드가 아닙니다.",
    },
    "de": {
        "related_needs_paper": "related braucht eine arXiv-ID oder einen Link, z. B. /arxiv related 2404.14361 oder "
        "/arxiv related https://arxiv.org/abs/2404.14361.",
        "related_heading": "Arbeiten ähnlich wie *{title}* ({id}), aus denen, die der Bot kennt:",
        "related_unknown": "Der Bot kennt keine Arbeit {id}: ähnliche Arbeiten sucht er unter denen, die seine Digests "
        "abgerufen haben. `/arxiv paper {id}` postet ihre Karte (und speichert sie); dann erneut fragen.",
        "related_none": "Unter den Arbeiten, die der Bot kennt, ist noch keine wie *{title}* ({id}).",
        "related_button": "Ähnliche",
        "related_not_a_card": "Diese Nachricht ist keine Karte des Bots.",
    },
    "fr": {
        "related_needs_paper": "related attend un identifiant ou un lien arXiv, p. ex. /arxiv related 2404.14361 ou "
        "/arxiv related https://arxiv.org/abs/2404.14361.",
        "related_heading": "Articles proches de *{title}* ({id}), parmi ceux que le bot conserve :",
        "related_unknown": "Le bot ne conserve aucun article {id} : les articles proches sont cherchés parmi ceux que ses "
        "digests ont récupérés. `/arxiv paper {id}` publie sa carte (et conserve l'article) ; puis redemandez.",
        "related_none": "Aucun article conservé par le bot n'est encore proche de *{title}* ({id}).",
        "related_button": "Articles proches",
        "related_not_a_card": "Ce message n'est pas une carte du bot.",
    },
    "es": {
        "related_needs_paper": "related necesita un id o un enlace de arXiv, p. ej. /arxiv related 2404.14361 o "
        "/arxiv related https://arxiv.org/abs/2404.14361.",
        "related_heading": "Artículos parecidos a *{title}* ({id}), entre los que guarda el bot:",
        "related_unknown": "El bot no guarda ningún artículo {id}: los artículos parecidos se buscan entre los que "
        "obtuvieron sus resúmenes. `/arxiv paper {id}` publica su tarjeta (y guarda el artículo); luego vuelve a preguntar.",
        "related_none": "Ningún artículo que guarda el bot se parece todavía a *{title}* ({id}).",
        "related_button": "Relacionados",
        "related_not_a_card": "Este mensaje no es una tarjeta del bot.",
    },
})
