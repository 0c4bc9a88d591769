"""The lab's web server: the page, its files, and a small JSON API, on the standard library alone.

    GET  /                 the page (static/index.html)
    GET  /static/<file>    its script, style sheet and texts
    GET  /docs/<page>.md   a chapter of the course, as text (when run from a checkout)
    GET  /api/state        what the page draws (LabSession.state); ?compact=1 packs its arrays
                           (minigan.lab.wire); ?data_version=N leaves out the real samples when the
                           page already has those of build N
    GET  /api/saves        the names of the saved states
    POST /api/step         {"player": "d" | "g" | "both", "count": n}    -> the new state
    POST /api/config       {setting: value, ...}                         -> the new state
    POST /api/reset, /api/play, /api/pause                               -> the new state
    POST /api/inspect      {"index": i}: look inside fake sample i
    POST /api/save, /api/load   {"name": "..."}: minigan checkpoints in the save folder

Requests must name this server in ``Host`` (127.0.0.1, localhost or the bound address, with the
port) and, when they carry an ``Origin``, come from this server's own page: anything else gets 403,
so another web site open in the same browser cannot drive the lab (DNS rebinding, cross-site
requests). A bad setting or body gets 400 ``{"error": "<field>: expected ..., got ..."}``; no
request, however malformed, stops the server or the training thread.
"""
from __future__ import annotations

import ipaddress
import json
import pathlib
import socket
import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .config import ConfigError
from .session import Conflict

STATIC = pathlib.Path(__file__).resolve().parent / "static"
DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"
MAX_BODY = 256 * 1024            #: bytes a request body may have (2,000 drawn points take ~40 KB)
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".png": "image/png", ".md": "text/plain; charset=utf-8"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class RequestError(Exception):
    """A request refused before it reaches the session: its HTTP status and message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def allowed_hosts(host: str, port: int) -> frozenset:
    """The ``Host`` values this server answers: localhost names, the bound address, and for a wildcard
    bind (0.0.0.0, ::) this machine's name and addresses; each with the port."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    names.add(f"[{host}]" if ":" in host else host)
    if host in ("0.0.0.0", "::", ""):
        hostname = socket.gethostname()
        names.add(hostname)
        try:
            names.update(socket.gethostbyname_ex(hostname)[2])
        except OSError:
            pass
    return frozenset(f"{name}:{port}".lower() for name in names)


class LabServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one LabSession."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, session, host: str = "127.0.0.1", port: int = 0):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), LabHandler)
        self.session = session
        self.port = self.server_address[1]
        self.hosts = allowed_hosts(host, self.port)

    @property
    def url(self) -> str:
        host = self.server_address[0]
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)
        return f"http://{shown}:{self.port}/"


