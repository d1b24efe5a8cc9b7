"""The questions list filtered, sorted and paged in SQL shows what the Python list showed (the
same rows, order, standing and team figures, the anchoring rules kept), on either database."""

import itertools
from datetime import timedelta

import pytest

from tests.support import question_data
from tracker import interchange
from tracker.errors import InvalidInput
from tracker.schemas import Actor, ForecastCreate, Resolution
from tracker.services import evidence, forecasts, questions, sessions, views
from tracker.services.question_listing import (
    QuestionFilter,
    all_tags,
    any_questions,
    count_questions,
    question_listing,
)
from tracker.text import fold


def _iso(at) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _q(db, admin, qid, title, *, days_open=-30, days_close=60, **fields):
    now = db.now()
    return questions.create_question(
        db,
        admin,
        question_data(
            id=qid,
            title=title,
            open_time=_iso(now + timedelta(days=days_open)),
            close_time=_iso(now + timedelta(days=days_close)),
            **fields,
        ),
    )


def _import(db, *rows) -> None:
    document = {"format": interchange.FORMAT, "forecasts": list(rows)}
    interchange.import_document(db, Actor.system(), document)


def _binary(qid, user, at, p):
    return {"question_id": qid, "user": user, "time": _iso(at), "probability": p}


@pytest.fixture
def world(db, admin, alice, bob, viewer):
    """Questions in every state, two types, tags, with forecasts at various ages."""
    now = db.now()
    mc = {"type": "multiple_choice", "options": ["Northwind", "Saltmarsh", "Kestrel"]}
    _q(db, admin, "bridge", "Will the Straße bridge reopen?", days_close=10, tags=["Zürich"])
    _q(db, admin, "ferry", "Ferry strike in ΣΟΦΙΑ harbour?", days_close=40, tags=["transport"])
    _q(db, admin, "race", "Who wins the regatta?", days_close=20, tags=["sport"], **mc)
    _q(db, admin, "open-view", "Rates cut by March?", days_close=30, hide_until_forecast=False)
    _q(db, admin, "later", "Strike ballot passes?", days_open=5, days_close=90)
    _q(db, admin, "past", "Did the tunnel open?", days_open=-90, days_close=-2)
    _q(db, admin, "won", "Harbour dredging done?", days_open=-90, days_close=-20)
    _q(db, admin, "void", "Old question, annulled", days_open=-90, days_close=-10, tags=["sport"])
    _import(
        db,
        _binary("bridge", "bob", now - timedelta(days=3), 0.7),
        _binary("ferry", "alice", now - timedelta(days=20), 0.2),
        _binary("ferry", "alice", now - timedelta(days=30), 0.9),  # older: not her standing
        _binary("ferry", "bob", now - timedelta(days=1), 0.4),
        _binary("open-view", "bob", now - timedelta(days=2), 0.6),
        _binary("won", "alice", now - timedelta(days=40), 0.8),
        {
            "question_id": "race",
            "user": "alice",
            "time": _iso(now - timedelta(days=1)),
            "probabilities": {"Northwind": 0.5, "Saltmarsh": 0.3, "Kestrel": 0.2},
        },
    )
    questions.resolve_question(db, admin, "won", Resolution(option="Yes"))
    questions.resolve_question(db, admin, "void", Resolution(annul=True))
    item = evidence.add_text(db, admin, title="Bridge news", text="The bridge reopens soon.")
    evidence.link(db, admin, "bridge", item.item.id)
    return {"admin": admin, "alice": alice, "bob": bob, "vera": viewer}


def _python_listing(db, actor, f: QuestionFilter) -> list[views.QuestionRow]:
    """What the page computed before: every row in Python, then sorted, then sliced."""
    rows = views.question_rows(
        db,
        actor,
        states=set(f.states) or None,
        tag=f.tag,
        question_type=f.question_type,
        stale_days=f.stale_days,
        needs_update_only=f.needs_update_only,
    )
    if f.sort == "needs_update":
        rows.sort(key=lambda r: (not r.needs_update, r.question.close_time))
    elif f.sort == "opened":
        rows.sort(key=lambda r: r.question.open_time, reverse=True)
    elif f.sort == "title":
        rows.sort(key=lambda r: r.question.title.casefold())
    start = (f.page - 1) * f.page_size
    return views.with_team(db, actor, rows[start : start + f.page_size])


