"""Item-writing lints after the NBME item-writing guide.

Each rule is a heuristic for one flaw of multiple-choice items (the rule ids
are those of section 4.4 of the project's clinical-standards research note,
which is kept with the project's research, outside this repository). Errors are flaws that make an
item unfair; warnings are cues a test-wise learner could exploit, which a
reviewer may accept with a written reason (``suppress: {L07: "..."}``).
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterator
from typing import Any

from curriculum._memo import Memo
from curriculum.content._diagnostics import RULES, Rule, Severity
from curriculum.content._models import Item, Quiz
from curriculum.content._project import Document
from curriculum.content._registry import Finding, document_check, no_context, quizzes
from curriculum.content._yaml import Loc

__all__ = ["lead_in", "stem_words"]

E, W = Severity.error, Severity.warning
L01 = RULES.add(
    "L01",
    E,
    "The lead-in is not a closed question.",
    "A focused question lets a learner answer with the options covered.",
    suppressible=True,
)
L02 = RULES.add(
    "L02",
    E,
    "An option is 'all/none of the above'.",
    "These reward partial knowledge and test-wiseness.",
    suppressible=True,
)
L03 = RULES.add(
    "L03",
    E,
    "An option combines other options (K-type).",
    "Combination options test logic, not knowledge.",
    suppressible=True,
)
L04 = RULES.add(
    "L04",
    E,
    "The lead-in is negative (NOT, EXCEPT, LEAST).",
    "Negative lead-ins test the reverse of what we want learners to do.",
    suppressible=True,
)
L05 = RULES.add(
    "L05",
    W,
    "An option uses an absolute term (always, never, only...).",
    "Test-wise learners eliminate absolute options.",
    suppressible=True,
)
L06 = RULES.add(
    "L06",
    W,
    "An option uses a vague frequency term (often, rarely, may...).",
    "Vague terms mean different things to different readers.",
    suppressible=True,
)
L07 = RULES.add(
    "L07",
    W,
    "The key is the conspicuously longest option.",
    "The longest option is a known cue to the answer.",
    suppressible=True,
)
L10 = RULES.add(
    "L10",
    W,
    "A word of the stem reappears in the key but in no distractor (clang cue).",
    suppressible=True,
)
L13 = RULES.add("L13", E, "Numeric options are not in ascending order.", suppressible=True)
L14 = RULES.add("L14", E, "A single-best-answer item has other than 4-5 options.", suppressible=True)
L15 = RULES.add("L15", E, "Two options are (nearly) the same.", suppressible=True)
L16 = RULES.add(
    "L16",
    E,
    "The item depends on another item.",
    "Items are shuffled and exported one by one; each must stand alone.",
    suppressible=True,
)
L17 = RULES.add("L17", W, "The lead-in is unfocused ('Which of the following is true?').", suppressible=True)
L20 = RULES.add(
    "L20",
    W,
    "The key's position is unbalanced across the quiz.",
    "In print and exports the authored order shows; keys clustering on one letter are a cue.",
    suppressible=True,
)
L21 = RULES.add("L21", E, "The rationale or an option's feedback is too thin to teach.", suppressible=True)

Flaw = tuple[str, bool, Loc, str, str]
"""A flaw of an item: the rule's code, whether it is at a key (else at a value), where in the item,
what is wrong and how to fix it."""


def _decode_flaws(data: Any) -> list[Flaw]:
    """Return the flaws stored as JSON; raise for data of another shape (the memo then recomputes them)."""
    flaws: list[Flaw] = []
    for code, on_key, loc, what, fix in data:
        shaped = isinstance(what, str) and isinstance(fix, str) and all(isinstance(s, str | int) for s in loc)
        if code not in RULES or not shaped:
            raise ValueError("not a flaw")
        flaws.append((code, bool(on_key), tuple(loc), what, fix))
    return flaws


_FLAWS = Memo[list[Flaw]]("lint.item-writing", 1, list, _decode_flaws)
"""Each item's flaws, keyed by the item's JSON."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_ALL_NONE = re.compile(r"\b(all|none|neither|both)\s+of\s+the\s+(above|following|options|answers)\b", re.I)
_COMBINATION = re.compile(
    # "A, B and C" is found at its last pair ("B and C"), so no repetition has to backtrack over a list.
    r"\b[A-E]\s*+,?\s*+(?:and|&|or)\s+[A-E]\b|\b[1-5],?\s+(?:and|&)\s+[1-5]\b"
    r"|\b(?:both|neither)\s+(?:[A-E]|option)\b|\b[A-E]\s+only\b"
)
_NEGATIVE_CAPS = re.compile(r"\b(NOT|EXCEPT|LEAST)\b")
_NEGATIVE = re.compile(
    r"\b(except|incorrect|untrue|false)\b|\bleast\b(?!\s+restrictive)"
    r"|\b(?:is|are|was|were|would|does|do|should|could|might|will)\s+not\b|\bn't\b",
    re.I,
)
_ABSOLUTE = re.compile(
    r"\b(always|never|all|none|only|must|completely|entirely|invariably|guaranteed|certainly)\b",
    re.I,
)
_VAGUE = re.compile(
    r"\b(usually|often|frequently|rarely|sometimes|occasionally|commonly|generally|typically|may|might|can)\b",
    re.I,
)
_HINGED = re.compile(
    r"\b(previous|preceding|last|above|prior|next)\s+(question|item)\b|\b(question|item)\s+\d+\b"
    r"|\bthe\s+(above|same)\s+patient\b|\bin\s+the\s+previous\s+(case|vignette)\b",
    re.I,
)
_UNFOCUSED = re.compile(
    r"\bwhich\s+(?:of\s+the\s+following\s+)?(?:statements?\s+)?(?:is|are)\s+(?:true|correct|false|accurate)\b"
    r"|\bwhich\s+of\s+the\s+following\s+statements\b|\bwhat\s+is\s+true\b",
    re.I,
)
_NUMBER = re.compile(
    r"^[<>≤≥~]?\s*(-?\d+(?:[.,]\d+)?)\s*(%|mg|g|kg|ml|mL|hours?|days?|weeks?|months?|years?|sessions?)?$"
)
_STOP = set(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "among",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "from",
        "further",
        "have",
        "having",
        "here",
        "into",
        "itself",
        "just",
        "more",
        "most",
        "other",
        "over",
        "same",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "very",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "your",
        "patient",
        "patients",
        "following",
        "best",
        "most",
        "likely",
        "next",
        "appropriate",
        "response",
        "says",
        "during",
        "visit",
    ]
)


