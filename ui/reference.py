"""Reference geography the pages share: the ONS postcode index and the authority boundaries.

Each is a ``st.cache_resource``: loaded once per server process and shared, read-only, by every session.
"""

from __future__ import annotations

import streamlit as st

from geo.boundaries import authority_boundaries
from geo.postcodes import get_postcode_index


@st.cache_resource(show_spinner="Loading the ONS postcode index...")
def postcode_index():
    """The process-wide ONS postcode index (memory-mapped)."""
    return get_postcode_index()


@st.cache_resource(show_spinner="Loading authority boundaries...")
def boundaries():
    """All children's services authority boundaries (GeoDataFrame, EPSG:27700)."""
    return authority_boundaries()
