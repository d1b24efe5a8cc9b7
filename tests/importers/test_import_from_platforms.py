"""Import from where teams come from: Fatebook's CSV export, a Metaculus API question list and a
team spreadsheet map to our interchange document and go through the normal all-or-nothing,
idempotent import. The sample files in samples/ were written for these tests from the formats'
public descriptions; they hold no real user's data."""

import json
from pathlib import Path

import pytest
from sqlmodel import SQLModel
from typer.testing import CliRunner

from tests.support import NOW, Clock
from tracker import interchange
from tracker.cli import app
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.interchange.importers import convert, import_from
from tracker.schemas import Actor

SAMPLES = Path(__file__).parent / "samples"
SYSTEM = Actor.system()


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def exported(db: Database) -> dict:
    return json.loads(interchange.export_json(db))


def yes(forecast: dict) -> float:
    return round(forecast["probabilities"]["Yes"], 12)


def by_title(document: dict) -> dict[str, dict]:
    return {q["title"]: q for q in document["questions"]}


def forecasts_of(document: dict, question_id: str) -> list[dict]:
    return [f for f in document["forecasts"] if f["question_id"] == question_id]


# --- Fatebook -------------------------------------------------------------------------------


def test_fatebook_export_becomes_questions_forecasts_and_resolutions(db: Database) -> None:
    summary, _ = import_from(db, SYSTEM, "fatebook", sample("fatebook.csv"))
    assert (summary.questions_added, summary.forecasts_added, summary.users_added) == (2, 4, 2)
    questions = by_title(exported(db))
    talks = questions["Will a fourth round of Oman-hosted talks take place before 1 May 2026?"]
    assert talks["type"] == "binary"
    assert talks["resolution"] == "Yes"
    assert talks["resolved_time"] == "2026-04-20T18:00:00Z"
    assert talks["open_time"] == "2026-03-02T09:14:51Z"
    assert talks["close_time"] == "2026-05-01T00:00:00Z"
    assert "Muscat" in talks["description"]
    dana = [f for f in forecasts_of(exported(db), talks["id"]) if f["user"] == "dana.reyes"]
    assert [(f["time"], yes(f)) for f in dana] == [
        ("2026-03-02T09:15:07Z", 0.6),
        ("2026-04-01T08:00:00Z", 0.8),
    ]
    lead = questions["Who will lead Iran's delegation at the next round?"]
    assert lead["type"] == "multiple_choice"
    assert lead["options"] == ["Foreign minister", "Deputy foreign minister", "Someone else"]
    assert lead["resolution"] is None
    (vector,) = forecasts_of(exported(db), lead["id"])
    assert vector["probabilities"] == pytest.approx(
        {"Foreign minister": 0.7, "Deputy foreign minister": 0.2, "Someone else": 0.1}
    )


def test_importing_the_same_fatebook_file_twice_adds_nothing(db: Database) -> None:
    import_from(db, SYSTEM, "fatebook", sample("fatebook.csv"))
    again, _ = import_from(db, SYSTEM, "fatebook", sample("fatebook.csv"))
    assert (again.questions_added, again.forecasts_added) == (0, 0)
    assert (again.questions_unchanged, again.forecasts_unchanged) == (2, 4)


def test_a_fatebook_import_round_trips_through_our_export(db: Database, tmp_path) -> None:
    import_from(db, SYSTEM, "fatebook", sample("fatebook.csv"))
    first = interchange.export_json(db)
    other = Database(f"sqlite:///{tmp_path / 'other.db'}", clock=Clock(NOW))
    SQLModel.metadata.create_all(other.engine)
    interchange.import_text(other, SYSTEM, first)
    assert interchange.export_json(other) == first


def test_people_can_be_mapped_to_existing_accounts(db: Database) -> None:
    import_from(
        db,
        SYSTEM,
        "fatebook",
        sample("fatebook.csv"),
        user_map={"Dana Reyes": "dana", "Omar Haddad": "omar"},
    )
    assert {f["user"] for f in exported(db)["forecasts"]} == {"dana", "omar"}


