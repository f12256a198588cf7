"""The pages of the GBV module, a module per topic: case work (`cases`), referrals and the
service directory (`referrals`), safe places and stays (`places`), statistics (`stats`). Who may
see what is docs/security.md; every page that reads a record writes its audit event."""
