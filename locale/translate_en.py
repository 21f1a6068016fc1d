"""English renderings of the Vietnamese messages (msgids are Vietnamese: Vietnamese first).

Run after `manage.py makemessages -l en`: `python locale/translate_en.py && msgfmt ...`
(the Makefile target `messages` does both). Messages missing here stay Vietnamese in English.
"""

import re
import sys
from pathlib import Path

EN = {
    # API messages (issue 17: API errors follow Accept-Language)
    "Không tìm thấy.": "Not found.",
    "Dữ liệu chưa hợp lệ.": "Invalid input.",
    "Vai trò của bạn không được làm việc này.": "Your role may not do this.",
    "Thiếu tiêu đề If-Match (ETag của bản đang sửa).": "The If-Match header is missing (the ETag of the copy you edit).",
    "Hồ sơ đã được người khác sửa; hãy tải lại rồi sửa tiếp.": "Someone else changed this record; reload it and edit again.",
    "Không có thao tác này.": "No such action.",
    "Không có tham số này.": "No such parameter.",
    "Vai trò của bạn không được lọc theo trường này.": "Your role may not filter by this field.",
    "Không sắp xếp được theo trường này.": "Cannot sort by this field.",
    "Con trỏ trang không hợp lệ.": "Invalid page cursor.",
    "Giá trị không hợp lệ.": "Invalid value.",
    "Số dòng mỗi trang không hợp lệ.": "Invalid page size.",
    "Vai trò của bạn không được lọc theo trường này: %(names)s.": "Your role may not filter by: %(names)s.",
    "Vai trò của bạn không được sắp xếp theo trường này.": "Your role may not sort by this field.",
    "Dữ liệu JSON lồng quá sâu.": "The JSON is nested too deeply.",
    "Thời hạn mã từ 1 đến %(limit)s ngày.": "A token lives 1 to %(limit)s days.",
    "Mã truy cập không đúng định dạng: 'Token <mã>'.": "Malformed token: 'Token <secret>'.",
    "Mã truy cập không đúng, đã hết hạn hoặc đã bị thu hồi.": "Unknown, expired or revoked token.",
    "Đề nghị này không gửi tới cơ quan của bạn.": "This referral was not sent to your agency.",
    "Thiếu tên xã.": "The commune name is missing.",
    "Bắt buộc.": "Required.",
    "Lỗi máy chủ; đã ghi nhận để xử lý.": "Server error; it has been logged.",
    "Người này đã có trong sổ theo dõi của bạn: mở hồ sơ hiện có thay vì tạo mới.": "This person is already in your registry: open the existing case instead.",
    "Người này đã có hồ sơ trong sổ theo dõi do một đơn vị khác quản lý; không tạo hồ sơ mới. Công an tỉnh đã được báo để xem xét chuyển hồ sơ về địa bàn của bạn (hoặc liên hệ Công an tỉnh).": "This person already has a case managed by another unit; no new case was created. The provincial police have been told and will consider transferring the case to your commune (or contact them).",
    "Bạn đã dùng hết số lần đối chiếu với sổ theo dõi toàn tỉnh trong hôm nay; hồ sơ có số định danh được giữ lại. Liên hệ Công an tỉnh để được xem xét.": "You have used today's checks against the province's registry; records with a national ID are held. Contact the provincial police.",
    "Có nhiều xã tên “%(name)s” trước 01/07/2025 (%(districts)s): cần ghi rõ huyện.": "Several communes were called “%(name)s” before 1 July 2025 (%(districts)s): give the district.",
    "Không tìm thấy xã “%(name)s”%(district)s trong danh mục đơn vị hành chính tỉnh Sơn La.": "No commune “%(name)s”%(district)s in the administrative units of Sơn La.",
    "Không thể “%(action)s” khi đang ở trạng thái “%(status)s”.": "Cannot “%(action)s” while the status is “%(status)s”.",
    "Ngày của mốc không được ở tương lai.": "The milestone date cannot be in the future.",
    "Chọn một xã, phường đang có hiệu lực (danh mục từ 01/07/2025).": "Choose a commune or ward in force today (list from 1 July 2025).",
    "Ngày nhận thông báo không được ở tương lai.": "The notice date cannot be in the future.",
    "Hồ sơ thi hành án không thuộc người này.": "This custody record belongs to someone else.",
    "Người này đang có một hồ sơ chưa kết thúc.": "This person already has an open case.",
    "xác minh nơi cư trú": "verify the address",
    "ghi nhận trình diện": "record the presentation",
    "Mốc này được ghi bằng thao tác riêng của hồ sơ.": "This milestone is recorded by its own case action.",
    "ghi mốc": "record a milestone",
    "Ghi tên người hoặc tổ chức được phân công giúp đỡ.": "Give the person or organisation assigned to help.",
    "phân công người giúp đỡ": "assign a helper",
    "Chọn lý do kết thúc hồ sơ.": "Choose why the case is closed.",
    "Ngày kết thúc không được ở tương lai.": "The closing date cannot be in the future.",
    "kết thúc hồ sơ": "close the case",
    "Hồ sơ đã kết thúc.": "The case is closed.",
    "Chưa nhập nội dung ghi chép.": "The note is empty.",
    "Ngày ghi chép không được ở tương lai.": "The note date cannot be in the future.",
    "thêm nhu cầu": "add a need",
    "Loại nhu cầu này không còn được sử dụng.": "This need type is no longer in use.",
    "Hồ sơ đã có nhu cầu này đang được xử lý.": "The case already has this need open.",
    "bỏ nhu cầu": "withdraw the need",
    "ghi nhận không đáp ứng được": "record the need as unmet",
    "Ghi bằng chứng của sự đồng ý (biên bản, phiếu có chữ ký …).": "Record the evidence of consent (signed form, minutes …).",
    "Ngày đồng ý không được ở tương lai.": "The consent date cannot be in the future.",
    "Ngày hết hạn phải sau ngày đồng ý.": "The expiry date must be after the consent date.",
    "rút lại sự đồng ý": "withdraw the consent",
    "Chọn giới tính: nam hoặc nữ.": "Choose the gender: male or female.",
    "Số định danh này đã có trong sổ theo dõi (một người khác).": "This national ID is already registered (another person).",
    "Chưa nhập ngày chấp hành xong án.": "The release date is missing.",
    "Chọn hình thức: chấp hành xong, đặc xá hoặc tha tù trước thời hạn.": "Choose how the term ended: completed, amnesty or conditional early release.",
    "Chọn loại hình phạt chính.": "Choose the main penalty.",
    "Thời hạn tù phải từ 1 đến 360 tháng (tù có thời hạn tối đa 30 năm).": "A prison term is 1 to 360 months (fixed terms are at most 30 years).",
    "Thời hạn hình phạt bổ sung không hợp lệ.": "The length of the additional penalty is invalid.",
    "Ngày bản án": "The judgment date",
    "Ngày phạm tội": "The offence date",
    "Ngày cấp giấy chứng nhận": "The certificate date",
    "%(label)s không được ở tương lai.": "%(label)s cannot be in the future.",
    "Ngày bản án phải trước ngày chấp hành xong án.": "The judgment date must be before the release date.",
    "Ngày phạm tội phải trước ngày bản án.": "The offence date must be before the judgment date.",
    "tiếp nhận": "accept",
    "từ chối": "reject",
    "bắt đầu thực hiện": "start",
    "tạm dừng": "put on hold",
    "tiếp tục": "resume",
    "hoàn thành": "complete",
    "ghi nhận không thực hiện được": "record as failed",
    "hủy": "cancel",
    "Chưa có căn cứ chia sẻ thông tin: cơ quan nhận không có nhiệm vụ luật định với nhu cầu này và người được hỗ trợ chưa đồng ý chia sẻ cho cơ quan đó.": "No lawful basis to share: the receiving agency has no statutory duty for this need and the person has not consented to sharing with it.",
    "gửi đề nghị": "send the referral",
    "Cơ quan này không còn hoạt động; chọn cơ quan kế thừa.": "This agency no longer exists; choose its successor.",
    "Cơ quan này không phụ trách loại nhu cầu đã chọn.": "This agency does not handle the chosen need.",
    "Cần ghi lý do khi %(action)s.": "A reason is required to %(action)s.",
    "Chọn kết quả: đạt, đạt một phần hoặc không đạt.": "Choose the outcome: achieved, partly achieved or not achieved.",
    "Chưa nhập họ và tên.": "The full name is missing.",
    "Họ và tên không được chứa chữ số.": "A name cannot contain digits.",
    "Họ và tên quá dài (tối đa 150 ký tự).": "The name is too long (150 characters at most).",
    "Chưa nhập số định danh cá nhân.": "The national ID is missing.",
    "Số định danh cá nhân chỉ gồm chữ số.": "A national ID contains digits only.",
    "Số định danh cá nhân phải có đúng 12 chữ số (đã nhập %(count)d).": "A national ID has exactly 12 digits (%(count)d given).",
    "Mã tỉnh %(code)s ở đầu số định danh không phải mã tỉnh nơi đăng ký khai sinh nào.": "%(code)s at the start of the national ID is not a province code of birth registration.",
    "Số định danh cho biết năm sinh %(id_year)d (chữ số thứ 4 và 5–6) nhưng năm sinh đã nhập là %(year)d.": "The national ID says born in %(id_year)d (digits 4 and 5–6) but the year of birth given is %(year)d.",
    "Chữ số thứ 4 của số định danh cho biết giới tính %(id_gender)s, không khớp với giới tính đã nhập.": "Digit 4 of the national ID says %(id_gender)s, which does not match the gender given.",
    "nam": "male",
    "nữ": "female",
    "Chưa nhập số điện thoại.": "The phone number is missing.",
    "Số điện thoại chỉ gồm chữ số (có thể bắt đầu bằng +).": "A phone number contains digits only (it may start with +).",
    "Đầu số cũ %(prefix)s không có trong bảng chuyển đổi số 11 chữ số (2018).": "The old prefix %(prefix)s is not in the 2018 table of 11-digit numbers.",
    "Không đọc được số điện thoại.": "The phone number cannot be read.",
    "Chỉ nhận số di động Việt Nam (+84).": "Only Vietnamese mobile numbers (+84) are accepted.",
    "Số điện thoại không tồn tại trong dải số của Việt Nam.": "This number is not in a Vietnamese numbering range.",
    "Đây là số cố định, không phải số di động.": "This is a landline, not a mobile number.",
    "Ngày sinh không được ở tương lai.": "The date of birth cannot be in the future.",
    "Năm sinh không khớp với ngày sinh.": "The year of birth does not match the date of birth.",
    "Năm sinh %(year)d không hợp lý (người chấp hành án phải từ 14 tuổi).": "Year of birth %(year)d is not plausible (a sentenced person is at least 14).",
    "Ngày chấp hành xong án %(date)s quá xa: thông báo của trại giam chỉ gửi trước tối đa %(days)d ngày.": "Release date %(date)s is too far ahead: prison notices come at most %(days)d days before.",
    "Ngày chấp hành xong án phải sau ngày sinh.": "The release date must be after the date of birth.",
}


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def main(path: str) -> None:
    po = Path(path)
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    for i, block in enumerate(blocks):
        # An empty msgstr, or a fuzzy guess by makemessages (never compiled): ours replaces it.
        fuzzy = re.search(r"^#, .*fuzzy", block, re.M) is not None
        pattern = r'msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)' if fuzzy else r'msgid ((?:".*"\n?)+)msgstr ""'
        match = re.search(pattern, block)
        if not match:
            continue
        msgid = "".join(re.findall(r'"(.*)"', match.group(1))).replace('\\"', '"')
        if msgid in EN:
            head = block[: match.start()] + "msgid " + match.group(1).rstrip("\n")
            head = re.sub(r"^#\| .*\n", "", head, flags=re.M)
            head = head.replace("#, fuzzy\n", "").replace("#, fuzzy, ", "#, ")
            blocks[i] = f'{head}\nmsgstr "{escape(EN[msgid])}"'
    po.write_text("\n\n".join(blocks), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "locale/en/LC_MESSAGES/django.po")
