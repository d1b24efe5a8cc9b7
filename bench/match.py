"""Benchmark: matching quality on the labelled corpus, then speed on synthetic text.

    python bench/match.py [--items 5000] [--questions 500] [--words 400]

Prints figures only (no pass/fail).

Quality: tests/evidence/match_corpus.json (84 items written for this project, each with the
seed questions it must link and those it may link) against the 18 seed questions, both
halves: recall (must-links found), precision (links inside must ∪ acceptable) and unrelated
items linked. Beside it, in the same run, the reference a competent engineer would write
first: a bm25s retriever over the questions' full text, the whole item as the query, linking
the questions that score at least half the best (up to three).

Speed: texts drawn from a Zipf-distributed vocabulary; each item is built around one
question's topic words, so matching has real work to do.
"""

import argparse
import time

import bm25s
import numpy as np

from tracker.evidence.dedup import NearDuplicateIndex
from tracker.evidence.match import DEFAULT_THRESHOLD, QuestionMatcher, question_text, tokenize
from tracker.evidence.text import clean_text, content_hash
from tracker.testing.match_corpus import Figures, evaluate, load_items, seed_question_terms

SYLLABLES = np.array(
    ["ka", "lo", "mi", "ra", "tu", "ne", "so", "vi", "da", "pe", "zu", "ha", "bri", "sta"]
)


def vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES, size=rng.integers(2, 5))))
    return sorted(words)


def zipf_words(vocab: list[str], n: int, rng: np.random.Generator) -> list[str]:
    ranks = np.minimum(rng.zipf(1.2, size=n), len(vocab)) - 1
    return [vocab[r] for r in ranks]


def sentences(words: list[str], rng: np.random.Generator) -> str:
    out, i = [], 0
    while i < len(words):
        n = int(rng.integers(8, 25))
        out.append(" ".join(words[i : i + n]).capitalize() + ".")
        i += n
    return " ".join(out)


