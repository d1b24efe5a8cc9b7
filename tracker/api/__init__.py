"""The HTTP API (FastAPI): thin routes over the same services as the app and the CLI.

- app.py: the app factory, error mapping and the body-size limit;
- deps.py: the database and the verified actor (Bearer token, rate-limited) per request;
- ratelimit.py: the per-token sliding window;
- routes.py: the /api/v1 endpoints; links.py: the one-click forecast links;
- background.py: delivering due notifications from the API process.
"""

from tracker.api.app import create_app

__all__ = ["create_app"]
