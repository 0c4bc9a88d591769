"""Every sentence the exercises say, in English and in Korean (``--lang ko``).

The Korean uses the words of docs/ko/glossary.md (기울기, 역전파, 가중치, 편향, 상대 오차, 중앙 차분, ...) in the
polite register (-ㅂ니다, -세요). Code, shapes and formulas are not translated.
"""
from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("en", "ko")


@dataclass(frozen=True)
class Text:
    """One sentence in both languages; ``text(lang)`` picks one."""

    en: str
    ko: str

    def __call__(self, lang: str = "en") -> str:
        return self.ko if lang == "ko" else self.en


MESSAGES = {
    # -- the command line -----------------------------------------------------------------
    "list_header": Text("The exercises, in course order (start one with `python -m minigan.exercises start NAME`):",
                        "강의 순서대로 정리한 연습 문제입니다 (`python -m minigan.exercises start NAME` 명령으로 시작하세요):"),
    "list_line": Text("{name:<22} ch. {chapter:<2} {task}", "{name:<22} {chapter:>2}장  {task}"),
    "unknown": Text("Unknown exercise {name!r}.{suggestion} `python -m minigan.exercises list` lists them all.",
                    "{name!r}: 그런 이름의 연습 문제가 없습니다.{suggestion} 전체 목록은 "
                    "`python -m minigan.exercises list` 명령으로 볼 수 있습니다."),
    "did_you_mean": Text(" Did you mean {names}?", " 혹시 {names}을(를) 찾으셨나요?"),
    "no_file": Text("{path} does not exist. Start the exercise first: `{command}`",
                    "{path} 파일이 없습니다. 먼저 연습 문제를 시작하세요: `{command}`"),
    "exists": Text("{path} exists already: your work is kept, nothing was written. Check it with `{check}`, or add "
                   "--force to replace it with a fresh stub (your file is then kept as {backup}).",
                   "{path} 파일이 이미 있습니다. 작성한 내용을 지키려고 아무것도 쓰지 않았습니다. `{check}` 명령으로 검사하거나, "
                   "처음 받은 상태의 새 파일로 바꾸려면 --force를 붙이세요 (그때 지금 파일은 {backup}으로 남겨 둡니다)."),
    "backed_up": Text("Your previous file is kept as {backup}.", "이전 파일은 {backup}으로 남겨 두었습니다."),
    "wrote": Text("Wrote {path}. {task}\nWhen {functions} is written there, run `{check}`.",
                  "{path} 파일을 만들었습니다. {task}\n그 파일에 {functions} 함수를 작성한 뒤 `{check}` 명령을 실행하세요."),
    # -- loading the learner's file -------------------------------------------------------
    "checking": Text("{name}: checking {functions} in {path}", "{name}: {path} 파일의 {functions} 함수를 검사합니다"),
    "syntax_error": Text("{path} is not valid Python (line {line}):", "{path} 파일이 올바른 Python이 아닙니다 ({line}번째 줄):"),
    "load_error": Text("{path} raised an error while it was loaded:", "{path} 파일을 불러오는 중에 오류가 났습니다:"),
    "missing_function": Text("{path} defines no function {function}: keep the name and the arguments the stub "
                             "gave it: {signature}.",
                             "{path} 파일에 {function} 함수가 없습니다. 처음 받은 파일의 이름과 인자를 그대로 두세요: "
                             "{signature}."),
    "wrong_arguments": Text("{function} must take the stub's arguments, {signature} (the checker passes them by "
                            "name); yours is {got}.",
                            "{function} 함수는 처음 받은 파일의 인자 {signature}를 받아야 합니다 (검사기는 인자를 이름으로 "
                            "넘깁니다). 작성한 함수: {got}."),
    "not_written": Text("{function} is not written yet (it still raises NotImplementedError). Write it in {path}, "
                        "then run `{check}` again.",
                        "{function} 함수는 아직 작성되지 않았습니다 (여전히 NotImplementedError를 일으킵니다). {path} 파일에 "
                        "작성한 뒤 `{check}` 명령을 다시 실행하세요."),
    # -- one check ----------------------------------------------------------------------------
    "raised": Text("{function} raised an error on {inputs}:", "{function} 함수가 입력 {inputs}에서 오류를 일으켰습니다:"),
    "no_learner_frame": Text("(the error was raised outside {path}, in code your function called)",
                             "(오류는 {path} 바깥, 작성한 함수가 부른 코드에서 났습니다)"),
    "returned_none": Text("{function} returned None on {inputs}: did you forget `return`?",
                          "{function} 함수가 입력 {inputs}에서 None을 돌려주었습니다. `return`을 빠뜨리지 않았는지 "
                          "확인하세요."),
    "wrong_count": Text("{function} must return {count} values, ({names}); it returned {got}.",
                        "{function} 함수는 {count}개의 값을 돌려주어야 합니다 ({names}). 받은 것: {got}."),
    "wrong_header": Text("{function}: {output} is wrong on {inputs}.",
                         "{function}: 입력 {inputs}에서 {output} 값이 틀렸습니다."),
    "right_outputs": Text("right: {outputs}", "맞은 출력: {outputs}"),
    "not_array": Text("{output} must be a NumPy array (numpy.ndarray); got {got}.",
                      "{output} 값은 NumPy 배열(numpy.ndarray)이어야 합니다. 받은 것: {got}."),
    "not_number": Text("{output} must be a real number (a float); got {got}.",
                       "{output} 값은 실수(float)여야 합니다. 받은 것: {got}."),
    "dtype": Text("{output} has dtype {got}; it must be float64, as the inputs are (an array made by np.zeros(shape) "
                  "is float64; one made by np.zeros_like of an integer or float32 array is not).",
                  "{output} 값의 dtype이 {got}입니다. 입력처럼 float64여야 합니다 (np.zeros(shape)로 만든 배열은 "
                  "float64이고, 정수나 float32 배열에 np.zeros_like를 쓰면 아닙니다)."),
    "shape": Text("{output} has shape {got}; it must have shape {expected}.",
                  "{output} 값의 모양이 {got}입니다. 올바른 모양은 {expected}입니다."),
    "nonfinite": Text("{output}{index} is {got} (expected {expected}): every entry must be finite.",
                      "{output}{index} 값이 {got}입니다 (기댓값 {expected}). 모든 원소가 유한해야 합니다."),
    "relative_error": Text("relative error {error:.2e} against {against} (it must be below {tolerance:.0e})",
                           "{against} 기준 상대 오차 {error:.2e} ({tolerance:.0e}보다 작아야 합니다)"),
    "worst": Text("worst entry {output}{index}: expected {expected}, got {got}",
                  "가장 크게 틀린 원소 {output}{index}: 기댓값 {expected}, 받은 값 {got}"),
    "hint": Text("Hint: {hint}", "힌트: {hint}"),
    "case_note": Text("About this input: {note}", "이 입력에 대해: {note}"),
    "changed_input": Text("{function} changed its argument {argument} in place on {inputs}. The caller still needs "
                          "it: compute into a new array (`g = grad_output * s`, not `grad_output *= s`).",
                          "{function} 함수가 입력 {inputs}에서 인자 {argument}의 값을 제자리에서 바꾸었습니다. 호출한 쪽은 "
                          "그 값을 계속 씁니다. 새 배열에 계산하세요 (`grad_output *= s`가 아니라 "
                          "`g = grad_output * s`)."),
    "progress": Text("{passed} of {total} checks passed before this one.",
                     "이 검사 전까지 {total}개 중 {passed}개를 통과했습니다."),
    "passed": Text("All {total} checks of {name} passed ({cases}): your {functions} matched {reference}.{second}",
                   "{name}의 검사 {total}개를 모두 통과했습니다 ({cases}). 작성한 {functions} 함수가 {reference}의 "
                   "결과와 일치합니다.{second}"),
    "random_cases": Text("{count} random input{s}", "무작위 입력 {count}개"),
    "edge_cases": Text("{count} edge case{s}", "경계 사례 {count}개"),
    "passed_second": Text(" It also matched {against}.", " {against}의 결과와도 일치합니다."),
    "look": Text("Now compare with minigan's own answer: {look} (chapter {chapter}, {doc}).",
                 "이제 minigan의 답과 비교해 보세요: {look} ({chapter}장, {doc})."),
    # -- what a wrong answer looks like, recognised for any exercise -------------------------
    "transposed": Text("{output} is the transpose of the right one: check the order of the product (a gradient has "
                       "the shape of what it is the gradient of).",
                       "{output} 값이 정답의 전치입니다. 곱의 순서를 확인하세요 (기울기는 미분한 대상과 모양이 "
                       "같습니다)."),
    "wrong_sign": Text("{output} has the wrong sign: every entry is minus the right one.",
                       "{output} 값의 부호가 반대입니다. 모든 원소가 정답에 -1을 곱한 값입니다."),
    "scaled": Text("{output} is {factor} times the right one{because}.",
                   "{output} 값이 정답의 {factor}배입니다{because}."),
    "scaled_because": Text(" ({number} is {what})", " ({number}은(는) {what}입니다)"),
    "size_of": Text("the number of elements of {name}", "{name}의 원소 수"),
    "dim_of": Text("{name}.shape[{axis}]", "{name}.shape[{axis}]"),
    "summed": Text("{output} summed over axis {axes} would be right: a parameter's gradient adds the contributions of "
                   "every row (and pixel) that used it.",
                   "{output} 값을 축 {axes}에 대해 더하면 맞습니다. 매개변수의 기울기는 그 매개변수를 쓴 모든 행(과 "
                   "픽셀)의 기여를 더한 것입니다."),
    "extra_axes": Text("{output} has the right values but shape {got}: drop the size-1 axes (sum without "
                       "keepdims=True, or .reshape({expected})).",
                       "{output}의 값은 맞지만 모양이 {got}입니다. 크기 1인 축을 없애세요 (keepdims=True 없이 더하거나 "
                       ".reshape({expected}))."),
    "complex": Text("{output} is complex ({got}): drop the rounding's tiny imaginary part with .real.",
                    "{output} 값이 복소수입니다 ({got}). 반올림 오차로 생긴 작은 허수부는 .real로 버리세요."),
}

#: How messages name the second opinion most exercises are checked against.
CENTRED_DIFFERENCES = Text("centred finite differences of minigan's forward", "minigan 순전파의 중앙 차분")


def say(key: str, lang: str = "en", **fields) -> str:
    """The message ``key`` in ``lang``, its fields filled in."""
    return MESSAGES[key](lang).format(**fields)
