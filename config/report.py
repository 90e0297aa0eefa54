"""The settings as a person reads them: what is wrong with them, and URLs safe to print.

``describe_validation_error`` turns pydantic's errors into the lines ``ConfigError``
carries (each key, its value with secrets hidden, what is allowed, the variable to
set); ``masked_url`` hides passwords and query values (``digest-bot config check``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError


def describe_validation_error(err: ValidationError) -> str:
    """``"invalid configuration:"`` then one line per problem, secrets shown as ``(hidden)``."""
    lines = []
    for problem in err.errors():
        key = ".".join(str(part) for part in problem["loc"])
        value = problem.get("input")
        secret = any(word in key for word in ("key", "token", "secret"))
        shown = "(hidden)" if secret or isinstance(value, SecretStr) else repr(value)
        env = "DIGEST_" + "_".join(str(p) for p in problem["loc"]).upper()
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":  # a typo: naming a variable for it would mislead
            lines.append(f"{key} = {shown}: unknown setting; see config/default.toml for the known ones")
            continue
        lines.append(f"{key} = {shown}: {message} (set it in DIGEST_CONFIG_FILE or {env})")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def masked_url(url: str) -> str:
    """``url`` with any password and query string values hidden: safe to print."""
    parts = urlsplit(url)
    if not parts.password and not parts.query:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@") if parts.password else parts.netloc
    query = "&".join(f"{pair.split('=', 1)[0]}=***" for pair in parts.query.split("&") if pair)
    masked = f"{parts.scheme}://{netloc}{parts.path}"
    return f"{masked}?{query}" if query else masked
