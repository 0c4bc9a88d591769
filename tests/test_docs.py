"""The docs keep their promises: every page exists in Korean, every link resolves, every example runs,
and the Korean pages use only the glossary's terms.

Conventions these tests read (the same ones the English pages already use):

- A link to code names what it links to in backticks: [`GAN.discriminator_step`](../minigan/gan.py),
  several names separated by commas: [`ReLU.backward`, `LeakyReLU.backward`](...). Call syntax and a
  leading module path are allowed (`SGD(momentum=...)`, `toy.batches`, `nn.module.is_rowwise`).
  A fragment on a code link names the same way: [text](../minigan/gan.py#GAN.discriminator_step).
  A fragment on a page link is a heading's GitHub anchor: [§6](appendix_fast_numpy.md#6-float32-throughout).
- A ```python block runs, in order with the page's other blocks, from the repository root, unless the
  line just before its fence is `<!-- excerpt -->`: then it is a fragment, skipped with that reason.
- The glossary (docs/ko/glossary.md) is a set of tables whose "discouraged" column lists, comma-separated,
  the variants that the Korean docs do not use (a variant is found as a word: not as the tail of a longer
  Hangul word). A variant may appear in one form only, the bridge to the word learners meet elsewhere:
  "흔히 X라고도 합니다" (or "흔히 X이라고도", with the endings of BRIDGE_ENDINGS), after the row's own term in
  the same paragraph, once per page. Its last table, "다른 자료에서 만나는 말", says where learners meet the
  variants; each of them is a discouraged variant of the term it names.
"""
from __future__ import annotations

import ast
import functools
import os
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import mnist_env_for

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
KO = DOCS / "ko"
GLOSSARY = KO / "glossary.md"
EXCERPT_MARKER = "<!-- excerpt -->"
BLOCK_TIMEOUT_S = 180


def english_pages():
    return sorted(DOCS.glob("*.md"))


def korean_pages():
    return sorted(KO.glob("*.md"))


def korean_top_level():
    return [p for p in [ROOT / "README.ko.md"] if p.exists()]


def all_pages():
    return [ROOT / "README.md", *korean_top_level(), *english_pages(), *korean_pages()]


def ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


# -- markdown parsing -----------------------------------------------------------------------------

FENCE = re.compile(r"^(```+)[ \t]*([\w+-]*)[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)
LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(([^()\s]+)\)")


def fenced_blocks(text: str):
    """(language, code, is_excerpt) for every fenced block, in order."""
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        blocks.append((match.group(2).lower(), match.group(3), before == EXCERPT_MARKER))
    return blocks


def without_code(text: str) -> str:
    """The page with its fenced blocks blanked, line numbers kept (a link inside a block is not a link)."""
    return FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def links(text: str):
    """(link text, target) of every markdown link outside fenced code."""
    return [(m.group(1), m.group(2)) for m in LINK.finditer(without_code(text))]


def relative_links(page: pathlib.Path):
    return [(label, target) for label, target in links(page.read_text(encoding="utf-8"))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]   # http:, https:, mailto: ...


def github_anchor(heading: str) -> str:
    """GitHub's anchor for a heading: rendered text, lower-cased, punctuation dropped, spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)      # a link renders as its text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)                            # \w keeps Hangul and digits
    return text.replace(" ", "-")


@functools.lru_cache(maxsize=None)
def anchors(page: pathlib.Path) -> frozenset:
    seen, result = {}, set()
    for line in without_code(page.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            anchor = github_anchor(match.group(1))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            result.add(anchor if count == 0 else f"{anchor}-{count}")
    return frozenset(result)


# -- python names ---------------------------------------------------------------------------------

NAME = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(\(.*\))?$")


def named_in_label(label: str):
    """Dotted names in backticks in a link text; file names, commands and flags are not names."""
    names = []
    for span in re.findall(r"`([^`]+)`", label):
        match = NAME.match(span.strip())
        if match and not re.search(r"\.(py|md|png|npz|json|csv|npy)$", match.group(1)):
            names.append(match.group(1))
    return names


def _members(node) -> dict:
    """Names defined directly in a module or class body (methods, classes, assignments),
    plus, for a class, attributes its methods assign on `self`."""
    members = {}
    for child in node.body:
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            members[child.name] = child
        elif isinstance(child, (ast.Assign, ast.AnnAssign)):
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        members[name.id] = child
    if isinstance(node, ast.ClassDef):
        for method in ast.walk(node):
            if isinstance(method, ast.Attribute) and isinstance(method.value, ast.Name) \
                    and method.value.id == "self" and isinstance(method.ctx, ast.Store):
                members.setdefault(method.attr, method)
    return members


@functools.lru_cache(maxsize=None)
def parsed(path: pathlib.Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def defines(path: pathlib.Path, dotted: str) -> bool:
    """Whether `dotted` (e.g. `GAN.discriminator_step`, `toy.batches`) is defined in the file `path`.
    Leading parts that spell the file's own package path (`nn.module.`) are dropped first; a single
    name may also be a method or attribute of any class in the file (`requires_grad_`)."""
    parts = dotted.split(".")
    package_path = set(path.relative_to(ROOT).with_suffix("").parts)
    while len(parts) > 1 and parts[0] in package_path:
        parts = parts[1:]
    tree = parsed(path)
    scope = tree
    for i, part in enumerate(parts):
        members = _members(scope)
        if part not in members:
            if i == 0 and len(parts) == 1:
                return any(part in _members(c) for c in ast.walk(tree) if isinstance(c, ast.ClassDef))
            return False
        scope = members[part]
        if i < len(parts) - 1 and not isinstance(scope, ast.ClassDef):
            return False
    return True


# -- the glossary ---------------------------------------------------------------------------------

def table_cells(line: str):
    """A markdown table row's cells; an escaped pipe (\\| in $\\text{KL}(p \\| q)$) stays inside its cell."""
    return re.split(r"(?<!\\)\|", line.strip().strip("|"))


def glossary_tables():
    """(header, [row as {header cell: cell}]) for every table of the glossary, in order."""
    tables, header = [], None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in table_cells(line)]
        if header is None:
            header = cells
            tables.append((header, []))
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        tables[-1][1].append(dict(zip(header, cells)))
    return tables


