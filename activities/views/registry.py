"""Community models (with their reviews, replicas and types), inspections and commendations.

Each list is scoped to the user's unit subtree (everything for province-wide roles), filtered by
GET parameters and exported with the same filters. A unit records and changes its own records,
the coordinator anyone's; leaders and admins only read. Every change is audited."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedRequest
from audit.models import Event
from core.access import allow
from core.widgets import shown

from ..excel import workbook_response, yes_no
from ..forms.registry import (
    CommendationFilterForm,
    CommendationForm,
    CommunityModelForm,
    InspectionFilterForm,
    InspectionForm,
    ModelFilterForm,
    ModelReviewForm,
    ModelTypeForm,
)
from ..models import (
    COORDINATOR,
    READERS,
    WRITERS,
    Commendation,
    CommunityModel,
    Inspection,
    ModelReview,
    ModelType,
    editable_by,
)
from ..selectors import (
    commendation_outcomes,
    commendations_for,
    inspection_summary,
    inspections_for,
    model_summary,
    model_types_with_use,
    models_for,
)
from ..services.records import save_record
from ..services.registry import delete_model_type
from .editing import editable, save_form

# -- Community models --------------------------------------------------------------------------


@allow(READERS)
def model_list(request: AuthenticatedRequest) -> HttpResponse:
    form = ModelFilterForm(request.GET, records=models_for(request.user))
    models = form.filter()
    context = {
        "form": form,
        "models": models,
        "summary": model_summary(models),
        "can_add": request.user.role in WRITERS,
    }
    return render(request, "activities/model/list.html", context)


@allow(READERS)
def models_export(request: AuthenticatedRequest) -> HttpResponse:
    models = ModelFilterForm(request.GET, records=models_for(request.user)).filter()
    headers = [
        _("Tên mô hình"),
        _("Loại mô hình"),
        _("Xã, phường"),
        _("Đơn vị quản lý"),
        _("Tổ chức chủ trì"),
        _("Ngày thành lập"),
        _("Tình trạng"),
        _("Thành viên nam"),
        _("Thành viên nữ"),
        _("Số trường hợp đã hỗ trợ"),
        _("Nhân rộng từ mô hình"),
    ]
    rows = [
        [
            m.name,
            m.model_type.name,
            m.commune.name,
            m.unit.name,
            m.host,
            m.established_on,
            m.get_status_display(),
            m.members_male,
            m.members_female,
            m.cases_supported,
            m.replicated_from.name if m.replicated_from else "",
        ]
        for m in models
    ]
    return workbook_response("mo-hinh.xlsx", _("Mô hình"), headers, rows)


@allow(READERS)
def model_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(models_for(request.user), pk=pk)
    can_edit = editable_by(model.unit_id, request.user)
    context = {
        "model": model,
        "source_visible": (
            model.replicated_from_id is not None
            and models_for(request.user).filter(pk=model.replicated_from_id).exists()
        ),
        "replicas": models_for(request.user).filter(replicated_from=model),
        "reviews": model.reviews.select_related("reviewed_by"),
        "review_form": ModelReviewForm(instance=ModelReview(model=model)) if can_edit else None,
        "can_edit": can_edit,
        "can_replicate": request.user.role in WRITERS,
        "history": Event.objects.for_object(model)[:50],
    }
    return render(request, "activities/model/detail.html", context)


def _model_form(
    request: AuthenticatedRequest, form: CommunityModelForm, *, source: CommunityModel | None = None
) -> HttpResponse:
    if record := save_form(request, form):
        messages.success(request, _("Đã lưu mô hình “%(name)s”.") % {"name": record.name})
        return redirect("activities:model", pk=record.pk)
    context = {"form": form, "model": form.instance if form.instance.pk else None, "source": source}
    return render(request, "activities/model/form.html", context)


@allow(WRITERS)
def model_new(request: AuthenticatedRequest) -> HttpResponse:
    model = CommunityModel(established_on=timezone.localdate())
    return _model_form(
        request, CommunityModelForm(request.POST or None, instance=model, user=request.user)
    )


@allow(WRITERS)
def model_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    model = editable(request, CommunityModel.objects, pk)
    return _model_form(
        request, CommunityModelForm(request.POST or None, instance=model, user=request.user)
    )


@allow(WRITERS)
def model_replicate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A new model started from a model the user can see, in the user's unit (any unit for the
    coordinator): its name, type and host are offered to edit."""
    source = get_object_or_404(models_for(request.user), pk=pk)
    model = CommunityModel(
        replicated_from=source,
        name=source.name,
        model_type=source.model_type,
        host=source.host,
        established_on=timezone.localdate(),
    )
    form = CommunityModelForm(request.POST or None, instance=model, user=request.user)
    return _model_form(request, form, source=source)


