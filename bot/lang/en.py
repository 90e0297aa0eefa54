"""English: the texts the code was written with (``bot/lang/__init__.py`` explains the tables)."""

from __future__ import annotations

from bot.lang import EXAMPLE, IDS, LINK

MESSAGES = {
    "unknown": "`{word}` is not an /arxiv subcommand.{hint} Write one of: {all} (/arxiv help explains them).",
    "did_you_mean": " Did you mean `{word}`?",
    "no_topic": f"subscribe needs a topic, e.g. {EXAMPLE}",
    "empty_topic": 'topic= needs a topic, e.g. topic="LLM agents".',
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
    "no_paper": f"paper needs an arXiv id or link, e.g. /arxiv paper 2404.14361 or /arxiv paper {LINK}.",
    "bad_paper": f"`{{value}}` is not an arXiv id or link; write one like {IDS} or {LINK}.",
    "help": """*arXiv digest*: a weekly digest of new arXiv papers on a topic, one card per paper.

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
`/arxiv edit <id> [day=…] [time=…] [tz=…] [lang=…] [max=…] [topic=…] [terms=…] [learn=on|off] [budget=…]`
  Change a subscription, e.g. `/arxiv edit 3 day=fri time=17:30` or `/arxiv edit 3 topic="LLM agents"`.
`/arxiv pause <id>`, `/arxiv resume <id>`
  Stop a subscription's digests for a while, and start them again (also after the bot paused it).
  Only the subscriber and admins may edit, pause, resume or unsubscribe.
`/arxiv now [<id>]`
  Post this week's digest right away: of one subscription, or of every one in this channel.
`/arxiv paper <arXiv id or link>`
  Post one paper's card, e.g. `/arxiv paper 2404.14361` or `/arxiv paper https://arxiv.org/abs/2404.14361v2`.
`/arxiv publish on` · `/arxiv publish off`
  Show the questions and answers of this channel's card threads on the site's paper pages, never who asked (admins only; off by default). `/arxiv publish` alone shows the state.
`/arxiv preview <topic> [max=…]`
  Only to you: what the topic would have picked in the last 7 days, with scores and its arXiv query.
`/arxiv related <arXiv id or link>`
  Up to 5 papers like it among those the bot holds, with headlines and links (shown only to you), e.g. `/arxiv related 2404.14361`.
`/arxiv usage`
  This month's LLM tokens and estimated cost per subscription; `/arxiv edit 3 budget=500k` caps them (0: none).
`/arxiv help`
  This message.
Ask about a paper by mentioning me in its card's thread.""",
}

REPLIES = {
    "subscribed": "Subscribed this channel to *{topic}* (subscription {id}): {max} papers every {schedule}, "
    "in {language}. Next digest: {next}.{searching}",
    # A topic searched by English terms (a topic in another language, or terms= given).
    "listed_terms": " (searching: `{terms}`)",
    "not_english": "*{topic}* is not in English, and arXiv is: it would find nothing. No LLM is configured to "
    'choose English search terms, so write the topic in English, or give them: `/arxiv subscribe {topic} '
    'terms="synthetic data"`.',
    "terms_failed": "Could not choose English search terms for *{topic}* ({problem}); nothing was subscribed. "
    'Write the topic in English, or give the terms: `/arxiv subscribe {topic} terms="synthetic data"`.',
    "unsubscribed": "Unsubscribed {id} (*{topic}*). No more digests of it in this channel.",
    "not_here": "Subscription {id} is not one of this channel's; `/arxiv list` shows this channel's ids.",
    "no_subscriptions": "This channel has no subscriptions yet. Subscribe with `/arxiv subscribe <topic>`.",
    # A scheduled digest that could not be built (arXiv down), times in the subscription's zone.
    "failing": " The digest of {due} is failing since {since}: {error}; attempt {attempts}, next try at {next_try}.",
    "gave_up": " The digest of {due} gave up after {attempts} tries ({error}); the next digest covers these papers.",
    "not_allowed": "Only workspace admins and the users allowed in the bot's settings may {action} here.",
    # {owner}: the subscriber's platform user id (the adapter renders it as a mention).
    "not_yours": "Subscription {id} is {owner}'s: only they and the workspace's admins may change it. Nothing was "
    "changed.",
    "working": "Building the digest of *{topic}* ({start} ~ {end})…",
    "now_done": "Posted the digest of *{topic}*: {cards} new paper(s) of {candidates}.",
    "now_empty": "No new papers on *{topic}* from {start} to {end} ({candidates} found, {skipped} already posted "
    "in this channel): nothing was posted.",
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
    # The words of a subscription's schedule, next digest and language in the replies above.
    "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
    "language:ja": "Japanese", "language:en": "English", "language:zh": "Simplified Chinese", "language:ko": "Korean",
    "language:de": "German", "language:fr": "French", "language:es": "Spanish",
}

