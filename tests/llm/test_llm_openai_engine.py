"""The openai engine against a real loopback server: success, retries, failures, distrust."""

import json

import pytest

from tracker.llm.drafting import DraftingFailed
from tracker.testing.fake_llm_server import error, hang, ok


def test_good_answer_is_validated_verified_and_costed(llm_server, openai_engine, samples) -> None:
    llm_server.script(ok(samples.good_answer(), usage=(900, 150)))
    request = samples.request()
    result = openai_engine().summarize(request)

    assert result.fallback_reason is None
    assert (result.engine, result.model) == ("openai", "fake-model")
    assert (result.tokens_in, result.tokens_out) == (900, 150)
    assert result.latency_ms > 0
    assert result.prompt_version.startswith("summarize_v2:")
    assert len(result.cache_key) == 64
    assert result.summary.overall_direction == "mixed"
    assert [p.verified for p in result.summary.key_points] == [True, True]  # curly ’ matches '
    sent = llm_server.requests[0]
    assert sent["model"] == "fake-model"
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True


def test_429_then_success_is_retried_by_the_client(llm_server, openai_engine, samples) -> None:
    llm_server.script(error(429, "slow down", {"retry-after-ms": "10"}), ok(samples.good_answer()))
    result = openai_engine(llm_max_retries=2).summarize(samples.request())
    assert result.fallback_reason is None and result.engine == "openai"
    assert llm_server.calls == 2


def test_persistent_500s_fall_back_to_offline_with_a_reason(
    llm_server, openai_engine, samples
) -> None:
    llm_server.script(*[error(500, "boom", {"retry-after-ms": "5"})] * 3)
    request = samples.request()
    result = openai_engine(llm_max_retries=2).summarize(request)

    assert llm_server.calls == 3  # first try + 2 retries, then give up
    assert result.engine == "offline"
    assert "HTTP 500" in result.fallback_reason and "2 retries" in result.fallback_reason
    assert "offline extractive digest" in result.fallback_reason
    assert result.summary.key_points and all(p.verified for p in result.summary.key_points)


def test_hang_past_the_timeout_falls_back_with_the_reason(llm_server, openai_engine, samples):
    llm_server.script(hang(30))
    result = openai_engine(llm_timeout_s=0.5, llm_max_retries=0).summarize(samples.request())
    assert result.engine == "offline"
    assert "did not answer within 0.5 s" in result.fallback_reason
    assert llm_server.calls == 1


def test_connection_refused_falls_back(openai_engine, samples) -> None:
    engine = openai_engine(openai_base_url="http://127.0.0.1:9/v1", llm_max_retries=0)
    result = engine.summarize(samples.request())
    assert result.engine == "offline" and "could not connect" in result.fallback_reason


def test_invalid_json_gets_one_json_mode_retry_then_falls_back(
    llm_server, openai_engine, samples
) -> None:
    llm_server.script(ok("{not json at all", usage=(10, 5)), ok("still not json", usage=(10, 5)))
    result = openai_engine().summarize(samples.request())

    assert llm_server.calls == 2
    assert llm_server.requests[1]["response_format"] == {"type": "json_object"}
    assert llm_server.requests[1]["messages"] == llm_server.requests[0]["messages"]
    assert result.engine == "offline"
    assert "did not match the expected format, twice" in result.fallback_reason
    assert (result.tokens_in, result.tokens_out) == (20, 10)  # the wasted calls are still counted


def test_json_mode_retry_can_rescue_the_answer(llm_server, openai_engine, samples) -> None:
    fenced = "Here you go:\n```json\n" + json.dumps(samples.good_answer()) + "\n```"
    llm_server.script(ok("{oops"), ok(fenced))
    result = openai_engine().summarize(samples.request())
    assert result.engine == "openai" and result.fallback_reason is None
    assert llm_server.calls == 2


def test_schema_violating_answer_is_never_accepted(llm_server, openai_engine, samples) -> None:
    wrong = {"summary": "The strike is certain.", "probability": 0.9}
    bad_point = samples.good_answer(key_points=[{"claim": "x", "evidence_id": "not-an-id"}])
    llm_server.script(ok(wrong), ok(bad_point))
    result = openai_engine().summarize(samples.request())
    assert llm_server.calls == 2
    assert result.engine == "offline" and result.fallback_reason


def test_schema_violating_answer_then_a_valid_json_mode_answer_is_used(
    llm_server, openai_engine, samples
) -> None:
    wrong = {"summary": "The strike is certain.", "probability": 0.9}  # valid JSON, wrong shape
    llm_server.script(ok(wrong, usage=(50, 10)), ok(samples.good_answer(), usage=(60, 20)))
    result = openai_engine().summarize(samples.request())
    assert [r["response_format"]["type"] for r in llm_server.requests] == [
        "json_schema",
        "json_object",
    ]
    assert result.engine == "openai" and result.fallback_reason is None
    assert [p.verified for p in result.summary.key_points] == [True, True]
    assert "probability" not in result.summary.model_dump()
    assert (result.tokens_in, result.tokens_out) == (110, 30)  # both calls are paid for


