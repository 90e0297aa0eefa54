"""Text tools shared by stages: BM25 ranking, fitting text to limits."""
