{#- generic test: no run of 12+ digits (an unmasked NIK / No KK) in a text column -#}
{% test no_unmasked_nik(model, column_name) %}
select {{ column_name }} from {{ model }}
where {{ sikkep.re_matches(column_name, '[0-9]{12,}') }}
{% endtest %}