# Slack renders mrkdwn; the adapter escapes &, < and > of everything it sends.
SLACK = {
    "failed": "Something went wrong while handling that command (it is logged); nothing was changed. "
    "Please try again in a minute.",
    "empty_question": "Ask me about this paper right here in its thread, e.g. mention me with "
    '"what data do they train on?"',
    "answer_failed": "Sorry, I could not answer that just now; please ask again in a minute.",
    # Posted in a card's thread while a slow answer is written, then replaced by it.
    "reading": "Reading the paper…",
}

# Discord renders its own Markdown: **bold**.
DISCORD = {
    "ask_button": "Ask about this paper",
    "thread_prompt": "Ask me anything about **{title}** here: mention me with your question, "
    "or use `/arxiv ask`. I answer from the paper.",
    "thread_opened": "Ask away in {thread}.",
    "thread_failed": "I could not open a thread on this card: {error}",
    "not_a_card": "This message is not one of my paper cards any more, so there is nothing to ask about.",
    "ask_outside": "Use `/arxiv ask` inside a paper card's thread. Press **Ask about this paper** "
    "under a card to open one.",
    "empty_question": "Ask me about this paper right here, e.g. mention me with "
    '"what data do they train on?"',
    "answer_failed": "Sorry, I could not answer that just now; please ask again in a minute.",
    "failed": "Something went wrong while handling that command (it is logged); nothing was changed. "
    "Please try again in a minute.",
    "paused_dm": "I could not post the digest of **{topic}** (subscription {id}) in <#{channel}>: {why}. "
    "The subscription is paused, so I will not keep trying. Once that is fixed, resume it with "
    "`/arxiv resume {id}` in that channel (papers already posted there are not posted twice).",
}

# The /arxiv slash command's descriptions, option descriptions and choice names as a
# Discord client in this language shows them (bot/discord/translator.py); at most 100
# characters each. Command and option names stay English: they are what the help shows.
DISCORD_COMMANDS = {
    "group": "Weekly arXiv digests: one card per paper",
    "subscribe": "Subscribe this channel to a weekly digest of a topic",
    "subscribe.topic": 'Free text (synthetic data), a "quoted phrase", or arXiv fields (cat:cs.CL AND abs:"diffusion")',
    "subscribe.day": "Day of the week the digest comes",
    "subscribe.time": "Local time, HH:MM in 24-hour form (09:00)",
    "subscribe.tz": "IANA time zone (Asia/Tokyo)",
    "subscribe.lang": "Language of the cards",
    "subscribe.max": "Papers per digest",
    "subscribe.terms": "English search terms for a topic in another language (synthetic data)",
    "list": "This channel's subscriptions, with their ids",
    "unsubscribe": "Remove one of this channel's subscriptions",
    "unsubscribe.id": "The subscription's id (/arxiv list shows them)",
    "edit": "Change a subscription: its schedule, language, size or topic",
    "edit.topic": "A new topic (checked like a new subscription's)",
    "edit.learn": "Whether this channel's 👍/👎 on cards shift its ranking",
    "pause": "Pause a subscription's digests until /arxiv resume",
    "resume": "Resume a paused subscription (also one the bot paused, once fixed)",
    "now": "Post this week's digest now (of one subscription, or all of this channel's)",
    "now.id": "The subscription's id; leave out for every subscription of this channel",
    "paper": "Post one paper's card",
    "paper.paper": "An arXiv id or link: 2404.14361 or https://arxiv.org/abs/2404.14361",
    "ask": "Ask about the paper of this thread's card",
    "ask.question": "What you want to know about the paper",
    "publish": "Show this channel's thread Q&A on the site's paper pages, or not",
    "publish.state": "on or off (admins only); leave out to see the current state",
    "publish.on": "on", "publish.off": "off",
    "preview": "Only to you: the papers a topic would have picked in the last 7 days, with scores and its query",
    "related": 'Papers like a paper, among those the bot holds',
    "related.paper": 'The paper: an arXiv id or link (2404.14361)',
    "usage": "This month's LLM tokens and estimated cost of this channel's subscriptions",
    "edit.budget": "Monthly LLM tokens (500k; 0: unlimited; default: the server's)",
    "help": "Every /arxiv subcommand, with examples",
    "day.mon": "Monday", "day.tue": "Tuesday", "day.wed": "Wednesday", "day.thu": "Thursday", "day.fri": "Friday",
    "day.sat": "Saturday", "day.sun": "Sunday",
    "lang.ja": "Japanese (ja)", "lang.en": "English (en)", "lang.zh": "Simplified Chinese (zh)", "lang.ko": "Korean (ko)",
    "lang.de": "German (de)", "lang.fr": "French (fr)", "lang.es": "Spanish (es)",
}