def test_a_malformed_fatebook_row_is_named_and_nothing_changes(db: Database) -> None:
    lines = sample("fatebook.csv").decode().splitlines()
    lines[2] = lines[2].replace(",0.35,", ",1.5,")
    lines[5] = lines[5].replace("2026-03-05 10:00:00", "yesterday-ish", 1)
    with pytest.raises(InvalidInput) as caught:
        import_from(db, SYSTEM, "fatebook", "\n".join(lines).encode())
    message = str(caught.value)
    assert "line 3: probability 1.5 is outside 0..1" in message
    assert "line 6: not a time: yesterday-ish" in message
    assert exported(db)["questions"] == []


def test_a_fatebook_choice_forecast_that_does_not_sum_to_one_is_refused(db: Database) -> None:
    text = (
        sample("fatebook.csv")
        .decode()
        .replace('"Someone else","Dana Reyes",0.1', '"Someone else","Dana Reyes",0.4')
    )
    with pytest.raises(InvalidInput, match=r"sums to 1\.300, not 1"):
        import_from(db, SYSTEM, "fatebook", text.encode())
    assert exported(db)["questions"] == []


def test_a_csv_without_fatebook_columns_says_which_are_missing(db: Database) -> None:
    with pytest.raises(InvalidInput, match="lacks the column"):
        import_from(db, SYSTEM, "fatebook", b"title,p\nx,0.3\n")


# --- Metaculus ------------------------------------------------------------------------------


def test_metaculus_discrete_questions_are_named_as_not_storable(db: Database) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_from(db, SYSTEM, "metaculus", sample("metaculus.json"), user="mia")
    assert "results[4] (Metaculus question 80005, discrete)" in str(caught.value)
    assert exported(db)["questions"] == []


def test_metaculus_numeric_and_date_questions_keep_their_range_and_cdfs(
    db: Database, tmp_path: Path
) -> None:
    data = json.loads(sample("metaculus.json"))
    import_from(
        db, SYSTEM, "metaculus", sample("metaculus.json"), user="mia", skip_unsupported=True
    )
    document = exported(db)
    questions = by_title(document)
    brent = questions["Brent crude price on 30 June 2026 (USD)?"]
    assert brent["type"] == "numeric" and brent["range"] == [40.0, 160.0]
    assert brent["open_lower"] and brent["open_upper"] and brent["unit"] == "USD"
    (forecast,) = forecasts_of(document, brent["id"])
    given = data["results"][2]["question"]["my_forecasts"]["latest"]["forecast_values"]
    assert forecast["cdf"] == pytest.approx(given, abs=1e-9)
    talks = questions["When will the next round of US-Iran talks begin?"]
    assert talks["type"] == "date" and talks["range"] == ["2026-03-01", "2026-12-31"]
    assert talks["resolution"] == "2026-05-12" and not talks["open_lower"]
    # and the whole file round-trips through our own export
    first = interchange.export_json(db)
    other = Database(f"sqlite:///{tmp_path / 'other.db'}", clock=Clock(NOW))
    SQLModel.metadata.create_all(other.engine)
    interchange.import_text(other, SYSTEM, first)
    assert interchange.export_json(other) == first
    other.dispose()


def test_a_metaculus_cdf_that_breaks_the_range_rules_changes_nothing(db: Database) -> None:
    data = json.loads(sample("metaculus.json"))
    latest = data["results"][2]["question"]["my_forecasts"]["latest"]
    latest["forecast_values"] = latest["forecast_values"][:-1]  # 200 points
    with pytest.raises(InvalidInput, match="201"):
        import_from(
            db, SYSTEM, "metaculus", json.dumps(data).encode(), user="mia", skip_unsupported=True
        )
    assert exported(db)["questions"] == []


