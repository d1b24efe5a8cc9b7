"""One exception family for evidence handling; every message is meant to be shown to a user."""

from tracker.errors import TrackerError


class EvidenceError(TrackerError):
    """Base of every error raised by `tracker.evidence`."""


class FetchError(EvidenceError):
    """A URL could not be fetched (base of all fetch errors)."""


class FetchRefused(FetchError):
    """The URL, an address it resolves to, or a redirect target is not allowed."""


class FetchContentTypeRefused(FetchRefused):
    """The server answered with a content type we do not ingest."""


class FetchTooLarge(FetchError):
    """The response is larger than the configured cap."""


class FetchTimeout(FetchError):
    """The fetch took longer than its total time budget."""


class FetchTooManyRedirects(FetchError):
    """More redirects than allowed."""


class FetchHTTPStatus(FetchError):
    """The server answered with a non-success status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class FetchConnectionError(FetchError):
    """DNS, TCP, TLS or HTTP protocol failure."""


class ExtractError(EvidenceError):
    """Text could not be extracted from the given content."""


class UnsupportedFileType(ExtractError):
    """A file whose extension we do not ingest."""


class FeedError(EvidenceError):
    """The bytes are not a usable RSS/Atom feed."""
