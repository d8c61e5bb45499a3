"""The province roll-up (`sikkep province --from DIR ...`): the public publications of several kabupaten
and kota warehouses combined into one province publication, with its own gates and write-audit-publish.

    publish_province(sources, province_dir, provinsi) -> summary     (publish.py)
Aggregates only: a kabupaten's public.duckdb is the one file read (inputs.py); restricted.duckdb never.
rules.py says how each ind_* column rolls up; rollup.py writes the tables; gates.py checks them.
"""
from .inputs import ProvinceError
from .publish import ProvinceBlocked, publish_province

__all__ = ["ProvinceBlocked", "ProvinceError", "publish_province"]
