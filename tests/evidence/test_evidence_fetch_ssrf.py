"""The fetcher never reaches the server's own network: schemes, addresses, DNS, redirects."""

import ipaddress
import socket

import pytest

from tracker.evidence.errors import FetchConnectionError, FetchRefused, FetchTooManyRedirects
from tracker.evidence.fetch import (
    address_kind,
    allow_networks,
    check_url,
    fetch_url,
    is_public_address,
)

NON_PUBLIC_URLS = [
    "http://127.0.0.1/",
    "http://127.8.9.10:8080/admin",
    "http://[::1]/",
    "http://10.0.0.1/",
    "http://10.255.1.2/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://224.0.0.1/",
    "http://239.255.255.250:1900/",
    "http://[ff02::1]/",
    "http://100.64.0.1/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[fec0::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:8.8.8.8]/",
    "http://[::127.0.0.1]/",
    "http://[2002:7f00:1::]/",
    "http://[64:ff9b::a00:1]/",
    "https://192.168.0.10/",
]


@pytest.mark.parametrize("url", NON_PUBLIC_URLS)
def test_non_public_address_literals_are_refused_without_dns(url, no_dns):
    with pytest.raises(FetchRefused, match="refusing to fetch"):
        fetch_url(url, resolver=no_dns)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/file.txt",
        "gopher://example.com:70/_GET",
        "javascript:alert(1)",
        "data:text/html,<h1>x</h1>",
        "dict://example.com:11211/stat",
        "example.com/page",
    ],
)
def test_only_http_and_https_schemes(url, no_dns):
    with pytest.raises(FetchRefused, match="only http:// and https://"):
        fetch_url(url, resolver=no_dns)


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pass@example.com/",
        "http://user@example.com/",
        "https://example.com@127.0.0.1/",
    ],
)
def test_credentials_in_url_are_refused(url, no_dns):
    with pytest.raises(FetchRefused, match="user name or password"):
        fetch_url(url, resolver=no_dns)


@pytest.mark.parametrize(
    "url", ["http://2130706433/", "http://0x7f.0.0.1/", "http://127.1/", "http://017700000001/"]
)
def test_ambiguous_numeric_hosts_are_refused(url, no_dns):
    with pytest.raises(FetchRefused, match="ambiguous numeric host"):
        fetch_url(url, resolver=no_dns)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "http://",
        "http://exa mple.com/",
        "http://example.com/\r\nX-Evil: 1",
        "http://[::1%eth0]/",
    ],
)
def test_malformed_urls_are_refused(url, no_dns):
    with pytest.raises(FetchRefused):
        fetch_url(url, resolver=no_dns)


def test_localhost_is_refused_with_the_real_resolver():
    with pytest.raises(FetchRefused, match=r"localhost resolves to .* loopback"):
        fetch_url("http://localhost/")


def test_hostname_resolving_to_private_address_is_refused(fake_dns):
    dns = fake_dns({"intranet.example.com": ["10.1.2.3"]})
    with pytest.raises(FetchRefused, match=r"intranet\.example\.com resolves to 10\.1\.2\.3"):
        fetch_url("https://intranet.example.com/", resolver=dns)


def test_dns_answer_pointing_at_metadata_service_is_refused(fake_dns):
    dns = fake_dns({"metadata.attacker.example": ["169.254.169.254"]})
    with pytest.raises(FetchRefused, match="link-local"):
        fetch_url("http://metadata.attacker.example/latest/", resolver=dns)


def test_one_bad_answer_among_good_ones_is_enough_to_refuse(fake_dns):
    dns = fake_dns({"news.example.com": ["93.184.216.34", "192.168.0.10"]})
    with pytest.raises(FetchRefused, match=r"192\.168\.0\.10, which is a private"):
        fetch_url("https://news.example.com/story", resolver=dns)


def test_ipv6_answer_mapped_to_loopback_is_refused(fake_dns):
    dns = fake_dns({"v6.example.com": ["2606:4700::1", "::ffff:127.0.0.1"]})
    with pytest.raises(FetchRefused, match="IPv4-mapped"):
        fetch_url("https://v6.example.com/", resolver=dns)


def test_unresolvable_host_is_a_connection_error(fake_dns):
    with pytest.raises(FetchConnectionError, match=r"could not resolve host nowhere\.example"):
        fetch_url("https://nowhere.example/", resolver=fake_dns({}))


