"""Moving reports' values and forms between systems, with no HTTP in it (reports/api.py serves it).

- `records`: one value as a sender gives it (`Record`), the lookups of what it names and the
  checks of its identifiers, the DHIS2 conflict shape and time format;
- `importer`: planning an import (strategy, unchanged values, stale copies), all or nothing,
  writing through reports' services;
- `export`: the values a user may take out, filtered as DHIS2's dataValueSets;
- `dhis2_json`, `dhis2_csv`, `adx`: the three formats of those values;
- `formjson`: a form and the catalogue entries it uses, as JSON.
"""
