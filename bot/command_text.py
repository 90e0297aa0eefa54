"""Every user-facing sentence of the ``/arxiv`` commands: ``digest.i18n.Catalog`` tables.

``MESSAGES`` are the errors of ``bot.commands.parse`` (``str.format`` templates), each
saying what was wrong and how to write it, and the ``help`` text (English and Japanese;
``{languages}``, ``{low}`` and ``{high}`` are filled in by ``help_text``); ``REPLIES``
are the handlers' answers. Slack and Discord both render these, so they use only markup
both read sensibly: `code` and *stars* (bold in Slack, italic in Discord). What only one
platform shows lives in ``bot/slack/texts.py`` and ``bot/discord/texts.py``.
"""

from __future__ import annotations

from digest.i18n import Catalog

_EXAMPLE = "/arxiv subscribe synthetic data day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10"
_PAPER_FORMS = "2404.14361, 2404.14361v2, arXiv:2404.14361, math/0211159 or https://arxiv.org/abs/2404.14361"
_MESSAGES = {
    "unknown": "`{word}` is not an /arxiv subcommand.{hint} Write one of: {all} (/arxiv help explains them).",
    "did_you_mean": " Did you mean `{word}`?",
    "no_topic": f"subscribe needs a topic, e.g. {_EXAMPLE}",
    "bad_topic": "That topic cannot be searched on arXiv: {reason}",
    "unknown_option": "`{key}=` is not an option of subscribe.{hint} The options are day=, time=, tz=, lang=, "
    'max= and terms=, e.g. day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10 terms="synthetic data".',
    "no_terms": 'terms= needs English search terms, e.g. /arxiv subscribe 合成データ terms="synthetic data".',
    "bad_terms": "Those terms cannot be searched on arXiv: {reason}",
    "twice": "`{key}=` is given twice; keep one.",
    "bad_day": "`day={value}` is not a day of the week; write day=mon, tue, wed, thu, fri, sat or sun.",
    "bad_time": "`time={value}` is not a time; write time=HH:MM in 24-hour form, e.g. time=09:00 or time=18:30.",
    "bad_tz": "`tz={value}` is not a time zone I know.{hint} Write an IANA name such as tz=Asia/Tokyo, "
    "tz=Europe/Berlin or tz=UTC.",
    "tz_hint": " Did you mean tz={zone}?",
    "bad_lang": "`lang={value}` is not a supported language; write one of: {languages}.",
    "bad_max": "`max={value}` is not a whole number; write a number from {low} to {high}, e.g. max=10.",
    "max_range": "`max={value}` is out of range; write a number from {low} to {high}, e.g. max=10.",
    "no_id": "{sub} needs a subscription id, e.g. /arxiv {sub} 3 (/arxiv list shows the ids).",
    "bad_id": "`{value}` is not a subscription id; ids are numbers, e.g. /arxiv {sub} 3 (/arxiv list shows them).",
    "extra": "{sub} takes {takes}; remove `{extra}`.",
    "takes_nothing": "nothing after it",
    "takes_one_id": "one subscription id",
    "takes_one_paper": "one arXiv id or link",
    "no_paper": "paper needs an arXiv id or link, e.g. /arxiv paper 2404.14361 or "
    "/arxiv paper https://arxiv.org/abs/2404.14361.",
    "bad_paper": f"`{{value}}` is not an arXiv id or link; write one like {_PAPER_FORMS}.",
}

