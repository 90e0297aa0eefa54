"""Français (``bot/lang/__init__.py`` explains the tables)."""

from __future__ import annotations

from bot.lang import EXAMPLE, IDS, LINK

MESSAGES = {
    "unknown": "`{word}` n'est pas une sous-commande de /arxiv.{hint} Écrivez l'une de : {all} (/arxiv help les explique).",
    "did_you_mean": " Vouliez-vous dire `{word}` ?",
    "no_topic": f"subscribe demande un sujet, p. ex. {EXAMPLE}",
    "empty_topic": 'topic= demande un sujet, p. ex. topic="LLM agents".',
    "bad_topic": "Ce sujet ne peut pas être cherché sur arXiv : {reason}",
    "unknown_option": "`{key}=` n'est pas une option de subscribe.{hint} Les options sont day=, time=, tz=, lang=, "
    'max= et terms=, p. ex. day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10 terms="synthetic data".',
    "no_terms": 'terms= demande des termes de recherche en anglais, p. ex. /arxiv subscribe 合成データ terms="synthetic data".',
    "bad_terms": "Ces termes ne peuvent pas être cherchés sur arXiv : {reason}",
    "twice": "`{key}=` est donné deux fois ; gardez-en un.",
    "bad_day": "`day={value}` n'est pas un jour de la semaine ; écrivez day=mon, tue, wed, thu, fri, sat ou sun.",
    "bad_time": "`time={value}` n'est pas une heure ; écrivez time=HH:MM sur 24 heures, p. ex. time=09:00 ou time=18:30.",
    "bad_tz": "`tz={value}` n'est pas un fuseau horaire que je connais.{hint} Écrivez un nom IANA comme "
    "tz=Europe/Paris, tz=Asia/Tokyo ou tz=UTC.",
    "tz_hint": " Vouliez-vous dire tz={zone} ?",
    "bad_lang": "`lang={value}` n'est pas une langue prise en charge ; écrivez l'une de : {languages}.",
    "bad_max": "`max={value}` n'est pas un nombre entier ; écrivez un nombre de {low} à {high}, p. ex. max=10.",
    "max_range": "`max={value}` est hors limites ; écrivez un nombre de {low} à {high}, p. ex. max=10.",
    "no_id": "{sub} demande l'id d'un abonnement, p. ex. /arxiv {sub} 3 (/arxiv list affiche les ids).",
    "bad_id": "`{value}` n'est pas un id d'abonnement ; les ids sont des nombres, p. ex. /arxiv {sub} 3 "
    "(/arxiv list les affiche).",
    "extra": "Après {sub} vient {takes} ; retirez `{extra}`.",
    "takes_nothing": "rien d'autre",
    "takes_one_id": "un seul id d'abonnement",
    "takes_one_paper": "un seul id ou lien arXiv",
    "no_paper": f"paper demande un id ou un lien arXiv, p. ex. /arxiv paper 2404.14361 ou /arxiv paper {LINK}.",
    "bad_paper": f"`{{value}}` n'est ni un id ni un lien arXiv ; écrivez-le comme {IDS} ou {LINK}.",
    "help": """*Digest arXiv* : chaque semaine, les nouveaux articles arXiv sur un sujet, une carte par article.

`/arxiv subscribe <sujet> [day=mon] [time=09:00] [tz=Asia/Tokyo] [lang=ja] [max=10]`
  Abonne ce canal. Le sujet est du texte libre (synthetic data), une "phrase entre guillemets" ou des champs \
arXiv (cat:cs.CL AND abs:"diffusion model"). Les options vont dans n'importe quel ordre ; omises, elles prennent \
les valeurs par défaut.
  day : mon, tue, wed, thu, fri, sat ou sun · time : HH:MM sur 24 heures · tz : un fuseau IANA \
· lang : {languages} · max : articles par digest, de {low} à {high}
  Un sujet dans une autre langue est cherché avec des termes anglais que le LLM choisit une fois ; donnez les \
vôtres avec terms=, p. ex. `/arxiv subscribe 合成データ terms="synthetic data"`.
  p. ex. `/arxiv subscribe LLM agents day=fri time=17:30 tz=Europe/Paris lang=fr max=5`
`/arxiv list`
  Les abonnements de ce canal, avec leurs ids.
`/arxiv unsubscribe <id>`
  Supprime un abonnement, p. ex. `/arxiv unsubscribe 3`.
`/arxiv edit <id> [day=…] [time=…] [tz=…] [lang=…] [max=…] [topic=…] [terms=…] [learn=on|off] [budget=…]`
  Modifie un abonnement, p. ex. `/arxiv edit 3 day=fri time=17:30` ou `/arxiv edit 3 topic="LLM agents"`.
`/arxiv pause <id>`, `/arxiv resume <id>`
  Met en pause un moment les digests d'un abonnement, puis les reprend (même s'il a été mis en pause par le bot).
  Seuls l'auteur de l'abonnement et les admins peuvent le modifier, le mettre en pause, le reprendre ou le supprimer.
`/arxiv now [<id>]`
  Publie tout de suite le digest de la semaine : d'un abonnement, ou de tous ceux de ce canal.
`/arxiv paper <id ou lien arXiv>`
  Publie la carte d'un article, p. ex. `/arxiv paper 2404.14361` ou `/arxiv paper https://arxiv.org/abs/2404.14361v2`.
`/arxiv publish on` · `/arxiv publish off`
  Affiche les questions et réponses des fils des cartes de ce canal sur les pages des articles du site, jamais qui a demandé (admins seulement ; désactivé par défaut). `/arxiv publish` seul montre l'état.
`/arxiv preview <sujet> [max=…]`
  Pour vous seul : ce que le sujet aurait choisi ces 7 derniers jours, scores et requête.
`/arxiv related <id ou lien arXiv>`
  Jusqu'à 5 articles proches parmi ceux que le bot conserve, avec titre et lien (visible de vous seul), p. ex. `/arxiv related 2404.14361`.
`/arxiv usage`
  Tokens LLM et coût du mois par abonnement ; `/arxiv edit 3 budget=500k` les plafonne (0 : illimité).
`/arxiv help`
  Ce message.
Pour poser une question sur un article, mentionnez-moi dans le fil de sa carte.""",
}

