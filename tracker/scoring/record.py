"""A member's record over time: the running mean of their scores in resolution order."""

import numpy as np
import numpy.typing as npt


def running_mean(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Mean of the first 1, 2, … values (NaN values are skipped, and repeat the last mean)."""
    v = np.asarray(values, dtype=np.float64)
    ok = ~np.isnan(v)
    counts = np.cumsum(ok)
    sums = np.cumsum(np.where(ok, v, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
