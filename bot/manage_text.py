"""Every sentence of managing subscriptions (edit, pause, resume, the list, the limits), in all
seven languages: ``TEXTS``, a ``digest.i18n.Catalog``; and ``Refusal``, the error that
carries one of its keys until the invoker's language is known.

``bot/subscriptions.py`` (the rules) and ``bot/commands.py`` (``edit``'s grammar) raise
``Refusal``; the handlers and the operator's command line render it. Markup as in
``bot/command_text.py``: `code` and *stars*, read sensibly by Slack and Discord alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.command_errors import CommandError, Phrase
from digest.i18n import Catalog

_OPTIONS_EN = "day=, time=, tz=, lang=, max=, topic=, terms=, learn= and budget="

_EN = {
    # edit's grammar
    "edit_needs_id": "edit needs a subscription id and what to change, e.g. /arxiv edit 3 time=17:30 "
    "(/arxiv list shows the ids).",
    "edit_nothing": f"edit needs something to change: one or more of {_OPTIONS_EN}, e.g. /arxiv edit {{id}} time=17:30.",
    "edit_unknown_option": f"`{{key}}=` is not an option of edit.{{hint}} The options are {_OPTIONS_EN}, "
    'e.g. /arxiv edit 3 day=fri topic="LLM agents".',
    "edit_stray": "edit takes a subscription id, then key=value options; `{word}` is neither. "
    'Give a topic of several words as topic="LLM agents".',
    # the rules (bot/subscriptions.py)
    "duplicate": "This channel already subscribes to *{topic}* (subscription {id}); nothing was changed. "
    "Change that one with `/arxiv edit {id}`, or choose another topic.",
    "channel_full": "This channel already holds {count} subscriptions, the most it may ({max}); nothing was "
    "subscribed. Remove one first with `/arxiv unsubscribe <id>` (`/arxiv list` shows them).",
    "now_limited": "`/arxiv now` already ran in this channel in the last {minutes} minutes; it may run again "
    "at {next}.",
    "searching": ' Searching arXiv for: `{terms}`. To change them: `/arxiv edit {id} terms="…"`.',
    # replies
    "paused_now": "Paused subscription {id} (*{topic}*): no digests until `/arxiv resume {id}`.",
    "already_paused": "Subscription {id} (*{topic}*) is already paused ({state}); nothing was changed. "
    "`/arxiv resume {id}` resumes it.",
    "resumed": "Resumed subscription {id} (*{topic}*). Next digest: {next}.",
    "not_paused": "Subscription {id} (*{topic}*) is not paused; nothing was changed. Next digest: {next}.",
    "edited": "Changed subscription {id}: *{topic}*, {max} papers every {schedule}, in {language}. "
    "Next digest: {next}.{searching}",
    # /arxiv list
    "list_line": "{id}. *{topic}*{listed}: {schedule}, {max} papers, {language}. {state}. "
    "Last digest: {last}. Next: {next}.{failing}",
    "active": "Active",
    "paused_by": "Paused by {user}",
    "paused_by_operator": "Paused by the bot's operator",
    "paused_by_bot": "Paused by the bot: {reason}; once that is fixed, `/arxiv resume {id}`",
    "last_digest": "{when}, {cards} card(s)",
    "no_digest": "none yet",
    "no_next": "none while paused",
}

_OPTIONS_JA = "day=、time=、tz=、lang=、max=、topic=、terms=、learn=、budget="
_JA = {
    "edit_needs_id": "edit には購読IDと変更内容が必要です。例: /arxiv edit 3 time=17:30 (IDは /arxiv list で確認できます)",
    "edit_nothing": f"edit には変更内容が必要です。{_OPTIONS_JA} のいずれかを指定してください。例: /arxiv edit {{id}} time=17:30",
    "edit_unknown_option": f"`{{key}}=` は edit のオプションではありません。{{hint}} 使えるオプションは {_OPTIONS_JA} です。"
    '例: /arxiv edit 3 day=fri topic="LLM agents"',
    "edit_stray": "edit には購読IDのあとに key=value 形式のオプションを書きます。`{word}` はどちらでもありません。"
    '複数語のトピックは topic="LLM agents" のように書いてください。',
    "duplicate": "このチャンネルはすでに *{topic}* を購読しています (購読 {id})。何も変更していません。"
    "その購読を `/arxiv edit {id}` で変更するか、別のトピックを選んでください。",
    "channel_full": "このチャンネルの購読はすでに {count} 件で、上限 ({max} 件) に達しています。購読は追加していません。"
    "先に `/arxiv unsubscribe <ID>` で1件解除してください (一覧は `/arxiv list`)。",
    "now_limited": "このチャンネルでは直近 {minutes} 分以内に `/arxiv now` が実行されています。次に実行できるのは {next} です。",
    "searching": ' arXivでの検索語: `{terms}`。変えるには `/arxiv edit {id} terms="…"` としてください。',
    "paused_now": "購読 {id} (*{topic}*) を一時停止しました。`/arxiv resume {id}` で再開するまでダイジェストは届きません。",
    "already_paused": "購読 {id} (*{topic}*) はすでに一時停止中です ({state})。何も変更していません。"
    "`/arxiv resume {id}` で再開できます。",
    "resumed": "購読 {id} (*{topic}*) を再開しました。次回: {next}。",
    "not_paused": "購読 {id} (*{topic}*) は一時停止していません。何も変更していません。次回: {next}。",
    "edited": "購読 {id} を変更しました: *{topic}*、毎週 {schedule} に {max} 本 (言語: {language})。次回: {next}。{searching}",
    "list_line": "{id}. *{topic}*{listed}: {schedule}、{max} 本、{language}。{state}。前回: {last}。次回: {next}。{failing}",
    "active": "配信中",
    "paused_by": "{user} さんが一時停止中",
    "paused_by_operator": "ボットの管理者が一時停止中",
    "paused_by_bot": "ボットが一時停止中: {reason}。解決したら `/arxiv resume {id}` で再開できます",
    "last_digest": "{when}、カード {cards} 枚",
    "no_digest": "まだありません",
    "no_next": "一時停止中のためなし",
}

_OPTIONS_ZH = "day=、time=、tz=、lang=、max=、topic=、terms=、learn=、budget="
_ZH = {
    "edit_needs_id": "edit 需要订阅 ID 和要修改的内容，例如 /arxiv edit 3 time=17:30（/arxiv list 可查看 ID）。",
    "edit_nothing": f"edit 需要修改内容：{_OPTIONS_ZH} 中的一项或多项，例如 /arxiv edit {{id}} time=17:30。",
    "edit_unknown_option": f"`{{key}}=` 不是 edit 的选项。{{hint}} 可用选项为 {_OPTIONS_ZH}，"
    '例如 /arxiv edit 3 day=fri topic="LLM agents"。',
    "edit_stray": "edit 先写订阅 ID，再写 key=value 选项；`{word}` 两者都不是。"
    '多个词的主题请写成 topic="LLM agents"。',
    "duplicate": "本频道已订阅 *{topic}*（订阅 {id}），未做任何更改。请用 `/arxiv edit {id}` 修改该订阅，或选择其他主题。",
    "channel_full": "本频道已有 {count} 个订阅，达到上限（{max} 个），未添加订阅。"
    "请先用 `/arxiv unsubscribe <id>` 取消一个（`/arxiv list` 可查看）。",
    "now_limited": "本频道在最近 {minutes} 分钟内已运行过 `/arxiv now`，下次可运行时间为 {next}。",
    "searching": ' 在 arXiv 上搜索：`{terms}`。如需修改：`/arxiv edit {id} terms="…"`。',
    "paused_now": "已暂停订阅 {id}（*{topic}*）：在 `/arxiv resume {id}` 之前不再发送摘要。",
    "already_paused": "订阅 {id}（*{topic}*）已处于暂停状态（{state}），未做任何更改。可用 `/arxiv resume {id}` 恢复。",
    "resumed": "已恢复订阅 {id}（*{topic}*）。下次摘要：{next}。",
    "not_paused": "订阅 {id}（*{topic}*）未暂停，未做任何更改。下次摘要：{next}。",
    "edited": "已修改订阅 {id}：*{topic}*，每周 {schedule} 发送 {max} 篇，语言：{language}。下次摘要：{next}。{searching}",
    "list_line": "{id}. *{topic}*{listed}：{schedule}，{max} 篇，{language}。{state}。上次摘要：{last}。下次：{next}。{failing}",
    "active": "正常发送",
    "paused_by": "已被 {user} 暂停",
    "paused_by_operator": "已被机器人管理员暂停",
    "paused_by_bot": "已被机器人暂停：{reason}；解决后请运行 `/arxiv resume {id}`",
    "last_digest": "{when}，{cards} 张卡片",
    "no_digest": "暂无",
    "no_next": "暂停期间无",
}

_OPTIONS_KO = "day=, time=, tz=, lang=, max=, topic=, terms=, learn=, budget="
_KO = {
    "edit_needs_id": "edit에는 구독 ID와 변경할 내용이 필요합니다. 예: /arxiv edit 3 time=17:30 (ID는 /arxiv list에서 확인).",
    "edit_nothing": f"edit에는 변경할 내용이 필요합니다: {_OPTIONS_KO} 중 하나 이상. 예: /arxiv edit {{id}} time=17:30",
    "edit_unknown_option": f"`{{key}}=`는 edit의 옵션이 아닙니다.{{hint}} 사용할 수 있는 옵션: {_OPTIONS_KO}. "
    '예: /arxiv edit 3 day=fri topic="LLM agents"',
    "edit_stray": "edit에는 구독 ID 다음에 key=value 옵션을 씁니다. `{word}`는 둘 다 아닙니다. "
    '여러 단어로 된 주제는 topic="LLM agents"처럼 쓰세요.',
    "duplicate": "이 채널은 이미 *{topic}*을(를) 구독하고 있습니다 (구독 {id}). 아무것도 바꾸지 않았습니다. "
    "`/arxiv edit {id}`로 그 구독을 바꾸거나 다른 주제를 고르세요.",
    "channel_full": "이 채널의 구독은 이미 {count}개로 상한({max}개)에 도달했습니다. 구독을 추가하지 않았습니다. "
    "먼저 `/arxiv unsubscribe <id>`로 하나를 해지하세요 (`/arxiv list`에서 확인).",
    "now_limited": "이 채널에서 최근 {minutes}분 안에 `/arxiv now`가 이미 실행되었습니다. 다음 실행 가능 시각: {next}.",
    "searching": ' arXiv 검색어: `{terms}`. 바꾸려면: `/arxiv edit {id} terms="…"`.',
    "paused_now": "구독 {id}(*{topic}*)을(를) 일시 중지했습니다. `/arxiv resume {id}` 전까지 다이제스트가 오지 않습니다.",
    "already_paused": "구독 {id}(*{topic}*)은(는) 이미 일시 중지 상태입니다 ({state}). 아무것도 바꾸지 않았습니다. "
    "`/arxiv resume {id}`로 재개할 수 있습니다.",
    "resumed": "구독 {id}(*{topic}*)을(를) 재개했습니다. 다음 다이제스트: {next}.",
    "not_paused": "구독 {id}(*{topic}*)은(는) 일시 중지 상태가 아닙니다. 아무것도 바꾸지 않았습니다. 다음 다이제스트: {next}.",
    "edited": "구독 {id}을(를) 변경했습니다: *{topic}*, 매주 {schedule}에 {max}편, 언어: {language}. 다음 다이제스트: {next}.{searching}",
    "list_line": "{id}. *{topic}*{listed}: {schedule}, {max}편, {language}. {state}. 지난 다이제스트: {last}. 다음: {next}.{failing}",
    "active": "활성",
    "paused_by": "{user} 님이 일시 중지함",
    "paused_by_operator": "봇 운영자가 일시 중지함",
    "paused_by_bot": "봇이 일시 중지함: {reason}. 해결되면 `/arxiv resume {id}`",
    "last_digest": "{when}, 카드 {cards}장",
    "no_digest": "아직 없음",
    "no_next": "일시 중지 중이라 없음",
}

_OPTIONS_DE = "day=, time=, tz=, lang=, max=, topic=, terms=, learn= und budget="
_DE = {
    "edit_needs_id": "edit braucht eine Abo-ID und was sich ändern soll, z. B. /arxiv edit 3 time=17:30 "
    "(/arxiv list zeigt die IDs).",
    "edit_nothing": f"edit braucht etwas zu ändern: eine oder mehrere von {_OPTIONS_DE}, z. B. /arxiv edit {{id}} time=17:30.",
    "edit_unknown_option": f"`{{key}}=` ist keine Option von edit.{{hint}} Die Optionen sind {_OPTIONS_DE}, "
    'z. B. /arxiv edit 3 day=fri topic="LLM agents".',
    "edit_stray": "edit nimmt eine Abo-ID und danach Optionen als key=value; `{word}` ist keins von beiden. "
    'Ein Thema aus mehreren Wörtern schreibt man topic="LLM agents".',
    "duplicate": "Dieser Kanal hat *{topic}* schon abonniert (Abo {id}); nichts wurde geändert. "
    "Ändere jenes mit `/arxiv edit {id}` oder wähle ein anderes Thema.",
    "channel_full": "Dieser Kanal hat schon {count} Abos, so viele wie erlaubt ({max}); nichts wurde abonniert. "
    "Entferne zuerst eines mit `/arxiv unsubscribe <id>` (`/arxiv list` zeigt sie).",
    "now_limited": "`/arxiv now` lief in diesem Kanal schon in den letzten {minutes} Minuten; wieder möglich ab {next}.",
    "searching": ' Gesucht wird auf arXiv nach: `{terms}`. Ändern mit: `/arxiv edit {id} terms="…"`.',
    "paused_now": "Abo {id} (*{topic}*) pausiert: keine Digests bis `/arxiv resume {id}`.",
    "already_paused": "Abo {id} (*{topic}*) ist schon pausiert ({state}); nichts wurde geändert. "
    "`/arxiv resume {id}` setzt es fort.",
    "resumed": "Abo {id} (*{topic}*) wird fortgesetzt. Nächster Digest: {next}.",
    "not_paused": "Abo {id} (*{topic}*) ist nicht pausiert; nichts wurde geändert. Nächster Digest: {next}.",
    "edited": "Abo {id} geändert: *{topic}*, {max} Paper jeden {schedule}, auf {language}. Nächster Digest: {next}.{searching}",
    "list_line": "{id}. *{topic}*{listed}: {schedule}, {max} Paper, {language}. {state}. "
    "Letzter Digest: {last}. Nächster: {next}.{failing}",
    "active": "Aktiv",
    "paused_by": "Pausiert von {user}",
    "paused_by_operator": "Pausiert vom Betreiber des Bots",
    "paused_by_bot": "Vom Bot pausiert: {reason}; sobald das behoben ist: `/arxiv resume {id}`",
    "last_digest": "{when}, {cards} Karte(n)",
    "no_digest": "noch keiner",
    "no_next": "keiner, solange pausiert",
}

_OPTIONS_FR = "day=, time=, tz=, lang=, max=, topic=, terms=, learn= et budget="
_FR = {
    "edit_needs_id": "edit attend un identifiant d'abonnement et ce qu'il faut changer, p. ex. /arxiv edit 3 "
    "time=17:30 (/arxiv list affiche les identifiants).",
    "edit_nothing": f"edit attend quelque chose à changer : une ou plusieurs options parmi {_OPTIONS_FR}, "
    "p. ex. /arxiv edit {id} time=17:30.",
    "edit_unknown_option": f"`{{key}}=` n'est pas une option de edit.{{hint}} Les options sont {_OPTIONS_FR}, "
    'p. ex. /arxiv edit 3 day=fri topic="LLM agents".',
    "edit_stray": "edit attend un identifiant d'abonnement, puis des options clé=valeur ; `{word}` n'est ni l'un "
    'ni l\'autre. Un sujet de plusieurs mots s\'écrit topic="LLM agents".',
    "duplicate": "Ce canal est déjà abonné à *{topic}* (abonnement {id}) ; rien n'a été modifié. "
    "Modifiez celui-ci avec `/arxiv edit {id}`, ou choisissez un autre sujet.",
    "channel_full": "Ce canal compte déjà {count} abonnements, le maximum permis ({max}) ; aucun abonnement "
    "n'a été ajouté. Retirez-en d'abord un avec `/arxiv unsubscribe <id>` (`/arxiv list` les affiche).",
    "now_limited": "`/arxiv now` a déjà été lancé dans ce canal ces {minutes} dernières minutes ; "
    "il pourra l'être à nouveau à {next}.",
    "searching": ' Recherche sur arXiv : `{terms}`. Pour les changer : `/arxiv edit {id} terms="…"`.',
    "paused_now": "Abonnement {id} (*{topic}*) mis en pause : plus de digest jusqu'à `/arxiv resume {id}`.",
    "already_paused": "L'abonnement {id} (*{topic}*) est déjà en pause ({state}) ; rien n'a été modifié. "
    "`/arxiv resume {id}` le reprend.",
    "resumed": "Abonnement {id} (*{topic}*) repris. Prochain digest : {next}.",
    "not_paused": "L'abonnement {id} (*{topic}*) n'est pas en pause ; rien n'a été modifié. Prochain digest : {next}.",
    "edited": "Abonnement {id} modifié : *{topic}*, {max} articles chaque {schedule}, en {language}. "
    "Prochain digest : {next}.{searching}",
    "list_line": "{id}. *{topic}*{listed} : {schedule}, {max} articles, {language}. {state}. "
    "Dernier digest : {last}. Prochain : {next}.{failing}",
    "active": "Actif",
    "paused_by": "Mis en pause par {user}",
    "paused_by_operator": "Mis en pause par l'exploitant du bot",
    "paused_by_bot": "Mis en pause par le bot : {reason} ; une fois corrigé, `/arxiv resume {id}`",
    "last_digest": "{when}, {cards} carte(s)",
    "no_digest": "aucun pour l'instant",
    "no_next": "aucun pendant la pause",
}

_OPTIONS_ES = "day=, time=, tz=, lang=, max=, topic=, terms=, learn= y budget="
_ES = {
    "edit_needs_id": "edit necesita un id de suscripción y qué cambiar, p. ej. /arxiv edit 3 time=17:30 "
    "(/arxiv list muestra los ids).",
    "edit_nothing": f"edit necesita algo que cambiar: una o más de {_OPTIONS_ES}, p. ej. /arxiv edit {{id}} time=17:30.",
    "edit_unknown_option": f"`{{key}}=` no es una opción de edit.{{hint}} Las opciones son {_OPTIONS_ES}, "
    'p. ej. /arxiv edit 3 day=fri topic="LLM agents".',
    "edit_stray": "edit lleva un id de suscripción y luego opciones clave=valor; `{word}` no es ninguna de las dos. "
    'Un tema de varias palabras se escribe topic="LLM agents".',
    "duplicate": "Este canal ya está suscrito a *{topic}* (suscripción {id}); no se cambió nada. "
    "Cambia esa con `/arxiv edit {id}` o elige otro tema.",
    "channel_full": "Este canal ya tiene {count} suscripciones, el máximo permitido ({max}); no se añadió ninguna. "
    "Quita una primero con `/arxiv unsubscribe <id>` (`/arxiv list` las muestra).",
    "now_limited": "`/arxiv now` ya se ejecutó en este canal en los últimos {minutes} minutos; "
    "podrá ejecutarse de nuevo a las {next}.",
    "searching": ' Buscando en arXiv: `{terms}`. Para cambiarlos: `/arxiv edit {id} terms="…"`.',
    "paused_now": "Suscripción {id} (*{topic}*) en pausa: no habrá resúmenes hasta `/arxiv resume {id}`.",
    "already_paused": "La suscripción {id} (*{topic}*) ya está en pausa ({state}); no se cambió nada. "
    "`/arxiv resume {id}` la reanuda.",
    "resumed": "Suscripción {id} (*{topic}*) reanudada. Próximo resumen: {next}.",
    "not_paused": "La suscripción {id} (*{topic}*) no está en pausa; no se cambió nada. Próximo resumen: {next}.",
    "edited": "Suscripción {id} cambiada: *{topic}*, {max} artículos cada {schedule}, en {language}. "
    "Próximo resumen: {next}.{searching}",
    "list_line": "{id}. *{topic}*{listed}: {schedule}, {max} artículos, {language}. {state}. "
    "Último resumen: {last}. Próximo: {next}.{failing}",
    "active": "Activa",
    "paused_by": "En pausa por {user}",
    "paused_by_operator": "En pausa por el operador del bot",
    "paused_by_bot": "En pausa por el bot: {reason}; una vez resuelto, `/arxiv resume {id}`",
    "last_digest": "{when}, {cards} tarjeta(s)",
    "no_digest": "ninguno todavía",
    "no_next": "ninguno mientras está en pausa",
}

TEXTS = Catalog({"en": _EN, "ja": _JA, "zh": _ZH, "ko": _KO, "de": _DE, "fr": _FR, "es": _ES})


@dataclass(frozen=True)
class _Phrase(Phrase):
    catalog: Catalog = TEXTS

    def text(self, language: str | None) -> str:
        filled = {name: value.text(language) if isinstance(value, Phrase) else value for name, value in self.values.items()}
        return self.catalog.text(language, self.key, **filled)


class Refusal(CommandError):
    """A usage error or a change the rules refuse; nothing was changed. Its text is a key of
    ``TEXTS`` (or of ``catalog``, e.g. ``bot.command_text.REPLIES``) rendered in the
    invoker's language by ``text(language)``; ``str(refusal)`` is English."""

    def __init__(self, key: str, /, *, catalog: Catalog = TEXTS, **values: object) -> None:
        self.phrase = _Phrase(key, values, catalog)
        ValueError.__init__(self, self.phrase.text("en"))
