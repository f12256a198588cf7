"""What a unit writes in the outline of its report, each answer in the field whose question it
answers (found by the question code's ending: KQ_II1…KQ_II6 for the results of the plan's
contents 1–6, KHO_KHAN the difficulties and their causes, KIEN_NGHI the proposals, PHUONG_HUONG
the work of the next period), its numbers those of the unit's own tables. The numbers of
violence cases are not repeated in the text: they are protected figures (docs/security.md)."""

import random
from decimal import Decimal

from orgs.models import UnitKind
from reports.models import Round

from .figures import Figures
from .places import Place

# What each agency does, as the plan gives it (part IV), for the management answer.
AGENCY_WORK = {
    "SNV": "tham mưu UBND tỉnh chỉ đạo, hướng dẫn các sở, ngành, địa phương và tổng hợp báo cáo",
    "VPUBND": "tham mưu UBND tỉnh vận động viện trợ quốc tế cho công tác bình đẳng giới",
    "STP": "phổ biến pháp luật, trợ giúp pháp lý và thẩm định việc lồng ghép giới trong văn bản",
    "SGDDT": "lồng ghép giáo dục giới, phòng chống bạo lực học đường trong các trường học",
    "SYT": "truyền thông về mất cân bằng giới tính khi sinh, chăm sóc y tế cho nạn nhân bạo lực",
    "SVHTTDL": "tuyên truyền, kiểm tra việc thực hiện Luật Phòng, chống bạo lực gia đình",
    "STC": "bố trí, hướng dẫn sử dụng kinh phí thực hiện Kế hoạch",
    "SDTTG": "vận động đồng bào dân tộc thiểu số xóa bỏ tảo hôn, hôn nhân cận huyết thống",
    "CAT": "phát hiện, xử lý các vụ bạo lực trên cơ sở giới, phòng chống mua bán người",
    "HLHPN": "thực hiện Dự án 8, duy trì các mô hình, địa chỉ tin cậy của Hội",
    "MTTQ": "lồng ghép bình đẳng giới trong các cuộc vận động và giám sát của Mặt trận",
    "BQN": "thông tin, tuyên truyền về bình đẳng giới trên báo in và báo điện tử",
    "DPTTH": "thông tin, tuyên truyền về bình đẳng giới trên sóng phát thanh, truyền hình",
}
SERVICES = {
    "SYT": "Các cơ sở khám bệnh, chữa bệnh tiếp nhận, chăm sóc y tế cho nạn nhân bạo lực theo "
    "hướng dẫn của Bộ Y tế; Bệnh viện Đa khoa tỉnh bố trí phòng tư vấn riêng.",
    "STP": "Trung tâm Trợ giúp pháp lý nhà nước trợ giúp pháp lý miễn phí cho nạn nhân bạo lực gia "
    "đình có khó khăn về tài chính, tham gia tố tụng khi được yêu cầu.",
    "CAT": "Công an các cấp tiếp nhận, xác minh tin báo, áp dụng biện pháp cấm tiếp xúc và bảo vệ "
    "khẩn cấp nạn nhân theo quy định.",
    "HLHPN": "Các cấp Hội duy trì địa chỉ tin cậy, đường dây nóng; tư vấn và kết nối nạn nhân với "
    "dịch vụ y tế, pháp lý, nơi tạm lánh.",
    "SNV": "Các cơ sở trợ giúp xã hội công lập tiếp nhận, chăm sóc, tư vấn tâm lý cho nạn nhân bạo "
    "lực trên cơ sở giới.",
}
DIFFICULTIES = {
    "staff": "Đội ngũ làm công tác bình đẳng giới kiêm nhiệm, thay đổi sau sắp xếp tổ chức bộ máy",
    "money": "kinh phí dành riêng cho công tác bình đẳng giới còn hạn chế",
    "data": "số liệu tách biệt giới chưa đầy đủ, chưa có sổ theo dõi thống nhất",
    "highland": "địa bàn rộng, dân cư phân tán, giao thông khó khăn; một bộ phận đồng bào còn tập "
    "quán tảo hôn, ngại tố giác bạo lực gia đình",
    "urban": "nhiều người lao động đi làm ăn xa, khó tập hợp tham gia hoạt động truyền thông",
    "island": "thời tiết và lịch đi biển làm khó tổ chức hoạt động; ngư dân vắng nhà dài ngày",
}
CAUSES = [
    "chưa có biên chế chuyên trách và kinh phí chủ yếu lồng ghép với các chương trình khác",
    "một số cấp ủy, chính quyền cơ sở chưa quan tâm đúng mức đến công tác bình đẳng giới",
    "việc sắp xếp đơn vị hành chính làm thay đổi đầu mối phụ trách và hồ sơ theo dõi",
]
# What is asked of Sở Nội vụ, and of the provincial People's Committee.
ASK_SNV = [
    "tổ chức tập huấn nghiệp vụ về bình đẳng giới, lồng ghép giới cho công chức phụ trách",
    "hướng dẫn thống nhất cách ghi chép, thống kê số liệu tách biệt giới",
    "hỗ trợ tài liệu truyền thông in sẵn, phù hợp với từng nhóm đối tượng",
]
ASK_UBND = [
    "bố trí kinh phí riêng cho các hoạt động bình đẳng giới, phòng chống bạo lực gia đình",
    "bố trí công chức chuyên trách công tác bình đẳng giới ở cấp xã",
    "có cơ chế hỗ trợ duy trì các địa chỉ tin cậy, nhà tạm lánh tại cộng đồng",
]
# What a returned report first held in the outline before the unit was asked to say more.
VAGUE = "Không có."