def is_variant_column(name: str) -> bool:
    """The columns that list variants: "쓰지 않는 표현 (discouraged)", "다른 자료의 말 (variant)"."""
    return "discouraged" in name or "(variant)" in name


def glossary_rows():
    """(english, korean, [discouraged...], meaning) for every row of every glossary table of terms
    (the tables with a discouraged column)."""
    rows = []
    for header, table in glossary_tables():
        discouraged_key = next((k for k in header if "discouraged" in k), None)
        if discouraged_key is None:
            continue
        korean_key = next(k for k in header if "한국어" in k)
        for row in table:
            variants = [v.strip() for v in row[discouraged_key].split(",") if v.strip() not in ("", "—", "-")]
            rows.append((row["English"], row[korean_key], variants, row[header[-1]]))
    return rows


def other_words_rows():
    """(variant, where learners meet it, the docs' term) for every row of the table of other words."""
    rows = []
    for header, table in glossary_tables():
        variant_key = next((k for k in header if "(variant)" in k), None)
        if variant_key is not None:
            rows += [(row[variant_key], row[header[1]], row[header[2]]) for row in table]
    return rows


def discouraged_variants():
    return sorted({v for _, _, variants, _ in glossary_rows() for v in variants})


def discouraged_pattern(variant: str):
    """A variant as a word: not the tail of a longer Hangul word (레이어 is discouraged, 플레이어 is not);
    particles may follow it (레이어를)."""
    return re.compile(r"(?<![가-힣])" + re.escape(variant))


def glossary_without_its_discouraged_column() -> str:
    """The glossary's text with the cells that list variants blanked (``is_variant_column``): what the
    rule for the Korean pages checks on the glossary itself."""
    kept, header = [], None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None
        elif header is None:
            header = [c.strip() for c in table_cells(line)]
        else:
            cells = table_cells(line)
            cells = [" " if i < len(header) and is_variant_column(header[i]) else cell for i, cell in enumerate(cells)]
            line = "|" + "|".join(cells) + "|"
        kept.append(line)
    return "\n".join(kept)


#: What may follow "흔히 X라고도" in the bridge: the verb 하다 or 부르다 (불리다), in the polite register or
#: joining the next clause.
BRIDGE_ENDINGS = ("합니다", "하는데", "하며", "하고", "하지만", "부릅니다", "부르는데", "부르며", "부르지만", "불립니다")


def bridge_pattern(variant: str):
    """The one form a discouraged variant may take: "흔히 X라고도 합니다", "흔히 X이라고도 ..." after a final
    consonant, X in quotes ('X') or followed by its English in parentheses (X(discriminator))."""
    return re.compile("흔히 " + r"['‘\"“]?" + re.escape(variant) + r"['’\"”]?" + r"(?:\([^()\n]*\))?"
                      + "이?라고도 (?:" + "|".join(BRIDGE_ENDINGS) + ")")


