"""The reports app's writers, one module per topic: submissions (values, answers, attachments,
submit and review, deadlines, opening a round), builder (forms), prefill (filling a report from
a source), reminders (deadline reminders and the coordinator's urge), excel_uploads (a workbook
kept between the dry run and the confirm step), reference (the 2025 reporting loaded from
reports/data)."""
