"""Post-mortems: facts computed from the team's record, a narrative that cites only them."""

import numpy as np
import pytest

from tests.support import question_data
from tracker.errors import InvalidInput
from tracker.schemas import ForecastCreate, QuestionEdit, Resolution
from tracker.scoring.trajectory_facts import biggest_moves, standing
from tracker.services import evidence, forecasts, postmortem, questions, summaries
from tracker.testing.fake_llm_server import ok

TEXT = (
    "US aircraft struck a radar site near Bandar Abbas, Reuters reported. "
    "Officials said more strikes were possible."
)


def summary_answer(item_id: int) -> dict:
    return {
        "headline": "A US strike was reported.",
        "status_quo": "",
        "whats_new": "",
        "key_points": [
            {
                "claim": "A US strike hit a radar site.",
                "direction": "raises",
                "option": None,
                "strength": "strong",
                "evidence_id": item_id,
                "quote": "US aircraft struck a radar site near Bandar Abbas",
            }
        ],
        "overall_direction": "raises",
        "caveats": [],
        "injection_suspected": False,
    }


def forecast(db, who, p):
    forecasts.log_forecast(
        db, who, ForecastCreate(question_id="us-strike", probabilities=forecasts.binary_vector(p))
    )


@pytest.fixture
def resolved(db, admin, alice, bob, clock, model_server):
    questions.create_question(db, admin, question_data())
    forecast(db, alice, 0.3)
    forecast(db, bob, 0.4)
    clock.advance(days=1)
    item = evidence.add_text(db, alice, title="Strike near Bandar Abbas", text=TEXT).item
    evidence.link(db, alice, "us-strike", item.id)
    model_server.script(ok(summary_answer(item.id)))
    summaries.summarize_question(db, alice, "us-strike")
    clock.advance(days=1)
    forecast(db, alice, 0.9)
    clock.advance(days=1)
    questions.edit_question(db, admin, "us-strike", QuestionEdit(close_time=clock.now))
    clock.advance(hours=1)
    questions.resolve_question(db, admin, "us-strike", Resolution(option="Yes"))
    model_server.reset()
    return item


def test_the_facts_come_from_the_record(db, alice, resolved):
    facts = postmortem.facts_for(db, alice, questions.get_question(db, "us-strike"))
    text = "\n".join(f"{f.id}: {f.text}" for f in facts)
    assert "F1: The question resolved “Yes”" in text
    assert "was 30 % after the first forecast" in text and "65 % at the end" in text
    assert "moved from 35 % to 65 % with alice's forecast" in text
    assert "Strike near Bandar Abbas" in text  # on screen at the move
    assert "moved toward it after it arrived: alice" in text


def test_the_narrative_keeps_only_sentences_citing_known_facts(db, alice, resolved, model_server):
    model_server.script(
        ok(
            {
                "sentences": [
                    {"text": "The team moved after the strike report.", "fact_ids": ["F4"]},
                    {"text": "Everyone knew all along.", "fact_ids": ["F99"]},
                    {"text": "Uncited claim.", "fact_ids": []},
                ]
            }
        )
    )
    report = postmortem.postmortem(db, alice, "us-strike")
    assert [s.text for s in report.narrative.sentences] == [
        "The team moved after the strike report."
    ]
    assert report.narrative.engine == "openai" and report.narrative.model == "fake-model"


def test_garbage_leaves_the_facts_without_a_narrative(db, alice, resolved, model_server):
    model_server.script(ok("no json"), ok("still none"))
    report = postmortem.postmortem(db, alice, "us-strike")
    assert report.facts and report.narrative.sentences == [] and report.narrative.reason


def test_offline_gives_the_facts_only(db, alice, resolved, offline):
    report = postmortem.postmortem(db, alice, "us-strike")
    assert len(report.facts) >= 4
    assert report.narrative.sentences == [] and "offline" in (report.narrative.reason or "")


def test_only_resolved_questions_have_a_post_mortem(db, admin, alice, offline):
    questions.create_question(db, admin, question_data(id="still-open"))
    with pytest.raises(InvalidInput, match="resolved"):
        postmortem.postmortem(db, alice, "still-open")


def test_standing_median_and_quartiles_follow_each_members_latest():
    team = standing([0, 1, 0], [0.3, 0.4, 0.9])
    assert team.median.tolist() == pytest.approx([0.3, 0.35, 0.65])
    assert team.q25[-1] == pytest.approx(0.525) and team.q75[-1] == pytest.approx(0.775)
    assert team.count.tolist() == [1, 2, 2]


def test_biggest_moves_are_largest_first_and_skip_flat_steps():
    assert biggest_moves(np.array([0.3, 0.35, 0.65, 0.65, 0.5]), top=3).tolist() == [2, 4, 1]
    assert biggest_moves(np.array([0.5, 0.5])).tolist() == []