def build(args: argparse.Namespace) -> tuple[list[tuple[str, str]], list[str], list[int]]:
    rng = np.random.default_rng(42)
    vocab = vocabulary(30_000, rng)
    topics = [list(rng.choice(vocab[500:], size=15, replace=False)) for _ in range(args.questions)]
    questions = []
    for q, topic in enumerate(topics):
        title = " ".join(topic[:6] + zipf_words(vocab, 6, rng))
        description = sentences(topic[6:] + zipf_words(vocab, 30, rng), rng)
        criteria = sentences(zipf_words(vocab, 25, rng) + topic[:3], rng)
        questions.append((f"q{q}", question_text(title, description, criteria)))
    items, truth = [], []
    for _ in range(args.items):
        q = int(rng.integers(args.questions))
        topic = topics[q]
        words = zipf_words(vocab, args.words, rng)
        for pos in rng.integers(0, len(words), size=args.words // 25):
            words[pos] = topic[int(rng.integers(len(topic)))]
        items.append(" ".join(topic[:5]) + "\n" + sentences(words, rng))
        truth.append(q)
    return questions, items, truth


def plain_bm25_links(questions, documents: list[str]) -> list[set[str]]:
    """The reference: whole item against whole questions, relative cut-off, top three."""
    retriever = bm25s.BM25()
    retriever.index([tokenize(f"{q.title}\n{q.text}") for q in questions], show_progress=False)
    out = []
    for document in documents:
        scores = retriever.get_scores(tokenize(document))
        top = float(scores.max()) if len(scores) else 0.0
        order = np.argsort(-scores)[:3]
        out.append({questions[i].id for i in order if top > 0 and scores[i] >= 0.5 * top})
    return out


def quality() -> None:
    items, questions = load_items(), seed_question_terms()
    matcher = QuestionMatcher(questions)

    def ours(documents: list[str]) -> list[set[str]]:
        return [{m.question_id for m in row} for row in matcher.links_many(documents)]

    def reference(documents: list[str]) -> list[set[str]]:
        return plain_bm25_links(questions, documents)

    print(f"matching quality: {len(items)} labelled items, {len(questions)} seed questions")
    print(f"  {'':24} {'split':8} {'recall':>16} {'precision':>16} {'unrelated linked':>17}")
    for name, links in (("passages+anchors (ours)", ours), ("plain bm25s, whole item", reference)):
        for split in ("tune", "holdout"):
            f: Figures = evaluate([i for i in items if i.split == split], links)
            print(
                f"  {name:24} {split:8} {f.recall:6.3f} ({f.found:3}/{f.must:3})"
                f" {f.precision:6.3f} ({f.good_links:3}/{f.links:3})"
                f" {f.unrelated_linked:8}/{f.unrelated}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--words", type=int, default=400, help="words per item")
    args = parser.parse_args()
    quality()

    t0 = time.perf_counter()
    questions, items, truth = build(args)
    chars = sum(map(len, items))
    print(
        f"synthetic data: {args.items} items (~{chars // args.items} chars), "
        f"{args.questions} questions, built in {time.perf_counter() - t0:.1f} s"
    )

    t0 = time.perf_counter()
    matcher = QuestionMatcher(questions)
    print(f"QuestionMatcher build:           {time.perf_counter() - t0:8.3f} s")

    t0 = time.perf_counter()
    ranked = matcher.rank_many(items, top_k=5)
    elapsed = time.perf_counter() - t0
    print(
        f"rank_many ({args.items} × {args.questions}):     {elapsed:8.3f} s "
        f"= {args.items / elapsed:8.0f} items/s"
    )
    sample = items[:500]
    t0 = time.perf_counter()
    for text in sample:
        matcher.rank(text, top_k=5)
    elapsed = time.perf_counter() - t0
    print(
        f"rank one at a time (500 items):  {elapsed:8.3f} s = {len(sample) / elapsed:8.0f} items/s"
    )
    top1 = np.mean([bool(r) and r[0][0] == f"q{t}" for r, t in zip(ranked, truth, strict=True)])
    over = np.mean([sum(s >= DEFAULT_THRESHOLD for _, s in r) for r in ranked])
    print(f"  top-1 = planted question: {top1:.1%}; questions ≥ threshold per item: {over:.2f}")

    t0 = time.perf_counter()
    cleaned = [clean_text(t) for t in items]
    hashes = {content_hash(t) for t in cleaned}
    elapsed = time.perf_counter() - t0
    print(
        f"clean_text + content_hash:       {elapsed:8.3f} s = {len(items) / elapsed:8.0f} items/s "
        f"({len(hashes)} distinct)"
    )

    index = NearDuplicateIndex()
    t0 = time.perf_counter()
    for i, text in enumerate(items):
        index.add(str(i), text)
    elapsed = time.perf_counter() - t0
    print(
        f"NearDuplicateIndex insert:       {elapsed:8.3f} s = {len(items) / elapsed:8.0f} items/s"
    )
    t0 = time.perf_counter()
    found = [index.query(text) for text in items]
    elapsed = time.perf_counter() - t0
    print(
        f"NearDuplicateIndex query (full index of {len(index)}): {elapsed:6.3f} s "
        f"= {len(items) / elapsed:6.0f} queries/s"
    )
    sigs = [index.signature(t) for t in items[:200]]
    t0 = time.perf_counter()
    for sig in sigs:
        index.query(signature=sig)
    elapsed = time.perf_counter() - t0
    print(f"  query with a precomputed signature: {len(sigs) / elapsed:8.0f} queries/s")
    self_hits = np.mean([bool(f) and f[0][0] == str(i) for i, f in enumerate(found)])
    print(
        f"  each item finds itself first: {self_hits:.1%}; "
        f"other near duplicates per item: {np.mean([len(f) - 1 for f in found]):.3f}"
    )


if __name__ == "__main__":
    main()
