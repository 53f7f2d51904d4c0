"""Analysis of placements and missing episodes: functions that take and return (Geo)DataFrames."""
