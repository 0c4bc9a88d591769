"""The words on the demos' figures, in English or Korean (``--lang en|ko``), and the font Korean needs.

Every title, axis label and legend entry a demo draws is a key of :data:`TEXT`; :func:`text` gives it in
the current language. ``set_language("ko")`` first finds a font that has Hangul glyphs (matplotlib's
default, DejaVu Sans, has none: Korean would come out as empty boxes) and adds it to matplotlib's font
family, or raises :class:`MissingFontError` saying what to install. The Korean words are those of
``docs/ko/glossary.md``.
"""
from __future__ import annotations

import importlib.util
import pathlib

from ..training.health import SHORT

LANGUAGES = ("en", "ko")

#: Install hints for a missing Hangul font: the optional extra, or a system font.
EXTRA = 'pip install -e ".[ko]"'
EXTRA_PACKAGE = "koreanize_matplotlib"     #: the extra's package: its fonts/ folder holds NanumGothic
SYSTEM_FONT = "fonts-nanum"

#: Parts of font names or file names (lower case, no spaces, '-' or '_') of fonts with Korean coverage.
HANGUL_FONT_HINTS = ("nanum", "notosanscjk", "notoserifcjk", "notosanskr", "notoserifkr", "sourcehansans",
                     "sourcehanserif", "malgun", "applegothic", "applesdgothic", "baekmuk", "undotum", "unbatang")

_HEALTH_KO = {"d_winning": "판별자의 완승", "vanishing_g_gradient": "생성자의 기울기 소실",
              "g_loss_rising": "생성자 손실의 상승", "exploding_gradients": "기울기 폭발",
              "oscillation": "진동", "non_finite": "유한하지 않은 값", "mode_collapse": "모드 붕괴"}

