"""Bad input is explained in words next to the field that has it, with the form's own labels;
the question id is suggested from the title; labels carry no markdown for screen readers."""

from datetime import UTC, datetime

from tests.ui.conftest import ADMIN, BINARY, CHOICE, EVIDENCE, QUESTION, World, no_exceptions
from tracker.services import questions
from tracker.ui.widgets.forecast_form import binary_keys
from tracker.ui.widgets.render import widget_label


def _one(elements, label: str):
    [element] = [e for e in elements if e.label == label]
    return element


def test_an_exact_percent_over_100_says_why_and_cannot_be_saved(open_app):
    at = open_app("alice", QUESTION, q=BINARY)
    at.number_input(key=binary_keys(BINARY)[1]).set_value(150.0).run()
    no_exceptions(at)
    assert [e.value for e in at.error] == [
        "Exact %: 150 is not a percentage; enter a number from 0 to 100."
    ]
    assert at.button(key=f"fc_save_{BINARY}").disabled
    at.number_input(key=binary_keys(BINARY)[1]).set_value(35.0).run()
    assert not at.error and not at.button(key=f"fc_save_{BINARY}").disabled
    assert at.slider(key=binary_keys(BINARY)[0]).value == 35


def test_the_probability_label_has_no_markdown(open_app):
    at = open_app("alice", QUESTION, q=BINARY)
    assert at.slider(key=binary_keys(BINARY)[0]).label == "Probability of Yes"
    at = open_app("alice", QUESTION, q=CHOICE)
    assert [n.label for n in at.number_input][:3] == ["Northwind", "Saltmarsh", "Kestrel"]


def test_a_label_escapes_only_what_would_become_markup():
    assert widget_label("2–3 rounds (or more), < 50 $/bbl") == "2–3 rounds (or more), < 50 \\$/bbl"
    assert widget_label("[click](javascript:x) *bold*") == "\\[click\\](javascript\\:x) \\*bold\\*"


def test_an_empty_evidence_submit_says_so_outside_the_status_box(open_app):
    at = open_app("alice", EVIDENCE)
    _one(at.button, "Add evidence").click().run()
    no_exceptions(at)
    assert any("evidence text is empty" in e.value for e in at.error)


def test_create_errors_name_the_fields_as_the_form_does(open_app):
    at = open_app("admin", ADMIN)
    _one(at.button, "Create question").click().run()
    no_exceptions(at)
    [error] = [e.value.replace("\\", "") for e in at.error]
    assert error.startswith("Question: must not be empty") and "title:" not in error


def test_the_id_follows_the_title_until_the_admin_edits_it(open_app, world: World):
    at = open_app("admin", ADMIN)
    _one(at.text_input, "Question").input("Will the night bus run on 31 December?").run()
    ident = at.text_input(key="adm_new_id")
    assert ident.value == "will-the-night-bus-run-on-31-december"
    ident.input("night-bus-nye").run()
    _one(at.text_input, "Question").input("Will the night bus run on New Year's Eve?").run()
    assert at.text_input(key="adm_new_id").value == "night-bus-nye"
    _one(at.text_area, "Resolution criteria").input("The operator's timetable.").run()
    at.date_input(key="adm_new_close").set_value(datetime(2027, 6, 30).date()).run()
    _one(at.button, "Create question").click().run()
    no_exceptions(at)
    created = questions.get_question(world.db, "night-bus-nye")
    assert created.close_time == datetime(2027, 7, 1, tzinfo=UTC)  # through the end of 30 June


def test_a_window_closing_at_midnight_is_shown_as_the_end_of_the_day_before():
    from tracker.ui.widgets.render import closes_text

    assert closes_text(datetime(2027, 7, 1, tzinfo=UTC)) == "end of 2027-06-30"
    assert closes_text(datetime(2027, 7, 1, 12, tzinfo=UTC)).startswith("2027-07-01")
