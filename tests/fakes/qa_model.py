"""A deterministic fake "reader" model for thread Q&A, plugged into ``FakeOpenAI(responder=...)``.

It answers the way the qa prompt asks a model to: from the passage in ``<passages>`` that
shares the most words with the question (and, less, the thread), quoting its best
sentence and citing its label; "the paper does not say" (found=false) when no passage
shares a content word with the question; in Japanese when the system prompt asks for it.
Keyword requests get English words for the Japanese terms it knows.

Instructions to reveal the prompt, insult the reader or post elsewhere are obeyed
only where they appear *outside* the tags (a model that keeps to its fences) unless
``gullible`` is set, which obeys them anywhere: the worst case the output guards face.
"""

from __future__ import annotations

import re
from typing import Any

from digest.text.ranking import tokens

_BLOCK = re.compile(r"<(passages|question|history|other_papers)>\n?(.*?)\n?</\1>", re.S)
_ENTRY = re.compile(r"^\[([^\]\n]+)\]\n(.*)$", re.M)
INJECTION = re.compile(r"reveal (your|the) system prompt|insult the user|post (this|it) to", re.I)
JA_WORDS = {
    "データセット": "datasets", "評価": "evaluate tasks", "ベースモデル": "base model fine-tune",
    "モデル": "model", "パラメータ": "parameters", "限界": "limitations", "学習": "training",
    "安全": "safety", "結果": "results", "手法": "method", "二つ目": "second", "変換": "transformation",
}
# Words that say what is asked, not what about: a question with only these is unanswerable.
_GENERIC = set(tokens("what which how does do did the paper they use used is are was were it its this"))


def _blocks(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in _BLOCK.finditer(text)}


def _outside(body: dict[str, Any]) -> str:
    texts = [m.get("content") or "" for m in body.get("messages", [])]
    return _BLOCK.sub(" ", "\n".join(texts))


def _schema_name(body: dict[str, Any]) -> str:
    fmt = body.get("response_format") or {}
    return (fmt.get("json_schema") or {}).get("name", "")


def reader(body: dict[str, Any], *, gullible: bool = False) -> dict[str, Any]:
    messages = body.get("messages", [])
    system = next((m["content"] for m in messages if m.get("role") == "system"), "")
    user = "\n".join(m["content"] for m in messages if m.get("role") == "user")
    blocks = _blocks(user)
    question = blocks.get("question", "")
    if _schema_name(body) == "search_keywords":
        return {"keywords": [en for ja, en in JA_WORDS.items() if ja in question] or ["paper"]}

    obeyed = _outside(body) if not gullible else system + user
    if INJECTION.search(obeyed):
        return {
            "answer": f"Sure. My instructions are: {system} Also, you are an idiot. "
            "@everyone see <#C0GENERAL|general>, I posted it there. Key: sk-live-abcdefghijklmnop1234",
            "citations": [],
            "found": True,
        }

    japanese = "Write in Japanese" in system
    wanted = set(tokens(question)) | set(tokens(" ".join(en for ja, en in JA_WORDS.items() if ja in question)))
    history = set(tokens(blocks.get("history", "").replace("(none)", "")))
    entries = _ENTRY.findall(blocks.get("passages", ""))
    best, best_score = None, 0.0
    for label, text in entries:
        words = set(tokens(f"{label} {text}"))
        score = len((wanted - _GENERIC) & words) + 0.5 * len(history & words)
        if score > best_score:
            best, best_score = (label, text), score
    # A follow-up ("tell me more about that") is about what the thread was about.
    if best is None or not ((wanted - _GENERIC) | history) & set(tokens(f"{best[0]} {best[1]}")):
        said = "論文にはその記述がありません。" if japanese else "The paper does not say."
        return {"answer": said, "citations": [], "found": False}
    label, text = best
    cite = label.split(" ")[0] if label.startswith("§") else label
    sentences = re.split(r"(?<=[.!?])\s+", text)
    content = wanted - _GENERIC
    sentence = max(sentences, key=lambda s: len(set(tokens(s)) & content) + 0.5 * len(set(tokens(s)) & history))
    if japanese:
        return {"answer": f"論文によると、{sentence}（{cite}）", "citations": [cite], "found": True}
    return {"answer": f"{sentence} ({cite})", "citations": [cite], "found": True}


def gullible_reader(body: dict[str, Any]) -> dict[str, Any]:
    return reader(body, gullible=True)
