"""The LLM: one client, typed answers, checks on what it writes."""
