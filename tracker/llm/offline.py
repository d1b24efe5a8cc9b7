"""The offline engine: an extractive digest, deterministic, no network, no model.

Evidence is split into sentences, the sentences are ranked against the question (title and
keywords counted twice, then description, criteria and option labels) with BM25, and the best
three (never the same passage twice) become key points whose quotes are the sentences
themselves, so they always verify. Directions stay "unclear" unless a small keyword list
(`LOWERS_CUES`, `RAISES_CUES`) fires next to one of the question's outcome words (the
lower-case content words of its title, e.g. "strike", "agreement", "protests": not its names
and dates) in a sentence that is clearly about the question; such claims say they come from
that heuristic. "Officials announced the talks move to Geneva" is therefore no "raises" on a
strike question. The same request gives the same summary, byte for byte. Work is capped per
item, so a huge text cannot stall it.
"""

import math
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from tracker.llm.budget import CircuitBreaker
from tracker.llm.cache import cache_key
from tracker.llm.drafting import DraftingUnavailable
from tracker.llm.extract import bm25, split_sentences, tokenize
from tracker.llm.guard import UNSAFE_CHARS, find_injection
from tracker.llm.schema import (
    Direction,
    EvidenceDoc,
    EvidenceSummary,
    KeyPoint,
    QuestionBrief,
    QuestionDraft,
    RelevanceVerdict,
    SummaryRequest,
    SummaryResult,
)
from tracker.llm.verify import normalize, quote_verifies, verify_summary

ALGORITHM_VERSION = "offline_v2"
MODEL_NAME = "extractive-bm25"
MAX_DOC_CHARS = 200_000
MAX_TOTAL_CHARS = 2_000_000
MAX_SENTENCES = 20_000
MAX_POINTS = 3
MAX_POINTS_PER_DOC = 2
MAX_NEW_LISTED = 5

# fmt: off
LOWERS_CUES = (
    "ruled out", "rules out", "unlikely", "denied", "denies", "rejected", "rejects", "called off",
    "cancelled", "canceled", "postponed", "no plans", "not expected", "withdrew", "suspended",
    "abandoned", "collapsed",
)
RAISES_CUES = (
    "confirmed", "confirms", "announced", "agreed", "expected to", "likely to", "plans to",
    "is set to", "approved", "signed", "on track", "preparing to", "poised to", "imminent",
)
# fmt: on
_LOWERS = re.compile(r"\b(" + "|".join(map(re.escape, LOWERS_CUES)) + r")\b", re.IGNORECASE)
_RAISES = re.compile(r"\b(" + "|".join(map(re.escape, RAISES_CUES)) + r")\b", re.IGNORECASE)

_NEGATED = re.compile(r"(\b(not|never|no|without)|n['’]t)\W+(\w+\W+){0,2}$", re.IGNORECASE)
CUE_WINDOW_WORDS = 6
"""How close (in words, either side) a cue must be to one of the question's outcome words."""
_TITLE_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(frozen=True, slots=True)
class _Sentence:
    doc_index: int
    position: int
    text: str
    tokens: tuple[str, ...]


def _query_weights(request: SummaryRequest) -> dict[str, float]:
    q = request.question
    weights: Counter[str] = Counter()
    for token in tokenize(" ".join([q.title, *q.keywords])):
        weights[token] += 2.0
    extra = [q.description, q.resolution_criteria]
    if q.type != "binary":
        extra += q.options
    for token in tokenize(" ".join(extra)):
        weights[token] += 1.0
    return dict(weights)


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "undated"


def _label(doc: EvidenceDoc) -> str:
    where = ", ".join(x for x in (doc.outlet, _day(doc.published_at or doc.added_at)) if x)
    return f"«{doc.title.strip() or f'item {doc.id}'}» ({where})"


def outcome_terms(title: str) -> frozenset[str]:
    """The words of a title that name what must happen: its lower-case content words (after
    the first word). Capitalised words are names, places and dates; they say who and when."""
    words = _TITLE_WORD.findall(title)[1:]
    return frozenset(tokenize(" ".join(w for w in words if w[0].islower())))


def _near_outcome(text: str, cue: re.Match[str], outcome: frozenset[str]) -> bool:
    before = text[: cue.start()].split()[-CUE_WINDOW_WORDS:]
    after = text[cue.end() :].split()[:CUE_WINDOW_WORDS]
    return bool(outcome & set(tokenize(" ".join(before + after))))


