"""Models, inspections, commendations and budget × personas (see test_matrix.py). The records
belong to Sở Y tế: its reporter and approver change them, the coordinator any unit's; another
unit's users get 404, leaders and admins read but may not write (403), case workers nothing.

Writes are POSTs of valid data: 302 means saved (an invalid form answers 200)."""

from orgs.models import Unit

LIST = {
    "reporter": 200,
    "approver": 200,
    "outsider": 200,
    "commune_reporter": 200,
    "coordinator": 200,
    "leader": 200,
    "admin": 200,
    "case_worker": 403,
    "anonymous": 302,
}
RECORD = {**LIST, "outsider": 404, "commune_reporter": 404}
CREATE = {
    "reporter": 302,
    "approver": 302,
    "outsider": 302,
    "commune_reporter": 302,
    "coordinator": 302,
    "leader": 403,
    "admin": 403,
    "case_worker": 403,
    "anonymous": 302,
}
CHANGE = {**CREATE, "outsider": 404, "commune_reporter": 404}
COORDINATOR_ONLY = {
    **{persona: 403 for persona in LIST},
    "coordinator": 302,
    "anonymous": 302,
}


def _pk(name):
    return lambda w: {"pk": w[name].pk}


def _syt(w):
    return Unit.objects.get(code="SYT").pk


def _model_data(w):
    model = w["model"]
    return {
        "name": "Địa chỉ tin cậy mới",
        "model_type": model.model_type_id,
        "unit": _syt(w),
        "commune": model.commune_id,
        "host": "Hội Liên hiệp Phụ nữ xã",
        "established_on": "2025-08-01",  # after the commune units were formed
        "status": "active",
        "members_male": 2,
        "members_female": 7,
        "expected_version": model.version,
    }


def _inspection_data(w):
    inspection = w["inspection"]
    return {
        "unit": _syt(w),
        "title": "Kiểm tra thực hiện Luật Bình đẳng giới tại cơ sở y tế",
        "inspected_units": [inspection.inspected_units.get().pk],
        "planned_on": "2025-09-01",
        "status": "done",
        "visited_on": "2025-09-03",
        "findings": "Chưa bố trí phòng tư vấn riêng",
        "expected_version": inspection.version,
    }


def _commendation_data(w):
    commendation = w["commendation"]
    return {
        "unit": _syt(w),
        "year": 2025,
        "nominee_kind": "person",
        "nominee": "Bác sĩ Trần Thị Hạnh",
        "achievements": "Tư vấn cho nạn nhân bạo lực gia đình",
        "form": "Bằng khen của Chủ tịch UBND tỉnh",
        "outcome": "proposed",  # the coordinator's field; the unit's form has none
        "expected_version": commendation.version,
    }


def _budget_data(w):
    return {
        "unit": _syt(w),
        "year": 2025,
        "source": "province",
        "description": "Tập huấn lồng ghép giới",
        "planned": "20.000.000",
        "allocated": "18.000.000",
        "spent": "16.000.000",
        "expected_version": w["budget"].version,
    }


def _post(data, expect, kwargs=None):
    route = {"method": "post", "data": data, "expect": expect}
    return {**route, "kwargs": kwargs} if kwargs else route


ROUTES = {
    "activities:models": {"expect": LIST},
    "activities:models_export": {"expect": LIST},
    "activities:model": {"kwargs": _pk("model"), "expect": RECORD},
    "activities:model_new": _post(_model_data, CREATE),
    "activities:model_edit": _post(_model_data, CHANGE, _pk("model")),
    # A new model from one the user can see: another unit's model is not found.
    "activities:model_replicate": _post(_model_data, CHANGE, _pk("model")),
    "activities:model_review_new": _post(
        lambda w: {"reviewed_on": "2025-11-01", "assessment": "fair", "note": "Cần củng cố"},
        CHANGE,
        _pk("model"),
    ),
    # Everyone who reads the registers reads the list of types; only the coordinator changes it.
    "activities:model_types": _post(
        lambda w: {"name": "Câu lạc bộ thủ lĩnh của sự thay đổi"}, COORDINATOR_ONLY
    ),
    "activities:inspections": {"expect": LIST},
    "activities:inspections_export": {"expect": LIST},
    "activities:inspection": {"kwargs": _pk("inspection"), "expect": RECORD},
    "activities:inspection_new": _post(_inspection_data, CREATE),
    "activities:inspection_edit": _post(_inspection_data, CHANGE, _pk("inspection")),
    "activities:commendations": {"expect": LIST},
    "activities:commendations_export": {"expect": LIST},
    "activities:commendation": {"kwargs": _pk("commendation"), "expect": RECORD},
    "activities:commendation_new": _post(_commendation_data, CREATE),
    "activities:commendation_edit": _post(_commendation_data, CHANGE, _pk("commendation")),
    "activities:budget": {"expect": LIST},
    "activities:budget_export": {"expect": LIST},
    "activities:budget_new": _post(_budget_data, CREATE),
    "activities:budget_edit": _post(_budget_data, CHANGE, _pk("budget")),
}