#: key -> {"en": ..., "ko": ...}; ``{name}`` fields are filled by :func:`text` (``str.format``).
#: No Korean string has ``$...$``: mathtext draws a whole such string, text included, in the first
#: font of the family list, which is the Latin one (see :func:`set_language`).
TEXT = {
    # shared
    "iteration": {"en": "iteration {iteration}", "ko": "반복 {iteration}"},
    # plots.figure1: the paper's Figure 1
    "figure1.data": {"en": "data $p_{data}$", "ko": "데이터 분포 (p_data)"},
    "figure1.generator": {"en": "generator $p_g$", "ko": "생성자의 분포 (p_g)"},
    "figure1.discriminator": {"en": "discriminator $D(x)$", "ko": "판별자 D(x)"},
    "figure1.title": {"en": "Figure 1 of Goodfellow et al. (2014), redrawn from this run",
                      "ko": "Goodfellow 등(2014)의 그림 1을 이번 학습으로 다시 그림"},
    # plots.training_curves
    "curves.d_loss": {"en": "D loss (BCE real + fake)/2", "ko": "판별자 손실 (진짜 BCE + 가짜 BCE)/2"},
    "curves.g_loss": {"en": "G loss", "ko": "생성자 손실"},
    "curves.log2": {"en": "log 2 (D loss at equilibrium)", "ko": "log 2 (균형에서의 판별자 손실)"},
    "curves.d_step": {"en": "discriminator step", "ko": "판별자 단계"},
    "curves.losses": {"en": "losses", "ko": "손실"},
    "curves.mean_d_real": {"en": "mean D(x)", "ko": "평균 D(x)"},
    "curves.mean_d_fake": {"en": "mean D(G(z))", "ko": "평균 D(G(z))"},
    "curves.verdicts": {"en": "the police's verdicts", "ko": "경찰의 판정"},
    "curves.value_estimate": {"en": "V(D, G) estimate", "ko": "V(D, G) 추정값"},
    "curves.optimum": {"en": "-log 4 (the game's optimum)", "ko": "-log 4 (게임의 최적값)"},
    "curves.value": {"en": "value of the game", "ko": "게임의 가치 함수"},
    # plots.shade_episodes: the signs of minigan.health
    **{f"health.{sign}": {"en": SHORT[sign], "ko": ko} for sign, ko in _HEALTH_KO.items()},
    # plots.optimal_discriminator
    "optimal.learned": {"en": "learned D(x)", "ko": "학습된 D(x)"},
    "optimal.half": {"en": "1/2 (where $p_g = p_{data}$)", "ko": "1/2 (p_g = p_data인 곳)"},
    "optimal.density": {"en": "density", "ko": "확률 밀도"},
    "optimal.title": {"en": "learned vs optimal discriminator (iteration {iteration})",
                      "ko": "학습된 판별자와 최적 판별자 (반복 {iteration})"},
    # plots: MNIST grids and loss curves
    "epoch": {"en": "epoch {epoch}", "ko": "에포크 {epoch}"},
    "epoch.conditional_grid": {"en": "epoch {epoch}: row = label, column = fixed z",
                               "ko": "에포크 {epoch}: 행 = 레이블, 열 = 고정한 z"},
    "epoch.grid": {"en": "epoch {epoch}: fixed z", "ko": "에포크 {epoch}: 고정한 z"},
    "generate.grid": {"en": "{model}: row = label, column = sample (seed {seed})",
                      "ko": "{model}: 행 = 레이블, 열 = 샘플 (시드 {seed})"},
    "image_curves.d_loss": {"en": "D loss (BCE real + fake) / 2", "ko": "판별자 손실 (진짜 BCE + 가짜 BCE) / 2"},
    "image_curves.g_loss": {"en": "G loss -log D(G(z))", "ko": "생성자 손실 -log D(G(z))"},
    "image_curves.d_real": {"en": "D(x), real", "ko": "D(x), 진짜"},
    "image_curves.d_fake": {"en": "D(G(z)), fake", "ko": "D(G(z)), 가짜"},
    "image_curves.iteration": {"en": "iteration (k D steps + 1 G step)",
                               "ko": "반복 (판별자 단계 k번 + 생성자 단계 1번)"},
    # demo_tools.translation_plots (demos/cyclegan_digits.py)
    "translation.grid": {"en": "epoch {epoch}: a -> G(a) -> F(G(a)) and b -> F(b) -> G(F(b)), test digits",
                         "ko": "에포크 {epoch}: a -> G(a) -> F(G(a))와 b -> F(b) -> G(F(b)), 테스트 데이터의 숫자"},
    "translation.d_loss": {"en": "D loss, least squares (mean of D_A, D_B)",
                           "ko": "판별자 손실, 최소 제곱 (D_A와 D_B의 평균)"},
    "translation.g_adv": {"en": "G, F adversarial loss", "ko": "G와 F의 적대 손실"},
    "translation.cycle": {"en": "cycle loss |F(G(a)) - a| + |G(F(b)) - b|",
                          "ko": "순환 일관성 손실 |F(G(a)) - a| + |G(F(b)) - b|"},
    "translation.identity": {"en": "identity loss |G(b) - b| + |F(a) - a|",
                             "ko": "항등 손실 |G(b) - b| + |F(a) - a|"},
    "translation.d_real": {"en": "D's verdict on real images", "ko": "진짜 이미지에 대한 판별자의 판정"},
    "translation.d_fake": {"en": "D's verdict on translations", "ko": "변환한 이미지에 대한 판별자의 판정"},
    "translation.iteration": {"en": "iteration (G and F step, then D_A and D_B step)",
                              "ko": "반복 (G와 F 단계, 이어서 D_A와 D_B 단계)"},
    # demos/ring_2d.py
    "ring.caption": {"en": "{above}/{modes} modes >=1%, {quality:.0f}% HQ",
                     "ko": "1% 이상인 모드 {above}/{modes}, 고품질 {quality:.0f}%"},
    "ring.target_ring": {"en": "ring of {modes} Gaussians", "ko": "{modes}개 가우시안의 고리"},
    "ring.target_grid": {"en": "grid of {modes} Gaussians", "ko": "{modes}개 가우시안의 격자"},
    "ring.name_ring": {"en": "ring", "ko": "고리"},
    "ring.name_grid": {"en": "grid", "ko": "격자"},
    "ring.snapshots_title": {"en": "{title}: generator samples (blue) and the true modes (red); "
                                   "HQ = within 3 std of a mode",
                             "ko": "{title}: 생성자의 샘플(파란색)과 실제 모드(빨간색); "
                                   "고품질 = 모드에서 표준 편차 3배 안"},
    "ring.table_panel": {"en": "{model}\n{captured}/{modes} modes, {quality:.1f}% HQ, rKL {reverse_kl:.2f}",
                         "ko": "{model}\n모드 {captured}/{modes}, 고품질 {quality:.1f}%, 역방향 KL {reverse_kl:.2f}"},
    "ring.table_title": {"en": "PacGAN's protocol on the {name}, first trial",
                         "ko": "{name} 위의 PacGAN 프로토콜, 첫 번째 시행"},
    "ring.table_suptitle": {"en": "{title}: samples (blue), modes (red); HQ = within 3 std",
                            "ko": "{title}: 샘플(파란색), 모드(빨간색); 고품질 = 표준 편차 3배 안"},
    "ring.compare_title": {"en": "the same collapse-prone recipe, one change per column (same seed); "
                                 "HQ = within 3 std of a mode",
                           "ko": "모드 붕괴가 잘 일어나는 같은 레시피, 열마다 한 가지만 바꿈 (같은 시드); "
                                 "고품질 = 모드에서 표준 편차 3배 안"},
    # the variants of toy_2d.VARIANTS (demos/ring_2d.py --compare)
    "variant.minimax": {"en": "minimax", "ko": "미니맥스 손실"},
    "variant.non-saturating": {"en": "non-saturating", "ko": "비포화 손실"},
    "variant.k=1": {"en": "k=1", "ko": "k=1"},
    "variant.two time-scale": {"en": "two time-scale", "ko": "2-시간 척도"},
    "variant.minibatch discr.": {"en": "minibatch discr.", "ko": "미니배치 판별"},
    # demos/paper_table1.py
    "parzen.gan": {"en": "GAN: {centres:,} samples as centres", "ko": "GAN: 샘플 {centres:,}개를 중심으로"},
    "parzen.real": {"en": "{centres:,} real training images as centres",
                    "ko": "학습 데이터의 진짜 이미지 {centres:,}개를 중심으로"},
    "parzen.epoch": {"en": "epoch", "ko": "에포크"},
    "parzen.ylabel": {"en": "mean log-likelihood (nats)", "ko": "평균 로그 가능도 (내트)"},
    "parzen.title": {"en": "Parzen estimate during training ({images} validation images; not Table 1's protocol)",
                     "ko": "학습 중의 파젠 창 추정 (검증 데이터 이미지 {images}개; 표 1의 프로토콜이 아님)"},
    "figure2.title": {"en": "samples; framed: nearest training image to its neighbour",
                      "ko": "샘플; 테두리: 옆 샘플에 가장 가까운 학습 데이터 이미지"},
    # demos/latent_space.py
    "latent.interpolations": {"en": "interpolations (rows: lerp, slerp; label = pair)",
                              "ko": "보간 (행: lerp, slerp; 레이블 = 쌍 번호)"},
    "latent.norms": {"en": "|z(t)|: lerp (blue), slerp (orange);\n dashed: sqrt({dim})",
                     "ko": "|z(t)|: lerp (파란색), slerp (주황색);\n 점선: sqrt({dim})"},
    "latent.labels": {"en": "one z per row, label 0-9 per column", "ko": "행마다 잠재 벡터 z 하나, 열마다 레이블 0-9"},
    "latent.arithmetic": {"en": "z + s * (thick - thin), |thick - thin| = {norm:.2f}",
                          "ko": "z + s * (굵은 획 - 가는 획), |굵은 획 - 가는 획| = {norm:.2f}"},
    "latent.strength": {"en": "s={strength:+g}\nink {ink:.2f}", "ko": "s={strength:+g}\n잉크 {ink:.2f}"},
}

