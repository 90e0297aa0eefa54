"""Deutsch (``bot/lang/__init__.py`` explains the tables)."""

from __future__ import annotations

from bot.lang import EXAMPLE, IDS, LINK

MESSAGES = {
    "unknown": "`{word}` ist kein /arxiv-Unterbefehl.{hint} Schreib einen von: {all} (/arxiv help erklärt sie).",
    "did_you_mean": " Meintest du `{word}`?",
    "no_topic": f"subscribe braucht ein Thema, z. B. {EXAMPLE}",
    "empty_topic": 'topic= braucht ein Thema, z. B. topic="LLM agents".',
    "bad_topic": "Nach diesem Thema kann arXiv nicht suchen: {reason}",
    "unknown_option": "`{key}=` ist keine Option von subscribe.{hint} Die Optionen sind day=, time=, tz=, lang=, "
    'max= und terms=, z. B. day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10 terms="synthetic data".',
    "no_terms": 'terms= braucht englische Suchbegriffe, z. B. /arxiv subscribe 合成データ terms="synthetic data".',
    "bad_terms": "Nach diesen Begriffen kann arXiv nicht suchen: {reason}",
    "twice": "`{key}=` steht zweimal da; behalte eins.",
    "bad_day": "`day={value}` ist kein Wochentag; schreib day=mon, tue, wed, thu, fri, sat oder sun.",
    "bad_time": "`time={value}` ist keine Uhrzeit; schreib time=HH:MM im 24-Stunden-Format, z. B. time=09:00 "
    "oder time=18:30.",
    "bad_tz": "`tz={value}` ist keine Zeitzone, die ich kenne.{hint} Schreib einen IANA-Namen wie tz=Europe/Berlin, "
    "tz=Asia/Tokyo oder tz=UTC.",
    "tz_hint": " Meintest du tz={zone}?",
    "bad_lang": "`lang={value}` ist keine unterstützte Sprache; schreib eine von: {languages}.",
    "bad_max": "`max={value}` ist keine ganze Zahl; schreib eine Zahl von {low} bis {high}, z. B. max=10.",
    "max_range": "`max={value}` liegt außerhalb des Bereichs; schreib eine Zahl von {low} bis {high}, z. B. max=10.",
    "no_id": "{sub} braucht die ID eines Abos, z. B. /arxiv {sub} 3 (/arxiv list zeigt die IDs).",
    "bad_id": "`{value}` ist keine Abo-ID; IDs sind Zahlen, z. B. /arxiv {sub} 3 (/arxiv list zeigt sie).",
    "extra": "Nach {sub} kommt {takes}; entferne `{extra}`.",
    "takes_nothing": "nichts mehr",
    "takes_one_id": "genau eine Abo-ID",
    "takes_one_paper": "genau eine arXiv-ID oder ein Link",
    "no_paper": f"paper braucht eine arXiv-ID oder einen Link, z. B. /arxiv paper 2404.14361 oder /arxiv paper {LINK}.",
    "bad_paper": f"`{{value}}` ist keine arXiv-ID und kein Link; schreib sie wie {IDS} oder {LINK}.",
    "help": """*arXiv-Digest*: jede Woche die neuen arXiv-Arbeiten zu einem Thema, eine Karte pro Arbeit.

`/arxiv subscribe <Thema> [day=mon] [time=09:00] [tz=Asia/Tokyo] [lang=ja] [max=10]`
  Abonniert das Thema für diesen Kanal. Das Thema ist freier Text (synthetic data), eine "Phrase in \
Anführungszeichen" oder arXiv-Felder (cat:cs.CL AND abs:"diffusion model"). Die Optionen stehen in beliebiger \
Reihenfolge; weggelassen gelten die Voreinstellungen.
  day: mon, tue, wed, thu, fri, sat oder sun · time: HH:MM, 24 Stunden · tz: eine IANA-Zeitzone \
· lang: {languages} · max: Arbeiten pro Digest, {low} bis {high}
  Ein Thema in einer anderen Sprache wird mit englischen Begriffen gesucht, die das LLM einmal wählt; eigene \
gibst du mit terms= an, z. B. `/arxiv subscribe 合成データ terms="synthetic data"`.
  z. B. `/arxiv subscribe LLM agents day=fri time=17:30 tz=Europe/Berlin lang=de max=5`
`/arxiv list`
  Die Abos dieses Kanals, mit ihren IDs.
`/arxiv unsubscribe <ID>`
  Ein Abo beenden, z. B. `/arxiv unsubscribe 3`.
`/arxiv edit <ID> [day=…] [time=…] [tz=…] [lang=…] [max=…] [topic=…] [terms=…] [learn=on|off] [budget=…]`
  Ein Abo ändern, z. B. `/arxiv edit 3 day=fri time=17:30` oder `/arxiv edit 3 topic="LLM agents"`.
`/arxiv pause <ID>`, `/arxiv resume <ID>`
  Die Digests eines Abos eine Weile pausieren und später fortsetzen (auch wenn der Bot es pausiert hat).
  Nur wer das Abo angelegt hat und Admins dürfen es ändern, pausieren, fortsetzen oder beenden.
`/arxiv now [<ID>]`
  Den Digest dieser Woche sofort posten: eines Abos oder aller Abos dieses Kanals.
`/arxiv paper <arXiv-ID oder Link>`
  Die Karte einer Arbeit posten, z. B. `/arxiv paper 2404.14361` oder `/arxiv paper https://arxiv.org/abs/2404.14361v2`.
`/arxiv publish on` · `/arxiv publish off`
  Die Fragen und Antworten der Karten-Threads dieses Kanals auf den Artikelseiten der Website zeigen, nie wer gefragt hat (nur Admins; anfangs aus). `/arxiv publish` allein zeigt den Stand.
`/arxiv preview <Thema> [max=…]`
  Nur für dich: was das Thema in den letzten 7 Tagen gewählt hätte, mit Relevanz und Abfrage.
`/arxiv related <arXiv-ID oder Link>`
  Bis zu 5 ähnliche Arbeiten aus denen, die der Bot kennt, mit Schlagzeile und Link (nur für dich sichtbar), z. B. `/arxiv related 2404.14361`.
`/arxiv usage`
  LLM-Tokens und Kosten je Abo diesen Monat; `/arxiv edit 3 budget=500k` begrenzt sie (0: unbegrenzt).
`/arxiv help`
  Diese Nachricht.
Fragen zu einer Arbeit: erwähne mich im Thread ihrer Karte.""",
}

