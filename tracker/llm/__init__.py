"""Evidence summaries and question drafting (DESIGN.md section 6).

Public API: build `SummaryRequest`s, get an engine from `make_engine(settings)`, call
`summarize_many(engine, requests, cache, concurrency)`; show `SummaryResult.summary` as plain
text, with unverified key points marked as such and `fallback_reason` when it is set.
"""

from tracker.llm.cache import InMemorySummaryCache, SummaryCache, cache_key
from tracker.llm.drafting import DraftingError, DraftingFailed, DraftingUnavailable
from tracker.llm.engine import SummaryEngine, make_engine, request_key, summarize_many
from tracker.llm.offline import OfflineEngine, summarize_offline
from tracker.llm.schema import (
    EvidenceDoc,
    EvidenceSummary,
    KeyPoint,
    QuestionBrief,
    QuestionDraft,
    SummaryRequest,
    SummaryResult,
)
from tracker.llm.settings import LLMConfig, LLMSettings
from tracker.llm.verify import quote_in_text, quote_verifies, verify_summary

__all__ = [
    "DraftingError",
    "DraftingFailed",
    "DraftingUnavailable",
    "EvidenceDoc",
    "EvidenceSummary",
    "InMemorySummaryCache",
    "KeyPoint",
    "LLMConfig",
    "LLMSettings",
    "OfflineEngine",
    "QuestionBrief",
    "QuestionDraft",
    "SummaryCache",
    "SummaryEngine",
    "SummaryRequest",
    "SummaryResult",
    "cache_key",
    "make_engine",
    "quote_in_text",
    "quote_verifies",
    "request_key",
    "summarize_many",
    "summarize_offline",
    "verify_summary",
]
