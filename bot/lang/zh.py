"""简体中文 (``bot/lang/__init__.py`` explains the tables)."""

from __future__ import annotations

from bot.lang import EXAMPLE, IDS, LINK

MESSAGES = {
    "unknown": "`{word}` 不是 /arxiv 的子命令。{hint}请使用以下之一：{all}（/arxiv help 有说明）。",
    "did_you_mean": "您是想输入 `{word}` 吗？",
    "no_topic": f"subscribe 需要一个主题，例如：{EXAMPLE}",
    "empty_topic": 'topic= 需要一个主题，例如：topic="LLM agents"',
    "bad_topic": "无法在 arXiv 上搜索该主题：{reason}",
    "unknown_option": "`{key}=` 不是 subscribe 的选项。{hint}选项有 day=、time=、tz=、lang=、max= 和 terms=，"
    '例如：day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10 terms="synthetic data"',
    "no_terms": 'terms= 需要英文搜索词，例如：/arxiv subscribe 合成データ terms="synthetic data"',
    "bad_terms": "无法在 arXiv 上搜索这些词：{reason}",
    "twice": "`{key}=` 出现了两次，请只保留一个。",
    "bad_day": "`day={value}` 不是星期几；请写 day=mon、tue、wed、thu、fri、sat 或 sun。",
    "bad_time": "`time={value}` 不是时间；请用 24 小时制 time=HH:MM，例如 time=09:00 或 time=18:30。",
    "bad_tz": "`tz={value}` 不是已知的时区。{hint}请写 IANA 名称，例如 tz=Asia/Tokyo、tz=Europe/Berlin 或 tz=UTC。",
    "tz_hint": "您是想输入 tz={zone} 吗？",
    "bad_lang": "`lang={value}` 不是支持的语言；请写以下之一：{languages}。",
    "bad_max": "`max={value}` 不是整数；请写 {low} 到 {high} 之间的数，例如 max=10。",
    "max_range": "`max={value}` 超出范围；请写 {low} 到 {high} 之间的数，例如 max=10。",
    "no_id": "{sub} 需要订阅 ID，例如 /arxiv {sub} 3（/arxiv list 会显示 ID）。",
    "bad_id": "`{value}` 不是订阅 ID；ID 是数字，例如 /arxiv {sub} 3（/arxiv list 会显示 ID）。",
    "extra": "{sub} 后面可以跟：{takes}；请删除 `{extra}`。",
    "takes_nothing": "无",
    "takes_one_id": "一个订阅 ID",
    "takes_one_paper": "一个 arXiv ID 或链接",
    "no_paper": f"paper 需要 arXiv ID 或链接，例如 /arxiv paper 2404.14361 或 /arxiv paper {LINK}。",
    "bad_paper": f"`{{value}}` 不是 arXiv ID 或链接；请写成 {IDS} 或 {LINK} 这样的形式。",
    "help": """*arXiv 摘要*：每周推送某个主题的 arXiv 新论文，每篇论文一张卡片。

`/arxiv subscribe <主题> [day=mon] [time=09:00] [tz=Asia/Tokyo] [lang=ja] [max=10]`
  为本频道订阅。主题可以是自由文本（synthetic data）、"带引号的短语"或 arXiv 字段 \
（cat:cs.CL AND abs:"diffusion model"）。选项顺序不限，省略时使用默认值。
  day：mon、tue、wed、thu、fri、sat 或 sun · time：24 小时制 HH:MM · tz：IANA 时区 \
· lang：{languages} · max：每期论文数，{low} 到 {high}
  非英文主题会用 LLM 一次性选出的英文搜索词在 arXiv 上搜索；也可以用 terms= 自己指定，\
例如 `/arxiv subscribe 合成データ terms="synthetic data"`。
  例如 `/arxiv subscribe LLM agents day=fri time=17:30 tz=Asia/Shanghai lang=zh max=5`
`/arxiv list`
  本频道的订阅及其 ID。
`/arxiv unsubscribe <ID>`
  取消订阅，例如 `/arxiv unsubscribe 3`。
`/arxiv edit <ID> [day=…] [time=…] [tz=…] [lang=…] [max=…] [topic=…] [terms=…] [learn=on|off] [budget=…]`
  修改订阅，例如 `/arxiv edit 3 day=fri time=17:30` 或 `/arxiv edit 3 topic="LLM agents"`。
`/arxiv pause <ID>`、`/arxiv resume <ID>`
  暂停订阅的摘要一段时间，之后再恢复（机器人暂停的订阅也可以恢复）。
  只有订阅者本人和管理员可以修改、暂停、恢复或取消订阅。
`/arxiv now [<ID>]`
  立即发布本周的摘要：某一个订阅的，或本频道全部订阅的。
`/arxiv paper <arXiv ID 或链接>`
  发布一篇论文的卡片，例如 `/arxiv paper 2404.14361` 或 `/arxiv paper https://arxiv.org/abs/2404.14361v2`。
`/arxiv publish on` · `/arxiv publish off`
  在网站的论文页面上显示本频道卡片话题中的问答，不显示提问者（仅限管理员，默认关闭）。只输入 `/arxiv publish` 可查看当前状态。
`/arxiv preview <主题> [max=…]`
  仅你可见：该主题最近 7 天会选出的论文、分数及其 arXiv 查询。
`/arxiv related <arXiv ID 或链接>`
  从机器人保存的论文中列出最多 5 篇相近论文，附标题和链接（仅你可见），例如 `/arxiv related 2404.14361`。
`/arxiv usage`
  各订阅本月的 LLM tokens 与估算费用；`/arxiv edit 3 budget=500k` 设置每月预算（0 为不限）。
`/arxiv help`
  显示本消息。
想了解某篇论文，请在其卡片的讨论串中提及我。""",
}