def _heuristic(
    sentence: _Sentence, title_terms: set[str], outcome: frozenset[str]
) -> tuple[Direction, str | None]:
    """Keyword cue → direction, only for sentences sharing ≥ 2 title words and only for a cue
    next to an outcome word of the question; else unclear."""
    if len(title_terms & set(sentence.tokens)) < min(2, len(title_terms)):
        return "unclear", None
    text = sentence.text
    lowers = _LOWERS.search(text)
    rest = _LOWERS.sub(" ", text)  # "not expected to" must not also count as a raise
    raises = _RAISES.search(rest)
    lone_lowers = lowers and not raises and not _NEGATED.search(text[: lowers.start()])
    lone_raises = raises and not lowers and not _NEGATED.search(rest[: raises.start()])
    if lone_lowers and lowers and _near_outcome(text, lowers, outcome):
        return "lowers", lowers.group().lower()
    if lone_raises and raises and _near_outcome(rest, raises, outcome):
        return "raises", raises.group().lower()
    return "unclear", None  # no cue, both kinds, a negated cue, or a cue about something else


def _option(text: str, options: list[str]) -> str | None:
    hits = [o for o in options if len(o) >= 3 and re.search(rf"\b{re.escape(o)}\b", text, re.I)]
    return hits[0] if len(hits) == 1 else None


class OfflineEngine:
    """Extractive digests with no model and no network: the default, and the fallback."""

    name = "offline"
    model = MODEL_NAME
    prompt_version = ALGORITHM_VERSION

    def summarize(
        self, request: SummaryRequest, *, breaker: CircuitBreaker | None = None
    ) -> SummaryResult:
        started = time.perf_counter()
        summary = summarize_offline(request)
        return SummaryResult(
            summary=summary,
            engine="offline",
            model=self.model,
            prompt_version=self.prompt_version,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            cache_key=cache_key(request, self.name, self.model, self.prompt_version),
        )

    def judge_relevance(
        self,
        doc: EvidenceDoc,
        questions: list[QuestionBrief],
        *,
        breaker: CircuitBreaker | None = None,
    ) -> list[RelevanceVerdict] | None:
        """No second opinion offline: the matcher's own decision stands."""
        return None

    def draft_questions(self, article_text: str, title: str | None = None) -> list[QuestionDraft]:
        raise DraftingUnavailable(
            "Drafting questions from an article needs an LLM engine: set OPENAI_API_KEY or "
            "OPENAI_BASE_URL (any OpenAI-compatible server) to enable it."
        )