def test_server_rejecting_json_schema_gets_json_mode(llm_server, openai_engine, samples) -> None:
    llm_server.script(
        error(400, "response_format json_schema not supported"), ok(samples.good_answer())
    )
    result = openai_engine().summarize(samples.request())
    assert result.engine == "openai"
    assert [r["response_format"]["type"] for r in llm_server.requests] == [
        "json_schema",
        "json_object",
    ]


def test_quote_not_in_the_article_is_kept_but_unverified(
    llm_server, openai_engine, samples
) -> None:
    answer = samples.good_answer()
    answer["key_points"][1]["quote"] = "Analysts say a strike is now certain within weeks."
    llm_server.script(ok(answer))
    summary = openai_engine().summarize(samples.request()).summary
    assert [p.verified for p in summary.key_points] == [True, False]
    assert summary.key_points[1].claim == answer["key_points"][1]["claim"]
    assert any("unverified" in c for c in summary.caveats)


def test_cited_id_we_did_not_supply_is_unverified(llm_server, openai_engine, samples) -> None:
    answer = samples.good_answer()
    answer["key_points"][0]["evidence_id"] = 777  # the quote exists, but in item 1
    answer["key_points"][0]["verified"] = True  # the model cannot set this
    llm_server.script(ok(answer))
    summary = openai_engine().summarize(samples.request()).summary
    assert summary.key_points[0].evidence_id == 777
    assert summary.key_points[0].verified is False


def test_model_text_is_sanitised_and_options_checked(llm_server, openai_engine, samples) -> None:
    request = samples.request(type="multiple_choice", options=["Strike", "Deal", "Neither"])
    answer = samples.good_answer(headline="Bidi \u202etxet\u202c and \x07 bell " + "x" * 1000)
    answer["key_points"][0]["option"] = "deal"
    answer["key_points"][1]["option"] = "An option we never offered"
    answer["key_points"][1]["direction"] = "increases"  # a synonym, coerced
    llm_server.script(ok(answer))
    summary = openai_engine().summarize(request).summary
    assert "\u202e" not in summary.headline and "\x07" not in summary.headline
    assert len(summary.headline) <= 300
    assert [p.option for p in summary.key_points] == ["Deal", None]
    assert summary.key_points[1].direction == "raises"


def test_drafting_returns_only_valid_drafts(llm_server, openai_engine) -> None:
    good = {
        "title": "Will Iran and the US resume talks in Oman before 1 April 2026?",
        "type": "binary",
        "options": ["Yes", "No"],
        "description": "Talks stalled in February.",
        "resolution_criteria": "Yes if both governments confirm a new round in Oman.",
        "open_time": "2026-02-10T00:00:00Z",
        "close_time": "2026-04-01T00:00:00Z",
        "tags": ["Iran", "diplomacy"],
        "keywords": ["Muscat", "Witkoff", "Araghchi", "  next   round ", "muscat"],
    }
    bad = {**good, "type": "multiple_choice", "options": ["Only one"]}
    llm_server.script(ok({"questions": [good, bad]}))
    drafts = openai_engine().draft_questions("Talks stalled on Tuesday...", title="Talks stall")
    assert len(drafts) == 1
    assert drafts[0].close_time.year == 2026 and drafts[0].tags == ["iran", "diplomacy"]
    assert drafts[0].keywords == ["Muscat", "Witkoff", "Araghchi", "next round"]  # drafted terms
    assert '"keywords"' in llm_server.requests[0]["messages"][0]["content"]  # asked for in v2
    user = llm_server.requests[0]["messages"][1]["content"]
    assert "<<<ARTICLE " in user and "Talks stalled on Tuesday..." in user


def test_drafting_failure_raises_a_readable_error(llm_server, openai_engine) -> None:
    llm_server.script(error(503, "overloaded"))
    with pytest.raises(DraftingFailed, match="HTTP 503"):
        openai_engine(llm_max_retries=0).draft_questions("An article.")


def test_an_elided_quote_that_drops_not_is_never_verified(llm_server, openai_engine, samples):
    text = (
        "Thousands marched in Tehran and Isfahan. Analysts say demonstrations alone will not "
        "bring down Khamenei's system, whatever the pressure."
    )
    bent = samples.good_answer(
        key_points=[
            {
                "claim": "Analysts think the protests can topple the system.",
                "direction": "raises",
                "option": None,
                "strength": "strong",
                "evidence_id": 1,
                "quote": "demonstrations alone ... bring down Khamenei's system",
            },
            {
                "claim": "Analysts doubt protests alone suffice.",
                "direction": "lowers",
                "option": None,
                "strength": "moderate",
                "evidence_id": 1,
                "quote": "demonstrations alone will not bring down Khamenei's system",
            },
        ]
    )
    llm_server.script(ok(bent))
    request = samples.request([samples.doc(1, text)])
    points = openai_engine().summarize(request).summary.key_points
    assert [(p.quote_status, p.verified) for p in points] == [
        ("elided", False),
        ("verified", True),
    ]
    assert points[0].omits_negation
    assert [s.text for s in points[0].quote_segments if s.omitted] == ["will not"]
