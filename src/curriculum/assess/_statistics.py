"""Classical test theory for one quiz, vectorised over a cohort with NumPy.

Every function takes whole matrices (learners in rows, items in columns) and
returns arrays, so a cohort of a thousand learners and three hundred items
costs a few matrix products, not a Python loop per item. Responses arrive as
option bit masks (bit 0 is option ``a``, bit 7 option ``h``; 0 is no answer),
which fit single-best-answer and select-all-that-apply items alike: an item
is correct when the mask equals the key's mask.

The definitions follow ``clinical-standards.md`` §5:

- difficulty ``p``: the proportion correct;
- corrected point-biserial ``r_pb``: the item against the total of the
  *other* items (the item removed, so it does not correlate with itself);
- discrimination ``D``: the proportion correct in the upper 27% of total
  scores minus that in the lower 27%. The group size is 27% of the cohort
  rounded to the nearest learner (at least one); learners tied at a group's
  boundary share its remaining places equally (fractional weights), so the
  result never depends on the order the files were read;
- option shares, and each option's correlation with the total score;
- KR-20 (Cronbach's alpha for right/wrong items) and the standard error of
  measurement ``SEM = SD * sqrt(1 - KR-20)``;
- midpoint percentile ranks;
- pass/fail decision consistency from one administration (Peng and
  Subkoviak's normal approximation).

Undefined values (a correlation with no variance, KR-20 of one item) are NaN;
the writers show them as empty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "GROUP_FRACTION",
    "OPTION_LETTERS",
    "DecisionConsistency",
    "ItemStatistics",
    "bivariate_normal_cdf",
    "corrected_point_biserial",
    "decision_consistency",
    "discrimination",
    "group_weights",
    "item_statistics",
    "kr20",
    "modal_response_is_key",
    "option_bits",
    "option_total_correlation",
    "percentile_ranks",
]

Float = NDArray[np.float64]
OPTION_LETTERS = "abcdefgh"
"""Option ids in bit order: bit ``i`` of a response mask is ``OPTION_LETTERS[i]``."""
GROUP_FRACTION = 0.27
"""Kelley's upper and lower groups: 27% of the cohort each."""


def option_bits(codes: NDArray[np.integer]) -> NDArray[np.uint8]:
    """Return, for each learner, item and option letter, whether the option was selected.

    Parameters
    ----------
    codes : ndarray of shape (n, k)
        Response masks.

    Returns
    -------
    ndarray of shape (n, k, 8)
        1 where option ``OPTION_LETTERS[i]`` was selected.
    """
    shifts = np.arange(len(OPTION_LETTERS), dtype=np.uint16)
    return ((codes.astype(np.uint16)[..., None] >> shifts) & 1).astype(np.uint8)


def corrected_point_biserial(scored: Float) -> Float:
    """Return each item's correlation with the total of the other items.

    Parameters
    ----------
    scored : ndarray of shape (n, k)
        1 for a correct answer, 0 otherwise.

    Returns
    -------
    ndarray of shape (k,)
        Pearson's r between the item and the rest score; NaN where either has no variance.
    """
    n = scored.shape[0]
    total = scored.sum(axis=1)
    p = scored.mean(axis=0)
    var_item = p * (1 - p)
    cov_total = scored.T @ total / n - p * total.mean()
    var_total = total.var()
    cov_rest = cov_total - var_item
    var_rest = var_total - 2 * cov_total + var_item
    return _ratio(cov_rest, np.sqrt(np.clip(var_item * var_rest, 0, None)))


def group_weights(totals: Float, fraction: float = GROUP_FRACTION) -> tuple[Float, Float, float]:
    """Return the upper and lower group weights of each learner, and the group size.

    Parameters
    ----------
    totals : ndarray of shape (n,)
        Total scores.
    fraction : float
        The share of the cohort in each group.

    Returns
    -------
    upper, lower : ndarray of shape (n,)
        1 for a learner inside the group, a fraction for learners tied at its
        boundary (who share the remaining places), 0 outside.
    size : float
        Learners per group: ``fraction * n`` rounded to the nearest, at least 1.
    """
    n = len(totals)
    size = float(max(1, math.floor(fraction * n + 0.5)))
    ordered = np.sort(totals)
    return (
        _boundary_weights(totals, ordered[n - int(size)], size, upper=True),
        _boundary_weights(totals, ordered[int(size) - 1], size, upper=False),
        size,
    )


