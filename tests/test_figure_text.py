"""--lang ko: every figure string exists in both languages, the Korean ones speak the glossary's words,
and Korean figures either draw every Hangul glyph or stop before training, saying what to install."""
from __future__ import annotations

import importlib.util
import logging
import pathlib
import re
import string
import sys
import warnings

import numpy as np
import pytest

from minigan.demo_tools import figure_text, plots
from minigan.experiments import toy_2d
from minigan.demo_tools.cli import run_main
from minigan.data import toy
from minigan.demo_tools.figure_text import TEXT, MissingFontError, set_language, text
from minigan.training.health import SHORT
from test_docs import discouraged_pattern, discouraged_variants, glossary_rows

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "demos"))
import gaussian_1d  # noqa: E402
import paper_table1  # noqa: E402
import ring_2d  # noqa: E402

HANGUL = re.compile("[가-힣]")
EXTRA_INSTALLED = importlib.util.find_spec(figure_text.EXTRA_PACKAGE) is not None
needs_the_extra = pytest.mark.skipif(not EXTRA_INSTALLED,
                                     reason='koreanize-matplotlib not installed: pip install -e ".[ko]"')

#: figure string -> the glossary row (its English cell) whose Korean term the string must use.
GLOSSARY_TERMS = {
    "figure1.data": "distribution / data distribution", "figure1.generator": "generator",
    "figure1.discriminator": "discriminator", "curves.value": "value function",
    "curves.d_step": "step (gradient step)", "curves.verdicts": "counterfeiter / police",
    "curves.log2": "equilibrium / Nash equilibrium", "iteration": "iteration", "epoch": "epoch",
    "epoch.conditional_grid": "label", "image_curves.d_real": "real / fake",
    "variant.non-saturating": "non-saturating loss", "variant.minimax": "minimax loss",
    "variant.minibatch discr.": "minibatch discrimination", "health.mode_collapse": "mode collapse",
    "health.vanishing_g_gradient": "vanishing gradient", "ring.snapshots_title": "standard deviation",
    "ring.table_panel": "reverse KL", "optimal.density": "probability density",
    "optimal.title": "optimal discriminator", "parzen.ylabel": "log-likelihood", "parzen.title": "Parzen window",
    "latent.labels": "latent vector", "latent.interpolations": "interpolation (lerp, slerp)",
}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    set_language("en")


def korean_terms(english: str) -> list:
    """The glossary's Korean term(s) for ``english``: "진짜 / 가짜" -> both; "단계 (기울기 단계)" -> "단계"."""
    korean = {e: k for e, k, _, _ in glossary_rows()}[english]
    return [re.sub(r"\s*\(.*\)$", "", option).strip() for option in korean.split(" / ")]


def fields(template: str) -> set:
    """The ``{name}`` fields of a template, outside its mathtext ($p_{data}$ is never formatted)."""
    return {name for _, name, _, _ in string.Formatter().parse(re.sub(r"\$[^$]*\$", "", template)) if name}


def hide_hangul_fonts(monkeypatch):
    monkeypatch.setattr(figure_text, "candidate_fonts", lambda: [])


# -- the table -----------------------------------------------------------------------------------------
def test_every_string_has_english_and_korean():
    for key, entry in TEXT.items():
        assert set(entry) == {"en", "ko"} and all(entry.values()), key


def test_both_languages_take_the_same_fields():
    for key, entry in TEXT.items():
        assert fields(entry["en"]) == fields(entry["ko"]), key


def test_every_health_sign_and_compare_variant_has_a_label():
    assert {f"health.{sign}" for sign in SHORT} <= set(TEXT)
    assert {f"variant.{name}" for name in toy_2d.VARIANTS} <= set(TEXT)


def test_english_labels_of_health_signs_are_those_of_health():
    assert all(TEXT[f"health.{sign}"]["en"] == label for sign, label in SHORT.items())


def test_korean_strings_use_no_discouraged_variant():
    found = [(key, variant) for key, entry in TEXT.items() for variant in discouraged_variants()
             if discouraged_pattern(variant).search(entry["ko"])]
    assert not found, f"discouraged terms (see docs/ko/glossary.md): {found}"


@pytest.mark.parametrize("key", sorted(GLOSSARY_TERMS))
def test_korean_string_uses_the_glossary_term(key):
    terms = korean_terms(GLOSSARY_TERMS[key])
    assert any(term in TEXT[key]["ko"] for term in terms), f"{key}: {TEXT[key]['ko']!r} lacks {terms}"


def test_no_korean_string_is_mathtext():
    """Mathtext draws a whole $...$ string in the first (Latin) font, where Hangul has no glyphs."""
    assert not [key for key, entry in TEXT.items() if "$" in entry["ko"] and HANGUL.search(entry["ko"])]


def test_text_fills_fields_in_the_current_language(monkeypatch):
    assert text("iteration", iteration=7) == "iteration 7"
    monkeypatch.setattr(figure_text, "_language", "ko")
    assert text("iteration", iteration=7) == "반복 7"


def test_an_unknown_key_or_language_is_an_error_naming_it():
    with pytest.raises(KeyError, match="no string 'nonsense'"):
        text("nonsense")
    with pytest.raises(ValueError, match=r"lang must be one of \('en', 'ko'\); got 'fr'"):
        set_language("fr")


