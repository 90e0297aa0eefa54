"""日本語: the reference language (``bot/lang/__init__.py`` explains the tables)."""

from __future__ import annotations

from bot.lang import EXAMPLE, IDS, LINK

MESSAGES = {
    "unknown": "`{word}` は /arxiv のサブコマンドではありません。{hint}次のどれかを書いてください: {all}"
    " (/arxiv help で説明を見られます)。",
    "did_you_mean": "`{word}` のことですか？",
    "no_topic": f"subscribe にはトピックが必要です。例: {EXAMPLE}",
    "empty_topic": 'topic= にはトピックが必要です。例: topic="LLM agents"',
    "bad_topic": "このトピックはarXivで検索できません: {reason}",
    "unknown_option": "`{key}=` は subscribe のオプションではありません。{hint}オプションは day=, time=, tz=, lang=, "
    'max=, terms= です。例: day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10 terms="synthetic data"',
    "no_terms": 'terms= には英語の検索語を書いてください。例: /arxiv subscribe 合成データ terms="synthetic data"',
    "bad_terms": "この検索語はarXivで検索できません: {reason}",
    "twice": "`{key}=` が2回指定されています。1つにしてください。",
    "bad_day": "`day={value}` は曜日ではありません。day=mon, tue, wed, thu, fri, sat, sun のどれかを書いてください。",
    "bad_time": "`time={value}` は時刻ではありません。24時間制の time=HH:MM で書いてください (例: time=09:00, time=18:30)。",
    "bad_tz": "`tz={value}` は知らないタイムゾーンです。{hint}tz=Asia/Tokyo, tz=Europe/Berlin, tz=UTC のような"
    "IANA名で書いてください。",
    "tz_hint": "tz={zone} のことですか？",
    "bad_lang": "`lang={value}` は対応していない言語です。次のどれかを書いてください: {languages}",
    "bad_max": "`max={value}` は整数ではありません。{low}〜{high} の数を書いてください (例: max=10)。",
    "max_range": "`max={value}` は範囲外です。{low}〜{high} の数を書いてください (例: max=10)。",
    "no_id": "{sub} には購読IDが必要です。例: /arxiv {sub} 3 (IDは /arxiv list で確認できます)",
    "bad_id": "`{value}` は購読IDではありません。IDは数字です。例: /arxiv {sub} 3 (IDは /arxiv list で確認できます)",
    "extra": "{sub} のあとに書けるもの: {takes}。`{extra}` を消してください。",
    "takes_nothing": "なし",
    "takes_one_id": "購読IDを1つだけ",
    "takes_one_paper": "arXiv IDかリンクを1つだけ",
    "no_paper": f"paper にはarXiv IDかリンクが必要です。例: /arxiv paper 2404.14361 、/arxiv paper {LINK}",
    "bad_paper": f"`{{value}}` はarXiv IDでもリンクでもありません。{IDS}、{LINK} のように書いてください。",
    "help": """*arXivダイジェスト*: トピックに関する新着arXiv論文を毎週、論文ごとのカードでお届けします。

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
`/arxiv edit <ID> [day=…] [time=…] [tz=…] [lang=…] [max=…] [topic=…] [terms=…] [learn=on|off] [budget=…]`
  購読を変更します。例: `/arxiv edit 3 day=fri time=17:30`、`/arxiv edit 3 topic="LLM agents"`
`/arxiv pause <ID>`、`/arxiv resume <ID>`
  購読を一時停止・再開します (ボットが一時停止した購読も再開できます)。
  編集・一時停止・再開・購読解除ができるのは、購読した本人と管理者だけです。
`/arxiv now [<ID>]`
  今週のダイジェストをすぐに投稿します (ID省略時はこのチャンネルの全購読)。
`/arxiv paper <arXiv IDまたはURL>`
  論文1本のカードを投稿します。例: `/arxiv paper 2404.14361`、`/arxiv paper https://arxiv.org/abs/2404.14361v2`
`/arxiv publish on` · `/arxiv publish off`
  このチャンネルのカードのスレッドでの質問と回答を、質問者を伏せてサイトの論文ページに掲載します (管理者のみ、初期状態はオフ)。`/arxiv publish` だけで現在の状態を表示します。
`/arxiv preview <トピック> [max=…]`
  あなたにだけ表示: そのトピックなら直近7日間に選ばれた論文とスコア、arXiv検索式。
`/arxiv related <arXiv IDまたはURL>`
  その論文に近い論文を、ボットが保持している論文から最大5本 (見出しとリンク付き) 示します (あなたにだけ表示)。例: `/arxiv related 2404.14361`
`/arxiv usage`
  購読ごとの今月のLLMトークンと見積もり費用。`/arxiv edit 3 budget=500k` で月間予算を設定（0は無制限）。
`/arxiv help`
  このメッセージ。
論文について質問するには、カードのスレッドで私にメンションしてください。""",
}