_HELP = {
    "en": """*arXiv digest*: a weekly digest of new arXiv papers on a topic, one card per paper.

`/arxiv subscribe <topic> [day=mon] [time=09:00] [tz=Asia/Tokyo] [lang=ja] [max=10]`
  Subscribe this channel. The topic is free text (synthetic data), a "quoted phrase" or arXiv fields \
(cat:cs.CL AND abs:"diffusion model"). Options may come in any order; left out, they take the defaults.
  day: mon, tue, wed, thu, fri, sat or sun · time: HH:MM, 24-hour · tz: an IANA time zone \
· lang: {languages} · max: papers per digest, {low} to {high}
  A topic in another language is searched with English terms the LLM chooses once; give your own \
with terms=, e.g. `/arxiv subscribe 合成データ terms="synthetic data"`.
  e.g. `/arxiv subscribe LLM agents day=fri time=17:30 tz=Europe/Berlin lang=en max=5`
`/arxiv list`
  This channel's subscriptions, with their ids.
`/arxiv unsubscribe <id>`
  Remove a subscription, e.g. `/arxiv unsubscribe 3`.
`/arxiv edit <id> [day=…] [time=…] [tz=…] [lang=…] [max=…] [topic=…] [terms=…]`
  Change a subscription, e.g. `/arxiv edit 3 day=fri time=17:30` or `/arxiv edit 3 topic="LLM agents"`.
`/arxiv pause <id>`, `/arxiv resume <id>`
  Stop a subscription's digests for a while, and start them again (also after the bot paused it).
  Only the subscriber and admins may edit, pause, resume or unsubscribe.
`/arxiv now [<id>]`
  Post this week's digest right away: of one subscription, or of every one in this channel.
`/arxiv paper <arXiv id or link>`
  Post one paper's card, e.g. `/arxiv paper 2404.14361` or `/arxiv paper https://arxiv.org/abs/2404.14361v2`.
`/arxiv help`
  This message.
Ask about a paper by mentioning me in its card's thread.""",
    "ja": """*arXivダイジェスト*: トピックに関する新着arXiv論文を毎週、論文ごとのカードでお届けします。

`/arxiv subscribe <トピック> [day=mon] [time=09:00] [tz=Asia/Tokyo] [lang=ja] [max=10]`
  このチャンネルで購読します。トピックは自由文 (synthetic data)、"引用符付きフレーズ"、arXivのフィールド \
(cat:cs.CL AND abs:"diffusion model") で書けます。オプションは順不同で、省略すると既定値になります。
  day: mon, tue, wed, thu, fri, sat, sun · time: 24時間制のHH:MM · tz: IANAタイムゾーン \
· lang: {languages} · max: 1回の論文数 ({low}〜{high})
  英語以外のトピックは、LLMが一度だけ選ぶ英語の検索語でarXivを検索します。terms= で自分で指定もできます \
(例: `/arxiv subscribe 合成データ terms="synthetic data"`)。
  例: `/arxiv subscribe LLM agents day=fri time=17:30 tz=Asia/Tokyo lang=ja max=5`
`/arxiv list`
  このチャンネルの購読一覧 (ID付き)。
`/arxiv unsubscribe <ID>`
  購読を解除します。例: `/arxiv unsubscribe 3`
`/arxiv edit <ID> [day=…] [time=…] [tz=…] [lang=…] [max=…] [topic=…] [terms=…]`
  購読を変更します。例: `/arxiv edit 3 day=fri time=17:30`、`/arxiv edit 3 topic="LLM agents"`
`/arxiv pause <ID>`、`/arxiv resume <ID>`
  購読を一時停止・再開します (ボットが一時停止した購読も再開できます)。
  変更・一時停止・再開・解除ができるのは、購読した人と管理者だけです。
`/arxiv now [<ID>]`
  今週のダイジェストをすぐに投稿します (ID省略時はこのチャンネルの全購読)。
`/arxiv paper <arXiv IDまたはURL>`
  論文1本のカードを投稿します。例: `/arxiv paper 2404.14361`
`/arxiv help`
  このメッセージ。
論文について質問するには、カードのスレッドで私にメンションしてください。""",
}

MESSAGES = Catalog({
    "en": {**_MESSAGES, "help": _HELP["en"]},
    "ja": {"help": _HELP["ja"]},
})

