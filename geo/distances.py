"""Straight-line distance in miles, computed the way the DfE and the 903 validator do.

The SSDA903 guidance and the published validator (``lac_validator/datastore.py``)
derive PL_DISTANCE from the ONS grid references of the home and placement
postcodes as::

    round(sqrt(dE**2 + dN**2) / 1000 / 1.6093, 1)

with eastings and northings in British National Grid metres (EPSG:27700). The
divisor 1.6093 is the DfE's own kilometres-per-mile figure (the exact one is
1.609344); we keep it so that our figures match the return to the decimal.
"""

from __future__ import annotations

import numpy as np

__all__ = ["straight_line_miles", "metres_to_miles", "METRES_PER_KM", "KM_PER_MILE_DFE", "METRES_PER_MILE"]

METRES_PER_KM = 1000.0
KM_PER_MILE_DFE = 1.6093  # as in the DfE guidance, not the exact 1.609344
# Every mile in the project is the DfE's (1,609.3 m): buffers such as the 20-mile line included, so a line
# drawn at 20 miles and a PL_DISTANCE of 20.0 mean the same thing.
METRES_PER_MILE = METRES_PER_KM * KM_PER_MILE_DFE


def straight_line_miles(e1, n1, e2, n2) -> np.ndarray:
    """Straight-line distance between two British grid points in miles, rounded to 0.1.

    Parameters
    ----------
    e1, n1, e2, n2 : array-like of float
        Eastings and northings in metres (EPSG:27700); scalars broadcast.

    Returns
    -------
    float ndarray of miles to one decimal place, NaN where any input is NaN.
    """
    e1, n1, e2, n2 = (np.asarray(v, dtype=np.float64) for v in (e1, n1, e2, n2))
    return metres_to_miles(np.hypot(e1 - e2, n1 - n2))


def metres_to_miles(metres) -> np.ndarray:
    """Metres as miles the DfE way (metres / 1000 / 1.6093), rounded to 0.1 mile; NaN stays NaN."""
    return np.round(np.asarray(metres, dtype=np.float64) / METRES_PER_KM / KM_PER_MILE_DFE, 1)