# -- the font ------------------------------------------------------------------------------------------
def test_without_a_hangul_font_korean_is_an_error_naming_what_to_install(monkeypatch):
    hide_hangul_fonts(monkeypatch)
    with pytest.raises(MissingFontError) as error:
        set_language("ko")
    assert 'pip install -e ".[ko]"' in str(error.value) and "fonts-nanum" in str(error.value)
    assert figure_text.language() == "en"


def test_korean_demo_without_a_font_stops_before_training_with_one_message(monkeypatch, tmp_path, capsys):
    hide_hangul_fonts(monkeypatch)
    monkeypatch.setattr(gaussian_1d.toy_1d, "start_1d", lambda *a, **k: pytest.fail("training started"))
    with pytest.raises(SystemExit) as exit_:
        run_main(gaussian_1d.main, ["--lang", "ko", "--out", str(tmp_path), "--quiet"])
    message = capsys.readouterr().err
    assert exit_.value.code == 1 and 'pip install -e ".[ko]"' in message and "Traceback" not in message


def test_the_glyph_check_tells_dejavu_from_a_hangul_font():
    from matplotlib import font_manager
    assert not figure_text.has_hangul(font_manager.findfont("DejaVu Sans"))
    if EXTRA_INSTALLED:
        assert figure_text.has_hangul(figure_text.bundled_fonts()[0])


@needs_the_extra
def test_korean_then_english_puts_the_font_back():
    import matplotlib
    before = list(matplotlib.rcParams["font.family"])
    set_language("ko")
    assert matplotlib.rcParams["font.family"] == [*before, "NanumGothic"]
    set_language("en")
    assert matplotlib.rcParams["font.family"] == before


# -- drawing: no glyph missing -------------------------------------------------------------------------
def missing_glyphs(draw, caplog) -> list:
    """What matplotlib said was missing while ``draw()`` ran: warnings (text) and log records (mathtext)."""
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("always")
        draw()
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    return [s for s in said if "missing from font" in s or "does not have a glyph" in s]


def test_the_check_sees_hangul_missing_from_the_default_font(tmp_path, caplog):
    plt = plots._plt()

    def draw():
        fig, ax = plt.subplots()
        ax.set_title("판별자")
        fig.savefig(tmp_path / "boxes.png")
        plt.close(fig)
    assert missing_glyphs(draw, caplog)


def _ring_snapshots(tmp_path):
    target, rng = toy.ring(), np.random.default_rng(0)
    samples = target.centers[rng.integers(8, size=500)] + target.std * rng.normal(size=(500, 2))
    ring_2d.snapshot_figure([{"iteration": 0, "samples": samples}, {"iteration": 10, "samples": samples}], target, tmp_path / "ring.png",
                            title=text("ring.target_ring", modes=8))


def _parzen_curve(tmp_path):
    record = {"real_centres": {"mean": 200.0}, "epochs": [{"epoch": e, "mean": 100.0 + e, "stderr": 3.0}
                                                         for e in (1, 2)]}
    paper_table1.draw_parzen_over_training(record, tmp_path / "parzen.png")


def _image_figures(tmp_path):
    rng = np.random.default_rng(0)
    history = {k: list(rng.uniform(0.1, 0.9, 120)) for k in ("d_loss", "g_loss", "d_real", "d_fake")}
    episodes = [{"sign": "mode_collapse", "first": 10, "last": 40}, {"sign": "d_winning", "first": 50, "last": 60}]
    plots.image_loss_curves(tmp_path / "loss.png", history, episodes=episodes)
    plots.save_image_grid(tmp_path / "grid.png", rng.uniform(size=(9, 784)), 3, 3, text("epoch.grid", epoch=1))


def _negative_log_ticks(tmp_path):
    """Tick labels such as -10^1 are mathtext, whose minus sign U+2212 NanumGothic lacks."""
    plt = plots._plt()
    fig, ax = plt.subplots()
    ax.plot([-100, 100], [0, 1])
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlabel(text("curves.d_step"))
    fig.savefig(tmp_path / "ticks.png")
    plt.close(fig)


def _training_curves(tmp_path):
    rng = np.random.default_rng(0)
    history = {k: list(rng.uniform(0.1, 0.9, 1500)) for k in ("d_loss", "d_real", "d_fake", "value")}
    history["g_loss"] = list(rng.uniform(0.1, 0.9, 300))
    plots.training_curves(history, tmp_path / "curves.png", k=5,
                          episodes=[{"sign": "oscillation", "first": 5, "last": 90}])


def _gaussian_demo(tmp_path):
    gaussian_1d.main(["--lang", "ko", "--steps", "30", "--quiet", "--out", str(tmp_path)])


@needs_the_extra
@pytest.mark.parametrize("draw", [_gaussian_demo, _training_curves, _negative_log_ticks, _ring_snapshots,
                                  _parzen_curve, _image_figures],
                         ids=lambda f: f.__name__.strip("_"))
def test_korean_figures_have_every_glyph(draw, tmp_path, caplog):
    set_language("ko")
    assert missing_glyphs(lambda: draw(tmp_path), caplog) == []
    assert list(tmp_path.glob("*.png"))
