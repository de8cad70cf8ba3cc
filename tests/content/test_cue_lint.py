"""The content-blind strategy lint (L22, L23): scores, ties, variance and the bank."""

from __future__ import annotations

import math

import pytest

from curriculum.content._cue_lint import STRATEGIES, Strategy, play
from curriculum.content._models import SingleItem

STEM = "A 30-year-old woman asks. Which is best?"


def _item(ident: str, texts: list[str], key: str, stem: str = STEM) -> SingleItem:
    return SingleItem.model_validate(
        {
            "id": ident,
            "type": "single",
            "objectives": ["x-1"],
            "stem": stem,
            "options": [
                {"id": chr(97 + i), "text": t, "feedback": "Why this option is or is not best."}
                for i, t in enumerate(texts)
            ],
            "answer": key,
            "rationale": "The teaching point.",
            "references": ["k"],
        }
    )


def _named(fragment: str) -> Strategy:
    return next(s for s in STRATEGIES if fragment in s.name)


FIVE = ["a", "bb", "ccc", "dddd", "eeeee"]  # lengths 1..5; option e is the longest


def test_longest_scores_one_when_the_key_is_longest() -> None:
    longest = _named("the longest option")
    assert longest.credit(_item("q", FIVE, "e")) == (1.0, pytest.approx(1 / 5 - 1 / 25))
    assert longest.credit(_item("q", FIVE, "a"))[0] == 0.0


def test_ties_share_the_credit_and_shrink_the_variance() -> None:
    tied = ["aaaa", "bbbb", "c", "d", "e"]  # two longest options
    score, variance = _named("the longest option").credit(_item("q", tied, "b"))
    assert score == 0.5
    assert variance == pytest.approx(1 / (2 * 5) - 1 / 25)


def test_second_longest_and_shortest() -> None:
    assert _named("second-longest").credit(_item("q", FIVE, "d"))[0] == 1.0
    assert _named("shortest").credit(_item("q", FIVE, "a"))[0] == 1.0


def test_ruling_out_the_longest_matches_a_binomial_test_of_how_often_the_key_is_longest() -> None:
    # 40 items, 5 options each; the key is the longest in only 2 of them
    items = [_item(f"q{i}", FIVE, "e" if i < 2 else "abcd"[i % 4]) for i in range(40)]
    outcome = play(items, _named("rule out the longest"))
    # expected credit: 38 items at 1/4, 2 at 0
    assert outcome.score == pytest.approx(38 / 4)
    assert outcome.chance == pytest.approx(8.0)
    # independent computation: the count of keys that are longest is Binomial(40, 1/5)
    z_count = (2 - 40 / 5) / math.sqrt(40 * (1 / 5) * (4 / 5))
    assert outcome.z == pytest.approx(-z_count)


def test_stem_and_option_overlap_strategies() -> None:
    item = _item(
        "q",
        [
            "Explain sleep hygiene",
            "Discuss lithium levels",
            "Review lithium adherence",
            "Ask about work",
            "Plan a visit",
        ],
        "c",
        stem="A man taking lithium reports missed doses. Which step is best?",
    )
    assert _named("with the stem").credit(item)[0] == 0.5  # b and c share 'lithium' with the stem
    assert _named("other options").credit(item)[0] == 0.5  # b and c share 'lithium' with each other


def test_a_bank_without_cues_passes_every_strategy() -> None:
    # each option form (length rank, position) is the key equally often
    items = []
    for i in range(50):
        texts = [FIVE[(i + j) % 5] for j in range(5)]
        items.append(_item(f"q{i}", texts, "abcde"[(i // 5) % 5]))
    for strategy in STRATEGIES:
        assert play(items, strategy).z <= 3, strategy.name


def test_hits_name_the_items_that_feed_the_strategy() -> None:
    items = [_item("hit", FIVE, "e"), _item("miss", FIVE, "a")]
    assert play(items, _named("the longest option")).hits == ("hit",)


def test_options_all_of_a_length_give_length_nothing_to_tell() -> None:
    """With no second-longest option, that strategy guesses among every option: chance, no variance."""
    same = ["aaaa", "bbbb", "cccc", "dddd"]
    for strategy in STRATEGIES:
        score, variance = strategy.credit(_item("q", same, "b"))
        assert 0 <= score <= 1 and variance >= 0, strategy.name
    assert _named("second-longest").credit(_item("q", same, "b")) == (0.25, 0.0)
    assert play([_item(f"q{i}", same, "abcd"[i % 4]) for i in range(8)], _named("second-longest")).z == 0


def test_the_choices_of_a_strategy_give_its_credit() -> None:
    """What a strategy earns follows from how many options it chooses among (negated: the key is not one)."""
    longest = _named("the longest option")
    tied = ["aaaa", "bbbb", "c", "d", "e"]
    assert longest.choices(_item("q", tied, "b")) == 2
    assert longest.choices(_item("q", tied, "c")) == -2
    assert longest.credit(_item("q", tied, "c")) == (0.0, 1 / (2 * 5) - 1 / 25)
