"""The GBV module: survivors, cases, incidents, consent, referrals, services, safe places.

Who sees what is decided here (`for_user`, `Case.access_for`), never in templates:
- a case worker sees the cases they own; a supervisor every case of their agency;
- the case roles of an agency that holds an active referral see the packet that referral shares;
- break-glass grants a named user a case for a limited time, with a written reason;
- everybody else (coordinators, leaders, admins included) sees no case record at all.
Identity, contact, location and narrative fields are EncryptedTextField (cases.crypto).
"""

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import CASE_ROLES, Role
from orgs.models import EthnicGroupField

from .crypto import EncryptedTextField, blind_index

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Sex(models.TextChoices):
    FEMALE = "female", _("Nữ")
    MALE = "male", _("Nam")


class PerpetratorSex(models.TextChoices):
    FEMALE = "female", _("Nữ")
    MALE = "male", _("Nam")
    UNKNOWN = "unknown", _("Không rõ")


class AgeBand(models.TextChoices):
    A0_11 = "0-11", "0–11"
    A12_17 = "12-17", "12–17"
    A18_25 = "18-25", "18–25"
    A26_40 = "26-40", "26–40"
    A41_60 = "41-60", "41–60"
    A61 = "61+", "61+"

    @classmethod
    def of_age(cls, years: int) -> "AgeBand":
        for band, top in ((cls.A0_11, 11), (cls.A12_17, 17), (cls.A18_25, 25), (cls.A26_40, 40)):
            if years <= top:
                return band
        return cls.A41_60 if years <= 60 else cls.A61


CHILD_BANDS = {AgeBand.A0_11, AgeBand.A12_17}


def _code(prefix: str) -> str:
    # No vowels, no look-alikes: a code can't spell a word or be misread over the phone.
    return prefix + "".join(secrets.choice("BCDFGHJKMNPQRSTVWXYZ23456789") for _ in range(6))


class SurvivorQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(cases__in=Case.objects.for_user(user)).distinct()


