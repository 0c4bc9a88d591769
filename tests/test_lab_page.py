"""minigan lab's page, read as files: both languages say everything, the Korean uses the glossary's
terms, the page loads nothing from outside, and the package ships its static files."""
from __future__ import annotations

import json
import pathlib
import re

from minigan.training.health import MESSAGES
from test_docs import discouraged_pattern, discouraged_variants

ROOT = pathlib.Path(__file__).resolve().parents[1]
STATIC = ROOT / "minigan" / "lab" / "static"


def texts() -> dict:
    """{"en": {word: text}, "ko": {word: text}} from static/i18n.js's pairs word: ["English", "한국어"]
    (its object literal turned into JSON: quoted keys, joined strings); English null is left out."""
    source = (STATIC / "i18n.js").read_text(encoding="utf-8")
    body = source[source.index("window.LAB_TEXT = ") + len("window.LAB_TEXT = "):source.rindex(";")]
    body = re.sub(r"^\s*//.*$", "", body, flags=re.M)                  # comments
    body = re.sub(r'"\s*\+\s*\n\s*"', "", body)                        # "a " + "b" -> "a b"
    body = re.sub(r"^(\s*)(\w+):", r'\1"\2":', body, flags=re.M)       # keys at a line's start
    body = re.sub(r",(\s*[}\]])", r"\1", body)                          # trailing commas
    pairs = json.loads(body)
    return {"en": {k: en for k, (en, _) in pairs.items() if en is not None}, "ko": {k: ko for k, (_, ko) in pairs.items()}}


def test_both_languages_have_the_same_words():
    words = texts()
    en, ko = set(words["en"]), {k for k in words["ko"] if not k.startswith("sign_")}
    assert en == ko, f"only in English: {sorted(en - ko)}; only in Korean: {sorted(ko - en)}"
    assert all(words["en"][k].strip() and words["ko"][k].strip() for k in en)


def test_every_health_sign_has_its_korean_words():
    words = texts()["ko"]
    assert {f"sign_{sign}" for sign in MESSAGES} == {k for k in words if k.startswith("sign_")}


def test_every_word_the_page_and_its_script_ask_for_exists():
    words = texts()["en"]
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    script = (STATIC / "lab.js").read_text(encoding="utf-8")
    asked = set(re.findall(r'data-i18n(?:-title)?="(\w+)"', html))
    for spec in re.findall(r'data-options="([^"]*)"', html):          # "value=word" items
        asked |= {item.split("=")[1] for item in spec.split() if "=" in item}
    asked |= set(re.findall(r'\bT\("(\w+)"\)', script)) | set(re.findall(r'\bfill\("(\w+)"', script))
    assert asked and asked <= set(words), sorted(asked - set(words))


def test_the_korean_words_use_the_glossarys_terms():
    korean = " ".join(texts()["ko"].values())
    found = [v for v in discouraged_variants() if discouraged_pattern(v).search(korean)]
    assert not found, f"discouraged terms (docs/ko/glossary.md): {found}"
    for term in ("판별자", "생성자", "학습률", "비포화 손실", "미니맥스 손실", "모드 붕괴", "기울기", "역전파", "다양체"):
        assert term in korean
    # the polite register: sentences end in -ㅂ니다 or -세요
    sentences = [s for s in re.split(r"(?<=[.])\s+", korean) if s.endswith(".") and re.search(r"[가-힣]\.$", s)]
    assert sentences and all(re.search(r"(니다|세요)\.$", s) for s in sentences), sentences


def test_the_page_loads_nothing_from_outside():
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path.name
        assert "cdn" not in text.lower(), path.name


def test_the_static_files_ship_with_the_package():
    """pyproject's package data names static/*, and static/ has only files (the glob takes no folder)."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'\[tool\.setuptools\.package-data\]\s*\n"minigan\.lab"\s*=\s*\["static/\*"\]', pyproject)
    assert all(path.is_file() for path in STATIC.iterdir())
    assert {"index.html", "lab.js", "draw.js", "i18n.js", "lab.css"} <= {p.name for p in STATIC.iterdir()}