def test_check_url_accepts_public_answers_without_connecting(fake_dns):
    dns = fake_dns({"news.example.com": ["93.184.216.34", "2606:2800:220:1::1"]})
    addresses = check_url("https://news.example.com/a?b=1", resolver=dns)
    assert [str(a) for a in addresses] == ["93.184.216.34", "2606:2800:220:1::1"]


@pytest.mark.parametrize("ip", ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "1.1.1.1"])
def test_public_addresses_pass(ip):
    assert is_public_address(ipaddress.ip_address(ip))


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "shared"),
        ("::ffff:127.0.0.1", "ipv4-mapped"),
        ("2002:a00:1::", "private"),
        ("64:ff9b::7f00:1", "loopback"),
    ],
)
def test_address_kinds(ip, kind):
    assert address_kind(ipaddress.ip_address(ip)) == kind


def test_allow_private_does_not_open_metadata_unspecified_or_multicast(no_dns):
    for url in ("http://169.254.169.254/", "http://0.0.0.0/", "http://224.0.0.1/"):
        with pytest.raises(FetchRefused):
            fetch_url(url, allow_private=True, resolver=no_dns)


def test_allow_private_lets_configured_intranet_through(fake_dns):
    dns = fake_dns({"wiki.corp": ["10.20.30.40"]})
    assert check_url("http://wiki.corp/", allow_private=True, resolver=dns)
    hook = allow_networks("10.20.0.0/16")
    assert check_url("http://wiki.corp/", is_allowed_address=hook, resolver=dns)
    with pytest.raises(FetchRefused):
        check_url("http://10.21.0.1/", is_allowed_address=hook)


# --- redirects: a real server on 127.0.0.1 that only it is allowed to be -------------------


def test_allowed_server_is_fetched_and_sees_the_original_host(server, fake_dns):
    server.routes["/page"] = lambda h: server.respond(h, b"<p>hello</p>")
    dns = fake_dns({"news.test": ["127.0.0.1"]})
    result = fetch_url(
        f"http://news.test:{server.port}/page", resolver=dns, is_allowed_address=server.only_me
    )
    assert result.status == 200
    assert server.seen_hosts == [f"news.test:{server.port}"]


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
        "http://[::1]/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "http://internal.test/",  # a name the fake DNS points at 192.168.1.5
    ],
)
def test_redirect_to_a_forbidden_target_is_refused(server, fake_dns, target):
    server.routes["/go"] = lambda h: server.redirect(h, target)
    dns = fake_dns({"internal.test": ["192.168.1.5"]})
    with pytest.raises(FetchRefused, match=r"redirect from .* refused"):
        fetch_url(server.url("/go"), resolver=dns, is_allowed_address=server.only_me)


def test_redirect_to_another_port_on_the_allowed_host_is_refused(server):
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    try:
        port = other.getsockname()[1]
        server.routes["/go"] = lambda h: server.redirect(h, f"http://127.0.0.1:{port}/")
        with pytest.raises(FetchRefused, match="loopback"):
            fetch_url(server.url("/go"), is_allowed_address=server.only_me)
    finally:
        other.close()


def test_redirects_within_the_allowed_server_are_followed(server):
    server.routes["/a"] = lambda h: server.redirect(h, "/b", status=301)
    server.routes["/b"] = lambda h: server.redirect(h, server.url("/c"), status=307)
    server.routes["/c"] = lambda h: server.respond(h, b"<p>done</p>")
    result = fetch_url(server.url("/a"), is_allowed_address=server.only_me)
    assert result.final_url == server.url("/c")
    assert result.redirects == (server.url("/a"), server.url("/b"))
    assert result.body == b"<p>done</p>"


def test_redirect_loops_stop_after_five_hops(server):
    server.routes["/loop"] = lambda h: server.redirect(h, "/loop")
    with pytest.raises(FetchTooManyRedirects, match="more than 5 times"):
        fetch_url(server.url("/loop"), is_allowed_address=server.only_me)
    assert len(server.seen_hosts) == 6


# --- more spellings of the same addresses ---------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://0177.0.0.1/",  # octal dotted
        "http://0x7f000001/",  # one hex number
        "http://0x7F.0x0.0x0.0x1/",
        "http://127.0.0.1./",  # trailing dot
        "http://3232235777/",  # 192.168.1.1 as one decimal number
        "http://0251.0376.0251.0376/",  # 169.254.169.254 in octal
        "http://0/",
    ],
)
def test_decimal_octal_and_hex_spellings_are_refused(url, no_dns):
    with pytest.raises(FetchRefused, match="ambiguous numeric host"):
        fetch_url(url, resolver=no_dns)


