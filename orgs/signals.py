from django.dispatch import Signal

# Sent by orgs.services.load_reference_units once the reference units are in the database: data
# keyed by unit codes (the referral service directory) follows them. A fresh database has no unit
# when its migrations run, so such data cannot come from a migration alone.
units_loaded = Signal()