class LabHandler(BaseHTTPRequestHandler):
    """One request: check where it comes from, route it, answer JSON (or a file)."""

    server_version = "minigan-lab"
    protocol_version = "HTTP/1.1"
    timeout = 30                       # a client that stops sending does not hold a thread for ever

    # -- answering -------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in SECURITY_HEADERS.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args) -> None:      # quiet: the console is the learner's
        pass

    # -- checks ----------------------------------------------------------------------------------
    def _check_origin(self) -> None:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.hosts:
            raise RequestError(403, f"Host: expected this lab's address (e.g. 127.0.0.1:{self.server.port}), "
                                    f"got {host or 'none'!r}")
        origin = self.headers.get("Origin")
        if origin is not None and origin.strip().lower() not in {f"http://{h}" for h in self.server.hosts}:
            raise RequestError(403, f"Origin: expected this lab's own page (http://{host}), got {origin!r}")

    def _body(self) -> dict:
        """The request's JSON object ({} for an empty body)."""
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            raise RequestError(411, "Transfer-Encoding: expected a body with a Content-Length, got a chunked one")
        try:
            size = int(length or 0)
        except ValueError:
            raise RequestError(400, f"Content-Length: expected a number of bytes, got {length!r}") from None
        if size < 0 or size > MAX_BODY:
            raise RequestError(413, f"Content-Length: expected at most {MAX_BODY} bytes, got {size}")
        raw = self.rfile.read(size) if size else b""
        if not raw.strip():
            return {}
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise RequestError(415, f"Content-Type: expected application/json, got {content_type or 'none'!r}")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise RequestError(400, f"body: expected JSON, got a body that does not parse ({exc})") from None
        if not isinstance(body, dict):
            raise RequestError(400, f"body: expected a JSON object, got {type(body).__name__}")
        return body

    # -- routing ---------------------------------------------------------------------------------
    def do_GET(self):
        self._handle(self._get)

    def do_HEAD(self):
        self._handle(self._get)

    def do_POST(self):
        self._handle(self._post)

    def do_PUT(self):
        self._handle(self._not_allowed)

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT

    def _handle(self, route) -> None:
        """Check, read, answer. The training pauses while the answer is computed (``session.gate``),
        not while a body is read or the answer is written."""
        try:
            self._check_origin()
            body = self._body() if self.command == "POST" else None
            with self.server.session.gate.serving():
                answer = route(body)
        except RequestError as exc:
            self.close_connection = True     # its body may be unread: no second request on this connection
            answer = _error(exc.status, str(exc))
        except ConfigError as exc:
            answer = _error(400, str(exc))
        except Conflict as exc:
            answer = _error(409, str(exc))
        except Exception as exc:        # a bug: answer 500, keep serving
            traceback.print_exc(file=sys.stderr)
            answer = _error(500, f"internal error: {type(exc).__name__}: {exc}")
        try:
            self._send(*answer)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _not_allowed(self, body):
        raise RequestError(405, f"method: expected GET or POST, got {self.command}")

    def _get(self, body) -> tuple:
        url = urlsplit(self.path)
        path, session = url.path, self.server.session
        if path in ("/", "/index.html"):
            return _file(STATIC / "index.html")
        if path.startswith("/static/"):
            return _file(_inside(STATIC, path[len("/static/"):]))
        if path.startswith("/docs/"):
            return _file(_inside(DOCS, path[len("/docs/"):], suffix=".md"))
        if path == "/api/state":
            return self._state(parse_qs(url.query))
        if path == "/api/saves":
            return _json(200, {"saves": session.saves(), "folder": str(session.save_dir)})
        raise RequestError(404, f"path: expected one of /, /static/..., /api/state, /api/saves, got {path!r}")

    def _post(self, body) -> tuple:
        path, session = urlsplit(self.path).path, self.server.session
        if path == "/api/step":
            session.step(body.get("player", "both"), body.get("count", 1))
        elif path == "/api/config":
            session.configure(body)
        elif path == "/api/reset":
            session.reset()
        elif path == "/api/play":
            session.play()
        elif path == "/api/pause":
            session.pause()
        elif path == "/api/inspect":
            return _json(200, session.inspect(body.get("index")))
        elif path == "/api/save":
            saved = session.save(body.get("name"))
            return _json(200, {"saved": body.get("name"), "path": str(saved), "saves": session.saves()})
        elif path == "/api/load":
            session.load(body.get("name"))
        else:
            raise RequestError(404, f"path: expected one of /api/step, /api/config, /api/reset, /api/play, "
                                    f"/api/pause, /api/inspect, /api/save, /api/load, got {path!r}")
        return self._state(parse_qs(urlsplit(self.path).query))

    def _state(self, query: dict) -> tuple:
        """The state; ``compact=1`` packs its arrays (wire.packed); ``data_version=N`` leaves out the real
        samples when the page already has those of build N."""
        session = self.server.session
        with_real = query.get("data_version", [None])[0] != str(session.builds)
        return 200, session.state_bytes(query.get("compact", ["0"])[0] == "1", with_real), "application/json"


def _json(status: int, payload) -> tuple:
    return status, json.dumps(payload, allow_nan=False).encode(), "application/json"


def _error(status: int, message: str) -> tuple:
    return _json(status, {"error": message})


def _file(path: pathlib.Path) -> tuple:
    return 200, path.read_bytes(), TYPES.get(path.suffix, "application/octet-stream")


def _inside(folder: pathlib.Path, name: str, suffix: str | None = None) -> pathlib.Path:
    """``folder/name`` if it is a file inside ``folder`` (no '..', no links out) with a known type."""
    path = (folder / name).resolve()
    ok = path.is_file() and folder.resolve() in path.parents and path.suffix in TYPES
    if not ok or (suffix is not None and path.suffix != suffix):
        raise RequestError(404, f"path: expected a file of the lab, got {name!r}")
    return path


def serve(session, host: str = "127.0.0.1", port: int = 0) -> LabServer:
    """A LabServer for ``session`` on ``host:port`` (0: a free port), not yet serving: call
    ``serve_forever()`` (in a thread for tests), ``shutdown()`` and ``server_close()`` to end it."""
    return LabServer(session, host, port)
