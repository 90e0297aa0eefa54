"""A command's usage error, kept as a catalogue key until the invoker's language is known.

``bot.commands`` raises ``CommandError``; the handlers show ``error.text(language)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.command_text import MESSAGES


@dataclass(frozen=True)
class Phrase:
    """A text of ``bot.command_text.MESSAGES`` not yet put in a language: its key and values
    (a value may be a ``Phrase`` too, such as a "did you mean" hint)."""

    key: str
    values: dict[str, object]

    def text(self, language: str | None) -> str:
        """The text in ``language`` (None or untranslated: English)."""
        filled = {name: value.text(language) if isinstance(value, Phrase) else value for name, value in self.values.items()}
        return MESSAGES.text(language, self.key, **filled)


class CommandError(ValueError):
    """Input that is not a valid command; the message tells the user how to write it.

    ``str(error)`` is English; ``error.text(language)`` is the invoker's language."""

    def __init__(self, key: str, /, **values: object) -> None:
        self.phrase = Phrase(key, values)
        super().__init__(self.phrase.text("en"))

    def text(self, language: str | None) -> str:
        return self.phrase.text(language)
