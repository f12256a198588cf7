"""Build a form and an open round for tests: rows × Nam/Nữ cells, deadlines in the future."""

import datetime

from django.utils import timezone

from indicators.models import CategoryCombo, DataElement, ValueType
from orgs.models import Unit
from reports.models import Form, FormStatus, Question, Row, Section, SectionKind
from reports.services.submissions import create_round, save_answer


def make_form(rows=3, code="TEST", with_part=True, required_question=False) -> Form:
    sex = CategoryCombo.objects.get(code="SEX")
    form = Form.objects.create(code=code, name=f"Biểu thử {code}", status=FormStatus.PUBLISHED)
    narrative = Section.objects.create(
        form=form, order=0, number="I", title="Kết quả", kind=SectionKind.NARRATIVE
    )
    Question.objects.create(
        section=narrative, code=f"{code}_Q1", text="Kết quả nổi bật?", required=required_question
    )
    table = Section.objects.create(
        form=form, order=1, number="II", title="Số liệu", kind=SectionKind.TABLE, category_combo=sex
    )
    made = []
    for index in range(rows):
        element = DataElement.objects.create(
            code=f"{code}_E{index:03}",
            name=f"Chỉ tiêu {index + 1}",
            value_type=ValueType.INTEGER,
            category_combo=sex,
            unit_of_measure="người",
        )
        part_of = made[0] if with_part and index == 1 else None
        made.append(
            Row.objects.create(section=table, order=index, data_element=element, part_of=part_of)
        )
    return form


def open_round(form, code="R-TEST", kinds=("agency",)):
    today = timezone.localdate()
    return create_round(
        actor=None,
        code=code,
        name=f"Đợt thử {code}",
        form=form,
        kind="adhoc",
        period="2026",
        window_start=today - datetime.timedelta(days=200),
        window_end=today,
        opens_on=today - datetime.timedelta(days=10),
        due_on=today + datetime.timedelta(days=10),
        lock_on=today + datetime.timedelta(days=30),
        unit_kinds=list(kinds),
        scope=Unit.objects.get(code="51"),
    )


def fill(submission, actor, value="1", skip=()):
    """Every table cell of the report holds `value`, but the (row, combo) pairs in `skip`: the
    submit gate lets the report through (typed through the grid's service)."""
    from reports.services.submissions import CellInput, save_values

    cells = [
        CellInput(row=row, option_combo=combo, raw=value, machine=True)
        for row in submission.round.form.rows()
        for combo in row.data_element.category_combo.option_combos.all()
        if (row, combo) not in skip
    ]
    return save_values(submission=submission, cells=cells, actor=actor)


def answer_everything(submission, actor, text="Đã làm."):
    """Answer every written question of the submission's form."""
    for question in submission.round.form.sections.get(kind="narrative").questions.all():
        save_answer(
            submission=submission, question=question, text=text, expected_version=0, actor=actor
        )
