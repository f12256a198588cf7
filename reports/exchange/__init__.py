"""Moving reports' values and forms between systems, with no HTTP in it (reports/api.py serves it).

- `records`: one value as a sender gives it (`Record`), DHIS2's id schemes (`IdSchemes`: CODE,
  UID, NAME), the lookups of what it names and the checks of its identifiers, the DHIS2
  conflict shape and time format;
- `importer`: planning an import (options, strategy, unchanged values, stale copies), writing
  through reports' services as DHIS2 imports (valid values stored, the others conflicts;
  atomicMode=ALL for all or nothing), and DHIS2's WebMessage + ImportSummary answer;
- `export`: the values a user may take out, filtered as DHIS2's dataValueSets, named in the
  output id schemes;
- `dhis2_json`, `dhis2_csv`, `adx`: the three formats of those values;
- `formjson`: a form and the catalogue entries it uses, as JSON.
"""
