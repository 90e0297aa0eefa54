"""Thread Q&A: a question about a card's paper answered from its full text."""