def _shown(rows):
    return [
        (
            r.question.id,
            r.question.state,
            r.my_latest,
            r.my_last_time,
            r.new_evidence,
            r.days_left,
            r.needs_update,
            r.update_reason,
            r.forecasters,
            r.team_median,
            r.team_visible,
            r.blind_session,
        )
        for r in rows
    ]


STATE_CHOICES = [frozenset(), {"open"}, {"open", "upcoming"}, {"closed", "resolved", "annulled"}]


@pytest.mark.parametrize("who", ["admin", "alice", "bob", "vera"])
def test_every_filter_and_sort_shows_what_the_python_list_showed(db, world, who):
    actor = world[who]
    combos = itertools.product(
        STATE_CHOICES,
        [None, "binary"],
        [None, "sport"],
        [False, True],
        ["close", "needs_update", "opened", "title"],
    )
    for states, qtype, tag, needs, sort in combos:
        f = QuestionFilter(
            states=states, question_type=qtype, tag=tag, needs_update_only=needs, sort=sort
        )
        listing = question_listing(db, actor, f)
        expected = _python_listing(db, actor, f)
        assert _shown(listing.rows) == _shown(expected), f
        everything = views.question_rows(
            db, actor, states=set(states) or None, tag=tag, question_type=qtype,
            needs_update_only=needs,
        )  # fmt: skip
        assert listing.counts.total == len(everything)
        if actor.role != "viewer":
            assert listing.counts.needs_update == sum(r.needs_update for r in everything)
            fresh = [r for r in everything if r.new_evidence and r.question.state == "open"]
            assert listing.counts.with_new_evidence == len(fresh)


def test_states_follow_the_clock(db, world):
    listing = question_listing(db, world["alice"], QuestionFilter(states={"upcoming"}))
    assert [r.question.id for r in listing.rows] == ["later"]
    db.clock.advance(days=6)  # the upcoming question opens, the nearest one stays open
    listing = question_listing(db, world["alice"], QuestionFilter(states={"open"}))
    assert "later" in {r.question.id for r in listing.rows}
    closed = question_listing(db, world["alice"], QuestionFilter(states={"closed"}))
    assert [r.question.id for r in closed.rows] == ["past"]


def test_each_state_alone(db, world):
    def ids(state):
        f = QuestionFilter(states={state})
        return {r.question.id for r in question_listing(db, world["bob"], f).rows}

    assert ids("open") == {"bridge", "race", "open-view", "ferry"}
    assert ids("upcoming") == {"later"}
    assert ids("closed") == {"past"}
    assert ids("resolved") == {"won"}
    assert ids("annulled") == {"void"}


def test_standing_forecast_is_the_latest_visible_one(db, world, admin):
    alice = world["alice"]
    [ferry] = question_listing(db, alice, QuestionFilter(text="ferry")).rows
    assert ferry.my_latest == {"Yes": 0.2, "No": 0.8}  # the later of her two
    assert ferry.update_reason == "last forecast 20 days ago"
    standing = forecasts.forecast_history(db, question_id="ferry", user_id=alice.user_id)
    newest = max(standing, key=lambda f: f.created_at)
    forecasts.set_hidden(db, admin, newest.id, True, "mis-click")  # hidden: the older stands
    [ferry] = question_listing(db, alice, QuestionFilter(text="ferry")).rows
    assert ferry.my_latest == {"Yes": 0.9, "No": pytest.approx(0.1)}