@functools.lru_cache(maxsize=None)
def terms_for(variant: str) -> frozenset:
    """The docs' own words for what ``variant`` names: the Korean term of every row that discourages it,
    split at " / " and without parenthesised notes ("위조지폐범 / 경찰" -> 위조지폐범, 경찰)."""
    terms = set()
    for _, korean, variants, _ in glossary_rows():
        if variant in variants:
            terms.update(part for part in (re.sub(r"\([^)]*\)", "", p).strip() for p in korean.split("/")) if part)
    return frozenset(terms)


def line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def discouraged_uses(text: str):
    """Every use of a discouraged variant that the rule does not allow, as a message naming the variant and
    its line: a use outside the bridge form, a second bridge of the same variant on the page, or a bridge
    whose paragraph has not named the docs' own term before it."""
    problems, bridges = [], []
    for variant in discouraged_variants():
        for count, match in enumerate(bridge_pattern(variant).finditer(text)):
            where = f"{variant!r} (line {line_of(text, match.start())})"
            if count:
                problems.append(f"{where}: bridged a second time; the bridge is said once per page")
            paragraph = text[text.rfind("\n\n", 0, match.start()) + 1:match.start()]
            terms = terms_for(variant)
            if terms and not any(term in paragraph for term in terms):
                problems.append(f"{where}: the bridge must follow the docs' term ({' / '.join(sorted(terms))}) "
                                "in the same paragraph")
            bridges.append(match.span())
    masked = list(text)
    for start, end in bridges:
        masked[start:end] = [" "] * (end - start)
    masked = "".join(masked)
    for variant in discouraged_variants():
        problems += [f"{variant!r} (line {line_of(masked, match.start())}): not the docs' term; "
                     f"only '흔히 {variant}(이)라고도 합니다' may name it"
                     for match in discouraged_pattern(variant).finditer(masked)]
    return problems


# -- every page has a Korean counterpart ----------------------------------------------------------

@pytest.mark.parametrize("page", english_pages(), ids=ids(english_pages()))
def test_every_english_page_has_a_korean_translation(page):
    assert (KO / page.name).exists(), f"{page.relative_to(ROOT)} has no Korean page docs/ko/{page.name}"


@pytest.mark.parametrize("page", [p for p in korean_pages() if p != GLOSSARY],
                         ids=ids([p for p in korean_pages() if p != GLOSSARY]))
def test_every_korean_page_translates_an_english_one(page):
    assert (DOCS / page.name).exists(), f"{page.relative_to(ROOT)} has no English original docs/{page.name}"


def code_example_languages(page):
    return [language for language, _, _ in fenced_blocks(page.read_text(encoding="utf-8"))]


def code_link_targets(page):
    return sorted({(page.parent / target.split("#")[0]).resolve()
                   for _, target in relative_links(page) if target.split("#")[0].endswith(".py")})


TRANSLATED = [p for p in korean_pages() if (DOCS / p.name).exists()]


@pytest.mark.parametrize("page", TRANSLATED, ids=ids(TRANSLATED))
def test_korean_page_has_the_english_pages_code_blocks(page):
    """Same worked examples: a page that gains a block in English must gain it in Korean too."""
    assert code_example_languages(page) == code_example_languages(DOCS / page.name)


@pytest.mark.parametrize("page", TRANSLATED, ids=ids(TRANSLATED))
def test_korean_page_links_the_same_code_as_the_english_page(page):
    english, korean = code_link_targets(DOCS / page.name), code_link_targets(page)
    assert korean == english, (f"only in English: {sorted(set(english) - set(korean))}; "
                               f"only in Korean: {sorted(set(korean) - set(english))}")


# -- links ----------------------------------------------------------------------------------------

def broken_links(page) -> list:
    """The relative links of ``page`` whose file, or whose heading (``#fragment``), does not exist."""
    broken = []
    for label, target in relative_links(page):
        path_part, _, fragment = target.partition("#")
        path = (page.parent / path_part).resolve() if path_part else page
        if not path.exists():
            broken.append(f"[{label}]({target}): no file {path_part}")
        elif fragment and path.suffix == ".md" and fragment not in anchors(path):
            broken.append(f"[{label}]({target}): no heading #{fragment} in {path.name}")
    return broken


