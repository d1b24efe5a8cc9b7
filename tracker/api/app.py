"""The app factory: routes, `tracker.errors` mapped to JSON errors, the body-size limit.

Every error body is `{"error": "one line"}`: 400 for a body that is not JSON, 401 without a
valid token, 403 when the role or scope may not, 404, 409 for a conflict, 413 for a body over
API_MAX_BODY_BYTES, 422 for values the services refuse, 429 over the rate limit.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.api.ratelimit import RateLimited, SlidingWindow
from tracker.config import Settings, get_settings
from tracker.db import Database
from tracker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TrackerError
from tracker.services.tokens import Unauthorized

STATUS: list[tuple[type[TrackerError], int]] = [
    (Unauthorized, 401),
    (RateLimited, 429),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
]


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _tracker_error(_request: Request, exc: Exception) -> JSONResponse:
    status = next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(round(exc.retry_after))}
    return _error(status, str(exc), headers)


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    errors: list[dict[str, Any]] = list(getattr(exc, "errors", list)())
    if any(e.get("type") == "json_invalid" for e in errors):
        return _error(400, "the request body is not valid JSON")
    parts = []
    for e in errors:
        where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path"))
        message = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return _error(422, "; ".join(parts) or "invalid request")


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return _error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))


class BodyLimit:
    """Refuse a request body over `limit` bytes with 413: at once when its declared length is
    over, else as soon as the bytes read pass it (a chunked body declares no length)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            await _error(413, self.message)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # FastAPI passes an HTTPException from the body through
                raise StarletteHTTPException(413, self.message)
            return message

        await self.app(scope, counted, send)

    @property
    def message(self) -> str:
        return f"the request body is over the limit of {self.limit} bytes"


def create_app(
    db: Database | None = None, settings: Settings | None = None, *, deliver: bool = False
) -> FastAPI:
    """The API over `db` (default: the configured database); `deliver`: also send due
    notifications in the background while it runs (what `tracker api` does)."""
    from tracker.api import links, routes
    from tracker.api.background import Deliverer

    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        deliverer = None
        if deliver and settings.notify_interval_s > 0:
            deliverer = Deliverer(app.state.db, settings.notify_interval_s)
            deliverer.start()
        yield
        if deliverer is not None:
            deliverer.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="forecast-tracker API",
        version="1",
        description="The team's questions, forecasts, evidence and scores. Authenticate with "
        "`Authorization: Bearer <token>` (`tracker tokens create` or the Account page).",
        docs_url="/docs",
    )
    app.state.db = db or Database.from_settings(settings)
    app.state.settings = settings
    app.state.limiter = SlidingWindow(settings.api_rate_limit, settings.api_rate_window_s)
    app.add_exception_handler(TrackerError, _tracker_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(BodyLimit, limit=settings.api_max_body_bytes)
    app.include_router(routes.router)
    app.include_router(links.router)
    return app