def test_mine_and_not_yet_forecast(db, world):
    alice = world["alice"]

    def ids(which):
        f = QuestionFilter(forecast=which)
        return [r.question.id for r in question_listing(db, alice, f).rows]

    assert set(ids("mine")) == {"ferry", "race", "won"}
    assert set(ids("not_mine")) == {"bridge", "open-view", "later", "past", "void"}
    assert sorted(ids("any")) == sorted(ids("mine") + ids("not_mine"))
    vera = world["vera"]  # a viewer has no forecasts: everything is "not yet"
    assert question_listing(db, vera, QuestionFilter(forecast="mine")).counts.total == 0


def test_sorts(db, world):
    def order(sort, **more):
        f = QuestionFilter(states={"open"}, sort=sort, **more)
        return [r.question.id for r in question_listing(db, world["alice"], f).rows]

    assert order("close") == ["bridge", "race", "open-view", "ferry"]
    assert order("title") == ["ferry", "open-view", "race", "bridge"]
    # needs update first: bridge and open-view (no forecast), ferry (stale); race is fresh
    assert order("needs_update") == ["bridge", "open-view", "ferry", "race"]
    # activity: the newest visible forecast first (ferry and race a day ago, by close time)
    assert order("activity") == ["race", "ferry", "open-view", "bridge"]
    assert order("opened") == order("close")  # the same open time: the list's own order
    questions.edit_question(
        db, world["admin"], "ferry", questions.QuestionEdit(title="A ferry strike?")
    )
    assert order("title")[0] == "ferry"


def test_created_sort_is_newest_first(db, world, admin, clock):
    clock.advance(hours=1)
    _q(db, admin, "newest", "Brand new question")
    f = QuestionFilter(states={"open"}, sort="created")
    assert question_listing(db, world["bob"], f).rows[0].question.id == "newest"


def test_activity_ignores_hidden_and_sealed_forecasts(db, world, admin):
    bob = world["bob"]
    record = sessions.create_session(
        db,
        admin,
        sessions.SessionCreate(title="Rates", question_ids=["open-view"], participants=["bob"]),
    )
    assert record.phase == "blind"
    forecasts.log_forecast(
        db, bob, ForecastCreate(question_id="open-view", probabilities={"Yes": 0.3, "No": 0.7})
    )  # sealed while the session is blind: it tells others nothing, not even "activity"
    f = QuestionFilter(states={"open"}, sort="activity")
    assert question_listing(db, world["alice"], f).rows[0].question.id != "open-view"
    sessions.advance_phase(db, admin, record.id, "reveal")
    assert question_listing(db, world["alice"], f).rows[0].question.id == "open-view"


@pytest.fixture
def many(db, admin, bob):
    for i in range(7):
        _q(db, admin, f"p-{i}", f"Paged question {i}", days_close=10 + i)
    return bob


@pytest.mark.parametrize(
    ("page", "size", "shown", "pages"),
    [
        (1, 3, ["p-0", "p-1", "p-2"], 3),
        (2, 3, ["p-3", "p-4", "p-5"], 3),
        (3, 3, ["p-6"], 3),  # the last page is short
        (9, 3, ["p-6"], 3),  # past the end: the last page
        (1, 7, [f"p-{i}" for i in range(7)], 1),  # exactly one full page
        (2, 6, ["p-6"], 2),
        (1, 50, [f"p-{i}" for i in range(7)], 1),
    ],
)
def test_paging_boundaries(db, many, page, size, shown, pages):
    listing = question_listing(db, many, QuestionFilter(page=page, page_size=size))
    assert [r.question.id for r in listing.rows] == shown
    assert listing.counts.total == 7 and listing.counts.pages == pages
    assert listing.page == min(page, pages)


def test_team_figures_only_for_the_page_rows(db, many, admin):
    _import(db, _binary("p-4", "admin", db.now() - timedelta(days=1), 0.3))
    listing = question_listing(db, many, QuestionFilter(page=2, page_size=3))
    assert [r.forecasters for r in listing.rows] == [0, 1, 0]


def test_an_empty_result_still_counts(db, many):
    listing = question_listing(db, many, QuestionFilter(text="nothing like this"))
    assert listing.rows == [] and listing.counts.total == 0 and listing.page == 1
    assert listing.counts.pages == 1
    assert any_questions(db)