def lead_in(stem: str) -> str:
    """Return the last sentence of ``stem``: the question the learner answers."""
    paragraphs = [p for p in stem.strip().split("\n\n") if p.strip()]
    last = paragraphs[-1] if paragraphs else ""
    sentences = _SENTENCE_END.split(" ".join(last.split()))
    return sentences[-1] if sentences else ""


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def stem_words(text: str) -> set[str]:
    """Return the salient word stems of ``text`` (4+ letters, not stop words)."""
    return {_stem(w) for w in re.findall(r"[A-Za-z][A-Za-z'-]{3,}", text) if w.lower() not in _STOP}


def _near_duplicates(a: str, b: str) -> bool:
    """Options that say the same thing: equal word stems, or nearly equal letters."""
    words_a = [_stem(w) for w in re.findall(r"[A-Za-z0-9]+", a)]
    words_b = [_stem(w) for w in re.findall(r"[A-Za-z0-9]+", b)]
    if words_a == words_b:
        return True
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False  # "6 sessions" and "16 sessions" differ in what matters
    matcher = difflib.SequenceMatcher(None, a.lower(), b.lower())
    # the cheap upper bounds rule out most pairs before the quadratic ratio
    return matcher.real_quick_ratio() >= 0.95 and matcher.quick_ratio() >= 0.95 and matcher.ratio() >= 0.95