@allow(WRITERS)
def model_review_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    model = editable(request, CommunityModel.objects, pk)
    review = ModelReview(model=model, reviewed_by=request.user)
    form = ModelReviewForm(request.POST or None, instance=review)
    if save_form(request, form):
        messages.success(
            request,
            _("Đã ghi nhận đánh giá mô hình “%(name)s” ngày %(day)s: %(assessment)s.")
            % {
                "name": model.name,
                "day": shown(review.reviewed_on),
                "assessment": review.get_assessment_display(),
            },
        )
        return redirect("activities:model", pk=model.pk)
    return render(request, "activities/model/review_form.html", {"form": form, "model": model})


@allow(READERS)
def model_types(request: AuthenticatedRequest) -> HttpResponse:
    """The list of model types; the coordinator adds and renames them, and deletes those no
    model uses."""
    form = failed = None
    if request.method == "POST":
        if request.user.role not in COORDINATOR:
            raise PermissionDenied
        pk = request.POST.get("pk", "")
        model_type = get_object_or_404(ModelType, pk=pk) if pk.isdigit() else ModelType()
        if "delete" in request.POST and model_type.pk:
            _delete_model_type(request, model_type)
            return redirect("activities:model_types")
        failed = ModelTypeForm(request.POST, instance=model_type)
        if failed.is_valid():
            save_record(actor=request.user, form=failed, request=request)
            messages.success(
                request, _("Đã lưu loại mô hình “%(name)s”.") % {"name": failed.instance}
            )
            return redirect("activities:model_types")
    if failed is not None and failed.instance.pk is None:
        form, failed = failed, None
    context = {
        "types": model_types_with_use(),
        "form": form or ModelTypeForm(),
        "failed": failed,
        "can_edit": request.user.role in COORDINATOR,
    }
    return render(request, "activities/model/types.html", context)


def _delete_model_type(request: AuthenticatedRequest, model_type: ModelType) -> None:
    name = model_type.name
    try:
        delete_model_type(actor=request.user, model_type=model_type, request=request)
    except ProtectedError:
        messages.error(
            request,
            _("Loại mô hình “%(name)s” đang được %(count)s mô hình sử dụng nên không thể xóa.")
            % {"name": name, "count": model_type.models.count()},
        )
    else:
        messages.success(request, _("Đã xóa loại mô hình “%(name)s”.") % {"name": name})


# -- Inspections ------------------------------------------------------------------------------


@allow(READERS)
def inspection_list(request: AuthenticatedRequest) -> HttpResponse:
    form = InspectionFilterForm(request.GET, records=inspections_for(request.user))
    inspections = form.filter()
    context = {
        "form": form,
        "inspections": inspections,
        **inspection_summary(inspections),
        "can_add": request.user.role in WRITERS,
    }
    return render(request, "activities/inspection/list.html", context)


@allow(READERS)
def inspections_export(request: AuthenticatedRequest) -> HttpResponse:
    inspections = InspectionFilterForm(request.GET, records=inspections_for(request.user)).filter()
    headers = [
        _("Đơn vị kiểm tra"),
        _("Nội dung kiểm tra"),
        _("Đơn vị được kiểm tra"),
        _("Ngày dự kiến"),
        _("Ngày kiểm tra"),
        _("Tình trạng"),
        _("Kết quả, phát hiện"),
        _("Kiến nghị, việc cần khắc phục"),
        _("Hạn khắc phục"),
        _("Quá hạn khắc phục"),
        _("Mục kế hoạch"),
    ]
    rows = [
        [
            i.unit.name,
            i.title,
            "; ".join(u.name for u in i.inspected_units.all()),
            i.planned_on,
            i.visited_on,
            i.get_status_display(),
            i.findings,
            i.follow_up,
            i.follow_up_due,
            yes_no(i.overdue),
            "; ".join(item.code for item in i.plan_items.all()),
        ]
        for i in inspections
    ]
    return workbook_response("kiem-tra.xlsx", _("Kiểm tra, giám sát"), headers, rows)


