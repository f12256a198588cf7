"""The analytics pages, one module per topic: the home page of each role, dashboards (the
province, a unit, the leader's one page), pivot, synthesis."""