def _chi2_sf(x: float, df: int) -> float:
    """Survival function of the chi-squared distribution (closed forms by df parity)."""
    if df <= 0:
        return 1.0
    half = x / 2.0
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for i in range(1, df // 2):
            term *= half / i
            total += term
        return math.exp(-half) * total
    total = math.erfc(math.sqrt(half))
    term = math.sqrt(half) * math.exp(-half) / math.gamma(1.5)
    for i in range(1, (df - 1) // 2 + 1):
        total += term
        term *= half / (i + 0.5)
    return min(1.0, total)


@document_check(no_context, quizzes)
def item_writing(doc: Document[Quiz], _context: Any) -> Iterator[Finding]:
    """Run the NBME item-writing lints on every item of a quiz, and weigh its keys' positions.

    What it finds in a quiz follows from that quiz alone: after an edit of one
    quiz, that quiz alone is linted again (see
    :class:`~curriculum.content._registry.DocumentCheck`).
    """
    yield from _quiz(doc)
    yield from _key_balance(doc)


def _quiz(doc: Document[Quiz]) -> Iterator[Finding]:
    for i, item in enumerate(doc.model.items):
        owner: Loc = ("items", i)
        for code, on_key, loc, what, fix in _item_flaws(item):
            pos = doc.key_at(*owner, *loc) if on_key else doc.at(*owner, *loc)
            yield Finding(RULES[code].at(doc.display, pos, what, fix), doc, owner)


def _item_flaws(item: Item) -> list[Flaw]:
    """Return the flaws of ``item`` (remembered across checks, keyed by the item's JSON)."""
    return _FLAWS.get(item.model_dump_json(), lambda: list(_flaws(item)))


def _flaws(item: Item) -> Iterator[Flaw]:
    """Yield the item-writing flaws of one item: a pure function of the item, memoised across checks."""

    def at(*loc: str | int) -> tuple[bool, Loc]:
        return False, loc

    def key_at(*loc: str | int) -> tuple[bool, Loc]:
        return True, loc

    def flaw(rule: Rule, where: tuple[bool, Loc], what: str, fix: str) -> Flaw:
        return rule.code, *where, what, fix

    question = lead_in(item.stem)
    if not item.stem.rstrip().endswith("?"):
        yield flaw(
            L01,
            at("stem"),
            f"the stem of `{item.id}` does not end with a question",
            "end with a closed question, e.g. 'Which of the following is the most appropriate response?'",
        )
    if _NEGATIVE_CAPS.search(question) or _NEGATIVE.search(question):
        yield flaw(
            L04,
            at("stem"),
            f"the lead-in of `{item.id}` is negative: '{question}'",
            "ask for the best action or conclusion instead",
        )
    if _UNFOCUSED.search(question):
        yield flaw(
            L17,
            at("stem"),
            f"the lead-in of `{item.id}` is unfocused: '{question}'",
            "ask a specific question (the most likely..., the best next step...)",
        )
    if _HINGED.search(item.stem):
        yield flaw(
            L16,
            at("stem"),
            f"`{item.id}` refers to another item or case",
            "repeat what the learner needs to know in this stem",
        )
    keys = item.key_ids
    if item.type == "single" and not 4 <= len(item.options) <= 5:
        yield flaw(
            L14,
            key_at("options"),
            f"`{item.id}` has {len(item.options)} options; single-best-answer items have 4-5",
            "add plausible distractors or remove weak ones",
        )
    for j, option in enumerate(item.options):
        text = option.text
        if _ALL_NONE.search(text):
            yield flaw(
                L02,
                at("options", j, "text"),
                f"option `{option.id}` of `{item.id}` is '{text}'",
                "replace it with a specific option",
            )
            continue
        if _COMBINATION.search(text):
            yield flaw(
                L03,
                at("options", j, "text"),
                f"option `{option.id}` of `{item.id}` combines other options",
                "make each option one choice",
            )
        if m := _ABSOLUTE.search(text):
            where = "the key" if option.id in keys else "a distractor"
            yield flaw(
                L05,
                at("options", j, "text"),
                f"option `{option.id}` of `{item.id}` ({where}) says '{m.group(1)}'",
                "rephrase without the absolute term",
            )
        if m := _VAGUE.search(text):
            yield flaw(
                L06,
                at("options", j, "text"),
                f"option `{option.id}` of `{item.id}` says '{m.group(1)}'",
                "be specific, or drop the word",
            )
        if len(option.feedback.split()) < 4:
            yield flaw(
                L21,
                at("options", j, "feedback"),
                f"the feedback on option `{option.id}` of `{item.id}` is too short to teach",
                "say why this option is or is not the best answer",
            )
    if len(item.rationale.split()) < 15:
        yield flaw(
            L21,
            at("rationale"),
            f"the rationale of `{item.id}` is too short to teach",
            "state the teaching point and its evidence in a few sentences",
        )
    texts = [o.text for o in item.options]
    for j in range(len(texts)):
        for k in range(j):
            if _near_duplicates(texts[j], texts[k]):
                yield flaw(
                    L15,
                    at("options", j, "text"),
                    f"options `{item.options[k].id}` and `{item.options[j].id}` "
                    f"of `{item.id}` are nearly the same",
                    "make every option distinct",
                )
    numbers = [_NUMBER.match(t.strip()) for t in texts]
    if all(numbers):
        values = [float(m.group(1).replace(",", ".")) for m in numbers if m]
        if values != sorted(values):
            yield flaw(
                L13,
                key_at("options"),
                f"the numeric options of `{item.id}` are not in ascending order",
                "order numeric options from smallest to largest",
            )
    ids = [o.id for o in item.options]
    if item.type == "single" and keys[0] in ids:
        k = ids.index(keys[0])
        key = item.options[k]
        others = [len(o.text) for o in item.options if o.id != key.id]
        if others and len(key.text) > max(others) and len(key.text) > 1.25 * (sum(others) / len(others)):
            yield flaw(
                L07,
                at("options", k, "text"),
                f"the key of `{item.id}` is the longest option by far",
                "shorten the key or lengthen the distractors so length gives nothing away",
            )
        shared = stem_words(item.stem) & stem_words(key.text)
        for o in item.options:
            if o.id != key.id:
                shared -= stem_words(o.text)
        if shared:
            words = ", ".join(sorted(shared)[:3])
            yield flaw(
                L10,
                at("options", k, "text"),
                f"the key of `{item.id}` repeats '{words}' from the stem, and no distractor does",
                "reword the key, or use the word in a distractor too",
            )


def _key_balance(doc: Document[Quiz]) -> Iterator[Finding]:
    items = [it for it in doc.model.items if it.type == "single" and isinstance(it.answer, str)]
    if len(items) < 8:
        return
    width = max(len(it.options) for it in items)
    observed = [0.0] * width
    expected = [0.0] * width
    for it in items:
        ids = [o.id for o in it.options]
        if it.answer in ids:
            observed[ids.index(str(it.answer))] += 1
        for p in range(len(ids)):
            expected[p] += 1 / len(ids)
    stat = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True) if e > 0)
    p_value = _chi2_sf(stat, width - 1)
    if p_value < 0.05:
        spread = ", ".join(f"{chr(97 + p)}: {int(n)}" for p, n in enumerate(observed))
        yield Finding(
            L20.at(
                doc.display,
                doc.key_at("items"),
                f"keys cluster on some positions ({spread}; chi-squared p = {p_value:.3f})",
                "reorder options so each letter is the key about equally often",
            ),
            doc,
            (),
        )