@pytest.mark.parametrize("page", all_pages(), ids=ids(all_pages()))
def test_relative_links_resolve_to_existing_files(page):
    broken = broken_links(page)
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("page", all_pages(), ids=ids(all_pages()))
def test_code_links_name_functions_defined_in_the_linked_file(page):
    wrong = []
    for label, target in relative_links(page):
        path_part, _, fragment = target.partition("#")
        path = (page.parent / path_part).resolve()
        if path.suffix != ".py" or not path.is_file():
            continue
        names = named_in_label(label) + ([fragment] if fragment else [])
        wrong += [f"[{label}]({target}): {name} is not defined in {path_part}"
                  for name in names if not defines(path, name)]
    assert not wrong, "\n".join(wrong)


def test_name_check_resolves_methods_module_paths_and_rejects_unknown_names():
    gan, module = ROOT / "minigan" / "gan" / "algorithm1.py", ROOT / "minigan" / "nn" / "module.py"
    assert defines(gan, "GAN.discriminator_step") and defines(ROOT / "minigan" / "gan" / "history.py", "History.history")
    assert defines(module, "nn.module.is_rowwise") and defines(module, "requires_grad_")
    assert not defines(gan, "GAN.discriminator_steps") and not defines(gan, "backward_to")  # imported only
    assert named_in_label("`SGD(momentum=...)`, `Adam`") == ["SGD", "Adam"]
    assert named_in_label("`python demos/ring_2d.py`") == [] and named_in_label("`toy.py`") == []


def test_github_anchors_follow_the_headings():
    assert github_anchor("3. float32 throughout") == "3-float32-throughout"
    assert github_anchor("5. GPU notes (untested here)") == "5-gpu-notes-untested-here"
    assert github_anchor("1. 위조지폐범과 경찰") == "1-위조지폐범과-경찰"


# -- examples run ---------------------------------------------------------------------------------

def python_blocks(page):
    return [(code, excerpt) for language, code, excerpt in fenced_blocks(page.read_text(encoding="utf-8"))
            if language == "python"]


def is_english_chapter(page) -> bool:
    """An English course chapter: tests/test_notebooks.py runs its code as the chapter's notebook."""
    return page.parent == DOCS and re.match(r"^(\d\d_|appendix)", page.name) is not None


PAGES_WITH_EXAMPLES = [p for p in [*english_pages(), *korean_pages()]
                       if any(not excerpt for _, excerpt in python_blocks(p)) and not is_english_chapter(p)]
EXCERPTS = [(p, i) for p in [*english_pages(), *korean_pages()]
            for i, (_, excerpt) in enumerate(python_blocks(p)) if excerpt]

RUNNER = """
import sys
blocks = {blocks!r}
namespace = {{"__name__": "__main__"}}
for number, code in blocks:
    print(f"--- python block {{number}} ---", flush=True)
    exec(compile(code, f"{page} (python block {{number}})", "exec"), namespace)
"""


@pytest.mark.slow
@pytest.mark.docs_examples
@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES, ids=ids(PAGES_WITH_EXAMPLES))
def test_python_examples_run(page):
    """The page's runnable blocks, in order, in one fresh namespace, from the repository root, on NumPy
    (the docs are written for the default backend)."""
    blocks = [(i + 1, code) for i, (code, excerpt) in enumerate(python_blocks(page)) if not excerpt]
    script = RUNNER.format(blocks=blocks, page=page.relative_to(ROOT))
    env = {**os.environ, "MINIGAN_BACKEND": "numpy", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT), **mnist_env_for(script)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=BLOCK_TIMEOUT_S)
    assert result.returncode == 0, f"{page.relative_to(ROOT)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.mark.parametrize("page,index", EXCERPTS, ids=[f"{p.relative_to(ROOT)}-block{i + 1}" for p, i in EXCERPTS])
def test_excerpts_are_skipped(page, index):
    pytest.skip(f"{page.relative_to(ROOT)} python block {index + 1} is marked {EXCERPT_MARKER}: "
                "a fragment, not meant to run on its own")


def test_fence_parser_sees_excerpt_markers():
    text = "a\n\n```python\nx = 1\n```\n\n<!-- excerpt -->\n```python\ny\n```\n```\nout\n```\n"
    assert fenced_blocks(text) == [("python", "x = 1\n", False), ("python", "y\n", True), ("", "out\n", False)]


# -- one Korean term per idea ---------------------------------------------------------------------