class Survivor(models.Model):
    """A person known by a pseudonymous code; identity and contact are optional and encrypted."""

    code = models.CharField(_("mã nạn nhân"), max_length=12, unique=True, editable=False)
    agency = models.ForeignKey(
        "orgs.Unit", verbose_name=_("cơ quan tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )
    name = EncryptedTextField(_("họ và tên"), blank=True)
    birth_date = EncryptedTextField(_("ngày sinh"), blank=True)
    phone = EncryptedTextField(_("điện thoại"), blank=True)
    address = EncryptedTextField(_("địa chỉ"), blank=True)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices)
    age_band = models.CharField(_("nhóm tuổi"), max_length=5, choices=AgeBand.choices)
    ethnic_group = EthnicGroupField(
        "orgs.EthnicGroup",
        verbose_name=_("dân tộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disability = models.BooleanField(_("người khuyết tật"), default=False)
    identity_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    redacted_at = models.DateTimeField(_("đã xóa dữ liệu cá nhân lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurvivorQuerySet.as_manager()

    class Meta:
        verbose_name = _("nạn nhân")
        verbose_name_plural = _("nạn nhân")

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = _code("NN-")
        self.identity_key = blind_index(self.name, self.birth_date)
        super().save(*args, **kwargs)


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Đang hỗ trợ")
    CLOSING = "closing", _("Chờ duyệt đóng")
    CLOSED = "closed", _("Đã đóng")


class Risk(models.TextChoices):
    LOW = "low", _("Thấp")
    MEDIUM = "medium", _("Trung bình")
    HIGH = "high", _("Cao")


class ClosureReason(models.TextChoices):
    NEEDS_MET = "needs_met", _("Nhu cầu hỗ trợ đã được đáp ứng")
    DECLINED = "declined", _("Nạn nhân không muốn tiếp tục")
    MOVED = "moved", _("Nạn nhân chuyển nơi khác")
    NO_CONTACT = "no_contact", _("Không liên lạc được")
    OTHER = "other", _("Lý do khác")


class CaseQuerySet(models.QuerySet):
    def for_user(self, user):
        """Cases the user may open (fully or through a referral's packet); a case role counts
        only with approved GBV access (`User.has_gbv_access`)."""
        if not user.is_authenticated or not user.has_gbv_access:
            return self.none()
        referred = Q(
            pk__in=Referral.objects.filter(
                to_agency_id=user.unit_id, status__in=Referral.ACTIVE
            ).values("case_id")
        )
        return self.filter(self._full(user) | referred)

    def handled_by(self, user):
        """Cases the user sees in full (owned, the agency's for a supervisor, break-glass);
        those only referred to the user's agency are not among them."""
        if not user.is_authenticated or user.role not in CASE_ROLES:
            return self.none()
        return self.filter(self._full(user))

    @staticmethod
    def _full(user) -> Q:
        glass = BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now())
        full = Q(owner=user) | Q(pk__in=glass.values("case_id"))
        if user.role == Role.CASE_SUPERVISOR:
            full |= Q(agency_id=user.unit_id)
        return full


class Case(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=20, unique=True, editable=False)
    survivor = models.ForeignKey(
        Survivor, verbose_name=_("nạn nhân"), on_delete=models.PROTECT, related_name="cases"
    )
    agency = models.ForeignKey(
        "orgs.Unit", verbose_name=_("cơ quan quản lý"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ phụ trách"),
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    risk = models.CharField(_("mức độ nguy cơ"), max_length=10, choices=Risk.choices)
    safety_plan = EncryptedTextField(_("kế hoạch an toàn"), blank=True)
    case_plan = EncryptedTextField(_("kế hoạch hỗ trợ"), blank=True)
    opened_on = models.DateField(_("ngày tiếp nhận"), default=timezone.localdate)
    closure_reason = models.CharField(
        _("lý do đóng"), max_length=12, choices=ClosureReason.choices, blank=True
    )
    closure_note = EncryptedTextField(_("ghi chú khi đóng"), blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người duyệt đóng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("ngày đóng"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ hỗ trợ")
        verbose_name_plural = _("hồ sơ hỗ trợ")
        ordering = ["-opened_on", "-id"]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = _code("HS-")
        super().save(*args, **kwargs)

    def overseen_by(self, user) -> bool:
        """A supervisor of the case's agency: sees it all, approves closures, overrides consent,
        sees and ends break-glass grants."""
        return user.role == Role.CASE_SUPERVISOR and self.agency_id == user.unit_id

    def access_for(self, user) -> "Access | None":
        """What `user` may see of this case: everything, a referral's packet, or nothing."""
        if not user.is_authenticated or user.role not in CASE_ROLES:
            return None
        if self.owner_id == user.pk or self.overseen_by(user):
            return Access(full=True)
        glass = self.break_glass.filter(user=user, expires_at__gt=timezone.now()).first()
        if glass is not None:
            return Access(full=True, break_glass=glass)
        referrals = list(
            self.referrals.filter(to_agency_id=user.unit_id, status__in=Referral.ACTIVE)
        )
        if referrals:
            shared = set().union(*(r.shares for r in referrals))
            return Access(full=False, shares=frozenset(shared), referrals=referrals)
        return None


class Access:
    def __init__(self, *, full, shares=frozenset(), referrals=(), break_glass=None):
        self.full = full
        self.shares = frozenset(Share.values) if full else shares
        self.referrals = referrals
        self.break_glass = break_glass

    @property
    def can_write(self) -> bool:
        """Changes need full access of one's own: break-glass only reads."""
        return self.full and self.break_glass is None

    def sees(self, share: str) -> bool:
        return share in self.shares


class FollowUpQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(case__in=Case.objects.for_user(user).handled_by(user))

    def due(self):
        return self.filter(done_at__isnull=True)


class FollowUp(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("hạn theo dõi"))
    purpose = EncryptedTextField(_("nội dung theo dõi"))
    note = EncryptedTextField(_("kết quả"), blank=True)
    done_at = models.DateTimeField(_("đã thực hiện lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.case} {self.due_on:%d/%m/%Y}"


class IncidentType(models.TextChoices):
    RAPE = "rape", _("Hiếp dâm")
    SEXUAL_ASSAULT = "sexual_assault", _("Tấn công tình dục")
    PHYSICAL = "physical", _("Tấn công thể chất")
    FORCED_MARRIAGE = "forced_marriage", _("Cưỡng ép kết hôn")
    DENIAL = "denial", _("Từ chối nguồn lực, cơ hội hoặc dịch vụ")
    PSYCHOLOGICAL = "psychological", _("Bạo lực tâm lý, tinh thần")
    NOT_GBV = "not_gbv", _("Không phải bạo lực trên cơ sở giới")


# GBVIMS classification: ask in this order, the first "yes" decides.
CLASSIFICATION = [
    (
        IncidentType.RAPE,
        _(
            "Có hành vi xâm nhập (dù rất nhẹ) vào âm đạo, hậu môn hoặc miệng bằng dương vật hoặc "
            "bộ phận cơ thể, đồ vật khác, trái ý muốn của nạn nhân không?"
        ),
    ),
    (
        IncidentType.SEXUAL_ASSAULT,
        _(
            "Có hành vi đụng chạm, tiếp xúc tình dục khác trái ý muốn (kể cả hiếp dâm không "
            "thành) không?"
        ),
    ),
    (
        IncidentType.PHYSICAL,
        _("Có hành vi bạo lực thể chất (đánh, đấm, đá, đốt, dùng vũ khí…) không?"),
    ),
    (
        IncidentType.FORCED_MARRIAGE,
        _("Nạn nhân có bị ép buộc kết hôn (kể cả tảo hôn) không?"),
    ),
    (
        IncidentType.DENIAL,
        _(
            "Nạn nhân có bị tước đoạt, ngăn cản tiếp cận tài sản, thu nhập, học tập, việc làm "
            "hoặc dịch vụ một cách có chủ ý không?"
        ),
    ),
    (
        IncidentType.PSYCHOLOGICAL,
        _("Có hành vi đe dọa, lăng mạ, cô lập, kiểm soát, gây tổn hại tinh thần không?"),
    ),
]
# Context questions: they derive flags, never the type.
CONTEXT_QUESTIONS = {
    "exchange": _("Có trao đổi tiền, hàng hóa, lợi ích để đổi lấy quan hệ tình dục không?"),
    "held": _("Nạn nhân có bị giam giữ, kiểm soát tự do để bóc lột tình dục không?"),
    "tradition": _("Hành vi có xuất phát từ hủ tục, tập quán có hại không?"),
}


def classify(answers: dict) -> str:
    for incident_type, _question in CLASSIFICATION:
        if answers.get(incident_type):
            return incident_type
    return IncidentType.NOT_GBV


class Relationship(models.TextChoices):
    SPOUSE = "spouse", _("Vợ/chồng")
    PARTNER = "partner", _("Người yêu, bạn tình")
    FORMER_PARTNER = "former_partner", _("Vợ/chồng cũ, người yêu cũ")
    FAMILY = "family", _("Thành viên khác trong gia đình")
    CAREGIVER = "caregiver", _("Người chăm sóc, giám hộ")
    ACQUAINTANCE = "acquaintance", _("Người quen, hàng xóm")
    AUTHORITY = "authority", _("Thầy cô, cấp trên, người có thẩm quyền")
    STRANGER = "stranger", _("Người lạ")
    UNKNOWN = "unknown", _("Không rõ")


INTIMATE = {Relationship.SPOUSE, Relationship.PARTNER, Relationship.FORMER_PARTNER}


class PlaceType(models.TextChoices):
    HOME = "home", _("Nhà ở")
    PUBLIC = "public", _("Nơi công cộng, đường phố")
    SCHOOL = "school", _("Trường học")
    WORK = "work", _("Nơi làm việc")
    ONLINE = "online", _("Trên mạng")
    OTHER = "other", _("Nơi khác")


class Flag(models.TextChoices):
    IPV = "ipv", _("Bạo lực do bạn đời")
    CSA = "csa", _("Xâm hại tình dục trẻ em")
    EARLY_MARRIAGE = "early_marriage", _("Tảo hôn")
    EXPLOITATION = "exploitation", _("Có thể bị bóc lột tình dục")
    SLAVERY = "slavery", _("Có thể bị nô lệ tình dục")
    HARMFUL_PRACTICE = "harmful_practice", _("Hủ tục có hại")


class HarmForm(models.TextChoices):
    """Forms of domestic violence in Law 13/2022/QH15."""

    PHYSICAL = "physical", _("Bạo lực thể chất")
    MENTAL = "mental", _("Bạo lực tinh thần")
    SEXUAL = "sexual", _("Bạo lực tình dục")
    ECONOMIC = "economic", _("Bạo lực kinh tế")


class HarmMappingQuerySet(models.QuerySet):
    def for_user(self, user):
        return self if user.is_authenticated else self.none()

    def as_dict(self) -> dict:
        return dict(self.values_list("incident_type", "harm_form"))


class HarmMapping(models.Model):
    """GBVIMS type → Law 13/2022 form of harm; editable by the coordinator (data, not code)."""

    incident_type = models.CharField(
        _("loại vụ việc (GBVIMS)"), max_length=20, choices=IncidentType.choices, unique=True
    )
    harm_form = models.CharField(
        _("hình thức bạo lực (Luật 13/2022)"), max_length=10, choices=HarmForm.choices
    )

    objects = HarmMappingQuerySet.as_manager()

    class Meta:
        verbose_name = _("ánh xạ hình thức bạo lực")
        verbose_name_plural = _("ánh xạ hình thức bạo lực")

    def __str__(self):
        return f"{self.get_incident_type_display()} → {self.get_harm_form_display()}"


def mapping_state(mapping: dict) -> str:
    """The whole harm mapping as one string: what a user saw, to detect a save made since."""
    return ",".join(f"{key}={value}" for key, value in sorted(mapping.items()))


class IncidentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(case__in=Case.objects.for_user(user))


class Incident(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    occurred_on = models.DateField(_("ngày xảy ra"))
    place_type = models.CharField(_("nơi xảy ra"), max_length=10, choices=PlaceType.choices)
    commune = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("xã, phường nơi xảy ra"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answers = models.JSONField(_("trả lời câu hỏi phân loại"), default=dict)
    incident_type = models.CharField(
        _("loại vụ việc"), max_length=20, choices=IncidentType.choices, editable=False
    )
    flags = models.JSONField(_("đặc điểm"), default=list, editable=False)
    survivor_age_band = models.CharField(
        _("nhóm tuổi nạn nhân khi xảy ra"), max_length=5, choices=AgeBand.choices
    )
    perpetrator_relationship = models.CharField(
        _("quan hệ của người gây bạo lực"), max_length=20, choices=Relationship.choices
    )
    perpetrator_sex = models.CharField(
        _("giới tính người gây bạo lực"), max_length=10, choices=PerpetratorSex.choices
    )
    perpetrator_age_band = models.CharField(
        _("nhóm tuổi người gây bạo lực"), max_length=5, choices=AgeBand.choices, blank=True
    )
    perpetrator_prosecuted = models.BooleanField(
        _("người gây bạo lực đã bị truy cứu trách nhiệm hình sự"), default=False
    )
    perpetrator_counselled = models.BooleanField(
        _("người gây bạo lực đã được tư vấn, tham vấn"), default=False
    )
    reported_elsewhere = models.BooleanField(_("đã trình báo ở cơ quan khác"), default=False)
    narrative = EncryptedTextField(_("mô tả vụ việc"), blank=True)
    dedup_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IncidentQuerySet.as_manager()
    # Set by cases.selectors.incidents for the case page (a bare annotation adds no field).
    harm_label: "StrOrPromise"

    class Meta:
        verbose_name = _("vụ việc")
        verbose_name_plural = _("vụ việc")
        ordering = ["-occurred_on", "-id"]

    def __str__(self):
        return f"{self.case.code} {self.occurred_on:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        self.derive()
        survivor = self.case.survivor
        # Same person, same day, same type: one incident however many agencies record it.
        identity = survivor.identity_key or survivor.code
        self.dedup_key = blind_index(identity, self.occurred_on.isoformat(), self.incident_type)
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """Type and context flags follow from the answers and facts, never chosen."""
        self.incident_type = classify(self.answers)
        child = self.survivor_age_band in CHILD_BANDS
        sexual = self.incident_type in (IncidentType.RAPE, IncidentType.SEXUAL_ASSAULT)
        flags = []
        if self.perpetrator_relationship in INTIMATE and self.incident_type != IncidentType.NOT_GBV:
            flags.append(Flag.IPV)
        if sexual and child:
            flags.append(Flag.CSA)
        if self.incident_type == IncidentType.FORCED_MARRIAGE and child:
            flags.append(Flag.EARLY_MARRIAGE)
        if sexual and self.answers.get("exchange"):
            flags.append(Flag.EXPLOITATION)
        if sexual and self.answers.get("held"):
            flags.append(Flag.SLAVERY)
        if self.answers.get("tradition") and self.incident_type != IncidentType.NOT_GBV:
            flags.append(Flag.HARMFUL_PRACTICE)
        self.flags = [str(f) for f in flags]

    def flag_labels(self) -> list["StrOrPromise"]:
        return [Flag(f).label for f in self.flags]


class ConsentPurpose(models.TextChoices):
    SERVICES = "services", _("Nhận dịch vụ hỗ trợ")
    REFERRAL = "referral", _("Chuyển gửi đến cơ quan khác")
    STATISTICS = "statistics", _("Đưa vào số liệu thống kê")


class ConsentGiver(models.TextChoices):
    SURVIVOR = "survivor", _("Nạn nhân")
    GUARDIAN = "guardian", _("Cha mẹ, người giám hộ")
    CAREGIVER = "caregiver", _("Người chăm sóc khác")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Văn bản có chữ ký")
    VERBAL = "verbal", _("Bằng lời nói, có ghi nhận")
    THUMBPRINT = "thumbprint", _("Điểm chỉ")


class ConsentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(case__in=Case.objects.for_user(user))

    def valid(self):
        """Given, not expired, not withdrawn today, in the province's time (a consent given this
        morning counts even while UTC is still on yesterday)."""
        day = timezone.localdate()
        return self.filter(
            Q(given_on__lte=day),
            Q(expires_on__isnull=True) | Q(expires_on__gte=day),
            Q(withdrawn_at__isnull=True),
        )

    def covering(self, purpose: str, agency=None):
        """Valid consents for `purpose`; a referral consent names its agency (or any)."""
        found = self.valid().filter(purpose=purpose)
        if purpose == ConsentPurpose.REFERRAL:
            found = found.filter(Q(agency__isnull=True) | Q(agency=agency))
        return found


class Consent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("mục đích"), max_length=12, choices=ConsentPurpose.choices)
    agency = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("cơ quan được chuyển gửi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Chỉ với mục đích chuyển gửi; để trống nếu đồng ý chuyển gửi mọi cơ quan."),
    )
    given_by = models.CharField(_("người đồng ý"), max_length=10, choices=ConsentGiver.choices)
    method = models.CharField(_("hình thức"), max_length=10, choices=ConsentMethod.choices)
    given_on = models.DateField(_("ngày đồng ý"), default=timezone.localdate)
    expires_on = models.DateField(_("hết hạn ngày"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("rút lại lúc"), null=True, blank=True)
    withdrawal_note = EncryptedTextField(_("ghi chú khi rút lại"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự đồng ý")
        verbose_name_plural = _("sự đồng ý")
        ordering = ["-given_on", "-id"]

    def __str__(self):
        return f"{self.case.code} {self.get_purpose_display()}"

    @property
    def is_valid(self) -> bool:
        today = timezone.localdate()
        return (
            self.withdrawn_at is None
            and self.given_on <= today
            and (self.expires_on is None or self.expires_on >= today)
        )


class ServiceType(models.TextChoices):
    SHELTER = "shelter", _("Nơi tạm lánh")
    HEALTH = "health", _("Y tế")
    PSYCHOSOCIAL = "psychosocial", _("Tư vấn tâm lý - xã hội")
    LEGAL = "legal", _("Trợ giúp pháp lý")
    POLICE = "police", _("Công an, bảo vệ an toàn")
    LIVELIHOOD = "livelihood", _("Sinh kế")


class Outcome(models.TextChoices):
    REFERRED = "referred", _("Đã chuyển gửi")
    PROVIDED = "provided", _("Do cơ quan mình cung cấp")
    ELSEWHERE = "elsewhere", _("Đã nhận ở nơi khác")
    DECLINED = "declined", _("Nạn nhân từ chối")
    NOT_APPLICABLE = "not_applicable", _("Không cần thiết")
    NOT_AVAILABLE = "not_available", _("Không có dịch vụ")


# The outcomes that mean the survivor received the service.
RECEIVED = {Outcome.PROVIDED, Outcome.ELSEWHERE}


class Share(models.TextChoices):
    """What a referral lets the recipient see (the minimal packet is the first two)."""

    PROFILE = "profile", _("Mã, giới tính, nhóm tuổi, dân tộc, khuyết tật")
    INCIDENTS = "incidents", _("Loại vụ việc, ngày, nơi xảy ra (không có mô tả)")
    NAME = "name", _("Họ tên, ngày sinh")
    PHONE = "phone", _("Điện thoại")
    ADDRESS = "address", _("Địa chỉ")
    NARRATIVE = "narrative", _("Mô tả vụ việc")
    PLANS = "plans", _("Kế hoạch an toàn và kế hoạch hỗ trợ")


MINIMAL_PACKET = [Share.PROFILE, Share.INCIDENTS]


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", _("Đã chuyển, chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    DECLINED = "declined", _("Từ chối tiếp nhận")
    PROVIDED = "provided", _("Đã cung cấp dịch vụ")
    NOT_PROVIDED = "not_provided", _("Không cung cấp được")
    CANCELLED = "cancelled", _("Đã hủy")


class ReferralQuerySet(models.QuerySet):
    def for_user(self, user):
        """Referrals the user's agency sent (for the cases they see fully) or received."""
        if not user.is_authenticated or not user.has_gbv_access:
            return self.none()
        return self.filter(
            Q(case__in=Case.objects.for_user(user), from_agency_id=user.unit_id)
            | Q(case__owner=user)
            | Q(to_agency_id=user.unit_id, status__in=Referral.ACTIVE)
        ).distinct()


class Referral(models.Model):
    ACTIVE = (ReferralStatus.REFERRED, ReferralStatus.ACCEPTED)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    service_type = models.CharField(_("loại dịch vụ"), max_length=15, choices=ServiceType.choices)
    from_agency = models.ForeignKey(
        "orgs.Unit", verbose_name=_("cơ quan chuyển"), on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        "orgs.Unit", verbose_name=_("cơ quan nhận"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=15,
        choices=ReferralStatus.choices,
        default=ReferralStatus.REFERRED,
    )
    shares = models.JSONField(_("thông tin chia sẻ"), default=list)
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    override_reason = EncryptedTextField(_("lý do chuyển gửi không có sự đồng ý"), blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referred_at = models.DateTimeField(_("ngày chuyển"), auto_now_add=True)
    due_on = models.DateField(_("hạn phản hồi"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("ngày phản hồi"), null=True, blank=True)
    response_note = EncryptedTextField(_("ghi chú phản hồi"), blank=True)
    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuyển gửi")
        verbose_name_plural = _("chuyển gửi")
        ordering = ["-referred_at", "-id"]

    def __str__(self):
        return f"{self.case.code} → {self.to_agency}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_overdue(self) -> bool:
        return self.is_active and self.due_on < timezone.localdate()


class ServiceRecordQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(case__in=Case.objects.for_user(user))


class ServiceRecord(models.Model):
    """GBVIMS outcome of one service type for a case, by the agency that recorded it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(_("loại dịch vụ"), max_length=15, choices=ServiceType.choices)
    outcome = models.CharField(_("kết quả"), max_length=15, choices=Outcome.choices)
    on = models.DateField(_("ngày"), default=timezone.localdate)
    agency = models.ForeignKey(
        "orgs.Unit", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    note = EncryptedTextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("dịch vụ hỗ trợ")
        verbose_name_plural = _("dịch vụ hỗ trợ")
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.case.code} {self.get_service_type_display()}"


class SafePlaceType(models.TextChoices):
    TRUSTED_ADDRESS = "trusted_address", _("Địa chỉ tin cậy")
    SHELTER = "shelter", _("Nhà tạm lánh tại cộng đồng")
    ONE_STOP = "one_stop", _("Trung tâm hỗ trợ một cửa")


class PlaceQuerySet(models.QuerySet):
    def for_user(self, user):
        """Every case role sees the registry (name, type, commune, availability): referring
        agencies need it. The location is a separate, narrower question: `Place.shows_location`."""
        if not user.is_authenticated or not user.has_gbv_access:
            return self.none()
        return self

    def with_occupancy(self):
        return self.annotate(
            occupancy=models.Count("stays", filter=Q(stays__discharged_on__isnull=True))
        )


class Place(models.Model):
    """A trusted address, community shelter or one-stop centre. Its location is shown only to its
    own staff and to the owners of cases staying there, and leaves in no list or export."""

    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=SafePlaceType.choices)
    commune = models.ForeignKey(
        "orgs.Unit", verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="+"
    )
    host = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("cơ quan, tổ chức quản lý"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity = models.PositiveSmallIntegerField(_("sức chứa (người)"))
    contact_name = EncryptedTextField(_("người liên hệ"), blank=True)
    contact_phone = EncryptedTextField(_("điện thoại liên hệ"), blank=True)
    location = EncryptedTextField(_("địa điểm"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("nhân viên"), blank=True, related_name="places"
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    version = models.PositiveIntegerField(default=1)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("địa chỉ tin cậy, nơi tạm lánh")
        verbose_name_plural = _("địa chỉ tin cậy, nơi tạm lánh")
        ordering = ["commune__name", "name"]

    def __str__(self):
        return self.name

    def shows_location(self, user) -> bool:
        if not user.is_authenticated or user.role not in CASE_ROLES:
            return False
        return (
            self.staff.filter(pk=user.pk).exists()
            or self.stays.filter(discharged_on__isnull=True, case__owner=user).exists()
        )


class StayQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or not user.has_gbv_access:
            return self.none()
        return self.filter(
            Q(case__in=Case.objects.for_user(user)) | Q(place__staff=user)
        ).distinct()

    def current(self):
        return self.filter(discharged_on__isnull=True)


class Stay(models.Model):
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="stays")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="stays")
    admitted_on = models.DateField(_("ngày tiếp nhận"), default=timezone.localdate)
    reason = EncryptedTextField(_("lý do tạm lánh"), blank=True)
    discharged_on = models.DateField(_("ngày rời đi"), null=True, blank=True)
    discharge_reason = EncryptedTextField(_("lý do rời đi"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = StayQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt tạm lánh")
        verbose_name_plural = _("lượt tạm lánh")
        ordering = ["-admitted_on", "-id"]

    def __str__(self):
        return f"{self.case.code} @ {self.place}"


class BreakGlassQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or not user.has_gbv_access:
            return self.none()
        if user.role == Role.CASE_SUPERVISOR:
            return self.filter(Q(user=user) | Q(case__agency_id=user.unit_id))
        return self.filter(user=user)


class BreakGlass(models.Model):
    """Emergency access to a case outside one's scope: reasoned, time-limited, audited, and the
    case's supervisors are alerted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="break_glass")
    reason = EncryptedTextField(_("lý do truy cập khẩn cấp"))
    started_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.user} → {self.case.code}"


# The service directory names units and the services they give, no survivor: the case roles read
# it to refer, the coordinator (Sở Nội vụ, in charge of the province's GBV coordination) keeps it,
# admins read it.
DIRECTORY_KEEPERS = frozenset({Role.COORDINATOR})
DIRECTORY_READERS = frozenset({*CASE_ROLES, Role.COORDINATOR, Role.ADMIN})


class ServiceProviderQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or user.role not in DIRECTORY_READERS:
            return self.none()
        return self

    def offering(self, service_type: str):
        return self.filter(active=True, service_type=service_type)


class ServiceProvider(models.Model):
    """An entry of the referral service directory: `unit` gives `service_type`. A referral goes
    only to a unit listed, active, for the service asked (cases.services.directory)."""

    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="gbv_services",
    )
    service_type = models.CharField(_("loại dịch vụ"), max_length=15, choices=ServiceType.choices)
    active = models.BooleanField(_("đang cung cấp"), default=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ServiceProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan cung cấp dịch vụ")
        verbose_name_plural = _("danh bạ dịch vụ hỗ trợ")
        ordering = ["service_type", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "service_type"], name="provider_unique")
        ]

    def __str__(self):
        return f"{self.unit} — {self.get_service_type_display()}"
