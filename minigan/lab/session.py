"""One lab session: a GAN on one data set, its settings, its steps, its saved states.

:class:`LabSession` owns one :class:`minigan.gan.GAN` (built by :mod:`minigan.lab.networks`) and
a lock: every method that reads or moves the networks holds it, so the background trainer
(:mod:`minigan.lab.trainer`), the page's requests and the tests never run two passes at once.

Counters follow the GAN's: a "both" step is one iteration of Algorithm 1 (k D steps, one G step);
a D-only step adds to ``d_steps`` only, a G-only step to ``g_steps`` only. A divergence
(``TrainingDiverged``) pauses training and is kept until a reset; the session itself never fails.
"""
from __future__ import annotations

import json
import pathlib
import threading
import time
from collections import deque

from .. import backend
from ..data import toy
from . import saving, state as drawing, wire
from .config import DEFAULTS, ConfigError, check_points, choice_field, integer_field, resetting_changes, validate
from .curves import Curves
from .datasets import make_data
from ..gan.errors import TrainingDiverged
from ..training import checkpoint
from ..training.health import MESSAGES
from .health_signs import health_signs
from .look_inside import look_inside
from .networks import apply_live, build_gan
from .trainer import Gate, Trainer

PLAYERS = ("d", "g", "both")
MAX_COUNT = 1000                    #: steps one request may ask for
QUALITY_EVERY_S = 0.5               #: while training runs, quality and health are recomputed at most this often


class Conflict(RuntimeError):
    """A request the session cannot serve in its present state (a step after divergence): HTTP 409."""


