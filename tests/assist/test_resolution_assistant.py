"""The resolution assistant: checked proposals for the admin, passages offline, nothing applied."""

import pytest
from typer.testing import CliRunner

from tests.support import question_data
from tracker.cli import app
from tracker.errors import PermissionDenied
from tracker.schemas import Resolution
from tracker.services import audit, evidence, questions, resolution_assist
from tracker.testing.fake_llm_server import hang, ok

CRITERIA = (
    "Resolves Yes if US forces strike a target on Iranian territory within the window, as "
    "reported by at least two of Reuters, AP and AFP. Resolves No otherwise."
)
REPORT = (
    "US aircraft struck a radar site near Bandar Abbas on 3 March 2026, Reuters and AP reported. "
    "The Pentagon confirmed the strike on Iranian territory the next day. "
    "Oil prices rose two percent."
)
CLAUSE = "Resolves Yes if US forces strike a target on Iranian territory within the window"
QUOTE = "US aircraft struck a radar site near Bandar Abbas on 3 March 2026"


@pytest.fixture
def closed(db, admin, alice):
    q = questions.create_question(
        db, admin, question_data(resolution_criteria=CRITERIA, close_time="2026-11-01T00:00:00Z")
    )
    item = evidence.add_text(db, alice, title="Strike near Bandar Abbas", text=REPORT).item
    evidence.link(db, alice, q.id, item.id)
    return q, item


def answer(**overrides):
    fields = {
        "verdict": "option",
        "option": "Yes",
        "criterion_clause": CLAUSE,
        "quotes": [{"evidence_id": 0, "quote": QUOTE}],
        "reasoning": "The strike on 3 March 2026 is inside the window and reported by two wires.",
    }
    fields.update(overrides)
    return fields


def suggestions(db, question_id):
    return [
        e for e in audit.list_events(db, entity_id=question_id) if e.action.startswith("resolution")
    ]


def test_a_checked_proposal_is_shown_and_audited_but_nothing_is_resolved(
    db, admin, closed, model_server
):
    q, item = closed
    model_server.script(ok(answer(quotes=[{"evidence_id": item.id, "quote": QUOTE}])))
    advice = resolution_assist.suggest(db, admin, q.id)
    assert advice.proposal is not None and advice.proposal.option == "Yes"
    assert advice.proposal.criterion_clause == CLAUSE
    [quote] = advice.proposal.quotes
    assert quote.verified and quote.evidence_id == item.id and quote.added_at is not None
    assert advice.engine == "openai" and advice.model == "fake-model"
    [event] = suggestions(db, q.id)
    assert event.action == "resolution.suggest" and event.after["proposed"] == "Yes"
    assert questions.get_question(db, q.id).status == "open"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (
            {"quotes": [{"evidence_id": 0, "quote": "Iran surrendered unconditionally today."}]},
            "quotes",
        ),
        ({"option": "Maybe"}, "not an option"),
        ({"criterion_clause": "Resolves Yes if anything at all happens"}, "criterion clause"),
    ],
)
def test_a_proposal_that_does_not_check_out_is_set_aside(
    db, admin, closed, model_server, change, why
):
    q, item = closed
    fields = answer(quotes=[{"evidence_id": item.id, "quote": QUOTE}])
    fields.update(change)
    model_server.script(ok(fields))
    advice = resolution_assist.suggest(db, admin, q.id)
    assert advice.proposal is None and why in (advice.rejected or "")
    assert advice.passages  # the offline passages are still there
    assert suggestions(db, q.id) == []


def test_not_yet_knowable_needs_no_quote(db, admin, closed, model_server):
    q, _ = closed
    model_server.script(ok(answer(verdict="not yet knowable", option=None, quotes=[])))
    advice = resolution_assist.suggest(db, admin, q.id)
    assert advice.proposal is not None and advice.proposal.verdict == "not_yet_knowable"


def test_garbage_answers_fall_back_and_write_nothing(db, admin, closed, model_server):
    q, _ = closed
    model_server.script(ok("{not json"), ok("[1, 2"))
    advice = resolution_assist.suggest(db, admin, q.id)
    assert advice.proposal is None and advice.engine == "offline" and advice.rejected
    assert suggestions(db, q.id) == [] and questions.get_question(db, q.id).status == "open"


def test_a_hung_server_falls_back_within_the_deadline(db, admin, closed, model_server):
    q, _ = closed
    model_server.script(hang(30))
    advice = resolution_assist.suggest(db, admin, q.id)
    assert advice.proposal is None and "did not answer" in (advice.rejected or "")
    assert suggestions(db, q.id) == []


def test_offline_gives_the_best_matching_passages_and_no_proposal(db, admin, closed, offline):
    q, item = closed
    advice = resolution_assist.suggest(db, admin, q.id)
    assert advice.proposal is None and advice.engine == "offline" and advice.rejected is None
    assert advice.passages[0].evidence_id == item.id
    assert "strike" in advice.passages[0].text.lower()
    assert all(p.text in REPORT for p in advice.passages)


def test_the_decision_is_audited_beside_the_proposal(db, admin, closed, model_server):
    q, item = closed
    model_server.script(ok(answer(quotes=[{"evidence_id": item.id, "quote": QUOTE}])))
    proposal = resolution_assist.suggest(db, admin, q.id).proposal
    done = resolution_assist.decide(db, admin, q.id, Resolution(option="No"), proposal)
    assert done.status == "resolved" and done.resolution == "No"
    decision = next(e for e in suggestions(db, q.id) if e.action == "resolution.decision")
    assert decision.before == {"proposed": "Yes"}
    assert decision.after == {"decided": "No", "agreed": False}


def test_only_admins_ask_for_suggestions_and_overdue_lists(db, alice, closed, offline):
    q, _ = closed
    with pytest.raises(PermissionDenied):
        resolution_assist.suggest(db, alice, q.id)
    with pytest.raises(PermissionDenied):
        resolution_assist.overdue(db, alice)


def test_overdue_lists_closed_unresolved_questions(db, admin, closed, clock):
    q, _ = closed
    questions.create_question(db, admin, question_data(id="still-open"))
    [late] = resolution_assist.overdue(db, admin)
    assert late.id == q.id and late.days_overdue == (clock.now - late.close_time).days
    questions.resolve_question(db, admin, q.id, Resolution(option="Yes"))
    assert resolution_assist.overdue(db, admin) == []


def test_cli_suggest_prints_advice_and_resolves_nothing(env_db, offline):
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["seed"]).exit_code == 0
    result = runner.invoke(app, ["resolve", "--suggest", "us-strike-iran-by-2027-06"])
    assert result.exit_code == 0, result.output
    assert "no proposal" in result.stdout and "Nothing was resolved" in result.stdout
    listed = runner.invoke(app, ["questions", "overdue"])
    assert listed.exit_code == 0 and "no overdue resolutions" in listed.stdout
