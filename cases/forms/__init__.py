"""The forms of the GBV module, a module per topic: case work (`cases`), referrals and the
service directory (`referrals`), safe places and stays (`places`), the statistics window
(`stats`). Forms validate; the services in cases.services write."""