def test_no_questions_at_all(db, alice):
    assert not any_questions(db)
    assert question_listing(db, alice, QuestionFilter()).counts.total == 0
    assert all_tags(db) == []


def test_search_matches_every_word_in_title_id_or_tags(db, world):
    def found(words):
        f = QuestionFilter(text=words)
        return {r.question.id for r in question_listing(db, world["alice"], f).rows}

    assert found("strike") == {"ferry", "later"}  # titles
    assert found("strike ballot") == {"later"}  # every word
    assert found("open-view") == {"open-view"}  # the id
    assert found("transport") == {"ferry"}  # a tag
    assert found("sport") == {"race", "void", "ferry"}  # "transport" contains "sport"
    assert found("ferry transport") == {"ferry"}  # words from different fields
    assert found("  ") == found("")  # blank: no search
    assert found("100%") == set() and found("a_b") == set()  # LIKE wildcards are plain text


@pytest.mark.parametrize(
    ("words", "qid"),
    [
        ("STRASSE", "bridge"),  # ß folds to ss, either way round
        ("straße", "bridge"),
        ("ZÜRICH", "bridge"),  # a tag, beyond ASCII
        ("zürich", "bridge"),
        ("σοφια", "ferry"),  # Greek capitals, and the final sigma
        ("ΣΟΦΙΑ", "ferry"),
        ("σοφιας", None),
    ],
)
def test_unicode_search_is_case_insensitive(db, world, words, qid):
    f = QuestionFilter(text=words)
    found = [r.question.id for r in question_listing(db, world["bob"], f).rows]
    assert found == ([qid] if qid else [])


def test_a_decomposed_search_finds_a_composed_title(db, world):
    f = QuestionFilter(text="Zu\u0308rich")  # "Zürich" typed as u + combining diaeresis
    assert [r.question.id for r in question_listing(db, world["bob"], f).rows] == ["bridge"]


def test_the_database_folds_like_python(db):
    """The SQL folding (registered on SQLite, built-in on PostgreSQL) matches `fold` on a
    sample of every script the search is likely to meet."""
    from sqlalchemy import literal, select

    from tracker.services.question_listing import folded

    sample = (
        "AZaz ÀÉÎÕÜ àéîõü ẞß İıI ΣΑΣ ς ΆΈΉ Ωω АБВГДЕЁЖ абвгдеёж ЉЊЏ ԱԲԳ աբգ ĀĒĪŌŪ ŁŃŚŹŻ Ǆǅǆ ꞫꞬ"
        " Ⓐⓐ Ａａ ＺＺ 漢字 かな ﬁ ǰ"
    )
    with db.read() as session:
        for word in sample.split():
            got = session.connection().execute(select(folded(literal(word)))).scalar_one()
            assert got == fold(word), word


def test_the_tag_list(db, world, admin):
    assert all_tags(db) == ["Zürich", "iran", "sport", "transport"]
    _q(db, admin, "new", "A new question", tags=["weather", "sport"])  # shows at once
    assert all_tags(db) == ["Zürich", "iran", "sport", "transport", "weather"]
    questions.edit_question(db, admin, "new", questions.QuestionEdit(tags=["rain"]))
    assert all_tags(db) == ["Zürich", "iran", "rain", "sport", "transport"]
    document = {"format": interchange.FORMAT, "questions": [
        {"id": "imported", "title": "Imported", "type": "binary", "options": ["Yes", "No"],
         "open_time": "2026-01-01T00:00:00Z", "close_time": "2027-01-01T00:00:00Z",
         "tags": ["snow"]},
    ]}  # fmt: skip
    interchange.import_document(db, Actor.system(), document)
    assert "snow" in all_tags(db)


