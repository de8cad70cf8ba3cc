"""The printed handout's option order: fixed per quiz, never the file's."""

from __future__ import annotations

from curriculum.export import handout_order


def test_the_handout_order_is_fixed_per_quiz_and_never_the_files() -> None:
    letters = list("abcde")
    orders = {item: handout_order("q", item, letters) for item in (f"q{n}" for n in range(50))}
    assert all(sorted(order) == letters and order != letters for order in orders.values())
    assert orders == {item: handout_order("q", item, letters) for item in orders}  # the same on every build
    assert len({tuple(o) for o in orders.values()}) > 10  # items are not all shuffled alike
    # the key's position on the sheet is spread over the letters, not where the file put it
    assert {order.index("a") for order in orders.values()} == set(range(5))


def test_a_quiz_that_does_not_shuffle_prints_in_the_authored_order() -> None:
    assert handout_order("q", "q1", list("abcde"), shuffle=False) == list("abcde")
    assert handout_order("q", "q1", ["a"]) == ["a"]
