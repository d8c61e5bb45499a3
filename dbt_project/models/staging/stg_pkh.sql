-- Staged pkh: one typed, cleaned row per raw row (logic in macros/sikkep/stage.sql).
{{ sikkep.stage_person_source('pkh') }}
