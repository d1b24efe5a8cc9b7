"""Near-duplicate questions: BM25 (bm25s) between a question and the open ones.

A raw BM25 score has no scale, so each candidate's score is divided by the question's score
against itself in the same index: 1.0 means "says everything this question says".
"""

from collections.abc import Sequence

import bm25s
import numpy as np

from tracker.evidence.match import tokenize
from tracker.llm.schema import QuestionBrief

DUPLICATE_SIMILARITY = 0.9
"""Seed questions on related events in the same window (two strikes, two agreement clauses)
score 0.5-0.85; a reworded copy scores above 0.9."""


def _text(q: QuestionBrief) -> list[str]:
    return tokenize(f"{q.title} {q.title} {q.resolution_criteria}")


def similarities(q: QuestionBrief, others: Sequence[QuestionBrief]) -> np.ndarray:
    """Self-normalised BM25 similarity of `q` to each of `others` (0 … about 1)."""
    others = [o for o in others if o.id != q.id]
    query = _text(q)
    if not others or not query:
        return np.zeros(len(others))
    corpus = [query, *(_text(o) or ["\x00"] for o in others)]
    retriever = bm25s.BM25(method="lucene")
    retriever.index(corpus, show_progress=False)
    scores = np.asarray(retriever.get_scores(query), dtype=float)
    return scores[1:] / scores[0] if scores[0] > 0 else np.zeros(len(others))


def near_duplicates(
    q: QuestionBrief, others: Sequence[QuestionBrief], threshold: float = DUPLICATE_SIMILARITY
) -> list[tuple[QuestionBrief, float]]:
    """The open questions `q` nearly repeats, most similar first."""
    candidates = [o for o in others if o.id != q.id]
    sims = similarities(q, candidates)
    found = [(o, float(s)) for o, s in zip(candidates, sims, strict=True) if s >= threshold]
    return sorted(found, key=lambda pair: -pair[1])
