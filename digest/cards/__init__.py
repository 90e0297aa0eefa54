"""Paper cards: LLM or extractive summaries, rendering."""
