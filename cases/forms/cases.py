"""Forms of case work: registration (survivor, case, first consents), the case's plans, incidents
with the GBVIMS classification questions, consents, follow-ups, closure, break-glass, the case
list's filters and code-only search (a name never reaches a URL or the audit log), and the harm
mapping."""

import datetime
import re
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.forms import VersionedFormMixin
from core.roles import CASE_ROLES, Role
from core.widgets import DateField
from orgs.models import COMMUNE_KINDS, EthnicGroup, Unit, UnitKind

from ..models import (
    CLASSIFICATION,
    CONTEXT_QUESTIONS,
    AgeBand,
    Case,
    CaseStatus,
    ClosureReason,
    Consent,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    FollowUp,
    HarmForm,
    Incident,
    IncidentType,
    Risk,
    Survivor,
    classify,
    mapping_state,
)

# Case and survivor codes only (see models._code): a name or a phone number never matches, so it
# never reaches a URL or the audit log.
CODE = re.compile(r"^(?:(?:HS|NN)-)?[BCDFGHJKMNPQRSTVWXYZ2-9]{6}$")
YES_NO = [("yes", _("Có")), ("no", _("Không"))]


def _not_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("Ngày này chưa đến."))
    return day


def _age(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class CaseFilterForm(forms.Form):
    """Filters of the case list (GET: no personal data)."""

    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=[("", _("Tất cả"))] + CaseStatus.choices, required=False
    )
    risk = forms.ChoiceField(
        label=_("Mức độ nguy cơ"), choices=[("", _("Tất cả"))] + Risk.choices, required=False
    )
    overdue = forms.BooleanField(label=_("Chỉ hồ sơ quá hạn theo dõi"), required=False)

    def filter(self, cases, today):
        """`cases` annotated with `next_due` (the earliest follow-up not done)."""
        data = self.cleaned_data
        cases = cases.filter(**{k: data[k] for k in ("status", "risk") if data[k]})
        return cases.filter(next_due__lt=today) if data["overdue"] else cases


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Mã hồ sơ hoặc mã nạn nhân"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "HS-… / NN-…", "autocomplete": "off"}),
    )

    def clean_q(self):
        code = self.cleaned_data["q"].strip().upper()
        if not CODE.match(code):
            raise forms.ValidationError(
                _("Chỉ tìm được theo mã hồ sơ (HS-…) hoặc mã nạn nhân (NN-…), không theo tên.")
            )
        return code

    def filter(self, cases):
        code = self.cleaned_data["q"]
        if "-" in code:
            return cases.filter(Q(code=code) | Q(survivor__code=code))
        return cases.filter(Q(code=f"HS-{code}") | Q(survivor__code=f"NN-{code}"))