def summarize_offline(request: SummaryRequest) -> EvidenceSummary:
    """The deterministic extractive summary of a request (see the module docstring)."""
    docs = sorted(request.evidence, key=lambda d: d.id)
    question = request.question
    caveats = [
        "Offline extractive digest: passages were picked by word overlap with the question "
        "(BM25), not read or weighed by a language model; strength is not assessed."
    ]
    if not docs:
        return EvidenceSummary(
            headline="Extractive digest (no LLM): no evidence is linked to this question yet.",
            status_quo=_status_quo(request),
            whats_new="No evidence yet: link or ingest articles to get a digest.",
            caveats=caveats,
        )

    sentences: list[_Sentence] = []
    flagged: list[int] = []
    budget = MAX_TOTAL_CHARS
    for index in sorted(range(len(docs)), key=lambda i: _recency(docs[i])):  # newest first
        doc = docs[index]
        text = doc.text[: min(MAX_DOC_CHARS, budget)]
        budget -= len(text)
        if len(text) < len(doc.text):
            caveats.append(
                f"Item #{doc.id} is long ({len(doc.text):,} characters); only its first "
                f"{len(text):,} were read."
            )
        suspect = find_injection(doc.title + "\n" + text) is not None
        if suspect:
            flagged.append(doc.id)
        for position, sentence in enumerate(split_sentences(text)):
            if len(sentences) >= MAX_SENTENCES:
                break
            if UNSAFE_CHARS.search(sentence) or (suspect and find_injection(sentence)):
                continue
            sentences.append(_Sentence(index, position, sentence, tuple(tokenize(sentence))))
    caveats[1:] = sorted(caveats[1:])
    flagged.sort()

    weights = _query_weights(request)
    scores = bm25([sentence.tokens for sentence in sentences], weights)
    order = sorted(
        range(len(sentences)),
        key=lambda i: (-scores[i], sentences[i].doc_index, sentences[i].position),
    )
    matched = [i for i in order if scores[i] > 0]
    if not matched:  # nothing shares a word with the question: show each item's opening
        matched = [i for i in order if sentences[i].position == 0]
        caveats.append("No passage shares words with the question; items' openings are shown.")

    title_terms = set(tokenize(question.title))
    outcome = outcome_terms(question.title)
    points: list[KeyPoint] = []
    per_doc: Counter[int] = Counter()
    seen: set[str] = set()
    used_heuristic = False
    for i in matched:
        sentence = sentences[i]
        doc = docs[sentence.doc_index]
        key = normalize(sentence.text)  # the same passage in two items is shown once
        if per_doc[doc.id] >= MAX_POINTS_PER_DOC or key in seen:
            continue
        if not quote_verifies(sentence.text, doc.text):
            continue  # a quote we cannot verify ourselves is never emitted
        direction, cue = ("unclear", None)
        if question.type == "binary":
            direction, cue = _heuristic(sentence, title_terms, outcome)
        if cue:
            used_heuristic = True
            claim = (
                f"Passage from {_label(doc)}. Keyword heuristic only: “{cue}” "
                f"usually {direction} the chance of {question.options[0]}."
            )
        else:
            claim = f"Passage from {_label(doc)} matching the question; direction not assessed."
        option = _option(sentence.text, question.options) if question.type != "binary" else None
        points.append(
            KeyPoint(
                claim=claim,
                direction=direction,
                option=option,
                strength="weak",
                evidence_id=doc.id,
                quote=sentence.text,
            )
        )
        per_doc[doc.id] += 1
        seen.add(key)
        if len(points) >= MAX_POINTS:
            break

    if used_heuristic:
        caveats.append(
            "Directions marked “keyword heuristic” come from a fixed word list "
            "(e.g. “ruled out” lowers, “agreed” raises) and can easily be wrong."
        )
    if flagged:
        ids = ", ".join(f"#{i}" for i in flagged)
        caveats.append(
            f"Item(s) {ids} contain text addressed to an AI model (e.g. “ignore previous "
            "instructions”); it was treated as data and left out of the key points."
        )
    new = request.new_evidence()
    summary = EvidenceSummary(
        headline=(
            f"Extractive digest (no LLM): {len(docs)} evidence item(s), "
            f"{len(new)} new since {request.since_label if request.since else 'the start'}."
        ),
        status_quo=_status_quo(request),
        whats_new=_whats_new(request, docs, new, sentences, scores, order, seen),
        key_points=points,
        overall_direction="unclear",
        caveats=caveats,
        injection_suspected=bool(flagged),
    )
    return verify_summary(summary, docs)


def _status_quo(request: SummaryRequest) -> str:
    close = request.question.close_time.strftime("%Y-%m-%d")
    return (
        "Not assessed by the offline engine (it extracts passages; it does not judge). "
        f"The question closes on {close}."
    )


def _whats_new(
    request: SummaryRequest,
    docs: list[EvidenceDoc],
    new: list[EvidenceDoc],
    sentences: list[_Sentence],
    scores: np.ndarray,
    order: list[int],
    shown: set[str],
) -> str:
    if request.since is None:
        head = f"No earlier forecast to compare with: all {len(docs)} item(s) count as new"
    elif not new:
        when = request.since.strftime("%Y-%m-%d %H:%M")
        return (
            f"Nothing new since {request.since_label} ({when} UTC): all {len(docs)} item(s) "
            "were already there."
        )
    else:
        when = request.since.strftime("%Y-%m-%d %H:%M")
        head = f"{len(new)} of {len(docs)} item(s) arrived since {request.since_label} ({when} UTC)"
    listed = "; ".join(_label(d) for d in sorted(new, key=_recency)[:MAX_NEW_LISTED])
    more = len(new) - MAX_NEW_LISTED
    text = f"{head}: {listed}" + (f" and {more} more." if more > 0 else ".")
    new_ids = {d.id for d in new}
    best = next(
        (
            sentences[i]
            for i in order
            if scores[i] > 0 and docs[sentences[i].doc_index].id in new_ids
        ),
        None,
    )
    if best is not None and normalize(best.text) in shown:
        return text + " Its most relevant passage is among the key points below."
    if best is not None:
        text += f" Most relevant new passage: “{best.text}”"
    return text


def _recency(doc: EvidenceDoc) -> tuple[float, int]:
    when = doc.published_at or doc.added_at
    return (-when.timestamp() if when else math.inf, doc.id)
