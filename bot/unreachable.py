"""A chat service that cannot be reached at start (DNS, a refused connection, a timeout).

Not a ``ConfigError``: the settings may be right and the network or the service down, so
``digest-bot run`` exits 1 (a service unavailable), not 2 (bad configuration); a token the
service refuses stays a ``ConfigError`` (``SlackStartupError``, ``DiscordStartupError``).
"""

from __future__ import annotations


class ServiceUnreachable(Exception):
    """The message names the service, its URL and the variable that sets it; never a secret."""