REPLIES = {
    "subscribed": "Dieser Kanal hat *{topic}* abonniert (Abo {id}): {max} Arbeiten jeden {schedule}, auf {language}. "
    "Nächster Digest: {next}.{searching}",
    "listed_terms": " (Suche: `{terms}`)",
    "not_english": "*{topic}* ist nicht Englisch, arXiv aber schon: so fände die Suche nichts. Es ist kein LLM "
    "eingerichtet, das englische Suchbegriffe wählt; schreib das Thema also auf Englisch oder gib die Begriffe an: "
    '`/arxiv subscribe {topic} terms="synthetic data"`.',
    "terms_failed": "Für *{topic}* konnten keine englischen Suchbegriffe gewählt werden ({problem}); nichts wurde "
    'abonniert. Schreib das Thema auf Englisch oder gib die Begriffe an: `/arxiv subscribe {topic} terms="synthetic data"`.',
    "unsubscribed": "Abo {id} (*{topic}*) beendet. Dieser Kanal bekommt davon keine Digests mehr.",
    "not_here": "Abo {id} gehört nicht zu diesem Kanal; `/arxiv list` zeigt die IDs dieses Kanals.",
    "no_subscriptions": "Dieser Kanal hat noch keine Abos. Abonniere mit `/arxiv subscribe <Thema>`.",
    "failing": " Der Digest vom {due} schlägt seit {since} fehl: {error}; Versuch {attempts}, nächster Versuch {next_try}.",
    "gave_up": " Der Digest vom {due} wurde nach {attempts} Versuchen aufgegeben ({error}); der nächste Digest "
    "enthält diese Arbeiten.",
    "not_allowed": "Nur Workspace-Admins und die in den Einstellungen des Bots erlaubten Nutzer dürfen hier {action}.",
    "not_yours": "Abo {id} gehört {owner}: nur diese Person und die Admins dürfen es ändern. Nichts wurde geändert.",
    "working": "Der Digest zu *{topic}* wird erstellt ({start} ~ {end})…",
    "now_done": "Digest zu *{topic}* gepostet: {cards} neue Arbeit(en) von {candidates}.",
    "now_empty": "Keine neuen Arbeiten zu *{topic}* vom {start} bis {end} ({candidates} gefunden, {skipped} schon in "
    "diesem Kanal): nichts gepostet.",
    "now_failed": "Der Digest zu *{topic}* wurde unterbrochen: {error}. Er wird erneut versucht; nichts wird doppelt gepostet.",
    "now_error": "Der Digest zu *{topic}* konnte nicht erstellt werden: {error}",
    "fetching_paper": "arXiv {id} wird abgerufen…",
    "no_such_paper": "arXiv hat keine Arbeit {id}; prüf die ID (z. B. 2404.14361).",
    "paper_held": "arXiv {id} ist schon in diesem Kanal: gepostet {when}{source}. Frag im Thread dieser Karte.",
    "paper_coming": "arXiv {id} ist schon unterwegs in diesen Kanal{source} (seit {when}); sie wird einmal gepostet.",
    "paper_source_digest": " im Digest zu *{topic}*",
    "paper_source_paper": " mit /arxiv paper",
    "paper_failed": "Die Karte von arXiv {id} konnte nicht gepostet werden: {error}. Führ denselben Befehl noch einmal "
    "aus; sie wird nie doppelt gepostet.",
    "weekdays": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "language:ja": "Japanisch", "language:en": "Englisch", "language:zh": "Chinesisch (vereinfacht)", "language:ko": "Koreanisch",
    "language:de": "Deutsch", "language:fr": "Französisch", "language:es": "Spanisch",
}

