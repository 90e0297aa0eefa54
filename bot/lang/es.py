"""Español (``bot/lang/__init__.py`` explains the tables)."""

from __future__ import annotations

from bot.lang import EXAMPLE, IDS, LINK

MESSAGES = {
    "unknown": "`{word}` no es un subcomando de /arxiv.{hint} Escribe uno de: {all} (/arxiv help los explica).",
    "did_you_mean": " ¿Quisiste decir `{word}`?",
    "no_topic": f"subscribe necesita un tema, p. ej. {EXAMPLE}",
    "empty_topic": 'topic= necesita un tema, p. ej. topic="LLM agents".',
    "bad_topic": "Ese tema no se puede buscar en arXiv: {reason}",
    "unknown_option": "`{key}=` no es una opción de subscribe.{hint} Las opciones son day=, time=, tz=, lang=, "
    'max= y terms=, p. ej. day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10 terms="synthetic data".',
    "no_terms": 'terms= necesita términos de búsqueda en inglés, p. ej. /arxiv subscribe 合成データ terms="synthetic data".',
    "bad_terms": "Esos términos no se pueden buscar en arXiv: {reason}",
    "twice": "`{key}=` aparece dos veces; deja uno.",
    "bad_day": "`day={value}` no es un día de la semana; escribe day=mon, tue, wed, thu, fri, sat o sun.",
    "bad_time": "`time={value}` no es una hora; escribe time=HH:MM en formato de 24 horas, p. ej. time=09:00 o time=18:30.",
    "bad_tz": "`tz={value}` no es una zona horaria que conozca.{hint} Escribe un nombre IANA como tz=Europe/Madrid, "
    "tz=Asia/Tokyo o tz=UTC.",
    "tz_hint": " ¿Quisiste decir tz={zone}?",
    "bad_lang": "`lang={value}` no es un idioma disponible; escribe uno de: {languages}.",
    "bad_max": "`max={value}` no es un número entero; escribe un número de {low} a {high}, p. ej. max=10.",
    "max_range": "`max={value}` está fuera de rango; escribe un número de {low} a {high}, p. ej. max=10.",
    "no_id": "{sub} necesita el id de una suscripción, p. ej. /arxiv {sub} 3 (/arxiv list muestra los ids).",
    "bad_id": "`{value}` no es un id de suscripción; los ids son números, p. ej. /arxiv {sub} 3 (/arxiv list los muestra).",
    "extra": "Después de {sub} va {takes}; quita `{extra}`.",
    "takes_nothing": "nada más",
    "takes_one_id": "un solo id de suscripción",
    "takes_one_paper": "un solo id o enlace de arXiv",
    "no_paper": f"paper necesita un id o enlace de arXiv, p. ej. /arxiv paper 2404.14361 o /arxiv paper {LINK}.",
    "bad_paper": f"`{{value}}` no es un id ni un enlace de arXiv; escríbelo como {IDS} o {LINK}.",
    "help": """*Resumen de arXiv*: cada semana, los artículos nuevos de arXiv sobre un tema, una tarjeta por artículo.

`/arxiv subscribe <tema> [day=mon] [time=09:00] [tz=Asia/Tokyo] [lang=ja] [max=10]`
  Suscribe este canal. El tema es texto libre (synthetic data), una "frase entre comillas" o campos de arXiv \
(cat:cs.CL AND abs:"diffusion model"). Las opciones van en cualquier orden; si se omiten, toman los valores por defecto.
  day: mon, tue, wed, thu, fri, sat o sun · time: HH:MM, 24 horas · tz: una zona horaria IANA \
· lang: {languages} · max: artículos por resumen, de {low} a {high}
  Un tema en otro idioma se busca con términos en inglés que el LLM elige una vez; da los tuyos con terms=, \
p. ej. `/arxiv subscribe 合成データ terms="synthetic data"`.
  p. ej. `/arxiv subscribe LLM agents day=fri time=17:30 tz=Europe/Madrid lang=es max=5`
`/arxiv list`
  Las suscripciones de este canal, con sus ids.
`/arxiv unsubscribe <id>`
  Elimina una suscripción, p. ej. `/arxiv unsubscribe 3`.
`/arxiv edit <id> [day=…] [time=…] [tz=…] [lang=…] [max=…] [topic=…] [terms=…] [learn=on|off] [budget=…]`
  Cambia una suscripción, p. ej. `/arxiv edit 3 day=fri time=17:30` o `/arxiv edit 3 topic="LLM agents"`.
`/arxiv pause <id>`, `/arxiv resume <id>`
  Pausa por un tiempo los resúmenes de una suscripción y luego los reanuda (también si la pausó el bot).
  Solo quien se suscribió y los administradores pueden cambiar, pausar, reanudar o eliminar una suscripción.
`/arxiv now [<id>]`
  Publica ya el resumen de esta semana: de una suscripción, o de todas las de este canal.
`/arxiv paper <id o enlace de arXiv>`
  Publica la tarjeta de un artículo, p. ej. `/arxiv paper 2404.14361` o `/arxiv paper https://arxiv.org/abs/2404.14361v2`.
`/arxiv publish on` · `/arxiv publish off`
  Muestra las preguntas y respuestas de los hilos de las tarjetas de este canal en las páginas de los artículos del sitio, nunca quién preguntó (solo admins; desactivado por defecto). `/arxiv publish` solo muestra el estado.
`/arxiv preview <tema> [max=…]`
  Solo para ti: lo que el tema habría elegido en los últimos 7 días, con puntuación y consulta.
`/arxiv related <id o enlace de arXiv>`
  Hasta 5 artículos parecidos entre los que guarda el bot, con titular y enlace (solo tú lo ves), p. ej. `/arxiv related 2404.14361`.
`/arxiv usage`
  Tokens de LLM y coste del mes por suscripción; `/arxiv edit 3 budget=500k` los limita (0: sin límite).
`/arxiv help`
  Este mensaje.
Para preguntar por un artículo, mencióname en el hilo de su tarjeta.""",
}

