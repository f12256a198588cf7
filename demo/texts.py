"""What the demo's people write: progress notes on plan tasks. Each note answers its own item
(found by the longest code prefix: "IV.13.b" before "IV.13"), in two stages: work under way,
and work done. Placeholders (demo.plans.steps fills them): {n} events held, {m} the people who
came to them, {k} a small count and {k2} part of it, {xa} communes of the province's 96, {meet}
meetings, {guests} guests of a ceremony, {trainees} people trained in {k} classes, {kp} millions
of đồng, {year} the plan's year, {next} the year after, {kind} "xã"/"phường"/"đặc khu"/"huyện",
{lang} the ethnic language clause. Counts of violence cases stay out of the notes: those are
protected figures (docs/security.md)."""

# code prefix → (under way, done)
NOTES: dict[str, tuple[str, str]] = {
    "II.1.a": (
        "Đã ban hành văn bản hướng dẫn các sở, ngành, địa phương triển khai Chiến lược quốc gia "
        "về bình đẳng giới và Chương trình phòng ngừa, ứng phó với bạo lực trên cơ sở giới năm "
        "{year}; đang theo dõi, đôn đốc thực hiện.",
        "Đã hướng dẫn, đôn đốc 13 sở, ngành, đoàn thể và 96 xã, phường, đặc khu triển khai Chiến "
        "lược và các chương trình, đề án; kết quả tổng hợp trong báo cáo năm {year} gửi Bộ Nội vụ.",
    ),
    "II.1.b": (
        "Đang rà soát, đánh giá {k} mô hình thúc đẩy bình đẳng giới, phòng ngừa bạo lực trên cơ "
        "sở giới tại các xã, phường.",
        "Đã rà soát {k} mô hình; đề xuất duy trì {k2} mô hình hoạt động hiệu quả và nhân rộng mô "
        "hình “Địa chỉ tin cậy ở cộng đồng” tại các xã vùng cao.",
    ),
    "II.1.c": (
        "Đang phối hợp Sở Tài chính tổng hợp nhu cầu kinh phí thực hiện nhiệm vụ bình đẳng giới "
        "của các cơ quan, địa phương.",
        "Đã tham mưu bố trí {kp} triệu đồng từ ngân sách tỉnh cho công tác bình đẳng giới, lồng "
        "ghép nguồn vốn Chương trình mục tiêu quốc gia tại vùng đồng bào dân tộc thiểu số.",
    ),
    "II.2": (
        "Đã phối hợp Báo Quảng Ngãi, Đài Phát thanh và Truyền hình tỉnh đăng, phát {n} tin, bài "
        "về bình đẳng giới; đang xây dựng chuyên mục trên Cổng thông tin điện tử tỉnh.",
        "Hoàn thành: {n} tin, bài, phóng sự; cấp phát {m} tờ rơi, áp phích cho các xã, phường; "
        "truyền thông trên nền tảng số đạt {k} nghìn lượt xem.",
    ),
    "II.3": (
        "Đã kiện toàn Ban Vì sự tiến bộ của phụ nữ tỉnh sau sắp xếp tổ chức bộ máy; đang hướng "
        "dẫn cấp xã kiện toàn Ban.",
        "Ban Vì sự tiến bộ của phụ nữ tỉnh họp {meet} lần; {xa}/96 xã, phường, đặc khu đã kiện "
        "toàn Ban và ban hành chương trình công tác năm {year}.",
    ),
    "II.4": (
        "Đang rà soát danh sách địa chỉ tin cậy, nhà tạm lánh; phối hợp Sở Y tế, Công an tỉnh, "
        "Hội LHPN tỉnh thống nhất quy trình tiếp nhận, hỗ trợ nạn nhân.",
        "Duy trì {n} địa chỉ tin cậy, nhà tạm lánh; đã ban hành quy trình phối hợp tiếp nhận, "
        "bảo vệ khẩn cấp và hỗ trợ nạn nhân bạo lực trên cơ sở giới.",
    ),
    "II.5": (
        "Đã ban hành Kế hoạch tổ chức Tháng hành động năm {year} (15/11–15/12) với chủ đề, thông "
        "điệp theo hướng dẫn của Bộ Nội vụ; đang chuẩn bị Lễ phát động cấp tỉnh.",
        "Đã tổ chức Lễ phát động Tháng hành động cấp tỉnh với {guests} đại biểu; tổng hợp kết quả "
        "hưởng ứng của các sở, ngành, địa phương.",
    ),
    "II.6": (
        "Đang phối hợp các sở, ngành lồng ghép mục tiêu bình đẳng giới vào kế hoạch phát triển "
        "kinh tế – xã hội năm {next}.",
        "{k} cơ quan, đơn vị đã lồng ghép mục tiêu, chỉ tiêu bình đẳng giới, phòng ngừa bạo lực "
        "trên cơ sở giới vào chương trình, kế hoạch công tác của ngành.",
    ),
    "IV.1": (
        "Đã xây dựng đề cương, biểu mẫu báo cáo trên hệ thống báo cáo của tỉnh và hướng dẫn các "
        "đơn vị; đang chuẩn bị lớp tập huấn kỹ năng lồng ghép giới.",
        "Đã tổ chức {k} lớp tập huấn kỹ năng lồng ghép giới, sử dụng số liệu tách biệt giới cho "
        "{trainees} lượt cán bộ; báo cáo 6 tháng và năm gửi Bộ Nội vụ đúng hạn.",
    ),
    "IV.2": (
        "Đang phối hợp Sở Nội vụ rà soát các chương trình, dự án hợp tác quốc tế có nội dung bình "
        "đẳng giới.",
        "Đã tham mưu UBND tỉnh làm việc với {k} tổ chức quốc tế; vận động được một dự án hỗ trợ "
        "phụ nữ dân tộc thiểu số khởi nghiệp.",
    ),
    "IV.3": (
        "Đã phổ biến pháp luật về bình đẳng giới tại {k} hội nghị; Trung tâm Trợ giúp pháp lý nhà "
        "nước đang thụ lý {n} vụ việc của nạn nhân bạo lực gia đình.",
        "Đã tổ chức {k} hội nghị phổ biến pháp luật; trợ giúp pháp lý {n} vụ việc; góp ý lồng "
        "ghép vấn đề bình đẳng giới vào {k2} dự thảo văn bản quy phạm pháp luật.",
    ),
    "IV.4": (
        "Đã ban hành kế hoạch lồng ghép giáo dục giới, phòng chống bạo lực học đường năm học "
        "{year}–{next}; đang tập huấn cho cán bộ quản lý, giáo viên.",
        "Đã tập huấn {trainees} lượt cán bộ quản lý, giáo viên; {n} trường tổ chức hoạt động ngoại "
        "khóa về bình đẳng giới, phòng chống xâm hại trẻ em.",
    ),
    "IV.5": (
        "Đã tổ chức {n} buổi truyền thông về mất cân bằng giới tính khi sinh tại {k} xã; đang "
        "kiểm tra việc tiếp nhận, chăm sóc y tế nạn nhân bạo lực tại các bệnh viện.",
        "Hoàn thành {n} buổi truyền thông; kiểm tra {k} cơ sở khám bệnh, chữa bệnh về tiếp nhận, "
        "chăm sóc y tế cho người bệnh là nạn nhân bạo lực gia đình.",
    ),
    "IV.6": (
        "Đang tuyên truyền phòng, chống bạo lực gia đình và kiểm tra việc thực hiện Luật Phòng, "
        "chống bạo lực gia đình tại {k} xã.",
        "Đã tổ chức {n} cuộc tuyên truyền, {k} cuộc kiểm tra; hệ thống thông tin cơ sở phát "
        "chuyên mục bình đẳng giới hằng tháng.",
    ),
    "IV.7": (
        "Đang tổng hợp dự toán kinh phí thực hiện công tác bình đẳng giới của các cơ quan, địa "
        "phương năm {next}.",
        "Đã tham mưu bố trí kinh phí thực hiện Kế hoạch trong dự toán năm {next}; bổ sung chỉ "
        "tiêu bình đẳng giới vào báo cáo kế hoạch phát triển kinh tế – xã hội.",
    ),
    "IV.8": (
        "Đang tuyên truyền phòng, chống tảo hôn, hôn nhân cận huyết thống tại {k} xã vùng đồng "
        "bào dân tộc thiểu số.",
        "Đã tổ chức {n} buổi tuyên truyền bằng tiếng Hrê, Co, Xơ Đăng cho {m} lượt người; phối "
        "hợp Hội LHPN tỉnh thực hiện Dự án 8 của Chương trình 1719.",
    ),
    "IV.9": (
        "Đã phối hợp phát hiện, xử lý {n} vụ việc bạo lực gia đình; đang hoàn thiện quy chế phối "
        "hợp với Hội LHPN tỉnh.",
        "Đã can thiệp, xử lý kịp thời {n} vụ việc; tuyên truyền phòng, chống mua bán người tại "
        "{k} xã biên giới, ven biển.",
    ),
    "IV.10": (
        "Đã triển khai Kế hoạch đến 96 cơ sở Hội; đang duy trì {k} mô hình “Địa chỉ tin cậy”, câu "
        "lạc bộ “Gia đình hạnh phúc”.",
        "Duy trì {k} mô hình hoạt động hiệu quả; hỗ trợ {n} hội viên vay vốn phát triển kinh tế; "
        "thực hiện Dự án 8 tại {k2} xã vùng đồng bào dân tộc thiểu số.",
    ),
    "IV.11": (
        "Đã chỉ đạo các tổ chức thành viên lồng ghép nội dung bình đẳng giới vào cuộc vận động "
        "“Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh”.",
        "Đã giám sát việc thực hiện chính sách đối với lao động nữ tại {k} doanh nghiệp; lồng "
        "ghép nội dung bình đẳng giới trong {n} hội nghị ở khu dân cư.",
    ),
    "IV.12": (
        "Đã đăng, phát {n} tin, bài về bình đẳng giới, phòng chống bạo lực gia đình; đang thực "
        "hiện chuyên mục cho Tháng hành động.",
        "Đã đăng, phát {n} tin, bài, phóng sự; duy trì chuyên mục “Bình đẳng giới” định kỳ hằng "
        "tháng.",
    ),
    "IV.13.a": (
        "UBND {kind} đang xây dựng kế hoạch thực hiện công tác bình đẳng giới, vì sự tiến bộ của "
        "phụ nữ năm {year}.",
        "Đã ban hành Kế hoạch thực hiện công tác bình đẳng giới, vì sự tiến bộ của phụ nữ năm "
        "{year}; bố trí {kp} triệu đồng từ ngân sách {kind}.",
    ),
    "IV.13.b": (
        "Đã ban hành kế hoạch hưởng ứng Tháng hành động; đang tuyên truyền trên hệ thống loa "
        "truyền thanh{lang}.",
        "Đã tổ chức hưởng ứng Tháng hành động: {n} buổi truyền thông{lang} với {m} lượt người "
        "tham dự; treo {k} băng rôn, khẩu hiệu.",
    ),
    "IV.13.c": (
        "Đang phối hợp Công an {kind}, Hội Phụ nữ, Đoàn Thanh niên rà soát các hộ gia đình có "
        "nguy cơ xảy ra bạo lực.",
        "Đã phối hợp liên ngành can thiệp kịp thời các vụ việc phát sinh; kiểm tra việc thực hiện "
        "pháp luật về bình đẳng giới tại {k} thôn, tổ dân phố.",
    ),
}

