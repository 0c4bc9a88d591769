"""``python -m minigan.lab``: start the lab on this machine and open it in the browser.

    python -m minigan.lab [--port P] [--host H] [--no-browser] [--lang en|ko]
                          [--backend numpy|cupy] [--seed S] [--save-dir DIR]

It serves on 127.0.0.1 (this machine only) unless ``--host`` names another address, which prints a
warning: whoever reaches that address can drive the lab. Ctrl+C stops it.

The lab's matrices are small (a batch of 128 through layers of 64), and a BLAS library that splits
each product over several threads makes them slower, much slower on a busy machine (measured: 84
iterations/s instead of 2,000 while another process ran). So unless OMP_NUM_THREADS or
OPENBLAS_NUM_THREADS is set, the lab restarts itself once with both set to 1 (NumPy reads them
only when it is first imported).
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import webbrowser

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
SWITCH_INTERVAL_S = 0.0005


def port_number(text: str) -> int:
    """A TCP port, 0 to 65535 (0: the system picks a free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {value}")
    return value


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m minigan.lab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=port_number, default=8026, help="port to serve on (0: any free one; default 8026)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--lang", choices=("en", "ko"), default="en", help="the page's language")
    parser.add_argument("--backend", choices=("numpy", "cupy"), default=None,
                        help="array backend (default: $MINIGAN_BACKEND, else numpy)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the networks and the data (default 0)")
    parser.add_argument("--save-dir", default="minigan-lab-saves",
                        help="folder of the saved states (default ./minigan-lab-saves)")
    return parser.parse_args(argv)


def single_threaded_blas() -> None:
    """Restart this process with one BLAS thread, unless a thread count is already set."""
    if any(name in os.environ for name in THREAD_VARIABLES):
        return
    env = {**os.environ, **{name: "1" for name in THREAD_VARIABLES}}
    os.execve(sys.executable, [sys.executable, "-m", "minigan.lab", *sys.argv[1:]], env)


def main(argv=None) -> int:
    args = parse_args(argv)
    from .. import backend
    from .config import ConfigError
    from .server import is_loopback, serve
    from .session import LabSession

    if args.backend is not None:
        try:
            backend.set_backend(args.backend, requested_by=f"--backend {args.backend}")
        except backend.BackendError as exc:
            print(f"minigan lab: {exc}", file=sys.stderr)
            return 2
    try:
        session = LabSession({"seed": args.seed}, save_dir=args.save_dir, lang=args.lang)
        server = serve(session, args.host, args.port)
    except (ConfigError, OSError) as exc:
        print(f"minigan lab: cannot start: {exc}", file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(f"WARNING: serving on {args.host}, not on this machine alone: anyone who can reach this address "
              "can drive the lab (and make it write into its save folder). Use the default 127.0.0.1 "
              "unless you mean it.", file=sys.stderr)
    # the page's requests and the trainer share one interpreter: hand it over within 0.5 ms (not 5 ms)
    # when a request is waiting, so an answer is not kept waiting by training
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    url = server.url + ("?lang=ko" if args.lang == "ko" else "")
    print(f"minigan lab ({backend.name}): {url}  (saves in {session.save_dir}; Ctrl+C stops it)", flush=True)
    session.start()
    if not args.no_browser:
        threading.Timer(0.5, webbrowser.open, (url,)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nminigan lab: stopped", flush=True)
    finally:
        session.close()
        server.server_close()
    return 0


if __name__ == "__main__":
    single_threaded_blas()
    sys.exit(main())
