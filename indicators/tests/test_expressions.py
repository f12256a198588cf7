import pytest
from django.core.exceptions import ValidationError

from indicators.expressions import clean_expression, format_expression, parse_expression

pytestmark = [pytest.mark.django_db]


def test_terms_parse_and_format_back():
    terms = parse_expression(" BDG_M2_DN[FEMALE]+BDG_M2_DN + BDG_M4_SINH [ MALE ] ")
    assert terms == [
        {"element": "BDG_M2_DN", "combo": "FEMALE"},
        {"element": "BDG_M2_DN", "combo": None},
        {"element": "BDG_M4_SINH", "combo": "MALE"},
    ]
    assert format_expression(terms) == "BDG_M2_DN[FEMALE] + BDG_M2_DN + BDG_M4_SINH[MALE]"


@pytest.mark.parametrize("text", ["", "  ", "A +", "A - B", "A[FEMALE", "=SUM(A1)", "A[B][C]"])
def test_malformed_expressions_are_refused(text):
    with pytest.raises(ValidationError):
        parse_expression(text)


def test_terms_are_checked_against_the_catalogue():
    assert clean_expression("BDG_M2_DN[FEMALE] + BDG_M1_CQ")
    with pytest.raises(ValidationError) as error:
        clean_expression("NO_SUCH + BDG_M1_CQ[FEMALE] + BDG_HD_TTHD + BDG_M2_DN[OTHER]")
    messages = " ".join(error.value.messages)
    assert "Không có chỉ tiêu dữ liệu mã NO_SUCH" in messages
    assert "BDG_M1_CQ không có phương án phân tổ FEMALE" in messages
    assert "BDG_HD_TTHD không phải kiểu số" in messages
    assert "BDG_M2_DN không có phương án phân tổ OTHER" in messages
