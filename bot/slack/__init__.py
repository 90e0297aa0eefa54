"""The Slack adapter: the bolt app (``app``), ``SlackPort`` (``port``), Block Kit rendering
(``blocks``, pure), the Slack-only sentences (``texts``)."""