def _boundary_weights(totals: Float, cut: float, size: float, *, upper: bool) -> Float:
    inside = totals > cut if upper else totals < cut
    tied = totals == cut
    share = (size - inside.sum()) / tied.sum()
    return np.asarray(inside + tied * share, dtype=np.float64)


def discrimination(scored: Float, upper: Float, lower: Float, size: float) -> Float:
    """Return Ebel's D: proportion correct in the upper group minus that in the lower group."""
    return np.asarray((upper @ scored - lower @ scored) / size, dtype=np.float64)


def option_total_correlation(bits: NDArray[np.uint8], totals: Float) -> Float:
    """Return the correlation of choosing each option with the total score.

    Parameters
    ----------
    bits : ndarray of shape (n, k, 8)
        From :func:`option_bits`.
    totals : ndarray of shape (n,)
        Total scores.

    Returns
    -------
    ndarray of shape (k, 8)
        Pearson's r (the point-biserial of each option); NaN for an option
        nobody, or everybody, chose, or when every total is the same.
    """
    n = len(totals)
    share = bits.mean(axis=0)
    centred = totals - totals.mean()
    cov = np.tensordot(centred, bits.astype(np.float64), axes=(0, 0)) / n
    spread = np.sqrt(share * (1 - share)) * totals.std()
    return _ratio(cov, spread)


def kr20(scored: Float) -> float:
    """Return KR-20: ``k/(k-1) * (1 - sum(p*q) / var(total))`` (NaN for one item or no spread)."""
    k = scored.shape[1]
    variance = float(scored.sum(axis=1).var())
    if k < 2 or variance <= 0:
        return math.nan
    p = scored.mean(axis=0)
    return float(k / (k - 1) * (1 - float((p * (1 - p)).sum()) / variance))


def percentile_ranks(totals: Float) -> Float:
    """Return each score's midpoint percentile rank: 100 * (below + half of equal) / n."""
    ordered = np.sort(totals)
    below = np.searchsorted(ordered, totals, side="left")
    equal = np.searchsorted(ordered, totals, side="right") - below
    return np.asarray(100.0 * (below + 0.5 * equal) / len(totals), dtype=np.float64)


def modal_response_is_key(
    codes: NDArray[np.integer], keys: NDArray[np.integer], weights: Float
) -> NDArray[np.bool_]:
    """Return, per item, whether the key is the most frequent answer in a weighted group.

    Omitted items do not count as an answer. A tie with the key counts for the key.

    Parameters
    ----------
    codes : ndarray of shape (n, k)
        Response masks.
    keys : ndarray of shape (k,)
        Key masks.
    weights : ndarray of shape (n,)
        Group membership (e.g. the upper group's weights).
    """
    n, k = codes.shape
    slots = 1 << len(OPTION_LETTERS)
    index = (np.arange(k, dtype=np.int64) * slots + codes.astype(np.int64)).ravel()
    counts = np.bincount(index, np.broadcast_to(weights[:, None], (n, k)).ravel(), minlength=k * slots)
    counts = counts.reshape(k, slots)
    counts[:, 0] = 0.0
    rows = np.arange(k)
    keyed = counts[rows, keys.astype(np.int64)].copy()
    counts[rows, keys.astype(np.int64)] = -1.0
    return np.asarray(keyed + 1e-9 >= counts.max(axis=1), dtype=np.bool_)


@dataclass(frozen=True)
class ItemStatistics:
    """The statistics of every item of one quiz, as arrays over items.

    Attributes
    ----------
    n : int
        Learners.
    scored : ndarray of shape (n, k)
        1 where the learner's answer equals the key.
    totals : ndarray of shape (n,)
        Each learner's number correct.
    p, rpb, d : ndarray of shape (k,)
        Difficulty, corrected point-biserial, upper-lower discrimination.
    shares : ndarray of shape (k, 8)
        The share of learners who selected each option letter.
    omitted : ndarray of shape (k,)
        The share who selected nothing.
    option_rpb : ndarray of shape (k, 8)
        Each option's correlation with the total score.
    key_is_modal_in_upper : ndarray of shape (k,)
        Whether the key is the most frequent answer in the upper group.
    """

    n: int
    scored: Float
    totals: Float
    p: Float
    rpb: Float
    d: Float
    shares: Float
    omitted: Float
    option_rpb: Float
    key_is_modal_in_upper: NDArray[np.bool_]