class SurvivorForm(forms.ModelForm):
    name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        required=False,
        help_text=_("Không bắt buộc: nạn nhân có thể chỉ được biết qua mã."),
    )
    birth_date = DateField(label=_("Ngày sinh"), required=False, validators=[_not_future])
    phone = forms.RegexField(
        label=_("Điện thoại"),
        regex=r"^[0-9 +().-]{6,20}$",
        required=False,
        error_messages={"invalid": _("Số điện thoại chỉ gồm chữ số, dấu cách, +, -.")},
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    ethnic_group = forms.ModelChoiceField(
        label=_("Dân tộc"),
        queryset=EthnicGroup.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Không rõ hoặc người nước ngoài"),
        error_messages={"invalid_choice": _("Hãy chọn một dân tộc trong danh mục.")},
    )

    class Meta:
        model = Survivor
        fields = [
            "name",
            "birth_date",
            "phone",
            "address",
            "sex",
            "age_band",
            "ethnic_group",
            "disability",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The official list (orgs.EthnicGroup) as the admins keep it; a group no longer offered
        # stays selectable for the survivor who has it.
        current = self.instance.ethnic_group_id
        self.fields["ethnic_group"].queryset = EthnicGroup.objects.filter(
            Q(active=True) | Q(pk=current)
        )

    def clean(self):
        cleaned = super().clean()
        born, band = cleaned.get("birth_date"), cleaned.get("age_band")
        if born and band:
            age = _age(born, timezone.localdate())
            if AgeBand.of_age(age) != band:
                self.add_error(
                    "age_band",
                    _("Theo ngày sinh, nạn nhân %(age)s tuổi: nhóm tuổi phải là %(band)s.")
                    % {"age": age, "band": AgeBand.of_age(age).label},
                )
        # The field is encrypted text: the date is kept as yyyy-mm-dd.
        cleaned["birth_date"] = born.isoformat() if born else ""
        return cleaned


class SurvivorEditForm(VersionedFormMixin, SurvivorForm):
    """Survivor has no version of its own: the form carries the case's (see update_survivor)."""


class CaseForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Case
        fields = ["risk", "safety_plan", "case_plan"]
        widgets = {
            "safety_plan": forms.Textarea(attrs={"rows": 4}),
            "case_plan": forms.Textarea(attrs={"rows": 4}),
        }


class NewCaseForm(forms.ModelForm):
    """The case part of registration; a supervisor may hand it to a worker of the agency."""

    opened_on = DateField(label=_("Ngày tiếp nhận"), validators=[_not_future])

    class Meta:
        model = Case
        fields = ["risk", "safety_plan", "case_plan", "opened_on", "owner"]
        widgets = CaseForm.Meta.widgets

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = timezone.localdate()
        if user.role == Role.CASE_SUPERVISOR:
            owner = self.fields["owner"]
            owner.queryset = User.objects.filter(
                unit_id=user.unit_id, role__in=CASE_ROLES, is_active=True
            ).order_by("full_name")
            owner.initial = user.pk
        else:
            del self.fields["owner"]
            self.instance.owner = user


class FirstConsentForm(forms.Form):
    """The consents given at registration: one per purpose ticked."""

    purposes = forms.MultipleChoiceField(
        label=_("Nạn nhân đồng ý cho"),
        choices=[
            (ConsentPurpose.SERVICES, ConsentPurpose.SERVICES.label),
            (ConsentPurpose.STATISTICS, ConsentPurpose.STATISTICS.label),
            (ConsentPurpose.REFERRAL, _("Chuyển gửi đến cơ quan khác (mọi cơ quan)")),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    given_by = forms.ChoiceField(
        label=_("Người đồng ý"), choices=[("", "---------"), *ConsentGiver.choices], required=False
    )
    method = forms.ChoiceField(
        label=_("Hình thức"), choices=[("", "---------"), *ConsentMethod.choices], required=False
    )
    given_on = DateField(
        label=_("Ngày đồng ý"),
        validators=[_not_future],
        initial=timezone.localdate,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("purposes"):
            for name in ("given_by", "method"):
                if not cleaned.get(name):
                    self.add_error(name, _("Hãy chọn khi có ghi nhận sự đồng ý."))
        return cleaned


def _units_of_today(kinds, current=None):
    """Units of `kinds` valid today, and the one already chosen even if it no longer is."""
    units = Unit.objects.filter(kind__in=kinds).valid_on(timezone.localdate())
    if current is not None:
        units = units | Unit.objects.filter(pk=current.pk)
    return units


class ConsentForm(forms.ModelForm):
    given_on = DateField(label=_("Ngày đồng ý"), validators=[_not_future])

    class Meta:
        model = Consent
        fields = ["purpose", "agency", "given_by", "method", "given_on", "expires_on"]
        field_classes = {"expires_on": DateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        agency.queryset = _units_of_today([UnitKind.AGENCY, *COMMUNE_KINDS])
        agency.choices = Unit.choices(agency.queryset)
        self.fields["given_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("agency") and cleaned.get("purpose") != ConsentPurpose.REFERRAL:
            self.add_error("agency", _("Chỉ chọn cơ quan khi mục đích là chuyển gửi."))
        given, expires = cleaned.get("given_on"), cleaned.get("expires_on")
        if given and expires and expires < given:
            self.add_error("expires_on", _("Ngày hết hạn phải sau ngày đồng ý."))
        return cleaned


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú khi rút lại"), max_length=300, required=False)


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["due_on", "purpose"]
        field_classes = {"due_on": DateField}
        widgets = {"purpose": forms.TextInput}


class FollowUpDoneForm(forms.Form):
    note = forms.CharField(
        label=_("Kết quả"),
        max_length=5000,
        error_messages={"required": _("Hãy ghi kết quả theo dõi.")},
    )


class CloseRequestForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Lý do đóng"), choices=[("", "---------"), *ClosureReason.choices]
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi rõ lý do.")},
    )


class BreakGlassForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "HS-…", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Lý do cần truy cập khẩn cấp"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Ít nhất 15 ký tự. Lý do được lưu lại và phụ trách của cơ quan quản lý hồ sơ "
            "được thông báo."
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not CODE.match(code) or code.startswith("NN-"):
            raise forms.ValidationError(_("Mã hồ sơ có dạng HS-XXXXXX."))
        return code if code.startswith("HS-") else f"HS-{code}"

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 15:
            raise forms.ValidationError(_("Hãy ghi rõ lý do (ít nhất 15 ký tự)."))
        return reason


class ClassificationMixin(forms.Form):
    """The GBVIMS questions, in order; the first "yes" decides the type, later ones are moot."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        answers = getattr(getattr(self, "instance", None), "answers", None) or {}
        # A stored "yes" means every question before it was answered "no".
        yes_ahead = any(answers.get(t) for t, _q in CLASSIFICATION)
        for incident_type, question in CLASSIFICATION:
            known = answers.get(incident_type, False if yes_ahead else None)
            yes_ahead = yes_ahead and not answers.get(incident_type)
            self.fields[f"q_{incident_type}"] = forms.ChoiceField(
                label=question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                required=False,
                initial=None if known is None else ("yes" if known else "no"),
            )

    def classification_rows(self):
        """(field, needed) in order: a question after the first "yes" is not needed."""
        rows, decided = [], False
        for incident_type, _question in CLASSIFICATION:
            field = self[f"q_{incident_type}"]
            rows.append((field, not decided))
            decided = decided or field.value() == "yes"
        return rows

    def classification_names(self) -> str:
        return ",".join(f"q_{t}" for t, _q in CLASSIFICATION)

    def derived_type(self):
        """The type the answers so far give; None while it is still open."""
        answers = [(t, self[f"q_{t}"].value()) for t, _q in CLASSIFICATION]
        if not any(v == "yes" for _t, v in answers) and not all(v == "no" for _t, v in answers):
            return None
        return IncidentType(classify({t: v == "yes" for t, v in answers}))

    def clean_answers(self) -> dict:
        answers = {}
        for incident_type, _question in CLASSIFICATION:
            value = self.cleaned_data.get(f"q_{incident_type}")
            if not value:
                self.add_error(
                    f"q_{incident_type}",
                    _("Hãy trả lời câu hỏi này: chỉ bỏ qua được các câu sau câu trả lời “Có”."),
                )
                break
            answers[incident_type] = value == "yes"
            if answers[incident_type]:
                break
        return answers


class ClassificationForm(ClassificationMixin, forms.Form):
    pass


class IncidentForm(ClassificationMixin, VersionedFormMixin, forms.ModelForm):
    occurred_on = DateField(label=_("Ngày xảy ra"), validators=[_not_future])

    class Meta:
        model = Incident
        fields = [
            "occurred_on",
            "place_type",
            "commune",
            "survivor_age_band",
            "perpetrator_relationship",
            "perpetrator_sex",
            "perpetrator_age_band",
            "perpetrator_prosecuted",
            "perpetrator_counselled",
            "reported_elsewhere",
            "narrative",
        ]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        answers = self.instance.answers or {}
        for key, question in CONTEXT_QUESTIONS.items():
            known = answers.get(key)
            self.fields[f"c_{key}"] = forms.ChoiceField(
                label=question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                initial=None if known is None else ("yes" if known else "no"),
                error_messages={"required": _("Hãy trả lời câu hỏi này.")},
            )
        commune = self.fields["commune"]
        communes = _units_of_today(COMMUNE_KINDS, self.instance.commune)
        commune.queryset = communes
        commune.choices = Unit.choices(communes)

    def context_fields(self):
        return [self[f"c_{key}"] for key in CONTEXT_QUESTIONS]

    def detail_fields(self):
        return [self[name] for name in self._meta.fields]

    def clean(self):
        cleaned = super().clean()
        answers = self.clean_answers()
        for key in CONTEXT_QUESTIONS:
            answers[key] = cleaned.get(f"c_{key}") == "yes"
        self.instance.answers = answers
        return cleaned


class HarmMappingForm(forms.Form):
    """One form of harm per GBVIMS type; `state` is what the user saw, to detect a later save."""

    state = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].initial = mapping_state(current)
        for incident_type, _question in CLASSIFICATION:
            self.fields[incident_type] = forms.ChoiceField(
                label=IncidentType(incident_type).label,
                choices=HarmForm.choices,
                initial=current.get(incident_type),
            )

    def chosen(self) -> dict:
        return {t: self.cleaned_data[t] for t, _q in CLASSIFICATION}

    def mark_conflict(self, current: dict):
        self.add_error(
            None,
            _(
                "Trong lúc bạn sửa, người khác đã lưu bảng ánh xạ. Lựa chọn của bạn vẫn còn "
                "nguyên bên dưới: xem lại rồi bấm Lưu lần nữa."
            ),
        )
        # Bound data is a QueryDict (a plain dict when built in code): copy it to change a value.
        data = cast("QueryDict | dict[str, Any]", self.data).copy()
        data["state"] = mapping_state(current)
        self.data = data