REPLIES = {
    "subscribed": "このチャンネルで *{topic}* を購読しました (購読 {id}): 毎週 {schedule} に {max} 本 (言語: {language})。"
    "次回: {next}。{searching}",
    "listed_terms": " (検索語: `{terms}`)",
    "not_english": "*{topic}* は英語ではありません。arXivは英語なので、このままでは何も見つかりません。"
    "英語の検索語を選ぶLLMが設定されていないため、トピックを英語で書くか、検索語を指定してください: "
    '`/arxiv subscribe {topic} terms="synthetic data"`',
    "terms_failed": "*{topic}* の英語の検索語を選べませんでした ({problem})。購読はしていません。"
    'トピックを英語で書くか、検索語を指定してください: `/arxiv subscribe {topic} terms="synthetic data"`',
    "unsubscribed": "購読 {id} (*{topic}*) を解除しました。このチャンネルにはもう届きません。",
    "not_here": "購読 {id} はこのチャンネルのものではありません。このチャンネルのIDは `/arxiv list` で確認できます。",
    "no_subscriptions": "このチャンネルにはまだ購読がありません。`/arxiv subscribe <トピック>` で購読できます。",
    "failing": " {due} のダイジェストが {since} から失敗しています: {error}。{attempts} 回目、次の試行は {next_try}。",
    "gave_up": " {due} のダイジェストは {attempts} 回試して中止しました ({error})。これらの論文は次回のダイジェストに入ります。",
    "not_allowed": "ここで{action}できるのは、ワークスペースの管理者とボットの設定で許可されたユーザーだけです。",
    "not_yours": "購読 {id} は {owner} さんのものです。変更できるのは本人とワークスペースの管理者だけです。"
    "何も変更していません。",
    "working": "*{topic}* のダイジェストを作成中です ({start} ~ {end})…",
    "now_done": "*{topic}* のダイジェストを投稿しました: {candidates} 本中、新着 {cards} 本。",
    "now_empty": "{start} から {end} の *{topic}* に新しい論文はありません (見つかったのは {candidates} 本、"
    "うち {skipped} 本はこのチャンネルに投稿済み)。何も投稿していません。",
    "now_failed": "*{topic}* のダイジェストが止まりました: {error}。あとで再試行します。同じ論文が二重に投稿されることはありません。",
    "now_error": "*{topic}* のダイジェストを作成できませんでした: {error}",
    "fetching_paper": "arXiv {id} を取得中です…",
    "no_such_paper": "arXivに {id} という論文はありません。IDを確認してください (例: 2404.14361)。",
    "paper_held": "arXiv {id} はこのチャンネルに投稿済みです ({when}{source})。質問はそのカードのスレッドでどうぞ。",
    "paper_coming": "arXiv {id} はすでにこのチャンネルへの投稿が始まっています ({when} から{source})。投稿は1回だけです。",
    "paper_source_digest": "、*{topic}* のダイジェストで",
    "paper_source_paper": "、/arxiv paper で",
    "paper_failed": "arXiv {id} のカードを投稿できませんでした: {error}。同じコマンドをもう一度実行すると再試行します。"
    "二重に投稿されることはありません。",
    "weekdays": "月曜 火曜 水曜 木曜 金曜 土曜 日曜",
    "language:ja": "日本語", "language:en": "英語", "language:zh": "中国語 (簡体字)", "language:ko": "韓国語",
    "language:de": "ドイツ語", "language:fr": "フランス語", "language:es": "スペイン語",
}

SLACK = {
    "failed": "コマンドの処理中に問題が起きました (ログに記録済み)。何も変更していません。少ししてからもう一度お試しください。",
    "empty_question": "この論文について、このスレッドで質問してください。例: 私にメンションして"
    "「どんなデータで学習している？」",
    "answer_failed": "すみません、今は答えられませんでした。少ししてからもう一度質問してください。",
    "reading": "論文を読んでいます…",
}

