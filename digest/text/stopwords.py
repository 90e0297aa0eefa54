"""Stop words: the one list of words that say nothing of a paper's subject.

Used by the tokenizer of ranking and Q&A retrieval (``digest.text.ranking.tokens``), by
topic parsing (``digest.arxiv.topics``: not searched for on their own) and, the function
words with a few of other languages, by the PDF reader's check that a text layer reads as
language (``digest.arxiv.document``). Matched against lowercased words, before stemming.

Source: hand-picked for arXiv titles and abstracts, merged in issue 12 from the three
lists that ranking, topic parsing and the PDF reader kept apart ("we" and "our" stay the
PDF reader's own: as stop words they moved a near tie in Q&A retrieval). The nearest
standard list, Lucene's classic English stop set (33 words), shares 21 of the 23
function words here; it also drops words a question may hinge on ("not", "no", "if",
"but"), which this list leaves in. bench/ranking_quality.py and bench/qa_retrieval.py
gave the same figures before and after the merge.
"""

from __future__ import annotations

# The commonest English words of prose, whatever its subject.
FUNCTION_WORDS = frozenset("a an and are as at be by for from in into is it its of on or that the this to with".split())
# Words of paper titles and abstracts that say how, not what about.
STOPWORDS = FUNCTION_WORDS | frozenset("via using based towards toward new vs versus".split())
