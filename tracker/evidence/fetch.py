"""Safe server-side fetching of evidence pages and feeds.

Evidence URLs come from users and from feeds, so a fetch must never become a way into the
server's own network (SSRF) or a way to exhaust it. Every hop, the first URL and each redirect
(followed by hand, at most `max_redirects`), is checked the same way:

- only `http` and `https`; no user name or password in the URL; no ambiguous numeric host
  (`http://2130706433/`, `http://0x7f.1/`);
- the host is resolved once and EVERY address it resolves to must be public: not loopback,
  private, link-local (169.254.169.254 cloud metadata), multicast, reserved, unspecified,
  shared/CGNAT (100.64/10), site-local, nor an IPv4-mapped, 6to4 or NAT64 form of those;
- the connection goes to one of those vetted addresses (no second DNS lookup, so DNS
  rebinding between check and connect is impossible) while the Host header, TLS SNI and the
  certificate check use the original host name;
- one time budget covers DNS, connect, TLS, headers, body and every redirect hop: a watchdog
  holding its own reference to the socket shuts it when the budget runs out (even after
  http.client moved it to a `Connection: close` response), and each read's socket timeout is
  bounded by the time left, so a server that hangs or drips bytes cannot hold a worker;
- the body is capped while streaming, counting decoded bytes (a gzip bomb stops at the cap);
- the content type must be one we ingest (HTML, XHTML, plain text, Markdown, RSS/Atom/XML).

`allow_private=True` (tests, configured intranets) lets loopback, private, CGNAT and reserved
addresses through, never unspecified, multicast, IPv4-mapped or link-local ones. The
`is_allowed_address(ip, port)` hook grants finer exceptions (`allow_endpoints`,
`allow_networks`), e.g. exactly one intranet server.

Residual risks:
- A public address that forwards into an internal network (a reverse proxy or load balancer
  you operate) is indistinguishable from any public server: keep such services authenticated.
- Public hosts may be reached on any port.
- A hanging DNS resolver thread is abandoned (daemon) when the budget runs out, not killed.
- Environment proxy settings are ignored: the fetcher always connects directly.
"""

import contextlib
import http.client
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.response import BaseHTTPResponse

from tracker.evidence.charset import decode_bytes, normalise_charset, sniff_charset
from tracker.evidence.errors import (
    FetchConnectionError,
    FetchContentTypeRefused,
    FetchError,
    FetchHTTPStatus,
    FetchRefused,
    FetchTimeout,
    FetchTooLarge,
    FetchTooManyRedirects,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressHook = Callable[[IPAddress, int], bool]
Resolver = Callable[..., Sequence[tuple[Any, ...]]]

HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_CONTENT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
FEED_CONTENT_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
DEFAULT_CONTENT_TYPES = HTML_CONTENT_TYPES | TEXT_CONTENT_TYPES | FEED_CONTENT_TYPES
USER_AGENT = "forecast-tracker/0.1 (evidence fetcher)"
MAX_URL_LENGTH = 2000

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 16 * 1024  # the deadline is checked per chunk; the watchdog covers a slow one
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.I)
_HOST_CHARS = re.compile(r"^[a-z0-9_.-]+$")
_NEVER_ALLOWED = frozenset({"unspecified", "multicast", "ipv4-mapped"})
_DESCRIPTIONS = {
    "unspecified": "the unspecified address",
    "loopback": "a loopback address",
    "link-local": "a link-local address (e.g. cloud metadata)",
    "multicast": "a multicast address",
    "shared": "a shared carrier-grade NAT address",
    "site-local": "a site-local address",
    "private": "a private address",
    "reserved": "a reserved address",
    "non-public": "not a public internet address",
    "ipv4-mapped": "an IPv4-mapped IPv6 address",
}


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    charset: str | None
    redirects: tuple[str, ...] = ()

    def text(self) -> str:
        """The body decoded with the declared or sniffed charset."""
        return decode_bytes(self.body, self.charset)


# --- address policy -------------------------------------------------------------------------


