"""What analytics keeps: the coordinator's own text for each outline section of a round's
synthesis, written beside the units' answers (analytics.views.synthesis)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import PROVINCE_WIDE
from reports.models import Round, Section


class SectionTextQuerySet(models.QuerySet):
    def for_user(self, user):
        """The province's texts are read by the province-wide roles (who read the synthesis)."""
        if not user.is_authenticated or user.role not in PROVINCE_WIDE:
            return self.none()
        return self


class SectionText(models.Model):
    """The province's section of the synthesis report for one outline section of a round's form.
    Saved through analytics.services.save_section_text: a save from a stale version is refused
    (audit.services.save_audited), so two coordinators never overwrite each other silently."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("nội dung tổng hợp của tỉnh"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SectionTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("nội dung tổng hợp một mục")
        verbose_name_plural = _("nội dung tổng hợp các mục")
        constraints = [
            models.UniqueConstraint(fields=["round", "section"], name="section_text_unique")
        ]

    def __str__(self):
        return f"{self.round} — {self.section}"
