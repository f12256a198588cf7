"""The analytics forms, one module per topic: synthesis (the report's draft), pivot."""
