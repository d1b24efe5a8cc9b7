"""The labelled matching corpus (tests/evidence/match_corpus.json) and its figures.

Each item lists the questions it must link and those it may link; recall counts must-links
found, precision counts links inside must ∪ acceptable, and unrelated items must link nothing.
Used by the matching tests and by bench/match.py, on the seed questions.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tracker.config import PROJECT_ROOT, SEED_DIR
from tracker.evidence.match import QuestionTerms

CORPUS = PROJECT_ROOT / "tests" / "evidence" / "match_corpus.json"


@dataclass(frozen=True)
class LabelledItem:
    id: str
    split: str
    kind: str
    title: str
    text: str
    must: frozenset[str]
    acceptable: frozenset[str]

    @property
    def document(self) -> str:
        return f"{self.title}\n{self.text}"


@dataclass
class Figures:
    must: int = 0
    found: int = 0
    links: int = 0
    good_links: int = 0
    unrelated: int = 0
    unrelated_linked: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)
    wrong: list[tuple[str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.must if self.must else 1.0

    @property
    def precision(self) -> float:
        return self.good_links / self.links if self.links else 1.0


def load_items(path: Path = CORPUS) -> list[LabelledItem]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [
        LabelledItem(
            id=item["id"],
            split=item["split"],
            kind=item["kind"],
            title=item["title"],
            text=item["text"],
            must=frozenset(item["must"]),
            acceptable=frozenset(item["acceptable"]),
        )
        for item in raw["items"]
    ]


def seed_question_terms(seed_dir: Path = SEED_DIR) -> list[QuestionTerms]:
    document = json.loads((seed_dir / "questions.json").read_text(encoding="utf-8"))
    return [
        QuestionTerms(
            id=q["id"],
            title=q["title"],
            text=f"{q.get('description', '')}\n{q.get('resolution_criteria', '')}",
            keywords=tuple(q.get("keywords", [])),
        )
        for q in document["questions"]
    ]


def evaluate(
    items: Sequence[LabelledItem], links: Callable[[list[str]], list[set[str]]]
) -> Figures:
    """Figures for `links(documents) -> linked question ids per document`."""
    figures = Figures()
    for item, linked in zip(items, links([i.document for i in items]), strict=True):
        figures.must += len(item.must)
        figures.found += len(item.must & linked)
        figures.links += len(linked)
        figures.good_links += len(linked & (item.must | item.acceptable))
        figures.misses += [(item.id, q) for q in sorted(item.must - linked)]
        figures.wrong += [(item.id, q) for q in sorted(linked - item.must - item.acceptable)]
        if item.kind == "unrelated":
            figures.unrelated += 1
            figures.unrelated_linked += bool(linked)
    return figures