REPLIES = {
    "subscribed": "Ce canal est abonné à *{topic}* (abonnement {id}) : {max} articles chaque {schedule}, en {language}. "
    "Prochain digest : {next}.{searching}",
    "listed_terms": " (recherche : `{terms}`)",
    "not_english": "*{topic}* n'est pas en anglais, et arXiv l'est : la recherche ne trouverait rien. Aucun LLM "
    "n'est configuré pour choisir des termes anglais ; écrivez donc le sujet en anglais, ou donnez les termes : "
    '`/arxiv subscribe {topic} terms="synthetic data"`.',
    "terms_failed": "Impossible de choisir des termes anglais pour *{topic}* ({problem}) ; rien n'a été abonné. "
    'Écrivez le sujet en anglais, ou donnez les termes : `/arxiv subscribe {topic} terms="synthetic data"`.',
    "unsubscribed": "Abonnement {id} (*{topic}*) supprimé. Ce canal n'en recevra plus de digest.",
    "not_here": "L'abonnement {id} n'est pas un de ceux de ce canal ; `/arxiv list` affiche les ids de ce canal.",
    "no_subscriptions": "Ce canal n'a pas encore d'abonnement. Abonnez-le avec `/arxiv subscribe <sujet>`.",
    "failing": " Le digest du {due} échoue depuis le {since} : {error} ; essai {attempts}, prochain essai le {next_try}.",
    "gave_up": " Le digest du {due} a été abandonné après {attempts} essais ({error}) ; le prochain digest couvre ces articles.",
    "not_allowed": "Seuls les admins de l'espace de travail et les utilisateurs autorisés dans les réglages du bot "
    "peuvent faire {action} ici.",
    "not_yours": "L'abonnement {id} appartient à {owner} : seuls cette personne et les admins peuvent le modifier. "
    "Rien n'a été modifié.",
    "working": "Préparation du digest de *{topic}* ({start} ~ {end})…",
    "now_done": "Digest de *{topic}* publié : {cards} nouvel(s) article(s) sur {candidates}.",
    "now_empty": "Aucun nouvel article sur *{topic}* du {start} au {end} ({candidates} trouvés, {skipped} déjà publiés "
    "dans ce canal) : rien n'a été publié.",
    "now_failed": "Le digest de *{topic}* s'est arrêté : {error}. Il sera relancé ; rien n'est publié deux fois.",
    "now_error": "Le digest de *{topic}* n'a pas pu être construit : {error}",
    "fetching_paper": "Récupération de arXiv {id}…",
    "no_such_paper": "arXiv n'a pas d'article {id} ; vérifiez l'id (p. ex. 2404.14361).",
    "paper_held": "arXiv {id} est déjà dans ce canal : publié {when}{source}. Posez vos questions dans le fil de sa carte.",
    "paper_coming": "arXiv {id} est déjà en route vers ce canal{source} (depuis {when}) ; il n'est publié qu'une fois.",
    "paper_source_digest": " dans le digest de *{topic}*",
    "paper_source_paper": " par /arxiv paper",
    "paper_failed": "La carte de arXiv {id} n'a pas pu être publiée : {error}. Relancez la même commande pour "
    "réessayer ; elle n'est jamais publiée deux fois.",
    "weekdays": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "language:ja": "japonais", "language:en": "anglais", "language:zh": "chinois simplifié", "language:ko": "coréen",
    "language:de": "allemand", "language:fr": "français", "language:es": "espagnol",
}

SLACK = {
    "failed": "Un problème est survenu pendant cette commande (il est journalisé) ; rien n'a été modifié. "
    "Réessayez dans une minute.",
    "empty_question": "Posez-moi votre question sur cet article ici même, dans son fil, p. ex. mentionnez-moi avec "
    '"sur quelles données entraînent-ils ?"',
    "answer_failed": "Désolé, je n'ai pas pu répondre pour l'instant ; reposez la question dans une minute.",
    "reading": "Lecture de l'article…",
}