@allow(READERS)
def inspection_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(inspections_for(request.user), pk=pk)
    context = {
        "inspection": inspection,
        "can_edit": editable_by(inspection.unit_id, request.user),
        "history": Event.objects.for_object(inspection)[:50],
    }
    return render(request, "activities/inspection/detail.html", context)


def _inspection_form(request: AuthenticatedRequest, form: InspectionForm) -> HttpResponse:
    if record := save_form(request, form):
        messages.success(request, _("Đã lưu đợt kiểm tra “%(title)s”.") % {"title": record.title})
        return redirect("activities:inspection", pk=record.pk)
    context = {"form": form, "inspection": form.instance if form.instance.pk else None}
    return render(request, "activities/inspection/form.html", context)


@allow(WRITERS)
def inspection_new(request: AuthenticatedRequest) -> HttpResponse:
    inspection = Inspection()
    form = InspectionForm(request.POST or None, instance=inspection, user=request.user)
    return _inspection_form(request, form)


@allow(WRITERS)
def inspection_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    inspection = editable(request, Inspection.objects, pk)
    form = InspectionForm(request.POST or None, instance=inspection, user=request.user)
    return _inspection_form(request, form)


# -- Commendations ----------------------------------------------------------------------------


@allow(READERS)
def commendation_list(request: AuthenticatedRequest) -> HttpResponse:
    form = CommendationFilterForm(request.GET, records=commendations_for(request.user))
    commendations = form.filter()
    context = {
        "form": form,
        "commendations": commendations,
        "outcomes": commendation_outcomes(commendations),
        "can_add": request.user.role in WRITERS,
    }
    return render(request, "activities/commendation/list.html", context)


@allow(READERS)
def commendations_export(request: AuthenticatedRequest) -> HttpResponse:
    commendations = CommendationFilterForm(
        request.GET, records=commendations_for(request.user)
    ).filter()
    headers = [
        _("Năm"),
        _("Đơn vị đề nghị"),
        _("Đối tượng"),
        _("Tên tập thể, cá nhân"),
        _("Chức vụ, đơn vị công tác"),
        _("Thành tích"),
        _("Hình thức khen thưởng"),
        _("Kết quả"),
        _("Số, ngày quyết định"),
    ]
    rows = [
        [
            c.year,
            c.unit.name,
            c.get_nominee_kind_display(),
            c.nominee,
            c.nominee_position,
            c.achievements,
            c.form,
            c.get_outcome_display(),
            c.decision,
        ]
        for c in commendations
    ]
    return workbook_response("khen-thuong.xlsx", _("Khen thưởng"), headers, rows)


@allow(READERS)
def commendation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    commendation = get_object_or_404(commendations_for(request.user), pk=pk)
    context = {
        "commendation": commendation,
        "can_edit": commendation.editable_by(request.user),
        "history": Event.objects.for_object(commendation)[:50],
    }
    return render(request, "activities/commendation/detail.html", context)


def _commendation_form(request: AuthenticatedRequest, form: CommendationForm) -> HttpResponse:
    if record := save_form(request, form):
        messages.success(
            request, _("Đã lưu đề nghị khen thưởng “%(name)s”.") % {"name": record.nominee}
        )
        return redirect("activities:commendation", pk=record.pk)
    context = {"form": form, "commendation": form.instance if form.instance.pk else None}
    return render(request, "activities/commendation/form.html", context)


@allow(WRITERS)
def commendation_new(request: AuthenticatedRequest) -> HttpResponse:
    commendation = Commendation()
    form = CommendationForm(request.POST or None, instance=commendation, user=request.user)
    return _commendation_form(request, form)


@allow(WRITERS)
def commendation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    commendation = editable(request, Commendation.objects, pk)
    if not commendation.editable_by(request.user):
        raise PermissionDenied
    form = CommendationForm(request.POST or None, instance=commendation, user=request.user)
    return _commendation_form(request, form)
