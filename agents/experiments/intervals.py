"""Confidence intervals for rates and their differences: Wilson score and Newcombe's hybrid score."""

from __future__ import annotations

import math
from statistics import NormalDist

Z95 = 1.959963984540054


def z_for(confidence: float = 0.95, comparisons: int = 1) -> float:
    """Two-sided normal quantile, Bonferroni-adjusted for ``comparisons`` simultaneous intervals."""
    alpha = (1.0 - confidence) / max(comparisons, 1)
    return NormalDist().inv_cdf(1.0 - alpha / 2.0)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of k successes in n trials (None when n is 0)."""
    if n <= 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_diff(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float] | None:
    """Interval of p1 - p2 for independent proportions (Newcombe 1998, method 10: hybrid score
    from the two Wilson intervals); None when either sample is empty."""
    a, b = wilson(k1, n1, z), wilson(k2, n2, z)
    if a is None or b is None:
        return None
    p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    lower = d - math.sqrt((p1 - a[0]) ** 2 + (b[1] - p2) ** 2)
    upper = d + math.sqrt((a[1] - p1) ** 2 + (p2 - b[0]) ** 2)
    return lower, upper


def share_p_value(observed: int, total: int, expected_share: float) -> float:
    """Two-sided p-value that ``observed`` of ``total`` units landed in a group expected to get
    ``expected_share`` (normal approximation to the binomial); 1.0 when nothing is observed."""
    if total <= 0 or expected_share <= 0.0 or expected_share >= 1.0:
        return 1.0 if total <= 0 or observed == round(total * expected_share) else 0.0
    sd = math.sqrt(total * expected_share * (1 - expected_share))
    z = abs(observed - total * expected_share) / sd
    return math.erfc(z / math.sqrt(2))