SLACK = {
    "failed": "Beim Ausführen des Befehls ist etwas schiefgegangen (es ist protokolliert); nichts wurde geändert. "
    "Bitte versuch es in einer Minute noch einmal.",
    "empty_question": "Frag mich hier im Thread nach dieser Arbeit, z. B. erwähne mich mit "
    '"Mit welchen Daten trainieren sie?"',
    "answer_failed": "Tut mir leid, darauf konnte ich gerade nicht antworten; frag bitte in einer Minute noch einmal.",
    "reading": "Ich lese die Arbeit…",
}

DISCORD = {
    "ask_button": "Frage zu dieser Arbeit",
    "thread_prompt": "Frag mich hier alles zu **{title}**: erwähne mich mit deiner Frage oder nutze `/arxiv ask`. "
    "Ich antworte anhand der Arbeit.",
    "thread_opened": "Frag los in {thread}.",
    "thread_failed": "Ich konnte zu dieser Karte keinen Thread öffnen: {error}",
    "not_a_card": "Diese Nachricht ist keine meiner Karten mehr, es gibt also nichts zu fragen.",
    "ask_outside": "Nutze `/arxiv ask` im Thread einer Karte. Drück **Frage zu dieser Arbeit** unter einer Karte, "
    "um einen zu öffnen.",
    "empty_question": 'Frag mich hier nach dieser Arbeit, z. B. erwähne mich mit "Mit welchen Daten trainieren sie?"',
    "answer_failed": "Tut mir leid, darauf konnte ich gerade nicht antworten; frag bitte in einer Minute noch einmal.",
    "failed": "Beim Ausführen des Befehls ist etwas schiefgegangen (es ist protokolliert); nichts wurde geändert. "
    "Bitte versuch es in einer Minute noch einmal.",
    "paused_dm": "Ich konnte den Digest zu **{topic}** (Abo {id}) nicht in <#{channel}> posten: {why}. Das Abo ist "
    "pausiert, ich versuche es also nicht weiter. Sobald das behoben ist, setze es in diesem Kanal mit "
    "`/arxiv resume {id}` fort (schon gepostete Arbeiten kommen nicht doppelt).",
}

