"""arXiv: topics to queries, the API, full text."""