def test_bad_filters_are_refused_clearly(db, alice):
    with pytest.raises(InvalidInput, match="page_size"):
        QuestionFilter.parse(page_size=0)
    with pytest.raises(InvalidInput, match="sort"):
        QuestionFilter.parse(sort="random")
    with pytest.raises(InvalidInput, match="states"):
        QuestionFilter.parse(states={"pending"})
    with pytest.raises(InvalidInput, match="question_type"):
        QuestionFilter.parse(question_type="poll")
    with pytest.raises(InvalidInput, match="text"):
        QuestionFilter.parse(text="x" * 501)


# ------------------------------------------------------------------ the anchoring rules


def test_hidden_until_forecast_stays_hidden_in_every_sort_and_page(db, world):
    alice = world["alice"]  # has not forecast "bridge", which hides others' numbers
    for sort in ("close", "needs_update", "opened", "created", "title", "activity"):
        for size in (1, 50):
            f = QuestionFilter(sort=sort, page_size=size, text="bridge")
            [row] = question_listing(db, alice, f).rows
            assert not row.team_visible and row.team_median is None and row.team_pool is None
            assert row.forecasters == 1  # the count is shown, never the numbers


def test_others_see_the_team_once_they_forecast_or_cannot_be_anchored(db, world):
    f = QuestionFilter(text="bridge")
    [bob_row] = question_listing(db, world["bob"], f).rows  # bob forecast it
    assert bob_row.team_visible and bob_row.team_median == {"Yes": 0.7, "No": pytest.approx(0.3)}
    [vera_row] = question_listing(db, world["vera"], f).rows  # a viewer
    assert vera_row.team_visible and vera_row.my_latest is None
    [admin_row] = question_listing(db, world["admin"], f).rows  # admins are anchored too
    assert not admin_row.team_visible
    [open_view] = question_listing(db, world["alice"], QuestionFilter(text="rates")).rows
    assert open_view.team_visible  # hide_until_forecast off


def test_a_blind_session_hides_the_team_from_its_participants(db, world, admin):
    sessions.create_session(
        db,
        admin,
        sessions.SessionCreate(title="Bridge", question_ids=["bridge"], participants=["bob"]),
    )
    [row] = question_listing(db, world["bob"], QuestionFilter(text="bridge")).rows
    assert not row.team_visible and row.blind_session


def test_a_viewer_never_needs_an_update(db, world):
    listing = question_listing(db, world["vera"], QuestionFilter(needs_update_only=True))
    assert listing.rows == [] and listing.counts.needs_update == 0
    f = QuestionFilter(states={"open"}, sort="needs_update")
    assert all(not r.needs_update for r in question_listing(db, world["vera"], f).rows)


def test_a_forecast_of_the_system_actor_is_nobody_standing(db, world):
    system = Actor.system()
    assert count_questions(db, system, QuestionFilter(forecast="mine")).total == 0


def test_one_query_for_the_rows_and_one_for_the_counts(db, world, monkeypatch):
    """Whatever the filter: one statement counts, one reads the page (team figures apart)."""
    from sqlalchemy import event

    from tracker.services import question_listing as listing_module

    statements: list[str] = []

    def seen(conn, cursor, statement, *_):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    monkeypatch.setattr(listing_module.views, "with_team", lambda db, actor, rows, **_: rows)
    f = QuestionFilter(text="strike", tag="transport", sort="needs_update", forecast="mine")
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        count_questions(db, world["alice"], f)
        assert len(statements) == 1
        listing_module.page_rows(db, world["alice"], f)
        assert len(statements) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def test_a_numeric_forecast_counts_as_the_members_standing(db, admin, alice):
    """A numeric forecast has a CDF and no option probabilities; it is a forecast all the same
    (the Python list read standings from option probabilities, so it said "no forecast yet")."""
    from tests.numeric.conftest import brent_data

    questions.create_question(db, admin, brent_data())
    handles = {10: 62, 50: 75, 90: 95}
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id="brent-mid-2027", percentiles=handles)
    )
    [row] = question_listing(db, alice, QuestionFilter(forecast="mine")).rows
    assert row.question.id == "brent-mid-2027" and row.my_last_time == db.now()
    assert row.my_latest is None and not row.needs_update and row.update_reason == ""
    assert row.forecasters == 1
