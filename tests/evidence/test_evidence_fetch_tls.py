"""HTTPS goes to the vetted IP but verifies the certificate for, and sends SNI of, the host."""

import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tracker.evidence.errors import FetchConnectionError
from tracker.evidence.fetch import allow_endpoints, fetch_url


@pytest.fixture
def tls_server(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=news.test",
            "-addext",
            "subjectAltName=DNS:news.test",
        ],
        check=True,
        capture_output=True,
    )
    seen: dict[str, list[str]] = {"sni": [], "host": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            seen["host"].append(self.headers.get("Host", ""))
            body = b"<p>secure hello</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield httpd.server_address[1], str(cert), seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def _dns(host, port, *args, **kwargs):
    assert host == "news.test"
    return [(2, 1, 6, "", ("127.0.0.1", port))]


def test_certificate_is_verified_for_the_host_name(tls_server):
    port, _, seen = tls_server
    with pytest.raises(FetchConnectionError, match="certificate verify failed"):
        fetch_url(
            f"https://news.test:{port}/",
            resolver=_dns,
            is_allowed_address=allow_endpoints(("127.0.0.1", port)),
        )
    assert seen["sni"] == ["news.test"]


def test_trusted_certificate_for_the_host_connects_by_ip_with_sni_and_host(tls_server):
    port, cert, seen = tls_server
    result = fetch_url(
        f"https://news.test:{port}/",
        resolver=_dns,
        is_allowed_address=allow_endpoints(("127.0.0.1", port)),
        ca_certs=cert,
    )
    assert result.body == b"<p>secure hello</p>"
    assert seen == {"sni": ["news.test"], "host": [f"news.test:{port}"]}