DISCORD = {
    "ask_button": "Poser une question sur cet article",
    "thread_prompt": "Posez-moi ici toutes vos questions sur **{title}** : mentionnez-moi avec votre question, "
    "ou utilisez `/arxiv ask`. Je réponds d'après l'article.",
    "thread_opened": "Posez vos questions dans {thread}.",
    "thread_failed": "Je n'ai pas pu ouvrir de fil sur cette carte : {error}",
    "not_a_card": "Ce message n'est plus une de mes cartes d'article : il n'y a rien à demander.",
    "ask_outside": "Utilisez `/arxiv ask` dans le fil d'une carte d'article. Appuyez sur **Poser une question sur cet "
    "article** sous une carte pour en ouvrir un.",
    "empty_question": "Posez-moi votre question sur cet article ici même, p. ex. mentionnez-moi avec "
    '"sur quelles données entraînent-ils ?"',
    "answer_failed": "Désolé, je n'ai pas pu répondre pour l'instant ; reposez la question dans une minute.",
    "failed": "Un problème est survenu pendant cette commande (il est journalisé) ; rien n'a été modifié. "
    "Réessayez dans une minute.",
    "paused_dm": "Je n'ai pas pu publier le digest de **{topic}** (abonnement {id}) dans <#{channel}> : {why}. "
    "L'abonnement est en pause, je ne réessaierai donc pas. Une fois le problème réglé, reprenez-le avec "
    "`/arxiv resume {id}` dans ce canal (les articles déjà publiés ne le sont pas deux fois).",
}

# The /arxiv slash command's descriptions, option descriptions and choice names as a
# Discord client in this language shows them (bot/discord/translator.py); at most 100
# characters each. Command and option names stay English: they are what the help shows.
DISCORD_COMMANDS = {
    "group": "Digests arXiv hebdomadaires : une carte par article",
    "subscribe": "Abonner ce canal au digest hebdomadaire d'un sujet",
    "subscribe.topic": 'Texte libre (synthetic data), une "phrase" ou des champs arXiv (cat:cs.CL AND abs:"diffusion")',
    "subscribe.day": "Jour de la semaine où arrive le digest",
    "subscribe.time": "Heure locale, HH:MM sur 24 heures (09:00)",
    "subscribe.tz": "Fuseau horaire IANA (Europe/Paris)",
    "subscribe.lang": "Langue des cartes",
    "subscribe.max": "Articles par digest",
    "subscribe.terms": "Termes de recherche anglais pour un sujet dans une autre langue (synthetic data)",
    "list": "Les abonnements de ce canal, avec leurs ids",
    "unsubscribe": "Supprimer un abonnement de ce canal",
    "unsubscribe.id": "L'id de l'abonnement (/arxiv list les affiche)",
    "edit": "Modifier un abonnement : horaire, langue, taille ou sujet",
    "edit.topic": "Un nouveau sujet (vérifié comme celui d'un nouvel abonnement)",
    "edit.learn": "Si les 👍/👎 de ce salon sur les cartes influencent le classement",
    "pause": "Mettre en pause les digests d'un abonnement jusqu'à /arxiv resume",
    "resume": "Reprendre un abonnement en pause (même mis en pause par le bot, une fois réglé)",
    "now": "Publier tout de suite le digest de la semaine (d'un abonnement, ou de tous ceux du canal)",
    "now.id": "L'id de l'abonnement ; omis : tous les abonnements de ce canal",
    "paper": "Publier la carte d'un article",
    "paper.paper": "Un id ou lien arXiv : 2404.14361 ou https://arxiv.org/abs/2404.14361",
    "ask": "Poser une question sur l'article de la carte de ce fil",
    "ask.question": "Ce que vous voulez savoir sur l'article",
    "publish": "Afficher ou non les questions-réponses des fils de ce canal sur les pages du site",
    "publish.state": "on ou off (admins seulement) ; omis : montre l'état actuel",
    "publish.on": "activé", "publish.off": "désactivé",
    "preview": "Pour vous seul : les articles qu'un sujet aurait choisis ces 7 derniers jours, scores et requête",
    "related": "Articles proches d'un article, parmi ceux que le bot conserve",
    "related.paper": "L'article : un identifiant ou un lien arXiv (2404.14361)",
    "usage": "Tokens LLM et coût estimé des abonnements de ce canal ce mois-ci",
    "edit.budget": "Tokens LLM par mois (500k ; 0 : illimité ; default : ceux du serveur)",
    "help": "Toutes les sous-commandes de /arxiv, avec des exemples",
    "day.mon": "lundi", "day.tue": "mardi", "day.wed": "mercredi", "day.thu": "jeudi", "day.fri": "vendredi",
    "day.sat": "samedi", "day.sun": "dimanche",
    "lang.ja": "japonais (ja)", "lang.en": "anglais (en)", "lang.zh": "chinois simplifié (zh)", "lang.ko": "coréen (ko)",
    "lang.de": "allemand (de)", "lang.fr": "français (fr)", "lang.es": "espagnol (es)",
}
