"""Smart HTTP git for the test git server: `git http-backend` as a CGI behind HTTP Basic auth.

The password must equal the token in GIT_HTTP_TOKEN_FILE (read on every request, so a rotated
Secret takes effect); the user name must equal GIT_HTTP_USER when that is set. Clone, fetch and
push (receive-pack, enabled by setting REMOTE_USER) are allowed on every repository under
GIT_PROJECT_ROOT. GET /healthz answers 200 without credentials, for probes. With
GIT_HTTP_TLS_CERT_FILE and GIT_HTTP_TLS_KEY_FILE it serves HTTPS (the platform only accepts https
repository URLs; clients trust the server's CA through the credentials Secret's ca.crt).

Standard library only: the image has Debian's python3 and nothing else.
"""

import base64
import hmac
import os
import ssl
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PROJECT_ROOT = os.environ.get("GIT_PROJECT_ROOT", "/srv/git")
TOKEN_FILE = os.environ["GIT_HTTP_TOKEN_FILE"]
EXPECTED_USER = os.environ.get("GIT_HTTP_USER", "")
PORT = int(os.environ.get("GIT_HTTP_PORT", "8080"))
TLS_CERT_FILE = os.environ.get("GIT_HTTP_TLS_CERT_FILE", "")
TLS_KEY_FILE = os.environ.get("GIT_HTTP_TLS_KEY_FILE", "")
# Pushes of the tests are small; a bound keeps a broken client from filling memory.
MAX_BODY = 256 * 1024 * 1024


def read_token():
    try:
        with open(TOKEN_FILE, "rb") as f:
            return f.read().strip()
    except OSError as err:
        print(f"gitserver-http: cannot read the token file {TOKEN_FILE}: {err}", file=sys.stderr)
        return b""


class Handler(BaseHTTPRequestHandler):
    server_version = "notebook-platform-gitserver"
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.handle_git()

    def do_POST(self):
        self.handle_git()

    def log_message(self, fmt, *args):
        sys.stderr.write("gitserver-http: %s %s\n" % (self.address_string(), fmt % args))

    def reply(self, status, text, headers=()):
        body = text.encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authenticated_user(self):
        """The user name when the Basic credentials match, else None."""
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        token = read_token()
        if not sep or not token:
            return None
        if not hmac.compare_digest(password.encode(), token):
            return None
        if EXPECTED_USER and not hmac.compare_digest(user.encode(), EXPECTED_USER.encode()):
            return None
        return user or "git"

    def read_body(self):
        # git sends large pushes chunked; the CGI gets the whole body with a length.
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("request body too large")
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length else b""

    def handle_git(self):
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self.reply(200, "ok\n")
            return
        user = self.authenticated_user()
        if user is None:
            self.read_body()
            self.reply(401, "authentication required\n", [("WWW-Authenticate", 'Basic realm="git"')])
            return
        try:
            body = self.read_body()
        except ValueError as err:
            self.reply(413, f"{err}\n", [("Connection", "close")])
            return
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/srv/git"),
            "GIT_PROJECT_ROOT": PROJECT_ROOT,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_SOFTWARE": self.server_version,
            "REQUEST_METHOD": self.command,
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "REMOTE_ADDR": self.client_address[0],
            # Set REMOTE_USER: http-backend then allows receive-pack (push).
            "REMOTE_USER": user,
            "AUTH_TYPE": "Basic",
            "CONTENT_LENGTH": str(len(body)),
        }
        for header, var in (("Content-Type", "CONTENT_TYPE"), ("Content-Encoding", "HTTP_CONTENT_ENCODING"), ("Git-Protocol", "GIT_PROTOCOL")):
            if self.headers.get(header):
                env[var] = self.headers[header]
        result = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
        if result.stderr:
            sys.stderr.write(result.stderr.decode(errors="replace"))
        head, sep, payload = result.stdout.partition(b"\r\n\r\n")
        if not sep:
            head, sep, payload = result.stdout.partition(b"\n\n")
        if not sep:
            self.reply(500, "git http-backend gave no response\n")
            return
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name.lower() != "content-length":
                headers.append((name.strip(), value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main():
    if not read_token():
        print(f"gitserver-http: refusing to start without a token in {TOKEN_FILE}", file=sys.stderr)
        return 1
    if bool(TLS_CERT_FILE) != bool(TLS_KEY_FILE):
        print("gitserver-http: GIT_HTTP_TLS_CERT_FILE and GIT_HTTP_TLS_KEY_FILE go together", file=sys.stderr)
        return 1
    server = ThreadingHTTPServer(("", PORT), Handler)
    scheme = "http"
    if TLS_CERT_FILE:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(TLS_CERT_FILE, TLS_KEY_FILE)
        # The handshake happens in the request's thread, so a slow client cannot stall accept().
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"
    print(f"gitserver-http: smart {scheme} for {PROJECT_ROOT} on :{PORT} (Basic auth, token from {TOKEN_FILE})", file=sys.stderr)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