_language = "en"
_english_rc = None        # rcParams as they were before Korean was switched on


class MissingFontError(RuntimeError):
    """``--lang ko`` where no font with Hangul glyphs can be found."""


def language() -> str:
    """The current language of the figures: "en" or "ko"."""
    return _language


def text(key: str, **fields) -> str:
    """The figure string ``key`` in the current language, its ``{name}`` fields filled from ``fields``."""
    if key not in TEXT:
        raise KeyError(f"figure_text: no string {key!r}; add it to figure_text.TEXT in both languages")
    template = TEXT[key][_language]
    return template.format(**fields) if fields else template


def set_language(lang: str) -> None:
    """Label figures in ``lang`` from now on; "en" puts matplotlib's font back.

    "ko" appends a Hangul font to matplotlib's font family: Latin letters, digits and signs keep the
    usual sans-serif font and each Hangul glyph falls back to the Hangul one. That order matters:
    mathtext (the ``$...$`` labels and the log-scale ticks such as $-10^1$) draws with the first font
    only, and Hangul fonts such as NanumGothic lack mathtext's minus sign U+2212."""
    global _language, _english_rc
    if lang not in LANGUAGES:
        raise ValueError(f"set_language: lang must be one of {LANGUAGES}; got {lang!r}")
    import matplotlib
    if lang == "ko":
        family = hangul_font_family()
        if _english_rc is None:
            _english_rc = {"font.family": matplotlib.rcParams["font.family"]}
        matplotlib.rcParams["font.family"] = [*_english_rc["font.family"], family]
    elif _english_rc is not None:
        matplotlib.rcParams.update(_english_rc)
        _english_rc = None
    _language = lang


