"""The Slack adapter: ``/arxiv`` and thread questions over bolt, paper cards as Block Kit.

``SlackPort`` (port.py) is its DigestPort on the Web API, built by the composition
root; ``build_slack_app`` (app.py) wires the bolt listeners; ``SlackService``
(service.py) runs them in Socket Mode or over HTTP; ``oauth.py`` and ``installs.py`` hold
the two install modes (one bot token, or OAuth installs in any number of workspaces,
each workspace's token from the store); ``blocks.py`` renders (pure);
``texts.py`` holds the Slack-only sentences; ``placeholder.py`` shows a slow answer as
a placeholder reply first.
"""
