"""The Slack edge: Block Kit rendering (``blocks``), and later the bolt app and SlackPort."""