def vi(number: int | Decimal) -> str:
    """A number as Vietnamese write it: 1.234,5."""
    whole, _dot, fraction = format(Decimal(number).normalize(), "f").partition(".")
    groups = ".".join(whole[max(i - 3, 0) : i] for i in range(len(whole), 0, -3)[::-1])
    return groups + ("," + fraction if fraction else "")


def _is_half_year(round_: Round) -> bool:
    return round_.period.endswith("S1")


def _period(round_: Round, year: int) -> str:
    return f"6 tháng đầu năm {year}" if _is_half_year(round_) else f"năm {year}"


def _lang(place: Place) -> str:
    return f" bằng tiếng Việt và tiếng {place.language}" if place.language else ""


def _management(place: Place, figures: Figures, period: str) -> str:
    unit = place.unit.label
    if not place.is_local:
        work = AGENCY_WORK.get(place.unit.code, "thực hiện các nhiệm vụ được giao tại mục IV")
        return (
            f"{unit} ban hành kế hoạch triển khai công tác bình đẳng giới {period}, phân công "
            f"lãnh đạo phụ trách và công chức đầu mối; tập trung {work}. Tổ chức "
            f"{vi(figures.number('BDG_HD_KT'))} cuộc kiểm tra, giám sát trong phạm vi quản lý."
        )
    checks = figures.number("BDG_HD_KT")
    focal = (
        "Phòng Lao động – Thương binh và Xã hội"
        if place.unit.kind == UnitKind.DISTRICT
        else "công chức Văn hóa – Xã hội"
    )
    inspected = (
        f"Tổ chức {vi(checks)} cuộc kiểm tra việc thực hiện tại các thôn, tổ dân phố."
        if checks
        else "Trong kỳ chưa tổ chức kiểm tra chuyên đề."
    )
    return (
        f"{place.subject} ban hành Kế hoạch thực hiện công tác bình đẳng giới, vì sự tiến bộ của "
        f"phụ nữ {period}; phân công {focal} làm đầu mối, lồng ghép "
        f"nội dung bình đẳng giới vào chương trình công tác và kế hoạch phát triển kinh tế – xã "
        f"hội của {place.kind_word}. {inspected}"
    )


