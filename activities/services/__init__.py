"""The activities area's writes, the only ones it makes, a module per topic: any record entered
on a form (records), activities with their evidence and copies (activities), model types
(registry). Each is atomic and audited."""
