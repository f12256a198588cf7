"""The reports app's forms, one module per topic: rounds, submissions, builder."""