# A task held up: what stops it.
STUCK = [
    "Chưa bố trí được kinh phí riêng; đang lồng ghép với kế hoạch phát triển kinh tế – xã hội.",
    "Cán bộ phụ trách kiêm nhiệm, thay đổi sau sắp xếp bộ máy; chưa triển khai được đầy đủ.",
    "Địa bàn rộng, giao thông khó khăn trong mùa mưa lũ; một số hoạt động phải lùi thời gian.",
]
# A task finished after its deadline, and one still open at its deadline.
LATE = "Hoàn thành muộn so với kế hoạch do phải chờ hướng dẫn và kinh phí. "
OPEN_AT_DUE = "Chưa hoàn thành đúng hạn; dự kiến xong trong quý I năm {next}."
# An old district's last note: its work passed to the communes that succeeded it.
HANDED_OVER = (
    " Đã bàn giao hồ sơ, kết quả cho các xã, phường kế thừa (kết thúc hoạt động cấp huyện "
)
HANDED_OVER += "ngày 30/6/2025)."


def note_for(code: str, stage: int) -> str:
    """The note of `stage` (0 under way, 1 done) for an item, by its longest known prefix."""
    parts = code.split(".")
    for size in range(len(parts), 0, -1):
        notes = NOTES.get(".".join(parts[:size]))
        if notes:
            return notes[stage]
    return ("Đang triển khai thực hiện.", "Đã hoàn thành nhiệm vụ.")[stage]
