"""한국어 (``bot/lang/__init__.py`` explains the tables)."""

from __future__ import annotations

from bot.lang import EXAMPLE, IDS, LINK

MESSAGES = {
    "unknown": "`{word}`은(는) /arxiv 하위 명령이 아닙니다.{hint} 다음 중 하나를 쓰세요: {all} (/arxiv help에 설명이 있습니다).",
    "did_you_mean": " `{word}`을(를) 말씀하신 건가요?",
    "no_topic": f"subscribe에는 주제가 필요합니다. 예: {EXAMPLE}",
    "empty_topic": 'topic=에는 주제가 필요합니다. 예: topic="LLM agents"',
    "bad_topic": "이 주제는 arXiv에서 검색할 수 없습니다: {reason}",
    "unknown_option": "`{key}=`은(는) subscribe의 옵션이 아닙니다.{hint} 옵션은 day=, time=, tz=, lang=, max=, terms= "
    '입니다. 예: day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10 terms="synthetic data"',
    "no_terms": 'terms=에는 영어 검색어가 필요합니다. 예: /arxiv subscribe 合成データ terms="synthetic data"',
    "bad_terms": "이 검색어는 arXiv에서 검색할 수 없습니다: {reason}",
    "twice": "`{key}=`이(가) 두 번 지정되었습니다. 하나만 남기세요.",
    "bad_day": "`day={value}`은(는) 요일이 아닙니다. day=mon, tue, wed, thu, fri, sat, sun 중 하나를 쓰세요.",
    "bad_time": "`time={value}`은(는) 시각이 아닙니다. 24시간제 time=HH:MM으로 쓰세요. 예: time=09:00, time=18:30",
    "bad_tz": "`tz={value}`은(는) 알 수 없는 시간대입니다.{hint} tz=Asia/Seoul, tz=Europe/Berlin, tz=UTC 같은 "
    "IANA 이름으로 쓰세요.",
    "tz_hint": " tz={zone}을(를) 말씀하신 건가요?",
    "bad_lang": "`lang={value}`은(는) 지원하지 않는 언어입니다. 다음 중 하나를 쓰세요: {languages}",
    "bad_max": "`max={value}`은(는) 정수가 아닙니다. {low}에서 {high} 사이의 수를 쓰세요. 예: max=10",
    "max_range": "`max={value}`이(가) 범위를 벗어났습니다. {low}에서 {high} 사이의 수를 쓰세요. 예: max=10",
    "no_id": "{sub}에는 구독 ID가 필요합니다. 예: /arxiv {sub} 3 (/arxiv list에서 ID를 볼 수 있습니다)",
    "bad_id": "`{value}`은(는) 구독 ID가 아닙니다. ID는 숫자입니다. 예: /arxiv {sub} 3 (/arxiv list에서 볼 수 있습니다)",
    "extra": "{sub} 뒤에 올 수 있는 것: {takes}. `{extra}`을(를) 지우세요.",
    "takes_nothing": "없음",
    "takes_one_id": "구독 ID 하나",
    "takes_one_paper": "arXiv ID 또는 링크 하나",
    "no_paper": f"paper에는 arXiv ID 또는 링크가 필요합니다. 예: /arxiv paper 2404.14361 또는 /arxiv paper {LINK}",
    "bad_paper": f"`{{value}}`은(는) arXiv ID나 링크가 아닙니다. {IDS} 또는 {LINK}처럼 쓰세요.",
    "help": """*arXiv 다이제스트*: 주제별 arXiv 새 논문을 매주 논문마다 카드 한 장으로 보내 드립니다.

`/arxiv subscribe <주제> [day=mon] [time=09:00] [tz=Asia/Tokyo] [lang=ja] [max=10]`
  이 채널에서 구독합니다. 주제는 자유 텍스트(synthetic data), "따옴표로 묶은 구" 또는 arXiv 필드 \
(cat:cs.CL AND abs:"diffusion model")로 쓸 수 있습니다. 옵션은 순서가 자유롭고, 생략하면 기본값이 됩니다.
  day: mon, tue, wed, thu, fri, sat, sun · time: 24시간제 HH:MM · tz: IANA 시간대 \
· lang: {languages} · max: 한 번에 보낼 논문 수, {low}~{high}
  영어가 아닌 주제는 LLM이 한 번 골라 주는 영어 검색어로 arXiv를 검색합니다. terms=로 직접 지정할 수도 \
있습니다. 예: `/arxiv subscribe 合成データ terms="synthetic data"`
  예: `/arxiv subscribe LLM agents day=fri time=17:30 tz=Asia/Seoul lang=ko max=5`
`/arxiv list`
  이 채널의 구독 목록(ID 포함).
`/arxiv unsubscribe <ID>`
  구독을 해지합니다. 예: `/arxiv unsubscribe 3`
`/arxiv edit <ID> [day=…] [time=…] [tz=…] [lang=…] [max=…] [topic=…] [terms=…] [learn=on|off] [budget=…]`
  구독을 변경합니다. 예: `/arxiv edit 3 day=fri time=17:30`, `/arxiv edit 3 topic="LLM agents"`
`/arxiv pause <ID>`, `/arxiv resume <ID>`
  구독의 다이제스트를 잠시 멈췄다가 다시 시작합니다(봇이 일시 중지한 구독도 재개할 수 있습니다).
  구독한 사람과 관리자만 변경, 일시 중지, 재개, 해지할 수 있습니다.
`/arxiv now [<ID>]`
  이번 주 다이제스트를 바로 게시합니다(ID를 생략하면 이 채널의 모든 구독).
`/arxiv paper <arXiv ID 또는 링크>`
  논문 한 편의 카드를 게시합니다. 예: `/arxiv paper 2404.14361` 또는 `/arxiv paper https://arxiv.org/abs/2404.14361v2`
`/arxiv publish on` · `/arxiv publish off`
  이 채널 카드 스레드의 질문과 답변을 질문자를 밝히지 않고 사이트의 논문 페이지에 게시합니다 (관리자만, 기본값은 꺼짐). `/arxiv publish`만 입력하면 현재 상태를 보여 줍니다.
`/arxiv preview <주제> [max=…]`
  나에게만 표시: 그 주제가 최근 7일 동안 골랐을 논문과 점수, arXiv 검색식.
`/arxiv related <arXiv ID 또는 링크>`
  봇이 보관한 논문 중 비슷한 논문을 최대 5편, 제목과 링크와 함께 보여 줍니다 (본인에게만 표시). 예: `/arxiv related 2404.14361`
`/arxiv usage`
  구독별 이번 달 LLM 토큰과 예상 비용. `/arxiv edit 3 budget=500k`로 월 예산 설정 (0: 무제한).
`/arxiv help`
  이 메시지.
논문에 대해 물어보려면 그 카드의 스레드에서 저를 멘션하세요.""",
}

