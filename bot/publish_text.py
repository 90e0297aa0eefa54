"""Every sentence of ``/arxiv publish`` (the site's thread Q&A switch), in all seven languages:
``TEXTS``, a ``digest.i18n.Catalog``. Markup as in ``bot/command_text.py``: `code` and *stars*."""

from __future__ import annotations

from digest.i18n import Catalog

_EN = {
    "usage": "publish takes `on` or `off`, e.g. `/arxiv publish on`; `{word}` is neither. "
    "`/arxiv publish` alone shows whether this channel publishes.",
    "is_on": "This channel publishes: the questions asked in its card threads and the bot's answers are shown "
    "on the site's paper pages, never who asked (since {since}). `/arxiv publish off` takes them off.",
    "is_off": "This channel does not publish its card threads' questions and answers on the site. An admin can "
    "switch it on with `/arxiv publish on`: they are then shown under each paper, never who asked.",
    "now_on": "This channel now publishes: from the site's next build, the questions asked in its card threads "
    "from now on and the bot's answers are shown on the paper pages, with their section citations, "
    "never who asked. `/arxiv publish off` takes them off.",
    "now_off": "This channel no longer publishes: its questions and answers leave the site at its next build. "
    "`/arxiv publish on` shows them again.",
    "already_on": "This channel already publishes its questions and answers; nothing was changed.",
    "already_off": "This channel does not publish its questions and answers; nothing was changed.",
    "admins_only": "Only admins (Slack: the workspace's admins; Discord: members who may manage the channel) "
    "may switch publishing; nothing was changed. `/arxiv publish` shows the current state.",
}

_JA = {
    "usage": "publish には `on` か `off` を指定してください (例: `/arxiv publish on`)。`{word}` はどちらでもありません。"
    "`/arxiv publish` だけで、このチャンネルが公開しているかを表示します。",
    "is_on": "このチャンネルは公開中です。カードのスレッドでの質問とボットの回答が、質問者を伏せてサイトの論文ページに"
    "掲載されます ({since} から)。`/arxiv publish off` で取り下げられます。",
    "is_off": "このチャンネルはカードのスレッドでの質問と回答をサイトに公開していません。管理者が `/arxiv publish on` で"
    "オンにすると、質問者を伏せて各論文のページに掲載されます。",
    "now_on": "このチャンネルの公開をオンにしました。サイトの次回ビルドから、カードのスレッドでこれから寄せられる質問と"
    "ボットの回答が、参照したセクションとともに論文ページに掲載されます。質問者は表示されません。"
    "`/arxiv publish off` で取り下げられます。",
    "now_off": "このチャンネルの公開をオフにしました。質問と回答はサイトの次回ビルドで取り下げられます。"
    "`/arxiv publish on` で再び掲載できます。",
    "already_on": "このチャンネルはすでに質問と回答を公開しています。変更はありません。",
    "already_off": "このチャンネルは質問と回答を公開していません。変更はありません。",
    "admins_only": "公開の切り替えは管理者 (Slack: ワークスペースの管理者、Discord: チャンネルの管理権限を持つメンバー) "
    "だけができます。変更はありません。現在の状態は `/arxiv publish` で確認できます。",
}

_ZH = {
    "usage": "publish 需要 `on` 或 `off`，例如 `/arxiv publish on`；`{word}` 两者都不是。"
    "只输入 `/arxiv publish` 可查看本频道是否公开。",
    "is_on": "本频道已公开：卡片话题中的提问和机器人的回答会显示在网站的论文页面上，不显示提问者（自 {since} 起）。"
    "`/arxiv publish off` 可撤下。",
    "is_off": "本频道未在网站上公开卡片话题中的问答。管理员可用 `/arxiv publish on` 开启：问答将显示在各论文页面下，"
    "不显示提问者。",
    "now_on": "本频道已开启公开：从网站下次构建起，卡片话题中今后的提问和机器人的回答将连同引用的章节显示在"
    "论文页面上，不显示提问者。`/arxiv publish off` 可撤下。",
    "now_off": "本频道已关闭公开：其问答将在网站下次构建时撤下。`/arxiv publish on` 可重新显示。",
    "already_on": "本频道已在公开问答；未做任何更改。",
    "already_off": "本频道未公开问答；未做任何更改。",
    "admins_only": "只有管理员（Slack：工作区管理员；Discord：可管理频道的成员）可以切换公开；未做任何更改。"
    "`/arxiv publish` 可查看当前状态。",
}