def test_glossary_fixes_the_core_terms():
    chosen = {english: korean for english, korean, _, _ in glossary_rows()}
    for english, korean in [("generator", "생성자"), ("discriminator", "판별자"), ("value function", "가치 함수"),
                            ("adversarial training", "적대적 학습"), ("mode collapse", "모드 붕괴"),
                            ("non-saturating loss", "비포화 손실"), ("gradient check", "기울기 검사"),
                            ("transposed convolution", "전치 합성곱"), ("batch normalisation", "배치 정규화")]:
        assert chosen.get(english) == korean, f"glossary: {english!r} -> {chosen.get(english)!r}, expected {korean!r}"
    for variant in ["구분자", "감별자", "모델 붕괴", "분류자", "식별자", "지폐 위조범", "생성모델", "변화도", "에폭",
                    "오차역전파법", "기울기 확인"]:
        assert variant in discouraged_variants()
    for english, korean in [("head (of a network)", "머리"), ("episode (of a failure sign)", "에피소드"),
                            ("(probability) mass", "질량 (확률 질량)"), ("label smoothing", "레이블 평활화"),
                            ("gradient clipping", "기울기 자르기"), ("fused (operation, kernel)", "융합 (융합된 연산)"),
                            ("machine (in results)", "기계"), ("et al.", "등"), ("Parzen window", "파젠 창"),
                            ("adversarial example", "적대적 예제")]:
        assert chosen.get(english) == korean, f"glossary: {english!r} -> {chosen.get(english)!r}, expected {korean!r}"


def test_no_chosen_term_is_discouraged_elsewhere_in_the_glossary():
    chosen = {korean for _, korean, _, _ in glossary_rows()}
    assert not chosen & set(discouraged_variants())


def test_a_discouraged_variant_is_found_as_a_word_not_inside_another():
    assert discouraged_pattern("레이어").search("은닉 레이어를 쌓는다")
    assert not discouraged_pattern("레이어").search("두 플레이어가 겨룬다")


@pytest.mark.parametrize("page", [*korean_pages(), *korean_top_level()], ids=ids([*korean_pages(), *korean_top_level()]))
def test_korean_docs_use_no_discouraged_variant(page):
    """A discouraged variant appears only in the bridge "흔히 X라고도 합니다", once per page (docs/ko/glossary.md)."""
    text = glossary_without_its_discouraged_column() if page == GLOSSARY else page.read_text(encoding="utf-8")
    found = discouraged_uses(text)
    assert not found, f"{page.relative_to(ROOT)} uses discouraged terms (see docs/ko/glossary.md):\n" + "\n".join(found)


def test_the_bridge_form_is_accepted_and_a_bare_use_rejected():
    bridge = "판별자(discriminator)는 PyTorch 한국어 튜토리얼에서 흔히 구분자라고도 합니다. 판별자는 샘플을 판정합니다."
    assert discouraged_uses(bridge) == []
    for accepted in ["에포크(epoch)는 흔히 에폭이라고도 부릅니다.", "에포크는 흔히 '에폭'이라고도 하는데, 같은 말입니다.",
                     "기울기는 흔히 변화도(gradient)라고도 합니다.", "역전파는 흔히 오차역전파법이라고도 합니다."]:
        assert discouraged_uses(accepted) == [], accepted             # the longer 오차역전파법 hides 오차역전파
    bare = discouraged_uses("구분자는 샘플이 진짜일 확률을 냅니다.")
    assert len(bare) == 1 and "'구분자' (line 1)" in bare[0] and "흔히 구분자" in bare[0]
    assert discouraged_uses("판별자는 흔히 구분자가 아닙니다.") != []                 # "흔히" alone is no bridge
    twice = discouraged_uses(bridge + "\n\n판별자는 흔히 구분자라고도 합니다.")
    assert len(twice) == 1 and "second time" in twice[0]
    assert "same paragraph" in discouraged_uses("위에서 보았듯이.\n\n흔히 구분자라고도 합니다.")[0]
    assert discouraged_uses(bridge + " 그런데 구분자는") != []                          # a bare use after the bridge


def test_the_other_words_learners_meet_are_discouraged_variants_of_their_terms():
    rows = other_words_rows()
    assert rows, "docs/ko/glossary.md has no table of other words (a column named '... (variant)')"
    wrong = [f"{variant} -> {term}" for variant, _, term in rows if term not in terms_for(variant)]
    assert not wrong, "other words whose row in the glossary does not discourage them: " + ", ".join(wrong)
    assert {"구분자", "변화도", "에폭", "오차역전파법", "기울기 확인", "분류자", "식별자", "지폐 위조범",
            "생성모델"} <= {variant for variant, _, _ in rows}