REPLIES = {
    "subscribed": "Este canal está suscrito a *{topic}* (suscripción {id}): {max} artículos cada {schedule}, en "
    "{language}. Próximo resumen: {next}.{searching}",
    "listed_terms": " (buscando: `{terms}`)",
    "not_english": "*{topic}* no está en inglés, y arXiv sí: la búsqueda no encontraría nada. No hay ningún LLM "
    "configurado para elegir términos en inglés, así que escribe el tema en inglés o da los términos: "
    '`/arxiv subscribe {topic} terms="synthetic data"`.',
    "terms_failed": "No se pudieron elegir términos en inglés para *{topic}* ({problem}); no se suscribió nada. "
    'Escribe el tema en inglés o da los términos: `/arxiv subscribe {topic} terms="synthetic data"`.',
    "unsubscribed": "Suscripción {id} (*{topic}*) eliminada. Este canal ya no recibirá sus resúmenes.",
    "not_here": "La suscripción {id} no es de este canal; `/arxiv list` muestra los ids de este canal.",
    "no_subscriptions": "Este canal aún no tiene suscripciones. Suscríbete con `/arxiv subscribe <tema>`.",
    "failing": " El resumen del {due} falla desde el {since}: {error}; intento {attempts}, próximo intento el {next_try}.",
    "gave_up": " El resumen del {due} se abandonó tras {attempts} intentos ({error}); el próximo resumen cubre estos artículos.",
    "not_allowed": "Solo los administradores del espacio de trabajo y los usuarios permitidos en la configuración del "
    "bot pueden hacer {action} aquí.",
    "not_yours": "La suscripción {id} es de {owner}: solo esa persona y los administradores pueden cambiarla. "
    "No se cambió nada.",
    "working": "Preparando el resumen de *{topic}* ({start} ~ {end})…",
    "now_done": "Publicado el resumen de *{topic}*: {cards} artículo(s) nuevo(s) de {candidates}.",
    "now_empty": "No hay artículos nuevos sobre *{topic}* del {start} al {end} ({candidates} encontrados, {skipped} ya "
    "publicados en este canal): no se publicó nada.",
    "now_failed": "El resumen de *{topic}* se detuvo: {error}. Se volverá a intentar; nada se publica dos veces.",
    "now_error": "No se pudo generar el resumen de *{topic}*: {error}",
    "fetching_paper": "Obteniendo arXiv {id}…",
    "no_such_paper": "arXiv no tiene el artículo {id}; revisa el id (p. ej. 2404.14361).",
    "paper_held": "arXiv {id} ya está en este canal: publicado {when}{source}. Pregunta en el hilo de esa tarjeta.",
    "paper_coming": "arXiv {id} ya va camino de este canal{source} (desde {when}); se publica una sola vez.",
    "paper_source_digest": " en el resumen de *{topic}*",
    "paper_source_paper": " con /arxiv paper",
    "paper_failed": "No se pudo publicar la tarjeta de arXiv {id}: {error}. Ejecuta el mismo comando otra vez para "
    "reintentarlo; nunca se publica dos veces.",
    "weekdays": "lunes martes miércoles jueves viernes sábado domingo",
    "language:ja": "japonés", "language:en": "inglés", "language:zh": "chino simplificado", "language:ko": "coreano",
    "language:de": "alemán", "language:fr": "francés", "language:es": "español",
}

SLACK = {
    "failed": "Algo salió mal al procesar ese comando (queda registrado); no se cambió nada. "
    "Inténtalo de nuevo en un minuto.",
    "empty_question": "Pregúntame por este artículo aquí mismo, en su hilo, p. ej. mencióname con "
    '"¿con qué datos entrenan?"',
    "answer_failed": "Lo siento, ahora no he podido responder; vuelve a preguntar en un minuto.",
    "reading": "Leyendo el artículo…",
}