REPLIES = {
    "subscribed": "已为本频道订阅 *{topic}*（订阅 {id}）：每{schedule}，{max} 篇，语言：{language}。下一期：{next}。{searching}",
    "listed_terms": "（搜索词：`{terms}`）",
    "not_english": "*{topic}* 不是英文，而 arXiv 是英文的：这样什么也找不到。没有配置用于选择英文搜索词的 LLM，"
    '请用英文写主题，或指定搜索词：`/arxiv subscribe {topic} terms="synthetic data"`',
    "terms_failed": "无法为 *{topic}* 选出英文搜索词（{problem}）；没有订阅。"
    '请用英文写主题，或指定搜索词：`/arxiv subscribe {topic} terms="synthetic data"`',
    "unsubscribed": "已取消订阅 {id}（*{topic}*）。本频道不会再收到它的摘要。",
    "not_here": "订阅 {id} 不属于本频道；`/arxiv list` 会显示本频道的 ID。",
    "no_subscriptions": "本频道还没有订阅。用 `/arxiv subscribe <主题>` 订阅。",
    "failing": " {due} 的摘要自 {since} 起一直失败：{error}；第 {attempts} 次尝试，下次尝试时间 {next_try}。",
    "gave_up": " {due} 的摘要尝试 {attempts} 次后放弃（{error}）；下一期摘要会包含这些论文。",
    "not_allowed": "只有工作区管理员和机器人设置中允许的用户才能在这里 {action}。",
    "not_yours": "订阅 {id} 属于 {owner}：只有本人和工作区管理员可以修改。没有做任何更改。",
    "working": "正在生成 *{topic}* 的摘要（{start} ~ {end}）…",
    "now_done": "已发布 *{topic}* 的摘要：{candidates} 篇中 {cards} 篇新论文。",
    "now_empty": "{start} 至 {end} 期间 *{topic}* 没有新论文（找到 {candidates} 篇，其中 {skipped} 篇已在本频道发布）："
    "没有发布任何内容。",
    "now_failed": "*{topic}* 的摘要中断了：{error}。稍后会重试；不会重复发布。",
    "now_error": "无法生成 *{topic}* 的摘要：{error}",
    "fetching_paper": "正在获取 arXiv {id}…",
    "no_such_paper": "arXiv 上没有论文 {id}；请检查 ID（例如 2404.14361）。",
    "paper_held": "arXiv {id} 已在本频道：发布于 {when}{source}。请在那张卡片的讨论串中提问。",
    "paper_coming": "arXiv {id} 正在发往本频道{source}（自 {when} 起）；只会发布一次。",
    "paper_source_digest": "，来自 *{topic}* 的摘要",
    "paper_source_paper": "，来自 /arxiv paper",
    "paper_failed": "无法发布 arXiv {id} 的卡片：{error}。再次运行同一命令即可重试；不会重复发布。",
    "weekdays": "周一 周二 周三 周四 周五 周六 周日",
    "language:ja": "日语", "language:en": "英语", "language:zh": "简体中文", "language:ko": "韩语",
    "language:de": "德语", "language:fr": "法语", "language:es": "西班牙语",
}

