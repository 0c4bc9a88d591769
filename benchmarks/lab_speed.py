"""minigan lab: does drawing starve training? Iterations/s without and with the page, and the page's frame rate.

    python benchmarks/lab_speed.py [--seconds 10] [--rounds 2] [--port 0]

Starts the lab as a learner does (``python -m minigan.lab --no-browser``, its own process, default
settings: the ring, two hidden layers of 64, batch 128), presses play, and counts Algorithm-1
iterations over ``--seconds``:

- alone: no page open (the iteration counter is read twice, one request each);
- with the page: the page open in a headless Chromium (minigan.lab.browser), polling and redrawing
  at its normal rate; its frame rate is the number of redraws with a new state per second, read
  from the page's own counters (``window.labStats``, requestAnimationFrame callbacks that drew).

Iterations per CPU-second of the lab's process (from /proc) are printed beside iterations per
second: on a machine that other work keeps busy, the scheduler's share moves the second number
around; the first shows what serving the page costs the lab itself.

The two alternate ``--rounds`` times, so that a change in the machine's other load shows as a
spread rather than as a difference. The issue asks for >= 80 % of the speed with the page open, and
>= 10 frames a second.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minigan.lab.browser import chromium  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port: int, method: str, path: str, body: dict | None = None) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=None if body is None else json.dumps(body).encode(),
                           headers={"Content-Type": "application/json"} if body is not None else {})
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used, from /proc (nan where there is none)."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def iterations(port: int, pid: int) -> tuple:
    """(time, the lab's CPU time, iteration) now."""
    return time.perf_counter(), cpu_seconds(pid), call(port, "GET", "/api/state")["iteration"]


def rates(start: tuple, end: tuple) -> tuple:
    """(iterations per second, iterations per CPU-second of the lab's process) between two readings."""
    (t0, c0, i0), (t1, c1, i1) = start, end
    return (i1 - i0) / (t1 - t0), (i1 - i0) / (c1 - c0) if c1 > c0 else float("nan")


def rate_alone(port: int, pid: int, seconds: float) -> tuple:
    start = iterations(port, pid)
    time.sleep(seconds)
    return rates(start, iterations(port, pid))


def rate_with_page(port: int, pid: int, driver, seconds: float) -> tuple:
    """(iterations/s, iterations per CPU-second, redraws/s, polls/s) with the page open and warmed up."""
    stats = "return [performance.now(), window.labStats.frames, window.labStats.polls];"
    driver.get(f"http://127.0.0.1:{port}/")
    time.sleep(2.0)
    page0, start = driver.execute_script(stats), iterations(port, pid)
    time.sleep(seconds)
    page1, end = driver.execute_script(stats), iterations(port, pid)
    elapsed_page = (page1[0] - page0[0]) / 1000
    driver.get("about:blank")                   # the page stops polling
    return (*rates(start, end), (page1[1] - page0[1]) / elapsed_page, (page1[2] - page0[2]) / elapsed_page)


def cpu_model() -> str:
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
        return next(line.split(":", 1)[1].strip() for line in lines if line.startswith("Model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=2, help="alone/with-page pairs")
    parser.add_argument("--port", type=int, default=0, help="the lab's port (0: a free one)")
    args = parser.parse_args(argv)
    port = args.port or free_port()
    save_dir = tempfile.mkdtemp(prefix="lab-speed-")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(name, None)                     # the lab chooses, as for a learner
    lab = subprocess.Popen([sys.executable, "-m", "minigan.lab", "--port", str(port), "--no-browser",
                            "--save-dir", save_dir], env=env, stdout=subprocess.PIPE, text=True)
    driver = None
    try:
        print(lab.stdout.readline().strip())
        print(f"load average at the start: {os.getloadavg()[0]:.1f}")
        driver = chromium(1300, 1000)
        call(port, "POST", "/api/play", {})
        time.sleep(2.0)
        ratios, cpu_ratios, fps = [], [], []
        for round_ in range(args.rounds):
            alone, alone_cpu = rate_alone(port, lab.pid, args.seconds)
            paged, paged_cpu, redraws, polls = rate_with_page(port, lab.pid, driver, args.seconds)
            ratios.append(paged / alone)
            cpu_ratios.append(paged_cpu / alone_cpu)
            fps.append(redraws)
            print(f"round {round_ + 1}: alone {alone:6.1f} it/s ({alone_cpu:6.1f} per CPU-s)   with the page "
                  f"{paged:6.1f} it/s ({paged_cpu:6.1f} per CPU-s)   {100 * ratios[-1]:5.1f} % "
                  f"({100 * cpu_ratios[-1]:5.1f} % per CPU-s)   page: {redraws:4.1f} redraws/s, {polls:4.1f} polls/s",
                  flush=True)
        print(f"median: with the page {100 * statistics.median(ratios):.1f} % of the speed alone (need >= 80 %), "
              f"{100 * statistics.median(cpu_ratios):.1f} % per CPU-second of the lab; "
              f"page {statistics.median(fps):.1f} redraws/s (need >= 10)")
        call(port, "POST", "/api/pause", {})
    finally:
        if driver is not None:
            driver.quit()
        lab.terminate()
        lab.wait(10)
        shutil.rmtree(save_dir, ignore_errors=True)
    print(f"cpu: {cpu_model()}, {os.cpu_count()} logical cores; python {platform.python_version()}; "
          f"load average at the end {os.getloadavg()[0]:.1f} (other processes share these cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
