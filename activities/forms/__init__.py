"""The activities area's forms, a module per topic: activities, the Action Month (campaigns),
the registers (community models, inspections, commendations) and budget lines; with the bases,
options and input checks they share (unit_records, options, checks)."""