def test_metaculus_list_imports_binary_and_multiple_choice_with_my_forecasts(db: Database) -> None:
    summary, conversion = import_from(
        db, SYSTEM, "metaculus", sample("metaculus.json"), user="mia", skip_unsupported=True
    )
    assert conversion.skipped == ["results[4] (Metaculus question 80005, discrete)"]
    assert (summary.questions_added, summary.forecasts_added) == (4, 5)
    document = exported(db)
    questions = by_title(document)
    framework = questions["Will Iran and the US sign a written nuclear framework before 2027?"]
    assert "Fine print: Statements of intent do not count." in framework["resolution_criteria"]
    assert framework["sources"][0]["url"] == "https://www.metaculus.com/questions/90001/"
    assert [(f["time"], yes(f)) for f in forecasts_of(document, framework["id"])] == [
        ("2026-02-11T00:00:00Z", 0.2),
        ("2026-02-25T06:13:20Z", 0.3),
    ]
    host = questions["Which country will host the talks in June 2026?"]
    assert host["resolution"] == "Oman"
    (forecast,) = forecasts_of(document, host["id"])
    assert forecast["user"] == "mia"
    assert forecast["probabilities"] == pytest.approx(
        {"Oman": 0.55, "Qatar": 0.2, "Switzerland": 0.15, "Other": 0.1}
    )


def test_a_metaculus_file_needs_to_know_whose_forecasts_it_holds(db: Database) -> None:
    with pytest.raises(InvalidInput, match="names no user"):
        convert("metaculus", sample("metaculus.json"))


def test_a_metaculus_resolution_that_is_not_an_option_is_named(db: Database) -> None:
    data = json.loads(sample("metaculus.json"))
    data["results"][1]["question"]["resolution"] = "Bahrain"
    with pytest.raises(InvalidInput, match=r"results\[1\].*resolution 'Bahrain' is not one of"):
        import_from(
            db, SYSTEM, "metaculus", json.dumps(data).encode(), user="mia", skip_unsupported=True
        )
    assert exported(db)["questions"] == []


# --- Spreadsheet ----------------------------------------------------------------------------


def test_a_team_spreadsheet_imports_with_its_documented_columns(db: Database) -> None:
    summary, _ = import_from(db, SYSTEM, "spreadsheet", sample("spreadsheet.csv"))
    assert (summary.questions_added, summary.forecasts_added) == (2, 3)
    document = exported(db)
    brent = by_title(document)["Will Brent close above $90 on any day in May 2026?"]
    assert brent["id"] == "brent-90-may"
    assert brent["resolution"] == "No"
    assert brent["tags"] == ["markets", "oil"] or brent["tags"] == ["oil", "markets"]
    assert [(f["user"], yes(f)) for f in forecasts_of(document, "brent-90-may")] == [
        ("carol", 0.25),
        ("dev", 0.4),
    ]
    venue = by_title(document)["Which venue hosts the next round?"]
    assert venue["open_time"] == "2026-04-01T12:00:00Z"
    assert forecasts_of(document, venue["id"])[0]["probabilities"] == pytest.approx(
        {"Muscat": 0.6, "Geneva": 0.3, "Other": 0.1}
    )


def test_a_spreadsheet_row_with_an_unknown_option_is_named(db: Database) -> None:
    text = sample("spreadsheet.csv").decode().replace("Geneva=0.3", "Vienna=0.3")
    with pytest.raises(InvalidInput, match=r"line 4: unknown option\(s\) \['Vienna'\]"):
        import_from(db, SYSTEM, "spreadsheet", text.encode())
    assert exported(db)["questions"] == []


# --- CLI --------------------------------------------------------------------------------------


def test_import_from_on_the_command_line(env_db: str) -> None:
    runner = CliRunner()
    path = str(SAMPLES / "fatebook.csv")
    first = runner.invoke(app, ["import-from", "fatebook", path])
    assert first.exit_code == 0, first.output
    assert "imported from fatebook: 2 questions (0 unchanged), 4 forecasts" in first.output
    bad = runner.invoke(app, ["import-from", "myspace", path])
    assert bad.exit_code == 1
    assert "unknown source 'myspace'" in bad.output
    assert "Traceback" not in bad.output
