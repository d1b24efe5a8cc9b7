"""`tracker api`: serve the HTTP API with uvicorn, beside the Streamlit app."""

from typing import Annotated

import typer


def api(
    host: Annotated[
        str, typer.Option(help="address to listen on", envvar="TRACKER_API_HOST")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port", envvar="TRACKER_API_PORT")] = 8000,
    root_path: Annotated[
        str, typer.Option(help="path prefix when behind a reverse proxy, e.g. /tracker")
    ] = "",
) -> None:
    """Serve the API (OpenAPI docs at /docs) on the configured database until stopped; it
    also delivers due notifications every NOTIFY_INTERVAL_S."""
    import uvicorn

    from tracker.api import create_app
    from tracker.cli.common import open_db

    app = create_app(open_db(), deliver=True)
    typer.echo(f"API on http://{host}:{port}/api/v1 (docs at /docs)", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        root_path=root_path,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        log_level="warning",
    )