REPLIES = {
    "subscribed": "이 채널에서 *{topic}*을(를) 구독했습니다(구독 {id}): 매주 {schedule}에 {max}편, 언어: {language}. "
    "다음 다이제스트: {next}.{searching}",
    "listed_terms": " (검색어: `{terms}`)",
    "not_english": "*{topic}*은(는) 영어가 아니고 arXiv는 영어라서 이대로는 아무것도 찾지 못합니다. 영어 검색어를 고를 "
    'LLM이 설정되어 있지 않으니 주제를 영어로 쓰거나 검색어를 지정하세요: `/arxiv subscribe {topic} terms="synthetic data"`',
    "terms_failed": "*{topic}*의 영어 검색어를 고르지 못했습니다({problem}). 구독하지 않았습니다. "
    '주제를 영어로 쓰거나 검색어를 지정하세요: `/arxiv subscribe {topic} terms="synthetic data"`',
    "unsubscribed": "구독 {id}(*{topic}*)을(를) 해지했습니다. 이 채널에 더 이상 오지 않습니다.",
    "not_here": "구독 {id}은(는) 이 채널의 구독이 아닙니다. `/arxiv list`에서 이 채널의 ID를 볼 수 있습니다.",
    "no_subscriptions": "이 채널에는 아직 구독이 없습니다. `/arxiv subscribe <주제>`로 구독하세요.",
    "failing": " {due} 다이제스트가 {since}부터 실패하고 있습니다: {error}. {attempts}번째 시도, 다음 시도 {next_try}.",
    "gave_up": " {due} 다이제스트는 {attempts}번 시도 후 중단했습니다({error}). 다음 다이제스트에 이 논문들이 포함됩니다.",
    "not_allowed": "여기서 {action}할 수 있는 사람은 워크스페이스 관리자와 봇 설정에서 허용된 사용자뿐입니다.",
    "not_yours": "구독 {id}은(는) {owner}님의 구독입니다. 본인과 워크스페이스 관리자만 변경할 수 있습니다. "
    "아무것도 변경하지 않았습니다.",
    "working": "*{topic}* 다이제스트를 만드는 중입니다({start} ~ {end})…",
    "now_done": "*{topic}* 다이제스트를 게시했습니다: {candidates}편 중 새 논문 {cards}편.",
    "now_empty": "{start}부터 {end}까지 *{topic}*의 새 논문이 없습니다({candidates}편 발견, {skipped}편은 이미 이 채널에 "
    "게시됨). 아무것도 게시하지 않았습니다.",
    "now_failed": "*{topic}* 다이제스트가 중단되었습니다: {error}. 다시 시도하며, 두 번 게시되지 않습니다.",
    "now_error": "*{topic}* 다이제스트를 만들 수 없었습니다: {error}",
    "fetching_paper": "arXiv {id}을(를) 가져오는 중입니다…",
    "no_such_paper": "arXiv에 {id} 논문이 없습니다. ID를 확인하세요(예: 2404.14361).",
    "paper_held": "arXiv {id}은(는) 이미 이 채널에 있습니다: {when}에 게시됨{source}. 그 카드의 스레드에서 물어보세요.",
    "paper_coming": "arXiv {id}은(는) 이미 이 채널로 게시되는 중입니다{source}({when}부터). 한 번만 게시됩니다.",
    "paper_source_digest": ", *{topic}* 다이제스트",
    "paper_source_paper": ", /arxiv paper",
    "paper_failed": "arXiv {id}의 카드를 게시할 수 없었습니다: {error}. 같은 명령을 다시 실행하면 재시도합니다. "
    "두 번 게시되지 않습니다.",
    "weekdays": "월요일 화요일 수요일 목요일 금요일 토요일 일요일",
    "language:ja": "일본어", "language:en": "영어", "language:zh": "중국어 간체", "language:ko": "한국어",
    "language:de": "독일어", "language:fr": "프랑스어", "language:es": "스페인어",
}