def item_statistics(codes: NDArray[np.integer], keys: NDArray[np.integer]) -> ItemStatistics:
    """Return every item statistic of a quiz from its response masks.

    Parameters
    ----------
    codes : ndarray of shape (n, k)
        Response masks, one row per learner (n >= 1).
    keys : ndarray of shape (k,)
        The key of each item, as a mask.
    """
    scored = (codes == keys[None, :]).astype(np.float64)
    totals = scored.sum(axis=1)
    upper, lower, size = group_weights(totals)
    bits = option_bits(codes)
    n = codes.shape[0]
    nan = np.full(codes.shape[1], math.nan)
    return ItemStatistics(
        n=n,
        scored=scored,
        totals=totals,
        p=scored.mean(axis=0),
        rpb=corrected_point_biserial(scored),
        d=discrimination(scored, upper, lower, size) if n >= 2 else nan,
        shares=bits.mean(axis=0),
        omitted=(codes == 0).mean(axis=0),
        option_rpb=option_total_correlation(bits, totals),
        key_is_modal_in_upper=modal_response_is_key(codes, keys, upper),
    )


# ---------------------------------------------------------------- decision consistency


@dataclass(frozen=True)
class DecisionConsistency:
    """How consistently a pass mark would classify the same learners on a parallel form.

    Attributes
    ----------
    agreement : float
        ``p0``, the estimated proportion classified the same way twice.
    kappa : float
        Agreement beyond chance: ``(p0 - pc) / (1 - pc)``.
    cut : int
        The lowest passing number correct.
    """

    agreement: float
    kappa: float
    cut: int


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def bivariate_normal_cdf(h: float, rho: float) -> float:
    """Return P(X <= h, Y <= h) for standard normals with correlation ``rho`` in [0, 1].

    Sheppard's formula, ``Phi(h)**2 + (1/2pi) * integral over [0, asin rho] of
    exp(-h**2 / (1 + sin t)) dt``, integrated by Gauss-Legendre quadrature
    (the integrand is smooth in ``t``).
    """
    top = math.asin(min(max(rho, 0.0), 1.0))
    nodes, weights = np.polynomial.legendre.leggauss(32)
    t = 0.5 * top * (nodes + 1)
    integral = 0.5 * top * float(weights @ np.exp(-(h**2) / (1 + np.sin(t))))
    return _phi(h) ** 2 + integral / (2 * math.pi)


def decision_consistency(
    mean: float, sd: float, reliability: float, items: int, pass_mark: float
) -> DecisionConsistency | None:
    """Estimate pass/fail decision consistency from one administration.

    Peng and Subkoviak's normal approximation (J Educ Meas 1980;17:207-213):
    scores on two parallel forms are taken as bivariate normal with the
    test's reliability (KR-20 here) as their correlation; the cut is the
    lowest passing number correct, less half a point for continuity.

    Parameters
    ----------
    mean, sd : float
        The number-correct mean and standard deviation.
    reliability : float
        KR-20 (clipped to [0, 1]).
    items : int
        Items in the quiz.
    pass_mark : float
        The proportion correct needed to pass.

    Returns
    -------
    DecisionConsistency | None
        None when the scores have no spread or the reliability is undefined.
    """
    if not (sd > 0) or math.isnan(reliability):
        return None
    cut = math.ceil(pass_mark * items - 1e-9)
    z = (cut - 0.5 - mean) / sd
    rho = min(max(reliability, 0.0), 1.0)
    agreement = bivariate_normal_cdf(z, rho) + bivariate_normal_cdf(-z, rho)
    chance = _phi(z) ** 2 + _phi(-z) ** 2
    kappa = (agreement - chance) / (1 - chance) if chance < 1 else math.nan
    return DecisionConsistency(agreement=agreement, kappa=kappa, cut=cut)


def _ratio(numerator: Float, denominator: Float) -> Float:
    out = np.full(np.shape(numerator), math.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 1e-12)
    return out
