"""The settings as a person reads them: what is wrong with them, and text safe to print.

``describe_validation_error`` turns pydantic's errors into the lines ``ConfigError``
carries (each key, its value with secrets hidden, what is allowed, the variable to
set; a misspelt key with the closest valid one); ``shown`` is a value as an error may
print it; ``masked_url`` hides passwords and query values (``digest-bot config check``);
``mask_secrets`` does the same for any text (log lines).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError

SECRET_WORDS = ("key", "token", "secret", "password", "passwd", "credential")
# Tokens by their documented prefixes (Slack's xoxb-/xoxp-/xapp-, OpenAI's sk-) and
# Discord's three dot-separated base64 parts: hidden wherever they appear.
_TOKEN = re.compile(
    r"\b(xox[a-z]-|xapp-|sk-)[\w-]{4,}|\b[\w-]{20,}\.[\w-]{6}\.[\w-]{20,}"
)
# user:password@ in any URL (scheme optional: a value missing it is still a URL's tail).
_USERINFO = re.compile(r"(?P<user>[^\s:/@'\"]+):[^\s@/'\"]+@")
_SECRET_QUERY = re.compile(r"(?P<name>[?&][^=&\s]*(?:key|token|secret|password|sig)[^=&\s]*)=[^&\s'\"]+", re.I)


def looks_secret(name: str) -> bool:
    """Whether a key named ``name`` (or misspelt like a secret's name: ``bot_tokn``) holds a secret."""
    words = re.split(r"[^a-z]+", name.lower())
    # "tokens" counts LLM tokens (budget.monthly_tokens, qa.max_context_tokens), not a credential.
    return any(difflib.get_close_matches(word, SECRET_WORDS, n=1, cutoff=0.75) for word in words if word and word != "tokens")


def mask_secrets(text: str) -> str:
    """``text`` with URL passwords, secret query values and known token shapes replaced by ``***``."""
    text = _USERINFO.sub(r"\g<user>:***@", text)
    text = _SECRET_QUERY.sub(r"\g<name>=***", text)
    return _TOKEN.sub(lambda m: (m.group(1) or "") + "***", text)


def shown(name: str, value: Any) -> str:
    """``value`` of the key ``name`` as an error message may show it: secrets ``(hidden)``."""
    if isinstance(value, SecretStr) or looks_secret(name):
        return "(hidden)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {shown(str(key), item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(shown(name, item) for item in value) + "]"
    if isinstance(value, str):
        masked = masked_url(value) if "://" in value else value
        return repr(mask_secrets(masked))
    return repr(value)


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name most like ``name`` (difflib), or None when none is close."""
    found = difflib.get_close_matches(name.lower(), [k.lower() for k in known], n=1, cutoff=0.6)
    if not found:
        return None
    return next(k for k in known if k.lower() == found[0])


# pydantic's wording -> what may be written, in plain words (by its error type).
_PLAIN = {
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "float_parsing": "write a number",
    "string_type": 'write text, in quotes ("U123")',
}
_TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
# pydantic's bound errors (Field(ge=1), ...): the bound's ctx key, and the words around it.
_BOUNDS = {
    "greater_than_equal": ("ge", "{} or more"),
    "greater_than": ("gt", "more than {}"),
    "less_than_equal": ("le", "{} or less"),
    "less_than": ("lt", "less than {}"),
}


def _plain(problem: Any, whole: bool = False) -> str:
    """What is wrong, as a person writes it: ``write one of mon, tue, ...``, ``write a time
    as HH:MM in 24-hour form``, ``write a whole number 1 or more`` (``whole``: the key takes
    integers); pydantic's own message for the rest."""
    kind, ctx = problem["type"], problem.get("ctx") or {}
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return f"write a {'whole number' if whole else 'number'} " + words.format(f"{ctx.get(name, 0):g}")
    if kind == "literal_error":
        return "write one of " + str(ctx.get("expected", "")).replace("'", "")
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == _TIME_PATTERN:
        return "write a time as HH:MM in 24-hour form, e.g. 09:00 or 18:30"
    return problem["msg"].removeprefix("Value error, ")


