"""The questions list opens a question from its title: page links in the list view, link cells
(`question?q=ID`, showing the title) in the table view."""

from urllib.parse import unquote

from tests.ui.conftest import BINARY, CHOICE, QUESTIONS, no_exceptions


def test_the_list_shows_every_title_as_a_link_to_its_question(open_app, world):
    at = open_app("alice", QUESTIONS)
    no_exceptions(at)
    assert at.segmented_control(key="qs_view").value == "List"
    links = {p.proto.query_string: p.proto.label for p in at.get("page_link")}
    assert links[f"q={BINARY}"] == "Will the harbour bridge reopen before the summer?"
    assert f"q={CHOICE}" in links


def test_the_table_titles_are_links_that_show_the_title(open_app):
    at = open_app("alice", QUESTIONS)
    at.segmented_control(key="qs_view").set_value("Table").run()
    [frame] = [d.value for d in at.dataframe if "Question" in d.value.columns]
    url = frame.set_index("id").loc[BINARY, "Question"]
    address, _, shown = url.partition("#")
    assert address == f"question?q={BINARY}"
    assert unquote(shown) == "Will the harbour bridge reopen before the summer?"
    [table] = [d for d in at.dataframe if "Question" in d.value.columns]
    assert '"type": "link"' in table.proto.columns or "link" in table.proto.columns