DISCORD = {
    "ask_button": "Preguntar por este artículo",
    "thread_prompt": "Pregúntame aquí lo que quieras sobre **{title}**: mencióname con tu pregunta o usa "
    "`/arxiv ask`. Respondo a partir del artículo.",
    "thread_opened": "Pregunta en {thread}.",
    "thread_failed": "No pude abrir un hilo en esta tarjeta: {error}",
    "not_a_card": "Este mensaje ya no es una de mis tarjetas de artículo, así que no hay nada que preguntar.",
    "ask_outside": "Usa `/arxiv ask` dentro del hilo de una tarjeta. Pulsa **Preguntar por este artículo** debajo "
    "de una tarjeta para abrir uno.",
    "empty_question": 'Pregúntame por este artículo aquí mismo, p. ej. mencióname con "¿con qué datos entrenan?"',
    "answer_failed": "Lo siento, ahora no he podido responder; vuelve a preguntar en un minuto.",
    "failed": "Algo salió mal al procesar ese comando (queda registrado); no se cambió nada. "
    "Inténtalo de nuevo en un minuto.",
    "paused_dm": "No pude publicar el resumen de **{topic}** (suscripción {id}) en <#{channel}>: {why}. La suscripción "
    "está en pausa, así que no seguiré intentándolo. Cuando esté resuelto, reanúdala con "
    "`/arxiv resume {id}` en ese canal (los artículos ya publicados no se publican dos veces).",
}

# The /arxiv slash command's descriptions, option descriptions and choice names as a
# Discord client in this language shows them (bot/discord/translator.py); at most 100
# characters each. Command and option names stay English: they are what the help shows.
DISCORD_COMMANDS = {
    "group": "Resúmenes semanales de arXiv: una tarjeta por artículo",
    "subscribe": "Suscribir este canal al resumen semanal de un tema",
    "subscribe.topic": 'Texto libre (synthetic data), una "frase" o campos de arXiv (cat:cs.CL AND abs:"diffusion")',
    "subscribe.day": "Día de la semana en que llega el resumen",
    "subscribe.time": "Hora local, HH:MM en formato de 24 horas (09:00)",
    "subscribe.tz": "Zona horaria IANA (Europe/Madrid)",
    "subscribe.lang": "Idioma de las tarjetas",
    "subscribe.max": "Artículos por resumen",
    "subscribe.terms": "Términos de búsqueda en inglés para un tema en otro idioma (synthetic data)",
    "list": "Las suscripciones de este canal, con sus ids",
    "unsubscribe": "Eliminar una suscripción de este canal",
    "unsubscribe.id": "El id de la suscripción (/arxiv list los muestra)",
    "edit": "Cambiar una suscripción: horario, idioma, tamaño o tema",
    "edit.topic": "Un tema nuevo (se comprueba como el de una suscripción nueva)",
    "edit.learn": "Si los 👍/👎 de este canal en las tarjetas influyen en el orden",
    "pause": "Pausar los resúmenes de una suscripción hasta /arxiv resume",
    "resume": "Reanudar una suscripción en pausa (también una que pausó el bot, ya resuelto)",
    "now": "Publicar ya el resumen de esta semana (de una suscripción, o de todas las del canal)",
    "now.id": "El id de la suscripción; si se omite, todas las de este canal",
    "paper": "Publicar la tarjeta de un artículo",
    "paper.paper": "Un id o enlace de arXiv: 2404.14361 o https://arxiv.org/abs/2404.14361",
    "ask": "Preguntar por el artículo de la tarjeta de este hilo",
    "ask.question": "Lo que quieres saber del artículo",
    "publish": "Mostrar o no las preguntas y respuestas de los hilos de este canal en las páginas del sitio",
    "publish.state": "on u off (solo admins); sin él, muestra el estado actual",
    "publish.on": "activado", "publish.off": "desactivado",
    "preview": "Solo para ti: lo que un tema habría elegido en los últimos 7 días, con puntuación y consulta",
    "related": 'Artículos parecidos a uno, entre los que guarda el bot',
    "related.paper": 'El artículo: un id o enlace de arXiv (2404.14361)',
    "usage": "Tokens de LLM y coste estimado de las suscripciones de este canal este mes",
    "edit.budget": "Tokens de LLM al mes (500k; 0: ilimitado; default: los del servidor)",
    "help": "Todos los subcomandos de /arxiv, con ejemplos",
    "day.mon": "lunes", "day.tue": "martes", "day.wed": "miércoles", "day.thu": "jueves", "day.fri": "viernes",
    "day.sat": "sábado", "day.sun": "domingo",
    "lang.ja": "japonés (ja)", "lang.en": "inglés (en)", "lang.zh": "chino simplificado (zh)", "lang.ko": "coreano (ko)",
    "lang.de": "alemán (de)", "lang.fr": "francés (fr)", "lang.es": "español (es)",
}
