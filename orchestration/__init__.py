"""SIKKEP Satu Data warehouse: the Dagster code location and the `sikkep` commands."""
