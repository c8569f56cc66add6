"""The weighted score (0–100) the ratings share: the mean of the shares a unit has data for."""
from __future__ import annotations

from collections.abc import Mapping


def weighted_score(parts: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """``parts`` (shares 0..1, None without data) weighted by ``weights``; the weights of the
    known parts are rescaled to 1. None when no part is known."""
    known = {name: value for name, value in parts.items() if value is not None}
    if not known:
        return None
    weight = sum(weights[name] for name in known)
    return round(100 * sum(weights[name] * value for name, value in known.items()) / weight, 1)
