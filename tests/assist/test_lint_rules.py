"""Question lint, offline rules: each rule trips on a bad question and stays quiet on a good one."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tracker.llm.schema import QuestionBrief
from tracker.quality.lint import lint_rules

SEED = Path(__file__).resolve().parents[2] / "data" / "seed" / "questions.json"
GOOD_CRITERIA = (
    "Resolves Yes if, between 2026-02-06T00:00Z and 2027-07-01T00:00Z (end of 30 June 2027), US "
    "forces strike a target on Iranian territory, as reported by at least two of Reuters, AP "
    "and AFP."
)


def brief(**overrides: Any) -> QuestionBrief:
    fields: dict[str, Any] = {
        "id": "q",
        "title": "Will the US strike Iran by 30 June 2027?",
        "type": "binary",
        "resolution_criteria": GOOD_CRITERIA,
        "open_time": datetime(2026, 2, 6, tzinfo=UTC),
        "close_time": datetime(2027, 7, 1, tzinfo=UTC),
    }
    fields.update(overrides)
    return QuestionBrief(**fields)


def codes(q: QuestionBrief, others: list[QuestionBrief] | None = None) -> set[str]:
    return {f.code for f in lint_rules(q, others or [])}


def test_a_well_written_question_has_no_findings():
    assert lint_rules(brief()) == []


def test_window_closing_at_the_start_of_the_named_day_is_an_error():
    findings = lint_rules(brief(close_time=datetime(2027, 6, 30, tzinfo=UTC)))
    [finding] = [f for f in findings if f.code == "window-excludes-named-day"]
    assert finding.severity == "error" and finding.field == "close_time"
    assert "2027-07-01T00:00Z" in finding.message


def test_before_a_day_closes_at_its_start():
    q = brief(title="Will the US strike Iran before 1 July 2027?")
    assert "window-excludes-named-day" not in codes(q)
    assert "title-date-mismatch" not in codes(q)


def test_title_date_that_disagrees_with_close_time_is_an_error():
    q = brief(close_time=datetime(2027, 12, 31, tzinfo=UTC))
    assert "title-date-mismatch" in codes(q)
    assert "title-date-mismatch" not in codes(brief())


def test_a_title_without_a_day_has_no_window_finding():
    q = brief(title="Will the US strike Iran?")
    assert not codes(q) & {"window-excludes-named-day", "title-date-mismatch"}


def test_criteria_without_a_named_source_are_warned():
    q = brief(resolution_criteria="Resolves Yes if the US strikes Iran within the window.")
    [finding] = [f for f in lint_rules(q) if f.code == "no-resolution-source"]
    assert finding.severity == "warning" and finding.field == "resolution_criteria"
    assert "no-resolution-source" not in codes(brief())


def test_empty_criteria_are_an_error():
    assert "no-resolution-criteria" in codes(brief(resolution_criteria=""))


def test_a_vague_threshold_without_a_number_is_warned():
    q = brief(
        title="Will significant protests happen in Iran by 30 June 2027?",
        resolution_criteria="Resolves Yes if major protests happen, as reported by Reuters.",
    )
    findings = [f for f in lint_rules(q) if f.code == "vague-threshold"]
    assert {f.field for f in findings} == {"title", "resolution_criteria"}
    assert "significant" in findings[0].message or "significant" in findings[1].message


def test_a_vague_word_defined_by_a_number_passes():
    q = brief(
        title="Will large-scale protests happen in Iran by 30 June 2027?",
        resolution_criteria=GOOD_CRITERIA.replace(
            "US forces strike a target on Iranian territory",
            "street protests take place in at least 10 of Iran's 31 provinces",
        ),
    )
    assert "vague-threshold" not in codes(q)


def test_dates_alone_do_not_count_as_a_threshold():
    q = brief(
        title="Will major protests happen in Iran by 30 June 2027?",
        resolution_criteria="Between 2026-02-06T00:00Z and 2027-07-01T00:00Z, as reported by AP.",
    )
    assert "vague-threshold" in codes(q)


def multiple_choice(options: list[str], **overrides: Any) -> QuestionBrief:
    return brief(type="multiple_choice", options=options, **overrides)


def test_options_without_a_none_of_these_are_not_exhaustive():
    q = multiple_choice(["Nuclear only", "Nuclear and missiles"])
    assert "options-not-exhaustive" in codes(q)
    q = multiple_choice(["No qualifying agreement", "Nuclear only", "Nuclear and missiles"])
    assert "options-not-exhaustive" not in codes(q)


def test_ordered_bins_that_overlap_are_not_exclusive():
    q = brief(type="ordered", options=["0", "1-3", "2-5", "≥ 6"])
    assert "options-not-exclusive" in codes(q)


def test_ordered_bins_sharing_a_boundary_need_a_rule_for_it():
    q = brief(type="ordered", options=["< 50", "50–60", "60–70", "≥ 70"])
    assert "options-not-exclusive" in codes(q)
    ruled = GOOD_CRITERIA + " Each bin includes its lower bound and excludes its upper bound."
    assert "options-not-exclusive" not in codes(
        brief(type="ordered", options=["< 50", "50–60", "60–70", "≥ 70"], resolution_criteria=ruled)
    )


def test_ordered_bins_with_a_gap_or_a_closed_top_are_not_exhaustive():
    assert "options-not-exhaustive" in codes(
        brief(type="ordered", options=["0", "1", "4–6", "≥ 7"])
    )
    assert "options-not-exhaustive" in codes(brief(type="ordered", options=["0", "1", "2–3"]))
    assert "options-not-exhaustive" not in codes(
        brief(type="ordered", options=["0", "1", "2–3", "≥ 4"])
    )


def test_criteria_waiting_for_later_reports_must_say_until_when():
    later = GOOD_CRITERIA + " The date of the strike, not of the announcement, counts."
    assert "post-close-info-unbounded" in codes(brief(resolution_criteria=later))
    bounded = later + " Reports published up to 30 days after the close are used."
    assert "post-close-info-unbounded" not in codes(brief(resolution_criteria=bounded))


def test_a_near_copy_of_an_open_question_is_a_duplicate():
    original = brief(id="original")
    copy = brief(id="copy", title="Will the US strike Iran by 30 June 2027 ?")
    different = brief(
        id="other",
        title="Will Brent crude trade above 100 dollars by 30 June 2027?",
        resolution_criteria="Resolves Yes if the EIA series RBRTE exceeds 100.",
    )
    [finding] = [f for f in lint_rules(copy, [original, different]) if f.code == "near-duplicate"]
    assert "original" in finding.message
    assert "near-duplicate" not in codes(different, [original])


def test_a_question_is_not_its_own_duplicate():
    q = brief()
    assert "near-duplicate" not in codes(q, [q])


def _seed_briefs(corrected: bool) -> list[QuestionBrief]:
    """The seed questions; `corrected` applies issue 13's fix (close at the end of the named
    day) to a copy, as the ux helper is doing to the seed file itself."""
    out = []
    for raw in json.loads(SEED.read_text(encoding="utf-8"))["questions"]:
        q = QuestionBrief.model_validate(
            {k: raw[k] for k in QuestionBrief.model_fields if k in raw}
        )
        if corrected and q.close_time.hour == 0:
            old = q.close_time.strftime("%Y-%m-%dT%H:%MZ")
            close = q.close_time + timedelta(days=1)
            criteria = q.resolution_criteria.replace(old, close.strftime("%Y-%m-%dT%H:%MZ"))
            q = q.model_copy(update={"close_time": close, "resolution_criteria": criteria})
        out.append(q)
    return out


def test_corrected_seed_questions_have_no_error():
    seeds = _seed_briefs(corrected=True)
    errors = [(q.id, f.code) for q in seeds for f in lint_rules(q, seeds) if f.severity == "error"]
    assert errors == []


@pytest.mark.parametrize("corrected", [False])
def test_todays_seed_file_trips_only_the_window_rule(corrected):
    """Expected until issue 13 lands: seeds close at 00:00Z on the day their title names. Once
    the seed file is fixed this finds no error at all, which also passes."""
    seeds = _seed_briefs(corrected)
    error_codes = {f.code for q in seeds for f in lint_rules(q, seeds) if f.severity == "error"}
    assert error_codes <= {"window-excludes-named-day"}