# -- finding a font with Hangul ---------------------------------------------------------------------
def has_hangul(path) -> bool:
    """Whether the font file at ``path`` has a glyph for 가 (U+AC00, the first Hangul syllable)."""
    from matplotlib.ft2font import FT2Font
    try:
        return FT2Font(str(path)).get_char_index(ord("가")) != 0
    except (OSError, RuntimeError, ValueError):        # unreadable or not a font FreeType knows
        return False


def _looks_korean(name: str) -> bool:
    squashed = name.lower().replace(" ", "").replace("-", "").replace("_", "")
    return any(hint in squashed for hint in HANGUL_FONT_HINTS)


def bundled_fonts() -> list:
    """The .ttf files of the optional extra (``koreanize-matplotlib``), regular weight first. Found
    with importlib, not imported: importing that package changes matplotlib's settings by itself
    (and needs ``distutils``, which Python 3.12 no longer has)."""
    spec = importlib.util.find_spec(EXTRA_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    found = [p for folder in folders for p in pathlib.Path(folder, "fonts").glob("*.ttf")]
    return sorted(found, key=lambda p: (len(p.stem), p.stem))


def candidate_fonts() -> list:
    """Font files that may cover Hangul, in the order tried: the extra's, the ones matplotlib knows
    by a Korean-looking name or file name, then any other such file installed on the system."""
    from matplotlib import font_manager
    known = [entry.fname for entry in font_manager.fontManager.ttflist
             if _looks_korean(entry.name) or _looks_korean(pathlib.Path(entry.fname).name)]
    system = [f for f in font_manager.findSystemFonts() if _looks_korean(pathlib.Path(f).name)]
    paths = [str(p) for p in bundled_fonts()] + known + system
    return list(dict.fromkeys(paths))


def find_hangul_font():
    """The first of :func:`candidate_fonts` that really has Hangul glyphs, or None."""
    return next((path for path in candidate_fonts() if has_hangul(path)), None)


def missing_font_message() -> str:
    return ("--lang ko: no font with Hangul glyphs was found, so the Korean labels would be drawn as empty "
            f"boxes. Install one: {EXTRA} (the optional extra: koreanize-matplotlib, which bundles "
            f"NanumGothic), or a system font such as Debian's {SYSTEM_FONT} (apt-get install {SYSTEM_FONT}).")


def hangul_font_family() -> str:
    """Register a Hangul font with matplotlib (with its sibling weights, for the extra) and return
    its family name; :class:`MissingFontError` if there is none."""
    from matplotlib import font_manager
    path = find_hangul_font()
    if path is None:
        raise MissingFontError(missing_font_message())
    bundled = [str(p) for p in bundled_fonts()]
    registered = {entry.fname for entry in font_manager.fontManager.ttflist}
    for font in (bundled if path in bundled else [path]):
        if font not in registered:
            font_manager.fontManager.addfont(font)
    return next(e.name for e in font_manager.fontManager.ttflist if e.fname == path)