_KO = {
    "usage": "publish에는 `on` 또는 `off`를 지정하세요 (예: `/arxiv publish on`). `{word}`는 둘 다 아닙니다. "
    "`/arxiv publish`만 입력하면 이 채널의 공개 여부를 보여 줍니다.",
    "is_on": "이 채널은 공개 중입니다: 카드 스레드의 질문과 봇의 답변이 질문자를 밝히지 않고 사이트의 논문 페이지에 "
    "게시됩니다 ({since}부터). `/arxiv publish off`로 내릴 수 있습니다.",
    "is_off": "이 채널은 카드 스레드의 질문과 답변을 사이트에 공개하지 않습니다. 관리자가 `/arxiv publish on`으로 켜면 "
    "질문자를 밝히지 않고 각 논문 페이지에 게시됩니다.",
    "now_on": "이 채널의 공개를 켰습니다: 사이트의 다음 빌드부터 앞으로 카드 스레드에 올라오는 질문과 봇의 답변이 "
    "인용한 섹션과 함께 논문 페이지에 게시되며, 질문자는 표시되지 않습니다. `/arxiv publish off`로 내릴 수 있습니다.",
    "now_off": "이 채널의 공개를 껐습니다: 질문과 답변은 사이트의 다음 빌드에서 내려갑니다. "
    "`/arxiv publish on`으로 다시 게시할 수 있습니다.",
    "already_on": "이 채널은 이미 질문과 답변을 공개하고 있습니다. 변경된 것은 없습니다.",
    "already_off": "이 채널은 질문과 답변을 공개하지 않습니다. 변경된 것은 없습니다.",
    "admins_only": "공개 전환은 관리자(Slack: 워크스페이스 관리자, Discord: 채널 관리 권한이 있는 멤버)만 할 수 있습니다. "
    "변경된 것은 없습니다. 현재 상태는 `/arxiv publish`로 확인하세요.",
}

_DE = {
    "usage": "publish nimmt `on` oder `off`, z. B. `/arxiv publish on`; `{word}` ist keins von beiden. "
    "`/arxiv publish` allein zeigt, ob dieser Kanal veröffentlicht.",
    "is_on": "Dieser Kanal veröffentlicht: Die Fragen in den Threads seiner Karten und die Antworten des Bots stehen "
    "auf den Artikelseiten der Website, nie wer gefragt hat (seit {since}). `/arxiv publish off` nimmt sie herunter.",
    "is_off": "Dieser Kanal veröffentlicht die Fragen und Antworten seiner Karten-Threads nicht auf der Website. "
    "Ein Admin kann es mit `/arxiv publish on` einschalten: Sie stehen dann unter jedem Artikel, nie wer gefragt hat.",
    "now_on": "Dieser Kanal veröffentlicht jetzt: Ab dem nächsten Build der Website stehen die Fragen in seinen "
    "Karten-Threads von jetzt an und die Antworten des Bots mit ihren Abschnittsangaben auf den Artikelseiten, "
    "nie wer gefragt hat. `/arxiv publish off` nimmt sie herunter.",
    "now_off": "Dieser Kanal veröffentlicht nicht mehr: Seine Fragen und Antworten verschwinden beim nächsten Build "
    "von der Website. `/arxiv publish on` zeigt sie wieder.",
    "already_on": "Dieser Kanal veröffentlicht seine Fragen und Antworten bereits; nichts wurde geändert.",
    "already_off": "Dieser Kanal veröffentlicht seine Fragen und Antworten nicht; nichts wurde geändert.",
    "admins_only": "Nur Admins (Slack: die Admins des Workspace; Discord: Mitglieder, die den Kanal verwalten dürfen) "
    "dürfen das Veröffentlichen umschalten; nichts wurde geändert. `/arxiv publish` zeigt den aktuellen Stand.",
}

