"""The screenshots of docs/lab.md and docs/ko/lab.md, from real runs of the lab in a headless Chromium.

    python docs/figures/make_lab_figures.py [ring figure1 collapse packing minimax]   # all: about 5 minutes on 2 CPU cores

Each run is a LabSession trained in this process (in steps of 25 iterations, so the curves have
points), served on a free port of 127.0.0.1 and photographed with minigan.lab.browser; the crops
are saved as palette PNGs (small files) beside this script:

- lab_ring.png, lab_ring_ko.png     the default recipe on the ring, 2,000 iterations (the whole page)
- lab_figure1.png                   the 1-D Gaussian as Figure 1, 1-D noise, 1,500 iterations
- lab_collapse.png                  the collapse-prone recipe, 4,000 iterations: one mode
- lab_packing.png                   the same with packing 4 (PacGAN4): all 8 modes
- lab_minimax.png                   the collapse-prone recipe with the minimax loss, 1,000 iterations
- lab_look_inside.png, lab_look_inside_ko.png   a clicked sample of the first run, looked inside
"""
from __future__ import annotations

import io
import os
import pathlib
import shutil
import sys
import tempfile
import threading
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from PIL import Image  # noqa: E402

from minigan.lab import LabSession  # noqa: E402
from minigan.lab.browser import chromium  # noqa: E402
from minigan.lab.server import serve  # noqa: E402

#: the README's collapse-prone recipe (minigan.experiments.toy_2d.COLLAPSE_PRONE: 16-D noise, k = 5, 2 x 128, batch 256)
COLLAPSE_PRONE = {"noise_dim": 16, "k": 5, "g_width": 128, "d_width": 128, "batch_size": 256}
RECT = "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];"


def train(session: LabSession, iterations: int, chunk: int = 25) -> None:
    for _ in range(iterations // chunk):
        session.step("both", chunk)


def crop_union(driver, selectors, margin: int = 6):
    """The box (left, top, right, bottom) holding every element of ``selectors``, with a margin."""
    boxes = [driver.execute_script(RECT, s) for s in selectors]
    return (max(0, min(b[0] for b in boxes) - margin), max(0, min(b[1] for b in boxes) - margin),
            max(b[2] for b in boxes) + margin, max(b[3] for b in boxes) + margin)


def save(driver, name: str, selectors) -> None:
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView();", selectors[0])
    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    part = image.crop(tuple(int(v) for v in crop_union(driver, selectors)))
    part = part.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    path = HERE / name
    part.save(path, optimize=True)
    print(f"{path.name}: {part.size[0]}x{part.size[1]}, {path.stat().st_size // 1024} KB", flush=True)


class Lab:
    """A session on a free port, served in a thread, shown in one browser."""

    def __init__(self, driver, config: dict):
        self.save_dir = tempfile.mkdtemp(prefix="lab-figures-")
        self.session = LabSession(config, save_dir=self.save_dir)
        self.server = serve(self.session, "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.driver = driver

    def show(self, lang: str = "en") -> None:
        self.driver.get(self.server.url + ("?lang=ko" if lang == "ko" else ""))
        time.sleep(2.0)

    def click_fake(self, index: int) -> None:
        """Click fake sample ``index`` where the page drew it (the page then looks inside it)."""
        self.driver.execute_script(
            "const c = document.getElementById('plot'), s = arguments[0], v = arguments[1];"
            "const f = LabDraw.frame(c, v), b = c.getBoundingClientRect();"
            "c.dispatchEvent(new MouseEvent('mousedown', {clientX: b.left + f.x(s[0]) * b.width / c.width,"
            " clientY: b.top + f.y(s[1]) * b.height / c.height, bubbles: true}));",
            self.session.state()["fake"][index], self.session.state()["view"])
        time.sleep(1.5)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.session.close()
        shutil.rmtree(self.save_dir, ignore_errors=True)


def main(wanted) -> None:
    driver = chromium(1300, 1750)
    page, plot = ["header", "main"], ["#view", "#side"]
    try:
        if "ring" in wanted:
            ring(driver, page)
        if "figure1" in wanted:
            lab = Lab(driver, {"dataset": "gaussian_1d", "noise_dim": 1})
            train(lab.session, 1500)
            lab.show()
            save(driver, "lab_figure1.png", ["#view"])
            lab.close()
        for name, changes, iterations in (("collapse", {}, 4000), ("packing", {"pack": 4}, 4000),
                                          ("minimax", {"loss": "minimax"}, 1000)):
            if name in wanted:
                tour(driver, plot, f"lab_{name}.png", changes, iterations)
    finally:
        driver.quit()


def ring(driver, page) -> None:
    """The default recipe's page in both languages, and a sample looked inside."""
    lab = Lab(driver, {})
    train(lab.session, 2000)
    for lang, suffix in (("en", ""), ("ko", "_ko")):
        lab.show(lang)
        save(driver, f"lab_ring{suffix}.png", page)
        lab.click_fake(7)
        save(driver, f"lab_look_inside{suffix}.png", ["#inside"])
    lab.close()


def tour(driver, plot, name: str, changes: dict, iterations: int) -> None:
    """The collapse-prone recipe with ``changes``, after ``iterations``: the plot and the numbers."""
    lab = Lab(driver, {**COLLAPSE_PRONE, **changes})
    train(lab.session, iterations)
    lab.show()
    save(driver, name, plot)
    state = lab.session.state()
    quality = state["quality"]
    print(f"  {name}: {quality['modes_captured']} modes, high quality {quality['high_quality']:.3f}, "
          f"reverse KL {quality['reverse_kl']}, health {[h['sign'] for h in state['health']]}")
    lab.close()


if __name__ == "__main__":
    main(sys.argv[1:] or ["ring", "figure1", "collapse", "packing", "minimax"])
