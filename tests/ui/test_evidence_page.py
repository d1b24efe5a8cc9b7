"""The evidence page: paste an article and see what it matched; link and unlink by hand."""

import pytest

from tests.ui.conftest import BINARY, CHOICE, EVIDENCE, World, no_exceptions, texts
from tracker.services import evidence


def _widget(elements, label: str):
    [found] = [e for e in elements if e.label == label]
    return found


def _links(world: World, evidence_id: int) -> dict[str, str]:
    return {
        link.question_id: link.state for link in evidence.links_for_evidence(world.db, evidence_id)
    }


@pytest.mark.parametrize("name", ["admin", "alice", "victor"])
def test_evidence_page_renders_for_every_role(open_app, name):
    at = open_app(name, EVIDENCE)
    no_exceptions(at)
    [table] = [d.value for d in at.dataframe if "Title" in d.value.columns]
    assert "City council: bridge works ahead of schedule" in set(table["Title"])
    assert ("read-only access" in texts(at)) == (name == "victor")


def test_pasted_article_is_stored_and_matched_to_its_question(open_app, world: World):
    at = open_app("alice", EVIDENCE)
    _widget(at.text_input, "Title").input("Bridge reopening date set")
    _widget(at.text_input, "Outlet").input("Harbour Gazette")
    _widget(at.text_area, "Text").input(
        "The city says the harbour bridge will reopen to traffic in May, before the summer "
        "season, after the works finished early."
    )
    _widget(at.button, "Add evidence").click().run()
    no_exceptions(at)
    shown = texts(at)
    assert "Stored as evidence #2: Bridge reopening date set" in shown
    assert "Matched 1 question(s)" in shown
    assert _links(world, 2) == {BINARY: "linked"}
    matched = [p.proto.label.replace("\\", "") for p in at.get("page_link")]
    assert any(
        m.startswith("Will the harbour bridge reopen before the summer? (match") for m in matched
    )
    assert at.query_params["e"] == "2"  # the new item opens below, with its links
    assert "#2 · Bridge reopening date set" in shown


def test_link_and_unlink_by_hand(open_app, world: World):
    at = open_app("alice", EVIDENCE, e="1")
    no_exceptions(at)
    at.button(key=f"ev_toggle_1_{BINARY}").click().run()  # "Unlink"
    assert _links(world, 1)[BINARY] == "unlinked"
    assert at.button(key=f"ev_toggle_1_{BINARY}").label == "Relink"

    _widget(at.selectbox, "Link to a question").set_value(CHOICE)
    _widget(at.button, "Link").click().run()
    no_exceptions(at)
    assert _links(world, 1) == {BINARY: "unlinked", CHOICE: "linked"}


def test_viewer_cannot_add_or_link(open_app):
    at = open_app("victor", EVIDENCE, e="1")
    no_exceptions(at)
    labels = {b.label for b in at.button}
    assert not labels & {"Add evidence", "Upload", "Fetch and add", "Unlink", "Link"}
    linked = [p.proto.label.replace("\\", "") for p in at.get("page_link")]
    assert "Will the harbour bridge reopen before the summer?" in linked  # links still listed


def test_empty_evidence_list_says_what_to_do(open_empty_app):
    at = open_empty_app("alice", EVIDENCE)
    no_exceptions(at)
    assert "No evidence yet. Paste an article above" in texts(at)