_FR = {
    "usage": "publish prend `on` ou `off`, p. ex. `/arxiv publish on` ; `{word}` n'est ni l'un ni l'autre. "
    "`/arxiv publish` seul indique si ce canal publie.",
    "is_on": "Ce canal publie : les questions posées dans les fils de ses cartes et les réponses du bot figurent sur "
    "les pages des articles du site, jamais qui a demandé (depuis {since}). `/arxiv publish off` les retire.",
    "is_off": "Ce canal ne publie pas les questions et réponses des fils de ses cartes sur le site. Un admin peut "
    "l'activer avec `/arxiv publish on` : elles figurent alors sous chaque article, jamais qui a demandé.",
    "now_on": "Ce canal publie désormais : dès la prochaine construction du site, les questions posées dans les fils "
    "de ses cartes à partir de maintenant et les réponses du bot figurent sur les pages des articles, avec les "
    "sections citées, jamais qui a demandé. `/arxiv publish off` les retire.",
    "now_off": "Ce canal ne publie plus : ses questions et réponses quittent le site à sa prochaine construction. "
    "`/arxiv publish on` les affiche de nouveau.",
    "already_on": "Ce canal publie déjà ses questions et réponses ; rien n'a été modifié.",
    "already_off": "Ce canal ne publie pas ses questions et réponses ; rien n'a été modifié.",
    "admins_only": "Seuls les admins (Slack : ceux de l'espace de travail ; Discord : les membres qui peuvent gérer "
    "le canal) peuvent changer la publication ; rien n'a été modifié. `/arxiv publish` montre l'état actuel.",
}

_ES = {
    "usage": "publish admite `on` u `off`, p. ej. `/arxiv publish on`; `{word}` no es ninguno. "
    "`/arxiv publish` solo muestra si este canal publica.",
    "is_on": "Este canal publica: las preguntas hechas en los hilos de sus tarjetas y las respuestas del bot se "
    "muestran en las páginas de los artículos del sitio, nunca quién preguntó (desde {since}). "
    "`/arxiv publish off` las retira.",
    "is_off": "Este canal no publica en el sitio las preguntas y respuestas de los hilos de sus tarjetas. Un admin "
    "puede activarlo con `/arxiv publish on`: se muestran entonces bajo cada artículo, nunca quién preguntó.",
    "now_on": "Este canal ahora publica: desde la próxima compilación del sitio, las preguntas hechas en los hilos de "
    "sus tarjetas a partir de ahora y las respuestas del bot se muestran en las páginas de los artículos, con "
    "sus secciones citadas, nunca quién preguntó. `/arxiv publish off` las retira.",
    "now_off": "Este canal ya no publica: sus preguntas y respuestas salen del sitio en su próxima compilación. "
    "`/arxiv publish on` las muestra de nuevo.",
    "already_on": "Este canal ya publica sus preguntas y respuestas; no se cambió nada.",
    "already_off": "Este canal no publica sus preguntas y respuestas; no se cambió nada.",
    "admins_only": "Solo los admins (Slack: los del espacio de trabajo; Discord: los miembros que pueden gestionar el "
    "canal) pueden cambiar la publicación; no se cambió nada. `/arxiv publish` muestra el estado actual.",
}

TEXTS = Catalog({"en": _EN, "ja": _JA, "zh": _ZH, "ko": _KO, "de": _DE, "fr": _FR, "es": _ES})