SLACK = {
    "failed": "명령을 처리하는 중 문제가 생겼습니다(로그에 기록됨). 아무것도 변경하지 않았습니다. 잠시 후 다시 시도하세요.",
    "empty_question": '이 스레드에서 바로 이 논문에 대해 물어보세요. 예: 저를 멘션하고 "어떤 데이터로 학습했나요?"',
    "answer_failed": "죄송합니다. 지금은 답할 수 없었습니다. 잠시 후 다시 물어보세요.",
    "reading": "논문을 읽고 있습니다…",
}

DISCORD = {
    "ask_button": "이 논문에 대해 질문",
    "thread_prompt": "**{title}**에 대해 무엇이든 여기서 물어보세요. 저를 멘션하거나 `/arxiv ask`를 사용하세요. "
    "논문을 바탕으로 답합니다.",
    "thread_opened": "{thread}에서 물어보세요.",
    "thread_failed": "이 카드에 스레드를 열 수 없었습니다: {error}",
    "not_a_card": "이 메시지는 더 이상 제 논문 카드가 아니어서 물어볼 수 없습니다.",
    "ask_outside": "`/arxiv ask`는 논문 카드의 스레드 안에서 사용하세요. 카드 아래의 **이 논문에 대해 질문**을 누르면 "
    "스레드가 열립니다.",
    "empty_question": '여기서 바로 이 논문에 대해 물어보세요. 예: 저를 멘션하고 "어떤 데이터로 학습했나요?"',
    "answer_failed": "죄송합니다. 지금은 답할 수 없었습니다. 잠시 후 다시 물어보세요.",
    "failed": "명령을 처리하는 중 문제가 생겼습니다(로그에 기록됨). 아무것도 변경하지 않았습니다. 잠시 후 다시 시도하세요.",
    "paused_dm": "<#{channel}>에 **{topic}**(구독 {id}) 다이제스트를 게시할 수 없었습니다: {why}. 구독을 일시 중지했으므로 "
    "더 이상 시도하지 않습니다. 해결되면 그 채널에서 `/arxiv resume {id}`로 재개하세요"
    "(이미 게시된 논문은 다시 게시되지 않습니다).",
}

