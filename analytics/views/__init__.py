"""The analytics pages, one module per topic: dashboards (the province, a unit, the leaders'
meeting), pivot, synthesis."""