# Replies of the handlers (bot/handlers.py): English; Japanese for subscribing (the
# subscription's language), English filling the rest.
_REPLIES_EN = {
    "subscribed": "Subscribed this channel to *{topic}* (subscription {id}): {max} papers every {schedule}, "
    "in {language}. Next digest: {next}.{searching}",
    # A topic searched by English terms (a topic in another language, or terms= given).
    "searching": " Searching arXiv for: `{terms}`. To change them: `/arxiv unsubscribe {id}`, then "
    '`/arxiv subscribe {topic} terms="…"`.',
    "listed_terms": " (searching: `{terms}`)",
    "not_english": "*{topic}* is not in English, and arXiv is: it would find nothing. No LLM is configured to "
    'choose English search terms, so write the topic in English, or give them: `/arxiv subscribe {topic} '
    'terms="synthetic data"`.',
    "terms_failed": "Could not choose English search terms for *{topic}* ({problem}); nothing was subscribed. "
    'Write the topic in English, or give the terms: `/arxiv subscribe {topic} terms="synthetic data"`.',
    "unsubscribed": "Unsubscribed {id} (*{topic}*). No more digests of it in this channel.",
    "not_here": "Subscription {id} is not one of this channel's; `/arxiv list` shows this channel's ids.",
    "no_subscriptions": "This channel has no subscriptions yet. Subscribe with `/arxiv subscribe <topic>`.",
    "list_line": "{id}. *{topic}*{listed}: {schedule}, {max} papers, {language}{paused}. Next: {next}.{failing}",
    "paused": " (paused: {reason})",
    # A scheduled digest that could not be built (arXiv down), times in the subscription's zone.
    "failing": " The digest of {due} is failing since {since}: {error}; attempt {attempts}, next try at {next_try}.",
    "gave_up": " The digest of {due} gave up after {attempts} tries ({error}); the next digest covers these papers.",
    "not_allowed": "Only workspace admins and the users allowed in the bot's settings may {action} here.",
    # {owner}: the subscriber's platform user id (the adapter renders it as a mention).
    "not_yours": "Subscription {id} is {owner}'s: only they and the workspace's admins may change it. Nothing was "
    "changed.",
    "working": "Building the digest of *{topic}* ({start} ~ {end})…",
    "now_done": "Posted the digest of *{topic}*: {cards} new paper(s) of {candidates}.",
    "now_empty": (
        "No new papers on *{topic}* from {start} to {end} ({candidates} found, {skipped} already posted "
        "in this channel): nothing was posted."
    ),
    "now_failed": "The digest of *{topic}* stopped: {error}. It will be retried; nothing is posted twice.",
    "now_error": "The digest of *{topic}* could not be built: {error}",
    "fetching_paper": "Fetching arXiv {id}…",
    "no_such_paper": "arXiv has no paper {id}; check the id (e.g. 2404.14361).",
    # /arxiv paper of a paper the channel holds already (a channel gets each paper once).
    "paper_held": "arXiv {id} is already in this channel: posted {when}{source}. Ask about it in that card's thread.",
    "paper_coming": "arXiv {id} is already on its way to this channel{source} (since {when}); it is posted once.",
    "paper_source_digest": " in the digest of *{topic}*",
    "paper_source_paper": " by /arxiv paper",
    "paper_failed": "The card of arXiv {id} could not be posted: {error}. Run the same command again to retry; "
    "it is never posted twice.",
}
_REPLIES_JA = {
    "subscribed": "このチャンネルで *{topic}* を購読しました (購読 {id}): 毎週 {schedule} に {max} 本 (言語: {language})。"
    "次回: {next}。{searching}",
    "searching": " arXivでの検索語: `{terms}`。変えるには `/arxiv unsubscribe {id}` のあと "
    '`/arxiv subscribe {topic} terms="…"` としてください。',
    "not_english": "*{topic}* は英語ではありません。arXivは英語なので、このままでは何も見つかりません。"
    "英語の検索語を選ぶLLMが設定されていないため、トピックを英語で書くか、検索語を指定してください: "
    '`/arxiv subscribe {topic} terms="synthetic data"`',
    "terms_failed": "*{topic}* の英語の検索語を選べませんでした ({problem})。購読はしていません。"
    'トピックを英語で書くか、検索語を指定してください: `/arxiv subscribe {topic} terms="synthetic data"`',
}
REPLIES = Catalog({"en": _REPLIES_EN, "ja": _REPLIES_JA})
