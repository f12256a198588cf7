"""The reports app's pages, one module per topic: rounds, submissions, prefill, excel, builder,
notifications."""