@pytest.mark.parametrize(
    "url",
    [
        "http://[0:0:0:0:0:0:0:1]/",  # ::1 written out
        "http://[0000::0001]/",
        "http://[0:0:0:0:0:ffff:7f00:1]/",  # ::ffff:127.0.0.1 in hex
        "http://[::ffff:7f00:1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[FE80::1]/",
        "http://[fe80::dead:beef]:8080/",
        "http://[ff05::2]/",
        "http://[ff0e::1]/",
    ],
)
def test_ipv6_spellings_of_forbidden_addresses_are_refused(url, no_dns):
    with pytest.raises(FetchRefused, match="refusing to fetch"):
        fetch_url(url, resolver=no_dns)


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "link-local"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("::ffff:169.254.169.254", "IPv4-mapped"),
        ("224.0.0.251", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("10.0.0.5", "private"),
        ("fd00::5", "private"),
        ("100.64.1.1", "carrier-grade NAT"),
    ],
)
def test_dns_answers_pointing_inside_are_refused(fake_dns, answer, kind):
    dns = fake_dns({"evil.example": [answer]})
    with pytest.raises(FetchRefused, match=f"evil\\.example resolves to .* {kind}"):
        fetch_url("https://evil.example/", resolver=dns)


def test_multicast_and_metadata_stay_refused_even_with_allow_private(fake_dns):
    for answer in ("224.0.0.251", "ff02::1", "169.254.169.254", "fe80::1", "::ffff:10.0.0.1"):
        dns = fake_dns({"evil.example": [answer]})
        with pytest.raises(FetchRefused):
            fetch_url("https://evil.example/", resolver=dns, allow_private=True)


# --- DNS rebinding: the name is resolved once per hop and the vetted address is used --------


def rebinding_dns(first: str, later: str):
    """A resolver that answers ``first`` once, then ``later`` to every further lookup (an
    attacker's name server flipping its answer between check and use), counting lookups."""
    calls: list[str] = []

    def resolve(host: str, port: int, *args: object, **kwargs: object):
        ip = first if not calls else later
        calls.append(host)
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        sockaddr = (ip, port, 0, 0) if ":" in ip else (ip, port)
        return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def test_rebinding_after_the_check_cannot_redirect_the_connection(server):
    """The check sees the allowed server; a second lookup would say 10.0.0.1 (or the
    metadata service). There is no second lookup: the vetted address is connected to."""
    server.routes["/page"] = lambda h: server.respond(h, b"<p>the vetted server</p>")
    for later in ("10.0.0.1", "169.254.169.254"):
        dns = rebinding_dns(server.host, later)
        result = fetch_url(
            f"http://rebind.test:{server.port}/page",
            resolver=dns,
            is_allowed_address=server.only_me,
        )
        assert result.body == b"<p>the vetted server</p>"
        assert dns.calls == ["rebind.test"]


def test_rebinding_between_redirect_hops_is_caught(server):
    """Each hop is vetted afresh: a redirect back to the same name, which now resolves to the
    metadata service, is refused rather than followed."""
    port = server.port
    server.routes["/a"] = lambda h: server.redirect(h, f"http://rebind.test:{port}/b")
    server.routes["/b"] = lambda h: server.respond(h, b"<p>internal</p>")
    dns = rebinding_dns(server.host, "169.254.169.254")
    with pytest.raises(FetchRefused, match=r"redirect from .* refused: .*link-local"):
        fetch_url(f"http://rebind.test:{port}/a", resolver=dns, is_allowed_address=server.only_me)
    assert dns.calls == ["rebind.test", "rebind.test"]
    assert len(server.seen_hosts) == 1  # /b was never requested


@pytest.mark.parametrize(
    "target",
    [
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://0.0.0.0/",
    ],
)
def test_redirects_to_other_spellings_and_multicast_are_refused(server, target):
    server.routes["/go"] = lambda h: server.redirect(h, target)
    with pytest.raises(FetchRefused, match=r"redirect from .* refused"):
        fetch_url(server.url("/go"), is_allowed_address=server.only_me)
