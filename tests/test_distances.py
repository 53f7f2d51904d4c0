"""The DfE/validator distance formula, checked against hand computations on real ONS grid references."""

import math

import numpy as np

from geo.distances import KM_PER_MILE_DFE, METRES_PER_KM, straight_line_miles


def test_constants_are_the_dfe_ones():
    assert KM_PER_MILE_DFE == 1.6093
    assert METRES_PER_KM == 1000


def test_maidstone_to_taunton_by_hand():
    # ME14 1NG (575801, 155746) and TA1 1AA (322271, 125483), ONS Postcode Directory Nov 2025.
    metres = math.sqrt((575801 - 322271) ** 2 + (155746 - 125483) ** 2)  # 255,329.8 m
    assert round(metres / 1000 / 1.6093, 1) == 158.7
    assert straight_line_miles(575801, 155746, 322271, 125483) == 158.7


def test_rounds_to_one_decimal_with_the_dfe_divisor():
    # 1609.3 m is exactly one DfE mile (the exact mile, 1609.344 m, would give 1.0 too, 16093 m gives 10.0).
    out = straight_line_miles([0, 0, 0], [0, 0, 0], [1609.3, 3000, 16093], [0, 4000, 0])
    np.testing.assert_array_equal(out, [1.0, 3.1, 10.0])  # 5 km = 3.107 miles -> 3.1


def test_nan_anywhere_gives_nan_and_arrays_broadcast():
    out = straight_line_miles([np.nan, 0, 0, 0], [0, np.nan, 0, 0], 0, [0, 0, np.nan, 1609.3])
    assert np.isnan(out[:3]).all()
    assert out[3] == 1.0
    assert out.dtype == np.float64


def test_zero_distance_for_the_same_point():
    assert straight_line_miles(532318, 164891, 532318, 164891) == 0.0


def test_one_metres_per_mile_everywhere():
    """The 20-mile line, the demo and PL_DISTANCE use the DfE's mile: a point 20 miles out measures 20.0."""
    import data.demo.places as demo_places
    import geo.boundaries as boundaries
    from geo.distances import METRES_PER_MILE, metres_to_miles

    assert METRES_PER_MILE == METRES_PER_KM * KM_PER_MILE_DFE
    assert boundaries.METRES_PER_MILE is METRES_PER_MILE and demo_places.METRES_PER_MILE is METRES_PER_MILE
    assert straight_line_miles(0, 0, 20 * METRES_PER_MILE, 0) == 20.0
    assert metres_to_miles([0, 1609.3, np.nan]).tolist()[:2] == [0.0, 1.0]
