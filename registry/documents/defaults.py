"""The clean default templates of the 13 HCD forms, built with python-docx as docxtpl templates.

The Circular's annex (the forms' exact layouts) was not available (LAW.md §2.6), so each default
carries what every administrative document of the kind carries — the issuing body, the national
motto, place and date, the form's code and title, the facts the registry holds as ``{{ … }}``
fields, and the signature blocks — and the province replaces any of them with the Ministry's own
layout through the template page (``DocumentTemplate``). ``python manage.py document_defaults``
writes them out as files for editing in Word.

Every field a template may use is listed in ``registry.documents.forms`` (``FIELDS``); a field
without data renders as a dotted blank to fill in by hand.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "Times New Roman"
LEFT = WD_ALIGN_PARAGRAPH.LEFT
CIRCULAR = "Thông tư số 10/2024/TT-BCA"


@dataclass(frozen=True)
class Layout:
    """What a default template prints besides the header: the issuer (police, commune committee
    or the helper), the body lines (docxtpl expressions allowed), an optional table (header and
    one row of expressions, repeated ``for row in rows``) and the signatures."""

    title: str
    issuer: str = "police"  # police | committee | helper
    lines: tuple[str, ...] = ()
    table: tuple[tuple[str, str], ...] = ()
    after: tuple[str, ...] = ()
    signatures: tuple[tuple[str, str], ...] = (
        ("TRƯỞNG CÔNG AN {{ commune_upper }}", "(Ký, ghi rõ họ tên, đóng dấu)"),
    )
    recipients: bool = True
    extra: dict[str, str] = field(default_factory=dict)


PERSON_LINES = (
    "Họ và tên: {{ person_name }}; giới tính: {{ gender }}; sinh ngày: {{ birth }}",
    "Số định danh cá nhân: {{ national_id }}; dân tộc: {{ ethnicity }}",
    "Nơi cư trú: {{ address }}, {{ commune }}, tỉnh {{ province }}",
)
SENTENCE_LINES = (
    "Tội danh: {{ offence }}; bản án số {{ judgment }} của {{ court }}",
    "Hình phạt: {{ sentence }}; chấp hành tại: {{ prison }}",
    "{{ release_kind }} ngày {{ release_date }}; giấy chứng nhận số {{ certificate }}",
)
CHAIR = ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "(Ký, ghi rõ họ tên, đóng dấu)")

LAYOUTS: dict[str, Layout] = {
    "HCD-01": Layout(
        "HỒ SƠ QUẢN LÝ, GIÁM SÁT, GIÁO DỤC, GIÚP ĐỠ NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ",
        lines=(
            *PERSON_LINES,
            *SENTENCE_LINES,
            "Ngày trình diện: {{ presented_on }}; ngày lập hồ sơ: {{ dossier_opened_on }}",
            "Cán bộ quản lý: {{ officer }}",
            "Người được phân công giúp đỡ: {{ helper_name }}",
            "Ngày kết thúc quản lý: {{ closed_on }}",
        ),
        recipients=False,
    ),
    "HCD-02": Layout(
        "PHIẾU THÔNG TIN VỀ NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ",
        lines=(
            *PERSON_LINES,
            "Số điện thoại: {{ phone }}; người thân liên hệ: {{ family_contact }}",
            *SENTENCE_LINES,
            "Hình phạt bổ sung: {{ additional_penalties }}",
            "Nghĩa vụ dân sự, án phí: {{ civil_obligations }}",
            "Ngày đủ điều kiện xóa án tích (dự kiến): {{ expungement_date }}",
            "Nguyện vọng, hoàn cảnh: {{ wishes }}",
        ),
        signatures=(
            ("NGƯỜI KHAI", "(Ký, ghi rõ họ tên)"),
            ("CÁN BỘ TIẾP NHẬN", "(Ký, ghi rõ họ tên)"),
        ),
        recipients=False,
    ),
    "HCD-03": Layout(
        "THÔNG BÁO VỀ VIỆC NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ THAY ĐỔI HOẶC SAI ĐỊA CHỈ CƯ TRÚ",
        lines=(
            "Kính gửi: {{ prison }}",
            "Ngày {{ notice_on }}, {{ commune }} nhận được thông báo về người sắp chấp hành xong "
            "án phạt tù:",
            *PERSON_LINES,
            "Kết quả xác minh ngày {{ address_checked_on }}: {{ address_finding }}",
            "Địa chỉ mới (nếu có): {{ new_address }}",
        ),
    ),
    "HCD-04": Layout(
        "BÁO CÁO VỀ VIỆC NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ KHÔNG TRÌNH DIỆN, KHÔNG VỀ NƠI CƯ TRÚ",
        lines=(
            "Kính gửi: {{ recipient }}",
            *PERSON_LINES,
            *SENTENCE_LINES,
            "Hạn trình diện theo giấy chứng nhận: {{ reporting_deadline }}",
            "Tình hình: {{ failure_kind }}",
            "Giấy triệu tập ngày: {{ summons_on }}",
            "Biện pháp đã thực hiện: {{ measures }}",
        ),
        issuer="committee",
        signatures=(CHAIR,),
    ),
    "HCD-05": Layout(
        "BIÊN BẢN LÀM VIỆC VỚI NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ",
        lines=(
            "Hôm nay, ngày {{ reception_on }}, tại trụ sở {{ commune }}, chúng tôi gồm:",
            "Đại diện Công an {{ commune }}: {{ officer }}",
            "Người chấp hành xong án phạt tù:",
            *PERSON_LINES,
            *SENTENCE_LINES,
            "Nội dung làm việc: phổ biến chính sách, pháp luật; nguyện vọng về nơi cư trú, căn "
            "cước, việc làm, vay vốn: {{ wishes }}",
            "Cam kết: chấp hành nghiêm chỉnh chính sách, pháp luật, không tái phạm tội và vi phạm "
            "pháp luật, chịu sự quản lý, giám sát, giáo dục, giúp đỡ của chính quyền địa phương.",
            "Biên bản kết thúc hồi ........ giờ ........ cùng ngày, đã đọc lại cho những người có "
            "tên trên cùng nghe và ký xác nhận.",
        ),
        signatures=(
            ("NGƯỜI CAM KẾT", "(Ký, ghi rõ họ tên)"),
            ("CÁN BỘ LẬP BIÊN BẢN", "(Ký, ghi rõ họ tên)"),
        ),
        recipients=False,
    ),
    "HCD-06": Layout(
        "ĐỀ XUẤT PHÂN CÔNG CÁ NHÂN, TỔ CHỨC GIÚP ĐỠ NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ",
        lines=(
            "Kính gửi: Chủ tịch Ủy ban nhân dân {{ commune }}",
            f"Căn cứ Điều 10 {CIRCULAR}, Công an {{{{ commune }}}} đề xuất phân công:",
            "Cá nhân, tổ chức giúp đỡ: {{ helper_name }} ({{ helper_kind }})",
            "Địa chỉ, liên hệ: {{ helper_contact }}",
            "giúp đỡ người chấp hành xong án phạt tù:",
            *PERSON_LINES,
            "Ngày gặp mặt, tiếp nhận: {{ reception_on }}",
        ),
    ),
    "HCD-07": Layout(
        "QUYẾT ĐỊNH PHÂN CÔNG CÁ NHÂN, TỔ CHỨC GIÚP ĐỠ NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ",
        issuer="committee",
        lines=(
            "CHỦ TỊCH ỦY BAN NHÂN DÂN {{ commune_upper }}",
            f"Căn cứ Điều 10 {CIRCULAR}; xét đề xuất của Công an {{{{ commune }}}},",
            "QUYẾT ĐỊNH:",
            "Điều 1. Phân công {{ helper_name }} ({{ helper_kind }}) giúp đỡ:",
            *PERSON_LINES,
            "từ ngày {{ helper_assigned_on }}.",
            "Điều 2. Người được phân công có trách nhiệm quản lý, giám sát, giáo dục, giúp đỡ và "
            "báo cáo hằng quý (mẫu HCD-08).",
            "Điều 3. Công an {{ commune }} và các cá nhân, tổ chức có tên tại Điều 1 chịu trách "
            "nhiệm thi hành Quyết định này.",
        ),
        signatures=(CHAIR,),
    ),
    "HCD-08": Layout(
        "BÁO CÁO KẾT QUẢ QUẢN LÝ, GIÁM SÁT, GIÁO DỤC, GIÚP ĐỠ NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ",
        issuer="helper",
        lines=(
            "Kính gửi: Ủy ban nhân dân {{ commune }} (qua Công an {{ commune }})",
            "Người báo cáo: {{ helper_name }}",
            "Kỳ báo cáo: {{ quarter }}",
            *PERSON_LINES,
            "Việc chấp hành pháp luật: {{ law_abiding }}",
            "Việc làm, đời sống: {{ livelihood }}",
            "Kết quả giúp đỡ: {{ report_content }}",
            "Đề xuất phân loại: {{ group }}",
        ),
        signatures=(("NGƯỜI BÁO CÁO", "(Ký, ghi rõ họ tên)"),),
        recipients=False,
    ),
    "HCD-09": Layout(
        "DANH SÁCH PHÂN LOẠI NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ, NGƯỜI ĐƯỢC ĐẶC XÁ",
        lines=("Kỳ: {{ quarter }}; đơn vị: {{ commune }}, tỉnh {{ province }}",),
        table=(
            ("STT", "{{ row.number }}"),
            ("Họ và tên", "{{ row.name }}"),
            ("Năm sinh", "{{ row.birth_year }}"),
            ("Nơi cư trú", "{{ row.address }}"),
            ("Nhóm", "{{ row.group }}"),
            ("Lý do", "{{ row.reason }}"),
        ),
        after=(
            "Tổng số: {{ total }}; nhóm A: {{ count_a }}; nhóm B: {{ count_b }}; "
            "nhóm C: {{ count_c }}; nhóm D: {{ count_d }}",
        ),
    ),
    "HCD-10": Layout(
        "ĐỀ XUẤT CHẤM DỨT VIỆC QUẢN LÝ NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ",
        lines=(
            "Kính gửi: Chủ tịch Ủy ban nhân dân {{ commune }}",
            *PERSON_LINES,
            *SENTENCE_LINES,
            f"Căn cứ khoản 1 Điều 14 {CIRCULAR}: {{{{ end_ground }}}}",
            "Văn bản, quyết định kèm theo: {{ end_basis }}",
            "Công an {{ commune }} đề xuất chấm dứt việc quản lý từ ngày {{ closed_on }}.",
        ),
    ),
    "HCD-11": Layout(
        "QUYẾT ĐỊNH CHẤM DỨT VIỆC QUẢN LÝ NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ",
        issuer="committee",
        lines=(
            "CHỦ TỊCH ỦY BAN NHÂN DÂN {{ commune_upper }}",
            f"Căn cứ Điều 14 {CIRCULAR}; xét đề xuất của Công an {{{{ commune }}}},",
            "QUYẾT ĐỊNH:",
            "Điều 1. Chấm dứt việc quản lý, giám sát, giáo dục, giúp đỡ đối với:",
            *PERSON_LINES,
            "Lý do: {{ end_ground }} ({{ end_basis }}), kể từ ngày {{ closed_on }}.",
            "Điều 2. Công an {{ commune }} lưu hồ sơ theo quy định.",
        ),
        signatures=(CHAIR,),
    ),
    "HCD-12": Layout(
        "THỐNG KÊ SỐ LIỆU NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ, NGƯỜI ĐƯỢC ĐẶC XÁ",
        lines=(
            "Kính gửi: {{ recipient }}",
            "Kỳ thống kê: {{ period }} (từ ngày {{ period_start }} đến ngày {{ period_end }})",
            "Đơn vị: {{ commune }}, tỉnh {{ province }}",
        ),
        table=(
            ("STT", "{{ row.number }}"),
            ("Nội dung", "{{ row.label }}"),
            ("Số lượng", "{{ row.value }}"),
        ),
    ),
    "HCD-13": Layout(
        "BÁO CÁO KẾT QUẢ CÔNG TÁC QUẢN LÝ, GIÁO DỤC, GIÚP ĐỠ NGƯỜI CHẤP HÀNH XONG ÁN PHẠT TÙ, "
        "NGƯỜI ĐƯỢC ĐẶC XÁ",
        lines=(
            "Kính gửi: {{ recipient }}",
            "Kỳ báo cáo: {{ period }} (từ ngày {{ period_start }} đến ngày {{ period_end }})",
            "Đơn vị: {{ commune }}, tỉnh {{ province }}",
            "I. KẾT QUẢ CÔNG TÁC",
        ),
        table=(
            ("STT", "{{ row.number }}"),
            ("Nội dung", "{{ row.label }}"),
            ("Số lượng", "{{ row.value }}"),
        ),
        after=(
            "II. ĐÁNH GIÁ, NHẬN XÉT: {{ assessment }}",
            "III. PHƯƠNG HƯỚNG, KIẾN NGHỊ: {{ proposals }}",
        ),
    ),
}

ISSUERS = {
    "police": ("CÔNG AN TỈNH {{ province_upper }}", "CÔNG AN {{ commune_upper }}"),
    "committee": ("ỦY BAN NHÂN DÂN", "{{ commune_upper }}"),
    "helper": ("", ""),
}


def _font(run, size: float = 13, bold: bool = False, italic: bool = False) -> None:  # type: ignore[no-untyped-def]
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)


def _para(
    container,
    text: str,
    *,
    align=None,
    size: float = 13,
    bold=False,
    italic=False,  # type: ignore[no-untyped-def]
    underline=False,
    space_after: float = 3,
):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    for index, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        _font(run, size, bold, italic)
        run.underline = underline
        if index < len(text.split("\n")) - 1:
            run.add_break()
    return paragraph


def _no_borders(table) -> None:  # type: ignore[no-untyped-def]
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _two_columns(  # type: ignore[no-untyped-def]
    document, left: list[tuple[str, dict]], right: list[tuple[str, dict]], split: float = 6.5
) -> None:
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    for cell, lines, width in zip(
        table.rows[0].cells, (left, right), (split, 16.5 - split), strict=True
    ):
        cell.width = Cm(width)
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
        for text, style in lines:
            _para(cell, text, **{"align": WD_ALIGN_PARAGRAPH.CENTER, "space_after": 0, **style})


def build(code: str) -> bytes:
    """The default template of form ``code`` as DOCX bytes (deterministic but for zip dates)."""
    layout = LAYOUTS[code]
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(13)

    _para(
        document,
        f"Mẫu {code} ban hành kèm theo {CIRCULAR}",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        size=10,
        italic=True,
    )
    upper, lower = ISSUERS[layout.issuer]
    left: list[tuple[str, dict]] = []
    if upper:
        left += [(upper, {"size": 12}), (lower, {"size": 12, "bold": True, "underline": True})]
        left += [("Số: {{ number }}", {"size": 12})]
    _two_columns(
        document,
        left,
        [
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"size": 12, "bold": True}),
            ("Độc lập - Tự do - Hạnh phúc", {"size": 13, "bold": True, "underline": True}),
            ("{{ place_date }}", {"size": 13, "italic": True}),
        ],
    )
    _para(document, "", space_after=6)
    _para(document, "{{ title }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=14, bold=True)
    for line in layout.lines:
        _para(document, line, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if layout.table:
        table = document.add_table(rows=4, cols=len(layout.table))
        table.style = "Table Grid"
        for cell, (header, _value) in zip(table.rows[0].cells, layout.table, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(header), 12, bold=True)
        table.rows[1].cells[0].text = "{%tr for row in rows %}"
        for cell, (_header, value) in zip(table.rows[2].cells, layout.table, strict=True):
            _font(cell.paragraphs[0].add_run(value), 12)
        table.rows[3].cells[0].text = "{%tr endfor %}"
    for line in layout.after:
        _para(document, line, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(document, "", space_after=6)
    signatures = [
        [
            (title, {"bold": True}),
            (hint, {"italic": True, "size": 12}),
            ("\n\n\n", {}),
            ("{{ signer_" + str(index) + " }}", {"bold": True}),
        ]
        for index, (title, hint) in enumerate(layout.signatures, start=1)
    ]
    if layout.recipients and len(signatures) == 1:
        recipients = [
            ("Nơi nhận:", {"bold": True, "italic": True, "size": 12, "align": LEFT}),
            ("- {{ recipient }};", {"size": 11, "align": LEFT}),
            ("- Lưu: hồ sơ.", {"size": 11, "align": LEFT}),
        ]
        _two_columns(document, recipients, signatures[0])
    elif len(signatures) == 2:
        _two_columns(document, signatures[0], signatures[1], split=8.25)
    else:
        _two_columns(document, [("", {})], signatures[0])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def title(code: str) -> str:
    return LAYOUTS[code].title
