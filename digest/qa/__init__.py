"""Thread Q&A: a question about a card's paper answered from its full text.

``QAService.answer(ThreadQuestion) -> Answer`` (``service.py``, the types in ``question.py``).
"""

from digest.qa.question import Answer, Quote, ThreadQuestion, Turn
from digest.qa.service import QAService

__all__ = ["Answer", "QAService", "Quote", "ThreadQuestion", "Turn"]
