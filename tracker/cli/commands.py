"""The table of contents of `tracker`: the typer `app`, with every command of the group modules
beside it registered in the order `tracker --help` lists them."""

import typer

from tracker.cli import (
    api,
    assist,
    bot,
    data,
    database,
    evidence,
    lint,
    notify,
    questions,
    sessions,
    tokens,
    users,
)
from tracker.cli.common import command


def _group(help: str, **options: bool) -> typer.Typer:
    """A command group with click's plain help, as wide as the terminal up to 120 columns:
    typer's rich help would import rich's markdown, syntax and traceback modules first, more
    than half of what `--help` costs."""
    return typer.Typer(
        no_args_is_help=True,
        rich_markup_mode=None,
        context_settings={"max_content_width": 120},
        help=help,
        **options,
    )


app = _group(
    "forecast-tracker: team forecasting questions, evidence summaries and scores.",
    pretty_exceptions_enable=False,
)
questions_app = _group("List questions.")
users_app = _group("Manage accounts and roles.")
feeds_app = _group("RSS/Atom feeds of evidence.")
sessions_app = _group("Team forecasting sessions.")
tokens_app = _group("Personal API tokens.")
app.add_typer(questions_app, name="questions")
app.add_typer(users_app, name="users")
app.add_typer(feeds_app, name="feeds")
app.add_typer(sessions_app, name="sessions")
app.add_typer(tokens_app, name="tokens")
bot_app = _group("The AI baseline forecaster (a bot member).")
app.add_typer(bot_app, name="bot")

command(app)(database.init)
command(app)(database.seed)
command(app)(database.demo)
command(questions_app, "list")(questions.questions_list)
command(questions_app, "overdue")(assist.questions_overdue)
command(app)(questions.forecast)
command(app)(questions.resolve)
command(users_app, "add")(users.users_add)
command(users_app, "list")(users.users_list)
command(users_app, "set-role")(users.users_set_role)
command(users_app, "set-password")(users.users_set_password)
command(app, "import")(data.import_file)
command(app, "import-from")(data.import_from)
command(app)(data.export)
command(sessions_app, "list")(sessions.sessions_list)
command(sessions_app, "export")(sessions.sessions_export)
command(app)(data.score)
command(app)(evidence.ingest)
command(feeds_app, "add")(evidence.feeds_add)
command(feeds_app, "poll")(evidence.feeds_poll)
command(app)(evidence.summarize)
command(app)(api.api)
command(app)(notify.notify)
command(tokens_app, "create")(tokens.tokens_create)
command(tokens_app, "list")(tokens.tokens_list)
command(tokens_app, "revoke")(tokens.tokens_revoke)
command(app)(lint.lint)
command(bot_app, "add")(bot.bot_add)
command(bot_app, "enable")(bot.bot_enable)
command(bot_app, "disable")(bot.bot_disable)
command(bot_app, "forecast")(bot.bot_forecast)
