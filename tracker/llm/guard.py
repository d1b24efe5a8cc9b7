"""Article text is data, never instructions: spotting text aimed at a model, and fencing it.

The detector is a short, documented pattern list; it flags, it never edits the evidence. Both
engines use it, so `injection_suspected` is set even when a model fails to notice.
"""

import re
import secrets
from collections.abc import Iterable

INJECTION_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    # (cheap literal triggers, pattern): a pattern only runs if one of its triggers occurs.
    # "ignore previous instructions", "disregard all prior prompts", "forget the above rules"
    (
        ("ignore", "disregard", "forget", "override"),
        r"\b(ignore|disregard|forget|override)\b.{0,40}?\b(previous|prior|above|earlier|all|any|"
        r"your)\b.{0,25}?\b(instructions?|prompts?|rules|directions|guidelines)\b",
    ),
    # "system prompt", "developer message", "new instructions:"
    (("system", "developer"), r"\b(system|developer)\s+(prompt|message|instructions?)\b"),
    (("instruction",), r"\bnew\s+instructions?\s*:"),
    # addressing the model directly
    (
        ("you are", "act as"),
        r"\b(you are|act as)\s+(now\s+)?(an?\s+)?(ai|assistant|language model|llm|chatbot)\b",
    ),
    (
        ("note", "message", "instruction"),
        r"\b(note|message|instructions?)\s+(to|for)\s+(the\s+)?(ai|llm|model|assistant|"
        r"summari[sz]er)\b",
    ),
    (("dear", "attention"), r"\b(dear|attention)\s+(ai|llm|model|assistant|summari[sz]er)\b"),
    # "to any AI summarising this page"
    (
        ("to any", "to all", "to the"),
        r"\bto\s+(any|all|the)\s+(ai|llm|language\s+model|assistant|summari[sz]er|bot)s?\s+"
        r"(reading|summari[sz]ing|processing|parsing)\b",
    ),
    # misattribution: "cite the following as coming from article 1", "attribute this to item #2"
    (
        ("cite", "attribute", "credit"),
        r"\b(cite|attribute|credit)\s+(this|it|these|the\s+following)\b.{0,40}?"
        r"\b(article|item|evidence|source)\s*(#|id\s*=?\s*)?\d+",
    ),
    # markup or code meant to be rendered or run
    (("<",), r"<\s*/?\s*(script|iframe|object|embed)\b"),
    (("javascript",), r"\bjavascript\s*:"),
    (
        ("html", "javascript", "markdown"),
        r"\b(output|return|respond\s+with|reply\s+with|print)\s+(raw\s+)?"
        r"(html|javascript|markdown\s+links?)\b",
    ),
    # steering the verdict
    (
        ("question",),
        r"\b(claim|say|state|report|conclude)\s+(that\s+)?the\s+question\s+"
        r"(has\s+)?(resolved|is\s+resolved)\b",
    ),
    (("injection_suspected",), r"\bset\s+injection_suspected\b"),
)
_RULES = [(triggers, re.compile(pattern, re.DOTALL)) for triggers, pattern in INJECTION_RULES]
UNSAFE_CHARS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""Control characters, bidi overrides and lone surrogates: never shown from untrusted text."""
SCAN_CHARS = 200_000
"""Only the first characters of an item are scanned, so a huge item cannot stall a request."""


def find_injection(text: str) -> str | None:
    """The first passage (lower-cased, spaces collapsed) that addresses a model, or None."""
    low = " ".join(text[:SCAN_CHARS].lower().split())
    for triggers, pattern in _RULES:
        if any(t in low for t in triggers):
            match = pattern.search(low)
            if match:
                return match.group(0)
    return None


def suspicious_ids(items: Iterable[tuple[int, str]]) -> list[int]:
    """Ids of the (id, text) items that contain text addressed to a model."""
    return [item_id for item_id, text in items if find_injection(text)]


def new_fence(texts: Iterable[str]) -> str:
    """A per-request random delimiter that occurs in none of the texts it will fence."""
    texts = list(texts)
    while True:
        token = secrets.token_hex(8)
        if not any(token in text for text in texts):
            return token