def variable(loc: list[str], standard: dict[str, tuple[tuple[str, str], ...]] | None = None) -> str:
    """The environment variable that sets the key at ``loc`` (``["slack", "allowed_users",
    "1"]`` -> ``DIGEST_SLACK_ALLOWED_USERS``): the documented name from ``standard``
    (section -> ``(key, variable)`` pairs, e.g. ``OPENAI_BASE_URL``) when it has one."""
    section, key = (loc + [""])[:2]
    for name, var in (standard or {}).get(section, ()):
        if name == key:
            return var
    return "DIGEST_" + "_".join(loc[:2]).upper()


def describe_validation_error(
    err: ValidationError,
    sections: dict[str, list[str]],
    skip_env: Iterable[str] = (),
    standard: dict[str, tuple[tuple[str, str], ...]] | None = None,
    whole: Iterable[str] = (),
) -> list[str]:
    """One line per problem, secrets shown as ``(hidden)``.

    ``sections`` maps each section to its keys (for the closest valid key of a typo);
    an unknown key whose variable is in ``skip_env`` is left out (already reported);
    ``standard`` names the documented variables of some keys (``variable``); ``whole``
    lists the ``section.key`` names that take whole numbers (a bound's wording).
    """
    integers = set(whole)
    skipped = {name.upper() for name in skip_env}
    lines = []
    for problem in err.errors():
        loc = [str(part) for part in problem["loc"]]
        key = ".".join(loc)
        value = problem.get("input")
        env = "DIGEST_" + "_".join(loc).upper()
        if problem["type"] == "extra_forbidden":
            if env in skipped:
                continue
            lines.append(_unknown_key(loc, value, sections))
            continue
        plain = _plain(problem, ".".join(loc[:2]) in integers)
        lines.append(f"{key} = {shown(key, value)}: {plain} (set it in DIGEST_CONFIG_FILE or {variable(loc, standard)})")
    return lines


def _unknown_key(loc: list[str], value: Any, sections: dict[str, list[str]]) -> str:
    """A key no section has: where it was met, and the valid key it most looks like."""
    if len(loc) == 1:  # a section, or a key outside any section
        name = loc[0]
        if isinstance(value, dict):
            near = closest(name, sections)
            hint = f"did you mean [{near}]?" if near else f"the sections are {', '.join(sections)}"
            return f"[{name}] = {shown(name, value)}: unknown section in DIGEST_CONFIG_FILE; {hint}"
        prefix, _, rest = name.lower().partition("_")
        if prefix in sections and rest:  # slack_token: a key of [slack] named like "token"
            like = [key for key in sections[prefix] if rest in key] or [closest(rest, sections[prefix])]
            if like and like[0]:
                return (f"{name} = {shown(name, value)}: unknown setting outside any [section]; did you mean "
                        f"{' or '.join(like)} under [{prefix}]?")
        flat = [f"{section}.{key}" for section, keys in sections.items() for key in keys]
        near = closest(name, [entry.split(".", 1)[1] for entry in flat])
        where = next((entry for entry in flat if near and entry.endswith("." + near)), None)
        hint = f"did you mean {near} under [{where.split('.')[0]}]?" if where else "see config/default.toml"
        return f"{name} = {shown(name, value)}: unknown setting outside any [section]; {hint}"
    section, name = loc[0], ".".join(loc[1:])
    near = closest(name, sections.get(section, []))
    hint = f"did you mean {section}.{near}?" if near else "see config/default.toml for the known ones"
    return f"{section}.{name} = {shown(name, value)}: unknown setting in DIGEST_CONFIG_FILE; {hint}"


def masked_url(url: str) -> str:
    """``url`` with any password and query string values hidden: safe to print."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL after all (a bad port): mask what looks like one
        return mask_secrets(url)
    if not password and not parts.query:
        return url
    netloc = parts.netloc.replace(f":{password}@", ":***@") if password else parts.netloc
    query = "&".join(f"{pair.split('=', 1)[0]}=***" for pair in parts.query.split("&") if pair)
    masked = f"{parts.scheme}://{netloc}{parts.path}"
    return f"{masked}?{query}" if query else masked
