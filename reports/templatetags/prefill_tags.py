from django import template

from reports import prefill

register = template.Library()


@register.simple_tag(takes_context=True)
def prefill_sources(context, submission, sections) -> list:
    """The registered sources the user may fill this report from: those whose elements are rows
    of the form (`sections`: Submission.entry_sections())."""
    codes = {line["row"].data_element.code for block in sections for line in block.get("rows", ())}
    return prefill.offered(submission, context["user"], codes)
