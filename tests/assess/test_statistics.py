"""Cohort statistics: hand-computed on small fixtures, and against independent implementations.

The independent implementations (scipy's point-biserial and bivariate normal,
pingouin's Cronbach's alpha) are used here only; the package computes
everything with NumPy itself.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
import scipy.stats

from curriculum.assess._flags import item_flags
from curriculum.assess._statistics import (
    bivariate_normal_cdf,
    corrected_point_biserial,
    decision_consistency,
    discrimination,
    group_weights,
    item_statistics,
    kr20,
    modal_response_is_key,
    option_bits,
    option_total_correlation,
    percentile_ranks,
)

# Five learners (A-E), four items, 1 = correct. Totals: A 4, B 3, C 2, D 2, E 0.
SCORED = np.array(
    [
        [1, 1, 1, 1],  # A
        [1, 1, 1, 0],  # B
        [1, 1, 0, 0],  # C
        [1, 0, 0, 1],  # D
        [0, 0, 0, 0],  # E
    ],
    dtype=np.float64,
)


def test_difficulty_kr20_and_sem_by_hand() -> None:
    # p = column means: 4/5, 3/5, 2/5, 2/5
    stats = item_statistics(SCORED.astype(np.uint16), np.ones(4, dtype=np.uint16))
    assert stats.p == pytest.approx([0.8, 0.6, 0.4, 0.4])
    # sum of p*q = .8*.2 + .6*.4 + .4*.6 + .4*.6 = .16 + .24 + .24 + .24 = .88
    # totals 4, 3, 2, 2, 0: mean 2.2; population variance (1.8² + .8² + .2² + .2² + 2.2²)/5 = 8.8/5 = 1.76
    # KR-20 = 4/3 * (1 - .88/1.76) = 4/3 * .5 = 0.6667
    assert kr20(SCORED) == pytest.approx(2 / 3)
    # SD with n - 1: sqrt(8.8/4) = sqrt(2.2); SEM = SD * sqrt(1 - KR-20) = sqrt(2.2) * sqrt(1/3) = 0.8563
    sd = float(stats.totals.std(ddof=1))
    assert sd == pytest.approx(math.sqrt(2.2))
    assert sd * math.sqrt(1 - kr20(SCORED)) == pytest.approx(0.85635, abs=1e-5)


def test_corrected_point_biserial_by_hand() -> None:
    r = corrected_point_biserial(SCORED)
    # Item 1 against the rest (total minus item 1): x = 1,1,1,1,0; rest = 3,2,1,1,0.
    # mean x .8, mean rest 1.4; cov = (.2*1.6 + .2*.6 + .2*-.4 + .2*-.4 + -.8*-1.4)/5 = 1.4/5 = .28
    # var x = .16, var rest = (1.6² + .6² + .4² + .4² + 1.4²)/5 = 5.2/5 = 1.04
    # r = .28 / sqrt(.16 * 1.04) = .28 / .40792 = 0.68641
    assert r[0] == pytest.approx(0.68641, abs=1e-5)
    # Item 4: x = 1,0,0,1,0; rest = 3,3,2,1,0. mean x .4, mean rest 1.8
    # cov = (.6*1.2 - .4*1.2 - .4*.2 + .6*-.8 - .4*-1.8)/5 = .4/5 = .08
    # var x = .24, var rest = (1.2² + 1.2² + .2² + .8² + 1.8²)/5 = 6.8/5 = 1.36
    # r = .08 / sqrt(.24 * 1.36) = .08 / .57131 = 0.14003
    assert r[3] == pytest.approx(0.14003, abs=1e-5)


def test_an_item_everyone_answers_alike_has_no_correlation() -> None:
    scored = np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1]], dtype=np.float64)
    assert math.isnan(corrected_point_biserial(scored)[0])


def test_percentile_ranks_by_hand() -> None:
    # totals 4, 3, 2, 2, 0: (below + half of equal) / 5
    # A: (4 + .5)/5 = 90; B: (3 + .5)/5 = 70; C, D: (1 + 1)/5 = 40; E: (0 + .5)/5 = 10
    assert percentile_ranks(np.array([4.0, 3, 2, 2, 0])) == pytest.approx([90, 70, 40, 40, 10])


def test_27_percent_groups_share_places_at_a_tied_boundary() -> None:
    # Ten learners: a group is round(2.7) = 3 learners.
    totals = np.array([9.0, 8, 7, 7, 5, 4, 3, 3, 3, 1])
    upper, lower, size = group_weights(totals)
    assert size == 3
    # Upper: 9 and 8 are in; the two 7s share the last place: 1/2 each.
    assert upper == pytest.approx([1, 1, 0.5, 0.5, 0, 0, 0, 0, 0, 0])
    # Lower: 1 is in; the three 3s share the two places left: 2/3 each.
    assert lower == pytest.approx([0, 0, 0, 0, 0, 0, 2 / 3, 2 / 3, 2 / 3, 1])
    item = np.array([1, 1, 1, 0, 1, 0, 1, 0, 0, 0], dtype=np.float64)[:, None]
    # upper proportion (1 + 1 + .5*1 + .5*0)/3 = 2.5/3; lower (2/3*1 + 2/3*0 + 2/3*0 + 0)/3 = (2/3)/3
    # D = .8333 - .2222 = 0.6111
    assert discrimination(item, upper, lower, size)[0] == pytest.approx(2.5 / 3 - (2 / 3) / 3)


def test_group_weights_do_not_depend_on_the_order_of_learners() -> None:
    rng = np.random.default_rng(3)
    totals = rng.integers(0, 5, size=37).astype(np.float64)
    scored = (rng.random((37, 4)) < 0.6).astype(np.float64)
    d = discrimination(scored, *group_weights(totals))
    order = rng.permutation(37)
    assert discrimination(scored[order], *group_weights(totals[order])) == pytest.approx(d)


def test_option_shares_and_the_key_as_the_modal_answer() -> None:
    # One item keyed b (mask 2); answers of 6 learners: b, b, c, c, c, none (0)
    codes = np.array([[2], [2], [4], [4], [4], [0]], dtype=np.uint16)
    bits = option_bits(codes)
    assert bits.mean(axis=0)[0, :4] == pytest.approx([0, 2 / 6, 3 / 6, 0])
    keys = np.array([2], dtype=np.uint16)
    assert not modal_response_is_key(codes, keys, np.ones(6))[0]  # c (3) beats b (2)
    assert modal_response_is_key(codes, keys, np.array([1, 1, 1, 1, 0, 0.0]))[0]  # a tie counts for the key
    assert modal_response_is_key(codes, keys, np.array([1, 1, 1, 0, 0, 0.0]))[0]
    # omissions never outvote the key
    assert modal_response_is_key(np.array([[2], [0], [0]], dtype=np.uint16), keys, np.ones(3))[0]


def test_flags_of_a_miskeyed_item_and_a_non_functioning_distractor() -> None:
    rng = np.random.default_rng(11)
    n = 400
    theta = rng.normal(size=n)
    good = (rng.random((n, 5)) < 1 / (1 + np.exp(-(theta[:, None] - np.linspace(-1, 1, 5))))).astype(int)
    codes = np.where(good == 1, 1, 2).astype(np.uint16)  # key a (1); wrong answers take b (2)
    # Item 5: the strong choose c (4), the weak d (8); the quiz keys a, which nobody chooses.
    codes[:, 4] = np.where(theta > 0, 4, 8)
    # Item 1: wrong answers spread over b and c; d is never chosen (a non-functioning distractor).
    codes[:, 0] = np.where(good[:, 0] == 1, 1, np.where(rng.random(n) < 0.5, 2, 4))
    keys = np.ones(5, dtype=np.uint16)
    valid = np.full(5, 15, dtype=np.uint16)  # options a-d
    stats = item_statistics(codes, keys)
    flags = item_flags(stats, keys, valid)
    codes_of = [{f.code for f in item} for item in flags]
    assert {"hard", "key-not-modal", "distractor-rpb"} <= codes_of[4]  # p = 0, c attracts the strong
    assert "nfd" in codes_of[0] and any(f.detail == "option d: 0%" for f in flags[0])
    assert "key-not-modal" not in codes_of[1]


def test_negative_point_biserial_is_an_error_not_a_warning() -> None:
    rng = np.random.default_rng(5)
    n = 300
    theta = rng.normal(size=n)
    good = (rng.random((n, 6)) < 1 / (1 + np.exp(-theta[:, None]))).astype(int)
    good[:, 5] = (theta < 0).astype(int)  # the weaker answer item 6 correctly
    codes = np.where(good == 1, 1, 2).astype(np.uint16)
    stats = item_statistics(codes, np.ones(6, dtype=np.uint16))
    flags = item_flags(stats, np.ones(6, dtype=np.uint16), np.full(6, 3, dtype=np.uint16))
    assert stats.rpb[5] < 0 and stats.d[5] < 0
    assert {f.code for f in flags[5]} >= {"negative-rpb", "key-not-modal"}
    assert "low-rpb" not in {f.code for f in flags[5]}


# ---------------------------------------------------------------- against other implementations


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_point_biserial_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = 250, 15
    theta = rng.normal(size=n)
    scored = (rng.random((n, k)) < 1 / (1 + np.exp(-(theta[:, None] - rng.normal(size=k))))).astype(float)
    totals = scored.sum(axis=1)
    expected = [scipy.stats.pointbiserialr(scored[:, j], totals - scored[:, j]).statistic for j in range(k)]
    assert corrected_point_biserial(scored) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kr20_matches_pingouins_cronbach_alpha(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = 180, 20
    theta = rng.normal(size=n)
    scored = (rng.random((n, k)) < 1 / (1 + np.exp(-(1.3 * theta[:, None] - rng.normal(size=k))))).astype(
        float
    )
    alpha, _ = pingouin.cronbach_alpha(data=pd.DataFrame(scored))
    assert kr20(scored) == pytest.approx(alpha, abs=1e-12)


def test_option_total_correlation_matches_scipy() -> None:
    rng = np.random.default_rng(9)
    codes = (1 << rng.integers(0, 4, size=(120, 7))).astype(np.uint16)
    totals = rng.integers(0, 8, size=120).astype(np.float64)
    r = option_total_correlation(option_bits(codes), totals)
    for j in range(7):
        for o in range(4):
            chosen = ((codes[:, j] >> o) & 1).astype(float)
            assert r[j, o] == pytest.approx(scipy.stats.pearsonr(chosen, totals).statistic, abs=1e-12)
    assert np.isnan(r[:, 4:]).all()  # options e-h: nobody chose them


@pytest.mark.parametrize(("h", "rho"), [(0.3, 0.8), (-1.2, 0.5), (2.0, 0.95), (0.0, 0.0), (-0.4, 0.999)])
def test_bivariate_normal_matches_scipy(h: float, rho: float) -> None:
    expected = scipy.stats.multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([h, h])
    assert bivariate_normal_cdf(h, rho) == pytest.approx(expected, abs=1e-7)


def test_decision_consistency() -> None:
    # 20 items, pass mark .6: the cut is 12 correct; z = (12 - .5 - 13) / 3 = -0.5
    result = decision_consistency(mean=13, sd=3, reliability=0.8, items=20, pass_mark=0.6)
    assert result is not None and result.cut == 12
    mvn = scipy.stats.multivariate_normal(mean=[0, 0], cov=[[1, 0.8], [0.8, 1]])
    agreement = mvn.cdf([-0.5, -0.5]) + mvn.cdf([0.5, 0.5])
    chance = scipy.stats.norm.cdf(-0.5) ** 2 + scipy.stats.norm.cdf(0.5) ** 2
    assert result.agreement == pytest.approx(agreement, abs=1e-7)
    assert result.kappa == pytest.approx((agreement - chance) / (1 - chance), abs=1e-6)
    # An unreliable test agrees only by chance; a perfectly reliable one always.
    unreliable = decision_consistency(13, 3, 0.0, 20, 0.6)
    assert unreliable is not None and unreliable.kappa == pytest.approx(0, abs=1e-9)
    perfect = decision_consistency(13, 3, 1.0, 20, 0.6)
    assert perfect is not None and perfect.agreement == pytest.approx(1, abs=1e-7)
    assert decision_consistency(13, 0, 0.8, 20, 0.6) is None  # no spread
