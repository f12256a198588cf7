"""The activities area's pages, a module per topic: activities, the Action Month (campaigns), the
registers (community models, inspections, commendations) and budget lines; `editing` holds what
their edit pages share."""
