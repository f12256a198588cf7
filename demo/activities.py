"""The latest Action Month begun by today and a few invented activities, for `make run` only:
the board shows several units at work and many with nothing recorded yet. Each activity is
recorded by its author two days after it took place; one that has not taken place yet is not
there."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from activities.models import Activity, Campaign, Channel, Kind
from audit.models import Action
from audit.services import record_event
from orgs.models import Unit

from . import clock

THEME = "Chung tay xóa bỏ bạo lực trên cơ sở giới, vì một xã hội bình đẳng"
MESSAGES = """Bình đẳng giới là quyền con người, là động lực phát triển.
Không bạo lực, không phân biệt đối xử: hãy lên tiếng khi chứng kiến bạo lực.
Gọi 111 (Tổng đài quốc gia bảo vệ trẻ em) hoặc đến địa chỉ tin cậy gần nhất khi cần giúp đỡ."""

# unit code, author username, kind, title, (month, day), commune code, channel, language,
# target group, (male, female), cost in đồng; all in the campaign unless the date is outside it.
DEMO_ACTIVITIES = [
    (
        "SNV",
        "coordinator",
        Kind.LAUNCH,
        "Lễ phát động Tháng hành động vì bình đẳng giới cấp tỉnh",
        (11, 15),
        "21025",
        Channel.DIRECT,
        "Tiếng Việt",
        "Lãnh đạo các sở, ngành, địa phương, đoàn viên, hội viên",
        (180, 240),
        Decimal(85_000_000),
    ),
    (
        "SYT",
        "syt.baocao",
        Kind.TRAINING,
        "Tập huấn phát hiện, hỗ trợ nạn nhân bạo lực gia đình cho y tế cơ sở",
        (11, 19),
        "21025",
        Channel.DIRECT,
        "Tiếng Việt",
        "Nhân viên trạm y tế xã, phường",
        (14, 36),
        Decimal(24_000_000),
    ),
    (
        "HLHPN",
        "hlhpn.baocao",
        Kind.ACTION_MONTH,
        "Nói chuyện chuyên đề “Gia đình không bạo lực” tại khu dân cư",
        (11, 20),
        "21034",
        Channel.DIRECT,
        "Tiếng Việt",
        "Hội viên phụ nữ và các hộ gia đình",
        (35, 90),
        Decimal(6_500_000),
    ),
    (
        "HLHPN",
        "hlhpn.baocao",
        Kind.ACTION_MONTH,
        "Sân khấu hóa phòng, chống bạo lực trên cơ sở giới bằng tiếng Hrê",
        (11, 26),
        "21040",
        Channel.DIRECT,
        "Hrê",
        "Đồng bào dân tộc thiểu số",
        (60, 75),
        Decimal(12_000_000),
    ),
    (
        "DPTTH",
        "coordinator",
        Kind.MEDIA,
        "Phóng sự “Tháng hành động: những địa chỉ tin cậy ở cơ sở”",
        (11, 22),
        None,
        Channel.TV,
        "Tiếng Việt",
        "Khán giả truyền hình",
        (0, 0),
        Decimal(9_000_000),
    ),
    (
        "21025",
        "camthanh.baocao",
        Kind.ACTION_MONTH,
        "Ra quân tuyên truyền Tháng hành động tại các tổ dân phố",
        (11, 17),
        "21025",
        Channel.LOUDSPEAKER,
        "Tiếng Việt",
        "Người dân các tổ dân phố",
        (120, 150),
        Decimal(3_000_000),
    ),
    (
        "21548",
        "lyson.baocao",
        Kind.ACTION_MONTH,
        "Phát thanh chuyên mục bình đẳng giới trên loa truyền thanh đặc khu",
        (11, 21),
        "21548",
        Channel.LOUDSPEAKER,
        "Tiếng Việt",
        "Người dân, ngư dân",
        (0, 0),
        None,
    ),
    (
        "23326",
        "iachim.baocao",
        Kind.ACTION_MONTH,
        "Truyền thông phòng, chống tảo hôn bằng tiếng Gia Rai",
        (11, 24),
        "23326",
        Channel.DIRECT,
        "Gia Rai",
        "Thanh niên, học sinh người dân tộc thiểu số",
        (48, 52),
        Decimal(4_500_000),
    ),
    (
        "SYT",
        "syt.baocao",
        Kind.COMMUNICATION,
        "Truyền thông về mất cân bằng giới tính khi sinh",
        (3, 12),
        "21040",
        Channel.DIRECT,
        "Tiếng Việt",
        "Các cặp vợ chồng trong độ tuổi sinh đẻ",
        (40, 65),
        Decimal(7_000_000),
    ),
]


def _author(username: str) -> User:
    author = (
        User.objects.filter(username=username).first()
        or User.objects.filter(username="coordinator").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if author is None:  # an activity needs its creator
        raise User.DoesNotExist("No user to record demo activities as: load the demo users first.")
    return author


def campaign_year(today: datetime.date) -> int:
    """The year of the latest Action Month begun by `today`."""
    start, _end = Campaign.default_dates(today.year)
    return today.year if today >= start else today.year - 1


@transaction.atomic
def load_demo_activities(today: datetime.date | None = None) -> int:
    """Create the latest Action Month begun by today (prepared by the coordinator a month
    ahead) and its demo activities once; the number of activities made."""
    today = today or timezone.localdate()
    year = campaign_year(today)
    if Campaign.objects.filter(year=year).exists():
        return 0
    start, end = Campaign.default_dates(year)
    rng = random.Random(f"tháng hành động/{year}")
    with clock.at(clock.office_time(clock.working_day(start - 30 * clock.DAY), rng)):
        campaign = Campaign.objects.create(
            year=year,
            name="Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực "
            f"trên cơ sở giới năm {year}",
            starts_on=start,
            ends_on=end,
            theme=THEME,
            messages=MESSAGES,
        )
        record_event(actor=_author("coordinator"), action=Action.CREATE, obj=campaign)
    units = Unit.objects.in_bulk(field_name="code")
    made = 0
    for (
        unit,
        username,
        kind,
        title,
        (month, day),
        commune,
        channel,
        language,
        target,
        (male, female),
        cost,
    ) in DEMO_ACTIVITIES:
        starts_on = datetime.date(year, month, day)
        recorded = clock.working_day(starts_on + 2 * clock.DAY, forward=True)
        if recorded >= today:
            continue
        author = _author(username)
        with clock.at(clock.office_time(recorded, rng)):
            activity = Activity.objects.create(
                kind=kind,
                unit=units[unit],
                title=title,
                starts_on=starts_on,
                commune=units.get(commune),
                channel=channel,
                language=language,
                target_group=target,
                participants_male=male,
                participants_female=female,
                campaign=campaign if start <= starts_on <= end else None,
                cost=cost,
                created_by=author,
            )
            record_event(actor=author, action=Action.CREATE, obj=activity)
        made += 1
    return made