DISCORD = {
    "ask_button": "この論文について質問",
    "thread_prompt": "**{title}** について、ここで質問してください。私にメンションするか `/arxiv ask` "
    "を使ってください。論文をもとに答えます。",
    "thread_opened": "{thread} で質問してください。",
    "thread_failed": "このカードにスレッドを作れませんでした: {error}",
    "not_a_card": "このメッセージはもう私の論文カードではないため、質問できません。",
    "ask_outside": "`/arxiv ask` は論文カードのスレッドの中で使ってください。カードの下の **この論文について質問** "
    "を押すとスレッドが開きます。",
    "empty_question": "この論文について、ここで質問してください。例: 私にメンションして「どんなデータで学習している？」",
    "answer_failed": "すみません、今は答えられませんでした。少ししてからもう一度質問してください。",
    "failed": "コマンドの処理中に問題が起きました (ログに記録済み)。何も変更していません。少ししてからもう一度お試しください。",
    "paused_dm": "<#{channel}> に **{topic}** (購読 {id}) のダイジェストを投稿できませんでした: {why}。"
    "購読を一時停止したので、これ以上は試しません。解決したら、そのチャンネルで `/arxiv resume {id}` を実行して"
    "再開してください (投稿済みの論文が二重に投稿されることはありません)。",
}

# The /arxiv slash command's descriptions, option descriptions and choice names as a
# Discord client in this language shows them (bot/discord/translator.py); at most 100
# characters each. Command and option names stay English: they are what the help shows.
DISCORD_COMMANDS = {
    "group": "arXivの週刊ダイジェスト: 論文ごとに1枚のカード",
    "subscribe": "このチャンネルでトピックの週刊ダイジェストを購読します",
    "subscribe.topic": '自由文 (synthetic data)、"引用符付きフレーズ"、arXivのフィールド (cat:cs.CL AND abs:"diffusion")',
    "subscribe.day": "ダイジェストが届く曜日",
    "subscribe.time": "現地時刻、24時間制のHH:MM (09:00)",
    "subscribe.tz": "IANAタイムゾーン (Asia/Tokyo)",
    "subscribe.lang": "カードの言語",
    "subscribe.max": "1回の論文数",
    "subscribe.terms": "英語以外のトピックを検索する英語の検索語 (synthetic data)",
    "list": "このチャンネルの購読一覧 (ID付き)",
    "unsubscribe": "このチャンネルの購読を1つ解除します",
    "unsubscribe.id": "購読ID (/arxiv list で確認できます)",
    "edit": "購読を変更します (スケジュール、言語、論文数、トピック)",
    "edit.topic": "新しいトピック (新規の購読と同じように確認します)",
    "edit.learn": "このチャンネルのカードへの 👍/👎 を並び順に反映するか",
    "pause": "/arxiv resume まで購読のダイジェストを一時停止します",
    "resume": "一時停止中の購読を再開します (ボットが一時停止したものも、原因の解決後に)",
    "now": "今週のダイジェストをすぐに投稿します (1つの購読、またはこのチャンネルの全購読)",
    "now.id": "購読ID。省略するとこのチャンネルの全購読",
    "paper": "論文1本のカードを投稿します",
    "paper.paper": "arXiv IDかリンク: 2404.14361 や https://arxiv.org/abs/2404.14361",
    "ask": "このスレッドのカードの論文について質問します",
    "ask.question": "論文について知りたいこと",
    "publish": "このチャンネルのスレッドの質疑応答をサイトの論文ページに掲載するかどうか",
    "publish.state": "on または off (管理者のみ)。省略すると現在の状態を表示",
    "publish.on": "オン", "publish.off": "オフ",
    "preview": "あなたにだけ表示: トピックが直近7日間に選ぶ論文とスコア、arXiv検索式",
    "related": '論文に近い論文を、ボットが保持している論文から示します',
    "related.paper": '論文: arXiv IDかリンク (2404.14361)',
    "usage": "このチャンネルの購読が今月使ったLLMトークンと見積もり費用",
    "edit.budget": "月間LLMトークン予算 (500k。0は無制限、default でサーバーの設定)",
    "help": "/arxiv の全サブコマンドと例",
    "day.mon": "月曜日", "day.tue": "火曜日", "day.wed": "水曜日", "day.thu": "木曜日", "day.fri": "金曜日",
    "day.sat": "土曜日", "day.sun": "日曜日",
    "lang.ja": "日本語 (ja)", "lang.en": "英語 (en)", "lang.zh": "中国語・簡体字 (zh)", "lang.ko": "韓国語 (ko)",
    "lang.de": "ドイツ語 (de)", "lang.fr": "フランス語 (fr)", "lang.es": "スペイン語 (es)",
}
