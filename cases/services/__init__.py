"""The writers of the GBV module, a module per topic: case work (`cases`), the referral pathway
(`referrals`), the service directory (`directory`), safe places and stays (`places`), and the
audit events of reading (`reads`). Every change is saved through audit.services.save_audited,
which keeps the encrypted fields' values out of the log (docs/security.md)."""