SLACK = {
    "failed": "处理该命令时出错了（已记录日志）；没有做任何更改。请稍后再试。",
    "empty_question": "请就在这个讨论串里问我关于这篇论文的问题，例如提及我并问“他们用什么数据训练？”",
    "answer_failed": "抱歉，现在无法回答；请稍后再问。",
    "reading": "正在阅读论文…",
}

DISCORD = {
    "ask_button": "就这篇论文提问",
    "thread_prompt": "关于 **{title}** 的任何问题都可以在这里问：提及我并写下问题，或使用 `/arxiv ask`。我会根据论文回答。",
    "thread_opened": "请在 {thread} 中提问。",
    "thread_failed": "无法在这张卡片上创建讨论串：{error}",
    "not_a_card": "这条消息已不再是我的论文卡片，所以无法提问。",
    "ask_outside": "请在论文卡片的讨论串中使用 `/arxiv ask`。点击卡片下方的 **就这篇论文提问** 即可打开讨论串。",
    "empty_question": "请就在这里问我关于这篇论文的问题，例如提及我并问“他们用什么数据训练？”",
    "answer_failed": "抱歉，现在无法回答；请稍后再问。",
    "failed": "处理该命令时出错了（已记录日志）；没有做任何更改。请稍后再试。",
    "paused_dm": "我无法在 <#{channel}> 发布 **{topic}**（订阅 {id}）的摘要：{why}。该订阅已暂停，我不会继续尝试。"
    "问题解决后，请在该频道用 `/arxiv resume {id}` 恢复它（已发布的论文不会重复发布）。",
}

# The /arxiv slash command's descriptions, option descriptions and choice names as a
# Discord client in this language shows them (bot/discord/translator.py); at most 100
# characters each. Command and option names stay English: they are what the help shows.
DISCORD_COMMANDS = {
    "group": "每周 arXiv 摘要：每篇论文一张卡片",
    "subscribe": "为本频道订阅某个主题的每周摘要",
    "subscribe.topic": '自由文本（synthetic data）、"带引号的短语"或 arXiv 字段（cat:cs.CL AND abs:"diffusion"）',
    "subscribe.day": "摘要送达的星期几",
    "subscribe.time": "当地时间，24 小时制 HH:MM（09:00）",
    "subscribe.tz": "IANA 时区（Asia/Shanghai）",
    "subscribe.lang": "卡片的语言",
    "subscribe.max": "每期论文数",
    "subscribe.terms": "非英文主题使用的英文搜索词（synthetic data）",
    "list": "本频道的订阅及其 ID",
    "unsubscribe": "取消本频道的一个订阅",
    "unsubscribe.id": "订阅 ID（/arxiv list 会显示）",
    "edit": "修改订阅：时间安排、语言、篇数或主题",
    "edit.topic": "新的主题（与新订阅一样检查）",
    "edit.learn": "是否让本频道对卡片的 👍/👎 影响排序",
    "pause": "暂停订阅的摘要，直到 /arxiv resume",
    "resume": "恢复已暂停的订阅（机器人暂停的订阅也可以，问题解决后）",
    "now": "立即发布本周摘要（某一个订阅，或本频道全部订阅）",
    "now.id": "订阅 ID；省略则为本频道的全部订阅",
    "paper": "发布一篇论文的卡片",
    "paper.paper": "arXiv ID 或链接：2404.14361 或 https://arxiv.org/abs/2404.14361",
    "ask": "就本讨论串卡片中的论文提问",
    "ask.question": "您想了解论文的什么",
    "publish": "是否在网站论文页面上显示本频道话题中的问答",
    "publish.state": "on 或 off（仅限管理员）；省略则显示当前状态",
    "publish.on": "开启", "publish.off": "关闭",
    "preview": "仅你可见：某主题最近 7 天会选出的论文、分数及其查询",
    "related": '从机器人保存的论文中列出与某篇论文相近的论文',
    "related.paper": '论文：arXiv ID 或链接 (2404.14361)',
    "usage": "本频道各订阅本月的 LLM tokens 与估算费用",
    "edit.budget": "每月 LLM token 预算（500k；0 为不限；default 为服务器的设置）",
    "help": "所有 /arxiv 子命令及示例",
    "day.mon": "星期一", "day.tue": "星期二", "day.wed": "星期三", "day.thu": "星期四", "day.fri": "星期五",
    "day.sat": "星期六", "day.sun": "星期日",
    "lang.ja": "日语 (ja)", "lang.en": "英语 (en)", "lang.zh": "简体中文 (zh)", "lang.ko": "韩语 (ko)",
    "lang.de": "德语 (de)", "lang.fr": "法语 (fr)", "lang.es": "西班牙语 (es)",
}
