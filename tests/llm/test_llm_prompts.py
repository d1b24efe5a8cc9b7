"""Prompt templates: versioned, fixed part first, evidence within a budget."""

import shutil
from pathlib import Path

from tracker.llm.prompts import (
    MAX_EVIDENCE_CHARS,
    PROMPTS_DIR,
    draft_prompt,
    select_evidence,
    summary_messages,
    summary_prompt,
)


def test_templates_load_and_are_fully_substituted(samples) -> None:
    prompt = summary_prompt()
    assert prompt.version.startswith("summarize_v2:") and len(prompt.version) <= 64
    assert draft_prompt().version.startswith("draft_questions_v2:")
    messages, fence = summary_messages(prompt, samples.request())
    placeholders = ["$schema", "$question", "$since_line", "$fence", "$evidence", "$omitted"]
    for message in messages:
        assert not [p for p in placeholders if p in message["content"]]
    assert fence in messages[1]["content"] and fence not in messages[0]["content"]


def test_an_edited_template_gets_a_new_version(tmp_path: Path) -> None:
    for name in ("summarize_v2.md", "draft_questions_v2.md"):
        shutil.copy(PROMPTS_DIR / name, tmp_path / name)
    assert summary_prompt(tmp_path).version == summary_prompt().version
    path = tmp_path / "summarize_v2.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nBe brief.\n", encoding="utf-8")
    assert summary_prompt(tmp_path).version != summary_prompt().version


def test_new_items_go_in_first_and_old_ones_give_way(samples) -> None:
    big = "A US strike on Iranian nuclear facilities was discussed again. " * 400  # ~25 kB
    docs = [samples.doc(i, big, day=i) for i in range(1, 9)]
    request = samples.request(docs=docs, since=samples.T0.replace(day=7))
    kept, left_out = select_evidence(request)
    assert [d.id for d in kept][:2] == [8, 7]  # the new items first
    assert left_out and sum(min(len(d.text), 12_000) for d in kept) <= MAX_EVIDENCE_CHARS
    user = summary_messages(summary_prompt(), request)[0][1]["content"]
    assert "left out for length" in user


def test_no_evidence_costs_no_call(llm_server, openai_engine, samples) -> None:
    engine = openai_engine()
    result = engine.summarize(samples.request(docs=[]))
    assert llm_server.calls == 0
    assert "no evidence" in result.summary.headline.lower()
    assert result.fallback_reason is None
    assert result.cache_key == engine.summarize(samples.request(docs=[])).cache_key
