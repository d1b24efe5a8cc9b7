"""What a model is asked to return: strict-schema twins of the public models.

They differ from `tracker.llm.schema` on purpose: no `verified` field (only our verifier sets it),
no defaults in the JSON schema (strict structured outputs reject them), and lenient enums (an
unknown direction becomes "unclear" rather than failing the whole answer).
"""

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from tracker.llm.schema import Direction, OverallDirection, QuestionType, Strength

_SYNONYMS = {
    "raise": "raises",
    "increase": "raises",
    "increases": "raises",
    "up": "raises",
    "positive": "raises",
    "higher": "raises",
    "lower": "lowers",
    "decrease": "lowers",
    "decreases": "lowers",
    "down": "lowers",
    "negative": "lowers",
    "reduces": "lowers",
    "none": "neutral",
    "no effect": "neutral",
    "medium": "moderate",
    "high": "strong",
    "low": "weak",
}


def _lenient(allowed: tuple[str, ...], default: str):  # type: ignore[no-untyped-def]
    def coerce(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        word = value.strip().lower()
        word = _SYNONYMS.get(word, word)
        return word if word in allowed else default

    return BeforeValidator(coerce)


def _no_defaults(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra=_no_defaults)


class WireKeyPoint(_Wire):
    claim: str
    direction: Annotated[Direction, _lenient(("raises", "lowers", "neutral", "unclear"), "unclear")]
    option: str | None = None
    strength: Annotated[Strength, _lenient(("weak", "moderate", "strong"), "weak")]
    evidence_id: int
    quote: str


class WireSummary(_Wire):
    headline: str
    status_quo: str = ""
    whats_new: str = ""
    key_points: list[WireKeyPoint]
    overall_direction: Annotated[
        OverallDirection,
        _lenient(("raises", "lowers", "neutral", "mixed", "unclear"), "unclear"),
    ]
    caveats: list[str] = []
    injection_suspected: bool = False


class WireDraft(_Wire):
    title: str
    type: QuestionType
    options: list[str]
    description: str
    resolution_criteria: str
    open_time: str
    close_time: str
    tags: list[str]
    keywords: list[str] = []


class WireDrafts(_Wire):
    questions: list[WireDraft]


class WireVerdict(_Wire):
    question_id: str
    relevant: bool
    reason: str


class WireRelevance(_Wire):
    verdicts: list[WireVerdict]
