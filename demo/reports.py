"""Demo values so the reporting pages are alive after `make run` (never in production)."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from indicators.models import ValueType
from reports.models import DataValue, NarrativeAnswer, Question, Round, Snapshot, Status, Submission
from reports.services.submissions import create_round

DEMO_ANSWERS = [
    "{unit} đã ban hành kế hoạch triển khai, phân công cán bộ đầu mối và lồng ghép nội dung bình "
    "đẳng giới vào chương trình công tác của đơn vị.",
    "{unit} tổ chức các hoạt động truyền thông trực tiếp và trên nền tảng số, chú trọng đồng bào "
    "dân tộc thiểu số và nam giới.",
    "{unit}: kinh phí còn hạn chế; đội ngũ làm công tác bình đẳng giới kiêm nhiệm, thay đổi "
    "thường xuyên sau sắp xếp bộ máy.",
]

# (round code, share of units that entered data, share of those that submitted)
PLAN = [("BDG-2025S1", 0.95, 0.9), ("BDG-2025", 0.8, 0.6), ("BDG-2026", 0.3, 0.3)]


def open_demo_round_2026(actor):
    """An annual round open today (2026), so data entry can be tried in the demo."""
    if Round.objects.filter(code="BDG-2026").exists():
        return
    annual = Round.objects.get(code="BDG-2025")
    create_round(
        actor=actor,
        code="BDG-2026",
        name="Báo cáo năm 2026",
        form=annual.form,
        kind=annual.kind,
        period="2026",
        window_start=datetime.date(2025, 12, 15),
        window_end=datetime.date(2026, 12, 14),
        opens_on=datetime.date(2026, 11, 15),
        due_on=datetime.date(2026, 12, 10),
        lock_on=datetime.date(2026, 12, 31),
        unit_kinds=annual.unit_kinds,
        scope=annual.scope,
    )


def _value(element, rng, total=None):
    if element.value_type == ValueType.BOOLEAN:
        return "true"
    if element.value_type == ValueType.NUMBER:
        return str(rng.randint(5, 400))
    if total is not None:
        return str(rng.randint(0, int(total)))
    return str(rng.randint(0, 120))


@transaction.atomic
def fill_demo_reports(actor) -> int:
    """Fill most units' reports once; a second run finds values and changes nothing."""
    open_demo_round_2026(actor)
    created = 0
    for code, entered, submitted in PLAN:
        round_ = Round.objects.filter(code=code).select_related("form").first()
        if round_ is None or DataValue.objects.filter(submission__round=round_).exists():
            continue
        rows = list(
            round_.form.rows().prefetch_related("data_element__category_combo__option_combos")
        )
        questions = list(Question.objects.filter(section__form=round_.form))
        for submission in round_.submissions.select_related("unit").order_by("unit__code"):
            rng = random.Random(f"{code}/{submission.unit.code}")
            if rng.random() > entered:
                continue
            values: list[DataValue] = []
            by_key: dict[tuple[int, int], int | None] = {}
            for row in rows:
                for combo in row.data_element.category_combo.option_combos.all():
                    total = (
                        by_key.get((row.part_of.data_element_id, combo.pk)) if row.part_of else None
                    )
                    value = _value(row.data_element, rng, total)
                    by_key[(row.data_element_id, combo.pk)] = (
                        int(value) if value.isdigit() else None
                    )
                    values.append(
                        DataValue.of(
                            submission,
                            data_element=row.data_element,
                            option_combo=combo,
                            value=value,
                            updated_by=actor,
                        )
                    )
            DataValue.objects.bulk_create(values)
            NarrativeAnswer.objects.bulk_create(
                NarrativeAnswer(
                    submission=submission,
                    question=question,
                    updated_by=actor,
                    text=DEMO_ANSWERS[index % len(DEMO_ANSWERS)].format(unit=submission.unit.label),
                )
                for index, question in enumerate(questions)
            )
            created += len(values)
            if rng.random() < submitted:
                late = rng.random() < 0.2
                when = timezone.make_aware(
                    datetime.datetime.combine(
                        submission.due_on
                        + datetime.timedelta(
                            days=rng.randint(1, 9) if late else -rng.randint(0, 5)
                        ),
                        datetime.datetime.min.time().replace(hour=9),
                    )
                )
                status = (
                    Status.ACCEPTED
                    if code == "BDG-2025S1"
                    else rng.choice(
                        [Status.SUBMITTED, Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED]
                    )
                )
                Submission.objects.filter(pk=submission.pk).update(
                    status=status,
                    submitted_at=when,
                    first_submitted_at=when,
                    submitted_by=actor,
                    review_comment="Đề nghị bổ sung số liệu mục tiêu 3."
                    if status == Status.RETURNED
                    else "",
                )
                submission.refresh_from_db()
                snapshot_values, answers = submission.payload()
                Snapshot.objects.create(
                    submission=submission,
                    number=1,
                    taken_by=actor,
                    values=snapshot_values,
                    answers=answers,
                )
    return created