class LabSession:
    """A GAN, its data and its settings, safe to use from several threads.

    Args:
        config: settings to start from (see ``config.DEFAULTS``); checked.
        save_dir: the folder of saved states (one ``<name>.npz`` checkpoint each).
        lang: the page's default language, "en" or "ko".
    """

    def __init__(self, config: dict | None = None, save_dir="minigan-lab-saves", lang: str = "en"):
        if lang not in ("en", "ko"):
            raise ConfigError("lang", "'en' or 'ko'", lang)
        self.lock = threading.RLock()
        self.save_dir, self.lang = pathlib.Path(save_dir), lang
        self.config = validate(config or {}, DEFAULTS)
        self.points = None
        self.running = False
        self.version = 0                 # bumped by every change the page should see
        self.gate = Gate()               # requests being answered go first: the trainer waits for them
        self._rate = deque(maxlen=64)    # (time, iteration) after each batch of steps
        self._trainer = None
        self.builds = 0                  # networks built so far: the page's cue that the data changed
        self._build()
        self.notice = None

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        """Seed, then make the data, the GAN and the drawing's fixed inputs for ``self.config``."""
        backend.seed(self.config["seed"])
        self.builds += 1
        self.data = make_data(self.config["dataset"], self.points)
        self.gan = build_gan(self.config, self.data)
        self.display = drawing.Display(self.config["noise_dim"], self.data.sample(drawing.NUM_SAMPLES),
                                       self.config["seed"])
        self._real = drawing.host(self.display.real)
        self.curves = Curves()
        self.diverged = None
        self._quality = (-1, 0.0, ({}, []))    # (version, time, (quality numbers, health signs))
        self._cache = (-1, None, {})     # (version, state, {(compact, real): JSON bytes})
        self._rate.clear()
        self._changed()

    def _changed(self) -> None:
        self.version += 1

    def _say(self, kind: str, fields: list, message: str | None = None) -> None:
        """The page's notice of the last change: "reset" (with the settings that caused it), "applied",
        "loaded" or "error"; ``id`` tells the page a new one from the one it shows."""
        self.notice = {"kind": kind, "fields": fields, "id": self.version + 1}
        if message is not None:
            self.notice["message"] = message

    # -- steps ---------------------------------------------------------------------------------
    def step(self, player: str = "both", count: int = 1) -> None:
        """Run ``count`` steps of ``player``: "d" (D only), "g" (G only) or "both" (Algorithm 1)."""
        choice_field("player", player, PLAYERS)
        integer_field("count", count, 1, MAX_COUNT)
        with self.lock:
            if self.diverged is not None:
                raise Conflict("training diverged: reset (or change a setting that resets the networks) "
                               "to start over")
            self.run_steps(player, count)

    def run_steps(self, player: str, count: int, seconds: float | None = None) -> int:
        """Up to ``count`` steps (the lock held), stopping early after ``seconds``. Returns how many ran.
        A TrainingDiverged pauses training and is kept in ``diverged``."""
        gan, m = self.gan, self.config["batch_size"] * self.config["pack"]
        d0, g0, done = gan.d_steps, gan.g_steps, 0
        start = time.perf_counter()
        batches = toy.batches(self.data, m)
        try:
            while done < count and (seconds is None or time.perf_counter() - start < seconds):
                if player == "both":
                    gan.train_step(batches)
                elif player == "d":
                    gan.discriminator_step(self.data.sample(m))
                else:
                    gan.generator_step(m)
                done += 1
            self.curves.record(gan, gan.d_steps - d0, gan.g_steps - g0)
        except TrainingDiverged as exc:
            self._diverge(exc)
        self._rate.append((time.perf_counter(), gan.iteration))
        self._changed()
        return done

    def _diverge(self, exc) -> None:
        self.running = False
        self.diverged = {"quantity": exc.quantity, "iteration": exc.iteration, "message": str(exc)}

    def fail(self, exc: Exception) -> None:
        """Pause after an error that is not a divergence, and say so on the page."""
        with self.lock:
            self.running = False
            self._say("error", [], f"{type(exc).__name__}: {exc}")
            self._changed()

    def start(self) -> "LabSession":
        """Start the background trainer (it trains while ``running``). Returns the session."""
        if self._trainer is None:
            self._trainer = Trainer(self)
            self._trainer.start()
        return self

    def close(self) -> None:
        """Pause and end the background trainer."""
        self.running = False
        if self._trainer is not None:
            self._trainer.stop()
            self._trainer = None

    def play(self) -> None:
        with self.lock:
            if self.diverged is not None:
                raise Conflict("training diverged: reset to start over")
            self.running = True
            self._rate.clear()
            self._changed()

    def pause(self) -> None:
        with self.lock:
            self.running = False
            self._changed()

    # -- settings ------------------------------------------------------------------------------
    def configure(self, changes: dict) -> None:
        """Apply ``changes`` ({setting: value}, plus ``points`` for a drawn data set). Changing the data
        or a network's shape rebuilds the networks (``notice`` says which settings did it)."""
        with self.lock:
            new = validate(changes, self.config)
            points = check_points(changes["points"]) if "points" in changes else None
            if points is not None and new["dataset"] != "drawn":
                raise ConfigError("points", "points only with the data set 'drawn'", f"dataset {new['dataset']!r}")
            reasons = resetting_changes(self.config, new) + (["points"] if points is not None else [])
            self.config = new
            if points is not None:
                self.points = points
            if reasons:
                self._build()
                self._say("reset", reasons)
            else:
                apply_live(self.gan, new)
                self._say("applied", sorted(changes))
            self._changed()

    def reset(self) -> None:
        """Start over: the same settings, fresh networks from the same seed, iteration 0."""
        with self.lock:
            self._build()
            self._say("reset", [])

    # -- saving ----------------------------------------------------------------------------------
    def save(self, name: str) -> pathlib.Path:
        """Write the GAN (minigan's checkpoint: networks, optimizers, counters, history, random state),
        the settings and the curves to ``save_dir/<name>.npz``. A diverged state is refused (Conflict)."""
        path = saving.path_of(self.save_dir, name)
        with self.lock:
            try:
                saving.write(path, self.gan, self.config, self.points, self.curves)
            except checkpoint.NonFiniteStateError as exc:
                raise Conflict(str(exc)) from exc
        return path

    def load(self, name: str) -> None:
        """Restore what :meth:`save` wrote under ``name`` (it keeps playing or pausing as it was)."""
        saved = saving.read(saving.path_of(self.save_dir, name), name, self.save_dir)
        with self.lock:
            before = self.config, self.points
            self.config, self.points = saved["config"], saved["points"]
            self._build()
            try:
                self.gan.load_state_dict(saved["gan"])
            except (KeyError, ValueError, TypeError) as exc:   # back to the settings it had, fresh networks
                self.config, self.points = before
                self._build()
                raise ConfigError("name", "a state of networks that match its settings", f"{name} ({exc})") from exc
            self.curves.load_state_dict(saved["curves"])
            self._say("loaded", [name])
            self._changed()

    def saves(self) -> list:
        """The names of the saved states, sorted."""
        return saving.names(self.save_dir)

    # -- what the page sees ----------------------------------------------------------------------
    def inspect(self, index) -> dict:
        """"Look inside" the fake sample ``index`` of the drawing (see :mod:`minigan.lab.look_inside`)."""
        integer_field("index", index, 0, drawing.NUM_SAMPLES - 1)
        with self.lock:
            # the sample and the ones D judges beside it with packing (training packs neighbours too)
            first = index - index % self.gan.pack
            z = self.display.noise(self.config["noise"], self.gan.pack, start=first)
            result = look_inside(self.gan, z, index - first)
        result["index"] = index
        return result

    def iterations_per_second(self) -> float:
        """Iterations of Algorithm 1 per second over the last batches of steps (0 when too few)."""
        if len(self._rate) < 2 or self._rate[-1][0] - self._rate[0][0] <= 0:
            return 0.0
        return (self._rate[-1][1] - self._rate[0][1]) / (self._rate[-1][0] - self._rate[0][0])

    def state(self) -> dict:
        """The page's state (see docs/lab.md) as the API sends it by default: arrays as lists."""
        return json.loads(self.state_bytes())

    def state_bytes(self, compact: bool = False, real: bool = True) -> bytes:
        """The state as JSON (``wire.encode``: arrays as lists, or packed with ``compact``), without the
        real samples when ``real`` is False; computed at most once per change, encoded once per form."""
        with self.lock:
            if self._cache[0] != self.version:
                self._cache = (self.version, self._compute_state(), {})
            _, raw, encoded = self._cache
            form = (compact, real)
            if form not in encoded:
                encoded[form] = wire.encode(raw if real else {k: v for k, v in raw.items() if k != "real"}, compact)
            return encoded[form]

    def _compute_state(self) -> dict:
        gan, config = self.gan, self.config
        out = {"iteration": gan.iteration, "d_steps": gan.d_steps, "g_steps": gan.g_steps,
               "running": self.running, "version": self.version, "data_version": self.builds, "lang": self.lang,
               "config": dict(config), "notice": self.notice, "diverged": self.diverged,
               "view": {"dim": self.data.dim, "lo": self.data.view[0], "hi": self.data.view[1]},
               "real": self._real, "curves": self.curves.points(),
               "iterations_per_second": round(self.iterations_per_second(), 1)}
        if self.diverged is None:
            out.update(drawing.drawing(gan, self.data, self.display, config))
        out["quality"], out["health"] = self._judged()
        return out

    def _judged(self) -> tuple:
        """(quality numbers, health signs), recomputed at most every QUALITY_EVERY_S while training runs."""
        version, when, judged = self._quality
        now = time.monotonic()
        if version != self.version and (not self.running or now - when >= QUALITY_EVERY_S) or self.diverged:
            quality = drawing.quality(self.gan, self.data, self.display, self.config) if self.diverged is None else {}
            judged = (quality, self._health(quality))
            self._quality = (self.version, now, judged)
        return judged

    def _health(self, quality: dict) -> list:
        """The health signs that hold now, each {"sign", "message"} (messages of minigan.training.health)."""
        try:
            signs = [] if self.diverged else health_signs(self.gan, self.config["loss"], quality)
        except TrainingDiverged as exc:       # reading the history back found it
            self._diverge(exc)
        if self.diverged is not None:
            signs = ["non_finite"]
        return [{"sign": sign, "message": MESSAGES[sign]} for sign in signs]