def address_kind(ip: IPAddress) -> str | None:
    """Why `ip` is not a public internet address (a key of `_DESCRIPTIONS`), or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return "ipv4-mapped"
        embedded = ip.sixtofour or _nat64_ipv4(ip)
        if embedded is not None:
            return address_kind(embedded)
        if ip.is_site_local:
            return "site-local"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("shared", ip.version == 4 and ip in _SHARED),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-public", not ip.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


def is_public_address(ip: IPAddress) -> bool:
    return address_kind(ip) is None


def _nat64_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def allow_endpoints(*endpoints: tuple[str, int]) -> AddressHook:
    """A hook allowing exactly these (ip, port) pairs, e.g. one intranet or test server."""
    allowed = {(ipaddress.ip_address(host), int(port)) for host, port in endpoints}
    return lambda ip, port: (ip, port) in allowed


def allow_networks(*networks: str) -> AddressHook:
    """A hook allowing addresses inside these CIDR networks (any port)."""
    nets = [ipaddress.ip_network(n, strict=False) for n in networks]
    return lambda ip, port: any(ip.version == n.version and ip in n for n in nets)


def _check_address(
    ip: IPAddress, port: int, host: str, allow_private: bool, hook: AddressHook | None
) -> None:
    kind = address_kind(ip)
    if kind is None:
        return
    if kind not in _NEVER_ALLOWED:
        if hook is not None and hook(ip, port):
            return
        if allow_private and kind != "link-local":
            return
    where = f"{ip}" if str(ip) == host else f"{host} resolves to {ip}, which"
    raise FetchRefused(f"refusing to fetch: {where} is {_DESCRIPTIONS[kind]}")


# --- URL parsing and resolution -------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII host name or IP literal, no brackets
    port: int
    literal: IPAddress | None
    host_header: str
    path: str


def _parse(url: str) -> _Target:
    if not isinstance(url, str) or not url.strip():
        raise FetchRefused("no URL given")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise FetchRefused(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise FetchRefused("the URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "a URL without a scheme"
        raise FetchRefused(f"only http:// and https:// URLs can be fetched, not {shown}")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise FetchRefused("URLs with a user name or password are refused")
    host = parts.hostname or ""
    if not host:
        raise FetchRefused("the URL has no host")
    if "%" in host:
        raise FetchRefused("IPv6 zone identifiers are refused")
    default_port = 443 if scheme == "https" else 80
    port = default_port if port is None else port
    if not 0 < port < 65536:
        raise FetchRefused(f"invalid port {port}")
    literal: IPAddress | None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        host = str(literal)
        shown_host = f"[{host}]" if literal.version == 6 else host
    else:
        if _NUMERIC_HOST.match(host):
            raise FetchRefused(f"ambiguous numeric host {host!r}: write the address in full")
        try:
            host = host.encode("idna").decode("ascii").rstrip(".")
        except UnicodeError:
            raise FetchRefused(f"invalid host name {host!r}") from None
        if not host or not _HOST_CHARS.match(host):
            raise FetchRefused(f"invalid host name {host!r}")
        shown_host = host
    host_header = shown_host if port == default_port else f"{shown_host}:{port}"
    path = quote(parts.path or "/", safe="/%;:@&=+$,!~*'()[]")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%;:@&=+$,!~*'()[]?")
    return _Target(url, scheme, host, port, literal, host_header, path)


def _resolve(target: _Target, resolver: Resolver, deadline: float) -> list[IPAddress]:
    if target.literal is not None:
        return [target.literal]
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["answer"] = resolver(target.host, target.port, type=socket.SOCK_STREAM)
        except Exception as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, name="evidence-resolve", daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    if thread.is_alive():
        raise FetchTimeout(f"resolving {target.host} took longer than the time budget")
    if "error" in box:
        raise FetchConnectionError(f"could not resolve host {target.host}: {box['error']}")
    addresses: list[IPAddress] = []
    for *_, sockaddr in box["answer"]:
        try:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        except ValueError:
            raise FetchRefused(f"{target.host} resolved to a non-IP answer") from None
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchConnectionError(f"could not resolve host {target.host}: no addresses")
    return addresses


def _vet(
    url: str,
    resolver: Resolver,
    deadline: float,
    allow_private: bool,
    hook: AddressHook | None,
) -> tuple[_Target, list[IPAddress]]:
    target = _parse(url)
    addresses = _resolve(target, resolver, deadline)
    for ip in addresses:  # every answer must pass, not just the one we would use
        _check_address(ip, target.port, target.host, allow_private, hook)
    return target, addresses


def check_url(
    url: str,
    *,
    allow_private: bool = False,
    is_allowed_address: AddressHook | None = None,
    resolver: Resolver = socket.getaddrinfo,
    timeout_s: float = 10.0,
) -> list[IPAddress]:
    """Vet a URL without fetching it (e.g. when a feed is added): its addresses, or raise."""
    deadline = time.monotonic() + timeout_s
    return _vet(url, resolver, deadline, allow_private, is_allowed_address)[1]


# --- connection -----------------------------------------------------------------------------


class _Watchdog:
    """Shuts the socket down when the time budget runs out, whatever call is blocking.

    It keeps its own reference to the socket (`hold`, right after connecting): on a
    `Connection: close` response http.client hands the socket to the response and clears
    `conn.sock`, and a watchdog that looked there would find nothing to shut.
    """

    def __init__(self, conn: HTTPConnection, deadline: float) -> None:
        self.fired = False
        self._conn = conn
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def hold(self) -> None:
        with self._lock:
            self._sock = getattr(self._conn, "sock", None)
            fired = self.fired
        if fired:  # the budget ran out while connecting
            self._shut()

    def bound_wait(self, deadline: float) -> None:
        """Each further read waits no longer than the time left (the watchdog is the backstop)."""
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.settimeout(max(0.05, deadline - time.monotonic()))

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
        self._shut()

    def _shut(self) -> None:
        for sock in (self._sock, getattr(self._conn, "sock", None)):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _ca_bundle() -> str | None:
    try:
        import certifi
    except ImportError:  # fall back to the system store
        return None
    return certifi.where()


_TRANSPORT_ERRORS = (OSError, urllib3.exceptions.HTTPError, http.client.HTTPException)


@contextlib.contextmanager
def _open(
    target: _Target,
    addresses: list[IPAddress],
    deadline: float,
    headers: dict[str, str],
    ca_certs: str | None,
) -> Iterator[tuple[BaseHTTPResponse, _Watchdog]]:
    """Connect to the first reachable vetted address (by IP, never re-resolved) and GET."""
    last_error: BaseException | None = None
    for ip in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        conn: HTTPConnection
        if target.scheme == "https":
            conn = HTTPSConnection(
                str(ip),
                target.port,
                timeout=remaining,
                server_hostname=target.host,
                ca_certs=ca_certs or _ca_bundle(),
            )
        else:
            conn = HTTPConnection(str(ip), target.port, timeout=remaining)
        dog = _Watchdog(conn, deadline)
        try:
            try:
                conn.connect()
            except _TRANSPORT_ERRORS as exc:
                last_error = exc
                continue  # try the next vetted address
            dog.hold()
            try:
                conn.request("GET", target.path, headers=headers, preload_content=False)
                response = conn.getresponse()
            except _TRANSPORT_ERRORS as exc:
                raise _transport_error(exc, dog, target) from None
            if dog.fired:  # headers cut short by the watchdog can parse as a valid response
                raise FetchTimeout(f"fetching {target.url} took longer than the time budget")
            try:
                yield response, dog
            finally:
                response.close()
            return
        finally:
            dog.cancel()
            conn.close()
    if last_error is None or time.monotonic() >= deadline:
        raise FetchTimeout(f"fetching {target.url} took longer than the time budget")
    raise FetchConnectionError(f"could not connect to {target.host}: {last_error}")


def _transport_error(exc: BaseException, dog: _Watchdog, target: _Target) -> FetchError:
    timeouts = (TimeoutError, urllib3.exceptions.TimeoutError)
    if dog.fired or isinstance(exc, timeouts):
        return FetchTimeout(f"fetching {target.url} took longer than the time budget")
    return FetchConnectionError(f"fetching {target.url} failed: {exc}")


def _content_type(value: str | None) -> tuple[str, str | None]:
    media, _, params = (value or "").partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = normalise_charset(val.strip().strip("\"'"))
    return media.strip().lower(), charset


def _read_body(
    response: BaseHTTPResponse, dog: _Watchdog, target: _Target, max_bytes: int, deadline: float
) -> bytes:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchTooLarge(
            f"{target.url} is {int(length):,} bytes; the limit is {max_bytes:,} bytes"
        )
    body = bytearray()
    try:
        for chunk in response.stream(_CHUNK, decode_content=True):
            if dog.fired:  # a shut-down socket can look like a clean end of the body
                break
            dog.bound_wait(deadline)
            body += chunk
            if len(body) > max_bytes:
                raise FetchTooLarge(
                    f"{target.url} is larger than the limit of {max_bytes:,} bytes; stopped reading"
                )
            if time.monotonic() > deadline:
                raise FetchTimeout(f"fetching {target.url} took longer than the time budget")
    except _TRANSPORT_ERRORS as exc:
        raise _transport_error(exc, dog, target) from None
    if dog.fired:  # a shut-down socket can look like a clean end of the body
        raise FetchTimeout(f"fetching {target.url} took longer than the time budget")
    return bytes(body)


# --- the fetcher ----------------------------------------------------------------------------


def fetch_url(
    url: str,
    *,
    timeout_s: float = 10,
    max_bytes: int = 5_000_000,
    allowed_content_types: Collection[str] = DEFAULT_CONTENT_TYPES,
    allow_private: bool = False,
    is_allowed_address: AddressHook | None = None,
    resolver: Resolver = socket.getaddrinfo,
    max_redirects: int = 5,
    user_agent: str = USER_AGENT,
    ca_certs: str | None = None,
) -> FetchResult:
    """GET `url` under the rules in the module docstring; raise a `FetchError` otherwise.

    `timeout_s` is the total budget for all hops; `resolver` has `socket.getaddrinfo`'s
    signature (tests inject fake DNS answers through it); `ca_certs` is a PEM bundle to trust
    instead of certifi's (e.g. an intranet CA).
    """
    deadline = time.monotonic() + timeout_s
    headers = {
        "User-Agent": user_agent,
        "Accept": ", ".join(sorted(allowed_content_types)),
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    current, redirects = url, []
    for _hop in range(max_redirects + 1):
        try:
            target, addresses = _vet(current, resolver, deadline, allow_private, is_allowed_address)
        except FetchRefused as exc:
            if not redirects:
                raise
            message = f"redirect from {redirects[-1]} to {current} refused: {exc}"
            raise FetchRefused(message) from None
        hop_headers = {**headers, "Host": target.host_header}
        with _open(target, addresses, deadline, hop_headers, ca_certs) as (response, dog):
            status = response.status
            if status in _REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise FetchHTTPStatus(f"{current} redirected without a Location", status)
                redirects.append(current)
                current = urljoin(current, location.strip())
                continue
            if not 200 <= status < 300:
                reason = getattr(response, "reason", "") or ""
                raise FetchHTTPStatus(f"{current} answered {status} {reason}".strip(), status)
            media, charset = _content_type(response.headers.get("content-type"))
            if media not in allowed_content_types:
                shown = media or "no content type"
                raise FetchContentTypeRefused(
                    f"{current} is {shown}; only web pages, plain text, Markdown and feeds "
                    "are fetched"
                )
            body = _read_body(response, dog, target, max_bytes, deadline)
        return FetchResult(
            url=url,
            final_url=current,
            status=status,
            content_type=media,
            body=body,
            charset=charset or sniff_charset(body),
            redirects=tuple(redirects),
        )
    raise FetchTooManyRedirects(f"{url} redirected more than {max_redirects} times")
