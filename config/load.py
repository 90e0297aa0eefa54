"""Loading the settings: every problem at once, each a line a person can act on.

``load_settings()`` reads defaults < ``DIGEST_CONFIG_FILE`` < environment (``Settings``)
and raises ``ConfigError`` listing every bad value (key, value with secrets hidden,
what is allowed) and every misspelt key: an unknown ``DIGEST_*`` variable, an unknown
key or section in the file, each with the closest valid name. pydantic-settings
ignores unknown environment variables; a typo there would silently leave a setting off.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping

from pydantic import BaseModel, ValidationError
from pydantic_settings import SettingsError

from config.report import closest, describe_validation_error, looks_secret, shown
from config.settings import STANDARD_ENV, ConfigError, Settings

# DIGEST_* variables that are not settings of a section: the file's name, the Slack
# port's historical name, and the test suite's switches (tests/conftest.py,
# tests/test_site_browser.py; .ci/run sets both).
NOT_SECTION_VARIABLES = ("DIGEST_CONFIG_FILE", "DIGEST_HTTP_PORT", "DIGEST_REQUIRE_POSTGRES", "DIGEST_REQUIRE_BROWSER")


def sections() -> dict[str, list[str]]:
    """Each settings section and its keys, in ``config/default.toml``'s order."""
    found = {}
    for name, field in Settings.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        found[name] = list(model.model_fields)
    return found


def whole_number_keys() -> list[str]:
    """``section.key`` of each setting that takes whole numbers (``int``, ``int | None``,
    ``dict[str, int]``): their bounds read "write a whole number 1 or more"."""
    found = []
    for section, field in Settings.model_fields.items():
        for key, inner in field.annotation.model_fields.items():  # type: ignore[union-attr]
            text = str(inner.annotation)  # "<class 'int'>", "int | None", "dict[str, ...int...]"
            if re.search(r"\bint\b", text) and "float" not in text:
                found.append(f"{section}.{key}")
    return found


def known_variables() -> list[str]:
    """Every ``DIGEST_*`` variable the settings read."""
    names = [f"DIGEST_{section}_{key}".upper() for section, keys in sections().items() for key in keys]
    return names + list(NOT_SECTION_VARIABLES)


def unknown_variables(environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """``(line, variable)`` for each ``DIGEST_*`` variable that names no setting."""
    known = known_variables()
    problems = []
    for name in sorted(environ):
        if not name.upper().startswith("DIGEST_") or name.upper() in known:
            continue
        near = closest(name.upper().removeprefix("DIGEST_"), [k.removeprefix("DIGEST_") for k in known])
        hint = f"did you mean DIGEST_{near}?" if near else "the variables are DIGEST_<SECTION>_<KEY> for the keys of config/default.toml"
        problems.append((f"{name} = {shown(name, environ[name])}: unknown variable; {hint}", name))
    return problems


def spelling_conflicts(environ: Mapping[str, str]) -> list[str]:
    """A line for each setting given two different values under its two names
    (``DIGEST_HTTP_PORT`` and ``DIGEST_SLACK_HTTP_PORT``, ``DISCORD_SHARD_COUNT`` and
    ``DIGEST_DISCORD_SHARD_COUNT``, ...: ``STANDARD_ENV``). One would silently win, while a
    compose file or a script may read the other. Empty values are unset (no conflict)."""
    lines = []
    for section, pairs in STANDARD_ENV.items():
        for key, standard in pairs:
            own = f"DIGEST_{section}_{key}".upper()
            first, second = environ.get(standard, "").strip(), environ.get(own, "").strip()
            if first and second and first != second:
                values = "(hidden)" if looks_secret(key) else f"{first!r} and {second!r}"
                lines.append(f"{section}.{key}: {standard} and {own} name the same setting but differ "
                             f"({values}); set one of them, or both to the same value")
    return lines


def load_settings() -> Settings:
    """The effective settings; ``ConfigError`` naming every problem found."""
    unknown = unknown_variables(os.environ)
    lines = [line for line, _ in unknown] + spelling_conflicts(os.environ)
    try:
        settings = Settings()
    except ValidationError as err:
        lines += describe_validation_error(err, sections(), [name for _, name in unknown], STANDARD_ENV,
                                         whole_number_keys())
    except FileNotFoundError as err:
        raise ConfigError(str(err)) from None
    except tomllib.TOMLDecodeError as err:
        where = os.environ.get("DIGEST_CONFIG_FILE", "the configuration file")
        raise ConfigError(f"DIGEST_CONFIG_FILE={where} is not valid TOML: {err}") from None
    except SettingsError as err:  # a value the environment source could not parse at all
        lines.append(str(err))
    if not lines and (conflict := settings.conflict()):
        lines.append(conflict)
    if lines:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines))
    return settings