# The /arxiv slash command's descriptions, option descriptions and choice names as a
# Discord client in this language shows them (bot/discord/translator.py); at most 100
# characters each. Command and option names stay English: they are what the help shows.
DISCORD_COMMANDS = {
    "group": "주간 arXiv 다이제스트: 논문마다 카드 한 장",
    "subscribe": "이 채널에서 주제의 주간 다이제스트를 구독합니다",
    "subscribe.topic": '자유 텍스트(synthetic data), "따옴표로 묶은 구" 또는 arXiv 필드(cat:cs.CL AND abs:"diffusion")',
    "subscribe.day": "다이제스트가 오는 요일",
    "subscribe.time": "현지 시각, 24시간제 HH:MM (09:00)",
    "subscribe.tz": "IANA 시간대 (Asia/Seoul)",
    "subscribe.lang": "카드의 언어",
    "subscribe.max": "한 번에 보낼 논문 수",
    "subscribe.terms": "영어가 아닌 주제를 검색할 영어 검색어 (synthetic data)",
    "list": "이 채널의 구독 목록(ID 포함)",
    "unsubscribe": "이 채널의 구독 하나를 해지합니다",
    "unsubscribe.id": "구독 ID (/arxiv list에서 볼 수 있습니다)",
    "edit": "구독을 변경합니다: 일정, 언어, 논문 수, 주제",
    "edit.topic": "새 주제(새 구독과 같은 방식으로 확인합니다)",
    "edit.learn": "이 채널의 카드에 대한 👍/👎를 순위에 반영할지 여부",
    "pause": "/arxiv resume 전까지 구독의 다이제스트를 일시 중지합니다",
    "resume": "일시 중지된 구독을 재개합니다(봇이 일시 중지한 구독도, 문제 해결 후)",
    "now": "이번 주 다이제스트를 바로 게시합니다(구독 하나 또는 이 채널의 모든 구독)",
    "now.id": "구독 ID. 생략하면 이 채널의 모든 구독",
    "paper": "논문 한 편의 카드를 게시합니다",
    "paper.paper": "arXiv ID 또는 링크: 2404.14361 또는 https://arxiv.org/abs/2404.14361",
    "ask": "이 스레드 카드의 논문에 대해 질문합니다",
    "ask.question": "논문에 대해 알고 싶은 것",
    "publish": "이 채널 스레드의 질의응답을 사이트 논문 페이지에 게시할지 여부",
    "publish.state": "on 또는 off (관리자만). 생략하면 현재 상태를 표시",
    "publish.on": "켜기", "publish.off": "끄기",
    "preview": "나에게만 표시: 주제가 최근 7일 동안 골랐을 논문과 점수, 검색식",
    "related": '봇이 보관한 논문 중 어떤 논문과 비슷한 논문',
    "related.paper": '논문: arXiv ID 또는 링크 (2404.14361)',
    "usage": "이 채널 구독들의 이번 달 LLM 토큰과 예상 비용",
    "edit.budget": "월간 LLM 토큰 예산 (500k; 0: 무제한; default: 서버 설정)",
    "help": "모든 /arxiv 하위 명령과 예시",
    "day.mon": "월요일", "day.tue": "화요일", "day.wed": "수요일", "day.thu": "목요일", "day.fri": "금요일",
    "day.sat": "토요일", "day.sun": "일요일",
    "lang.ja": "일본어 (ja)", "lang.en": "영어 (en)", "lang.zh": "중국어 간체 (zh)", "lang.ko": "한국어 (ko)",
    "lang.de": "독일어 (de)", "lang.fr": "프랑스어 (fr)", "lang.es": "스페인어 (es)",
}