def _communication(place: Place, figures: Figures) -> str:
    talks, reached = figures.number("BDG_HD_TT"), figures.number("BDG_HD_TT_NGUOI")
    women, articles = figures.part("BDG_HD_TT_NGUOI", 1), figures.number("BDG_M6_TIN_BAI")
    if place.unit.code in ("BQN", "DPTTH"):
        return (
            f"Đăng, phát {vi(articles)} tin, bài, phóng sự về bình đẳng giới, phòng chống bạo lực "
            "gia đình; duy trì chuyên mục “Bình đẳng giới” định kỳ hằng tháng."
        )
    where = (
        f"hệ thống loa truyền thanh và trang thông tin điện tử của {place.kind_word}"
        if place.is_local
        else f"trang thông tin điện tử của {place.unit.label}"
    )
    return (
        f"Tổ chức {vi(talks)} hoạt động truyền thông, phổ biến pháp luật về bình đẳng giới với "
        f"{vi(reached)} lượt người tham dự (nữ {vi(women)}){_lang(place)}; đăng, phát "
        f"{vi(articles)} tin, bài trên {where}."
    )


def _committee(place: Place, round_: Round, year: int, rng: random.Random) -> str:
    meetings = rng.randint(1, 2) if _is_half_year(round_) else rng.randint(2, 4)
    if place.unit.code == "SNV":
        return (
            "Sở Nội vụ là cơ quan thường trực Ban Vì sự tiến bộ của phụ nữ tỉnh: tham mưu kiện "
            f"toàn Ban sau sắp xếp bộ máy, tổ chức {meetings} cuộc họp và hướng dẫn cấp xã kiện "
            "toàn Ban."
        )
    if not place.is_local:
        return (
            f"{place.unit.label} cử lãnh đạo tham gia Ban Vì sự tiến bộ của phụ nữ tỉnh; Ban Vì "
            f"sự tiến bộ của phụ nữ cơ quan họp {meetings} lần trong kỳ."
        )
    when = (
        "sau khi sắp xếp đơn vị hành chính (tháng 7/2025)"
        if year == 2025 and place.unit.valid_from
        else f"đầu năm {year}"
    )
    return (
        f"Ban Vì sự tiến bộ của phụ nữ {place.kind_word} được kiện toàn {when}, gồm "
        f"{rng.randint(7, 11)} thành viên do Phó Chủ tịch UBND {place.kind_word} làm Trưởng ban; "
        f"họp {meetings} lần trong kỳ để triển khai nhiệm vụ và đánh giá kết quả."
    )


def _services(place: Place, figures: Figures) -> str:
    if not place.is_local:
        return SERVICES.get(
            place.unit.code,
            f"{place.unit.label} phối hợp chuyển gửi nạn nhân đến cơ sở y tế, công an và địa chỉ "
            "tin cậy khi phát hiện vụ việc trong phạm vi quản lý.",
        )
    addresses = figures.number("BDG_DV_DCTC")
    network = (
        f"Duy trì {vi(addresses)} địa chỉ tin cậy, nhà tạm lánh tại cộng đồng"
        if addresses
        else f"{place.kind_word.capitalize()} chưa có địa chỉ tin cậy riêng, nạn nhân được đưa đến "
        "địa chỉ tin cậy của xã lân cận"
    )
    return (
        f"{network}. Các vụ bạo lực gia đình, bạo lực trên cơ sở giới phát hiện trong kỳ đều được "
        "can thiệp kịp thời; nạn nhân được tiếp cận dịch vụ y tế, tư vấn, pháp lý theo nhu cầu."
    )


