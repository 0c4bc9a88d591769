"""minigan lab's HTTP API, against a real server on a free port (the standard library's client):
the interface outside checks rely on, every kind of bad request, Host and Origin checks, save and load."""
from __future__ import annotations

import http.client
import json
import os
import pathlib
import subprocess
import sys
import threading
import time

import pytest

from minigan.lab import LabSession
from minigan.lab.server import MAX_BODY, serve
from minigan.lab.state import HEATMAP

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture
def lab(tmp_path):
    session = LabSession({"g_width": 16, "d_width": 16, "batch_size": 32}, save_dir=tmp_path).start()
    server = serve(session, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    session.close()


def request(server, method, path, body=None, headers=None, raw=None):
    """(status, JSON or text, headers) of one request on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    sent = {"Content-Type": "application/json"} if data is not None else {}
    sent.update(headers or {})
    try:
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        payload = response.read()
        kind = response.getheader("Content-Type", "")
        return response.status, json.loads(payload) if kind == "application/json" else payload.decode(), response
    finally:
        connection.close()


def test_the_page_and_its_files_are_served_with_a_strict_policy(lab):
    status, page, response = request(lab, "GET", "/")
    assert status == 200 and "<canvas id=\"plot\"" in page
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    for name in ("lab.js", "draw.js", "i18n.js", "lab.css"):
        assert request(lab, "GET", f"/static/{name}")[0] == 200
    for path in ("/static/../server.py", "/static/%2e%2e/server.py", "/docs/../pyproject.toml", "/nothing"):
        status, body, _ = request(lab, "GET", path)
        assert status == 404 and body["error"].startswith("path: expected")


def test_state_holds_the_fields_outside_checks_rely_on(lab):
    status, state, _ = request(lab, "GET", "/api/state")
    assert status == 200
    for key in ("iteration", "d_steps", "g_steps"):
        assert type(state[key]) is int
    assert {"dataset", "loss", "k", "lr_d", "lr_g"} <= set(state["config"])
    assert len(state["heatmap"]["values"]) == HEATMAP ** 2 <= 48 * 48 and len(state["manifold"]["points"]) == 400
    assert len(state["fake"]) <= 512 and len(state["real"]) <= 512
    again = request(lab, "GET", f"/api/state?data_version={state['data_version']}")[1]
    assert "real" not in again and again["iteration"] == state["iteration"]


def test_steps_of_d_g_and_both(lab):
    request(lab, "POST", "/api/config", {"k": 2})
    status, state, _ = request(lab, "POST", "/api/step", {"player": "d", "count": 3})
    assert status == 200 and (state["iteration"], state["d_steps"], state["g_steps"]) == (0, 3, 0)
    state = request(lab, "POST", "/api/step", {"player": "g", "count": 2})[1]
    assert (state["iteration"], state["d_steps"], state["g_steps"]) == (0, 3, 2)
    state = request(lab, "POST", "/api/step", {"player": "both", "count": 4})[1]
    assert (state["iteration"], state["d_steps"], state["g_steps"]) == (4, 11, 6)
    state = request(lab, "POST", "/api/reset", {})[1]
    assert (state["iteration"], state["d_steps"], state["g_steps"]) == (0, 0, 0)


def test_config_applies_settings_and_says_when_the_networks_start_over(lab):
    status, state, _ = request(lab, "POST", "/api/config", {"loss": "minimax", "lr_d": 0.003, "k": 3})
    assert status == 200 and state["config"]["loss"] == "minimax" and state["config"]["k"] == 3
    assert state["notice"]["kind"] == "applied"
    request(lab, "POST", "/api/step", {"player": "both", "count": 2})
    state = request(lab, "POST", "/api/config", {"d_depth": 3})[1]
    assert state["iteration"] == 0 and state["notice"]["kind"] == "reset" and state["notice"]["fields"] == ["d_depth"]


BAD = [
    ("/api/config", {"k": 0}, "k: expected an integer from 1 to 20, got 0"),
    ("/api/config", {"lr_g": "fast"}, "lr_g: expected a number from"),
    ("/api/config", {"dataset": "mnist"}, "dataset: expected one of 'ring'"),
    ("/api/config", {"wings": 2}, "wings: expected one of the settings"),
    ("/api/config", {"dataset": "moons", "pack": 3}, "pack: expected 1 on the data set 'moons'"),
    ("/api/config", {"dataset": "drawn", "points": [[0.0, "x"]] * 9}, "points[0]: expected coordinates"),
    ("/api/step", {"player": "police"}, "player: expected one of 'd', 'g', 'both', got 'police'"),
    ("/api/step", {"player": "d", "count": 5000}, "count: expected an integer from 1 to 1000, got 5000"),
    ("/api/inspect", {"index": -1}, "index: expected an integer from 0 to 479, got -1"),
    ("/api/save", {"name": "../../x"}, "name: expected 1 to 40 letters"),
    ("/api/load", {"name": "never-saved"}, "name: expected the name of a saved state"),
]


@pytest.mark.parametrize("path,body,message", BAD, ids=[m.split(":")[0] + "-" + p for p, _, m in BAD])
def test_a_bad_setting_gets_400_naming_field_expected_and_given(lab, path, body, message):
    status, answer, _ = request(lab, "POST", path, body)
    assert status == 400 and answer["error"].startswith(message), answer


@pytest.mark.parametrize("raw,headers,status,start", [
    (b"{not json", {}, 400, "body: expected JSON"),
    (b"[1, 2]", {}, 400, "body: expected a JSON object, got list"),
    (b'{"k": 2}', {"Content-Type": "text/plain"}, 415, "Content-Type: expected application/json"),
    (b"\xff\xfe", {}, 400, "body: expected JSON"),
])
def test_a_malformed_body_gets_an_error_naming_what_was_wrong(lab, raw, headers, status, start):
    got, answer, _ = request(lab, "POST", "/api/config", raw=raw, headers=headers)
    assert got == status and answer["error"].startswith(start)


def test_a_huge_body_is_refused_before_it_is_read(lab):
    connection = http.client.HTTPConnection("127.0.0.1", lab.port, timeout=10)
    connection.putrequest("POST", "/api/config")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(MAX_BODY + 1))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413 and json.loads(response.read())["error"].startswith("Content-Length: expected at most")
    connection.close()


@pytest.mark.parametrize("headers,field", [
    ({"Host": "evil.example:80"}, "Host"),
    ({"Host": "127.0.0.1:1"}, "Host"),
    ({"Origin": "http://evil.example"}, "Origin"),
    ({"Origin": "null"}, "Origin"),
])
def test_a_foreign_host_or_origin_is_refused(lab, headers, field):
    for method, path, body in (("GET", "/api/state", None), ("POST", "/api/step", {"player": "both"})):
        status, answer, _ = request(lab, method, path, body, headers=headers)
        assert status == 403 and answer["error"].startswith(f"{field}: expected")
    assert lab.session.gan.iteration == 0


def test_the_pages_own_origin_and_localhost_are_served(lab):
    for headers in ({"Origin": f"http://127.0.0.1:{lab.port}"}, {"Host": f"localhost:{lab.port}"}):
        assert request(lab, "POST", "/api/step", {"player": "g"}, headers=headers)[0] == 200


def test_bad_requests_kill_neither_the_server_nor_the_training(lab):
    request(lab, "POST", "/api/play", {})
    for raw in (b"{", b"null", b'{"k": 1e999}', b'{"k": NaN}'):
        request(lab, "POST", "/api/config", raw=raw)
    assert request(lab, "PUT", "/api/state")[0] == 405
    assert request(lab, "POST", "/api/nowhere", {})[0] == 404
    first = request(lab, "GET", "/api/state")[1]["iteration"]
    time.sleep(0.5)
    state = request(lab, "GET", "/api/state")[1]
    assert state["running"] and state["iteration"] > first
    request(lab, "POST", "/api/pause", {})


def test_save_and_load_round_trip(lab):
    request(lab, "POST", "/api/step", {"player": "both", "count": 6})
    saved = request(lab, "POST", "/api/save", {"name": "mine"})[1]
    assert saved["saves"] == ["mine"] and pathlib.Path(saved["path"]).is_file()
    before = request(lab, "GET", "/api/state")[1]
    request(lab, "POST", "/api/config", {"g_width": 32})
    assert request(lab, "GET", "/api/saves")[1]["saves"] == ["mine"]
    status, state, _ = request(lab, "POST", "/api/load", {"name": "mine"})
    assert status == 200 and state["iteration"] == 6 and state["config"] == before["config"]
    assert state["fake"] == before["fake"] and state["heatmap"] == before["heatmap"]


def test_look_inside_over_http(lab):
    request(lab, "POST", "/api/step", {"player": "both", "count": 3})
    status, result, _ = request(lab, "POST", "/api/inspect", {"index": 11})
    assert status == 200 and result["index"] == 11
    assert [s["network"] for s in result["steps"]].count("G") == len(lab.session.gan.generator.layers)
    files = {result["sources"][s["function"]]["file"] for s in result["steps"]}
    assert files == {"minigan/losses.py", "minigan/nn/linear.py", "minigan/nn/activations.py", "minigan/nn/rescale.py"}
    assert all((ROOT / f).is_file() for f in files)


def test_the_command_serves_until_killed(tmp_path):
    """`python -m minigan.lab --port P --no-browser`, as outside checks start it."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inherited = [str(pathlib.Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    path = os.pathsep.join([str(ROOT), *inherited])         # keeps a CuPy stand-in (benchmarks/rehearsal)
    env = {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen([sys.executable, "-m", "minigan.lab", "--port", str(port), "--no-browser",
                                "--save-dir", str(tmp_path)], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/api/step", body=b'{"player": "both", "count": 2}',
                           headers={"Content-Type": "application/json"})
        state = json.loads(connection.getresponse().read())
        assert state["iteration"] == 2 and state["config"]["dataset"] == "ring"
    finally:
        process.kill()
        process.wait(10)


def test_the_compact_state_packs_the_same_numbers(lab):
    import base64
    import numpy as np
    request(lab, "POST", "/api/step", {"player": "both", "count": 2})
    plain = request(lab, "GET", "/api/state")[1]
    compact = request(lab, "GET", "/api/state?compact=1")[1]
    fake = compact["fake"]
    assert fake["shape"] == [len(plain["fake"]), 2]
    unpacked = np.frombuffer(base64.b64decode(fake["f32"]), "<f4").reshape(fake["shape"])
    assert np.allclose(unpacked, plain["fake"], atol=1e-4)
    assert compact["iteration"] == plain["iteration"] and compact["config"] == plain["config"]


def test_the_command_line_refuses_a_bad_port_and_a_wildcard_bind_knows_this_machine():
    import socket
    from minigan.lab.__main__ import parse_args
    from minigan.lab.server import allowed_hosts
    with pytest.raises(SystemExit):
        parse_args(["--port", "99999"])
    assert parse_args(["--port", "0", "--lang", "ko"]).lang == "ko"
    assert allowed_hosts("127.0.0.1", 8026) == {"127.0.0.1:8026", "localhost:8026", "[::1]:8026"}
    assert f"{socket.gethostname().lower()}:8026" in allowed_hosts("0.0.0.0", 8026)