# The /arxiv slash command's descriptions, option descriptions and choice names as a
# Discord client in this language shows them (bot/discord/translator.py); at most 100
# characters each. Command and option names stay English: they are what the help shows.
DISCORD_COMMANDS = {
    "group": "Wöchentliche arXiv-Digests: eine Karte pro Arbeit",
    "subscribe": "Diesen Kanal für einen wöchentlichen Digest zu einem Thema abonnieren",
    "subscribe.topic": 'Freier Text (synthetic data), eine "Phrase" oder arXiv-Felder (cat:cs.CL AND abs:"diffusion")',
    "subscribe.day": "Wochentag, an dem der Digest kommt",
    "subscribe.time": "Ortszeit, HH:MM im 24-Stunden-Format (09:00)",
    "subscribe.tz": "IANA-Zeitzone (Europe/Berlin)",
    "subscribe.lang": "Sprache der Karten",
    "subscribe.max": "Arbeiten pro Digest",
    "subscribe.terms": "Englische Suchbegriffe für ein Thema in einer anderen Sprache (synthetic data)",
    "list": "Die Abos dieses Kanals, mit ihren IDs",
    "unsubscribe": "Ein Abo dieses Kanals beenden",
    "unsubscribe.id": "Die ID des Abos (/arxiv list zeigt sie)",
    "edit": "Ein Abo ändern: Zeitplan, Sprache, Umfang oder Thema",
    "edit.topic": "Ein neues Thema (geprüft wie bei einem neuen Abo)",
    "edit.learn": "Ob die 👍/👎 dieses Kanals auf Karten die Reihenfolge beeinflussen",
    "pause": "Die Digests eines Abos bis /arxiv resume pausieren",
    "resume": "Ein pausiertes Abo fortsetzen (auch eines, das der Bot pausiert hat, sobald behoben)",
    "now": "Den Digest dieser Woche sofort posten (eines Abos oder aller Abos dieses Kanals)",
    "now.id": "Die ID des Abos; weglassen für alle Abos dieses Kanals",
    "paper": "Die Karte einer Arbeit posten",
    "paper.paper": "Eine arXiv-ID oder ein Link: 2404.14361 oder https://arxiv.org/abs/2404.14361",
    "ask": "Eine Frage zur Arbeit der Karte dieses Threads stellen",
    "ask.question": "Was du über die Arbeit wissen willst",
    "publish": "Die Fragen und Antworten der Threads dieses Kanals auf den Artikelseiten zeigen oder nicht",
    "publish.state": "on oder off (nur Admins); weglassen zeigt den Stand",
    "publish.on": "an", "publish.off": "aus",
    "preview": "Nur für dich: was ein Thema in den letzten 7 Tagen ausgewählt hätte, mit Relevanz und Abfrage",
    "related": 'Arbeiten ähnlich einer Arbeit, aus denen, die der Bot kennt',
    "related.paper": 'Die Arbeit: eine arXiv-ID oder ein Link (2404.14361)',
    "usage": "LLM-Tokens und geschätzte Kosten der Abos dieses Kanals in diesem Monat",
    "edit.budget": "Monatliche LLM-Tokens (500k; 0: unbegrenzt; default: die des Servers)",
    "help": "Alle /arxiv-Unterbefehle, mit Beispielen",
    "day.mon": "Montag", "day.tue": "Dienstag", "day.wed": "Mittwoch", "day.thu": "Donnerstag", "day.fri": "Freitag",
    "day.sat": "Samstag", "day.sun": "Sonntag",
    "lang.ja": "Japanisch (ja)", "lang.en": "Englisch (en)", "lang.zh": "Vereinfachtes Chinesisch (zh)",
    "lang.ko": "Koreanisch (ko)", "lang.de": "Deutsch (de)", "lang.fr": "Französisch (fr)", "lang.es": "Spanisch (es)",
}