def _action_month(place: Place, figures: Figures, round_: Round, year: int) -> str:
    if _is_half_year(round_):
        return (
            f"Tháng hành động năm {year} diễn ra từ 15/11 đến 15/12/{year}, ngoài kỳ báo cáo; "
            f"{place.subject} đã tổng kết Tháng hành động năm {year - 1} và đưa nội dung hưởng "
            "ứng vào kế hoạch 6 tháng cuối năm."
        )
    if not figures.number("BDG_HD_TTHD"):
        return (
            f"Do trùng thời gian khắc phục hậu quả mưa lũ, {place.subject} chưa tổ chức được lễ "
            "phát động Tháng hành động; nội dung hưởng ứng được lồng ghép trong các buổi sinh hoạt "
            "định kỳ."
        )
    return (
        f"Hưởng ứng Tháng hành động năm {year} (15/11–15/12/{year}): ban hành kế hoạch, treo băng "
        f"rôn, khẩu hiệu, tổ chức lễ ra quân và các buổi nói chuyện chuyên đề{_lang(place)}."
    )


def _cooperation(place: Place) -> str:
    if not place.is_local:
        return (
            "Phối hợp Sở Nội vụ, Hội LHPN tỉnh và các sở, ngành thực hiện nhiệm vụ được giao tại "
            "mục IV của Kế hoạch; lồng ghép mục tiêu bình đẳng giới vào chương trình công tác."
        )
    customs = (
        f", hôn nhân cận huyết thống trong đồng bào {place.language}" if place.language else ""
    )
    return (
        f"Phối hợp Công an {place.kind_word}, Hội Liên hiệp Phụ nữ, Đoàn Thanh niên và Mặt trận "
        f"Tổ quốc {place.kind_word} phòng ngừa bạo lực gia đình, tảo hôn{customs}."
    )


def _difficulties(place: Place, rng: random.Random) -> str:
    local = DIFFICULTIES.get(place.region, DIFFICULTIES["data"])
    return (
        f"{DIFFICULTIES['staff']}; {DIFFICULTIES['money']}; {local}. "
        f"Nguyên nhân: {rng.choice(CAUSES)}."
    )


def _proposals(place: Place, rng: random.Random) -> str:
    extra = f", có tài liệu bằng tiếng {place.language}" if place.language else ""
    return (
        f"Đề nghị Sở Nội vụ {rng.choice(ASK_SNV)}{extra}; đề nghị UBND tỉnh {rng.choice(ASK_UBND)}."
    )


def _next_period(place: Place, round_: Round, year: int) -> str:
    unit = place.subject
    if _is_half_year(round_):
        return (
            f"6 tháng cuối năm {year}, {unit} tiếp tục truyền thông về bình đẳng giới, chuẩn bị "
            f"tổ chức Tháng hành động (15/11–15/12/{year}) và hoàn thành báo cáo năm đúng hạn."
        )
    return (
        f"Năm {year + 1}, {unit} xây dựng Kế hoạch thực hiện công tác bình đẳng giới năm "
        f"{year + 1}, tiếp tục duy trì các mô hình, địa chỉ tin cậy và nâng cao chất lượng số "
        "liệu tách biệt giới."
    )


def answers(
    place: Place, figures: Figures, round_: Round, codes: list[str], rng: random.Random
) -> dict[str, str]:
    """question code → the unit's answer, for the questions of the round's form."""
    year = int(round_.period[:4])
    period = _period(round_, year)
    by_ending = {
        "KQ_II1": lambda: _management(place, figures, period),
        "KQ_II2": lambda: _communication(place, figures),
        "KQ_II3": lambda: _committee(place, round_, year, rng),
        "KQ_II4": lambda: _services(place, figures),
        "KQ_II5": lambda: _action_month(place, figures, round_, year),
        "KQ_II6": lambda: _cooperation(place),
        "KHO_KHAN": lambda: _difficulties(place, rng),
        "KIEN_NGHI": lambda: _proposals(place, rng),
        "PHUONG_HUONG": lambda: _next_period(place, round_, year),
    }
    found = {}
    for code in codes:
        ending = next((e for e in by_ending if code.endswith(e)), None)
        if ending is not None:
            found[code] = by_ending[ending]()
    return found
