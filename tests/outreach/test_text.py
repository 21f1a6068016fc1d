"""Message text (issue 6): Vietnamese without diacritics, GSM-7 and segment counts (property tests
over Vietnamese text), placeholders, the offer label and the discretion check."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from outreach import text

VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
vietnamese = st.text(
    alphabet=st.sampled_from(
        VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " ,.!?0123456789–“”…\u200b"
    ),
    max_size=600,
)


class StripDiacriticsTests:
    def test_known_words(self):
        assert text.strip_diacritics("Đường về nhà – “hướng thiện”…") == (
            'Duong ve nha - "huong thien"...'
        )
        assert text.strip_diacritics("Nguyễn Thị Ánh, Điện Biên") == "Nguyen Thi Anh, Dien Bien"

    @given(vietnamese)
    def test_the_result_is_always_gsm7(self, value):
        assert text.non_gsm_characters(text.strip_diacritics(value)) == []

    @given(vietnamese)
    def test_letters_keep_their_base_and_nothing_becomes_a_question_mark(self, value):
        bare = text.strip_diacritics(value)
        assert bare.count("?") == value.count("?")
        letters = [c for c in value if c.isalpha()]
        assert len([c for c in bare if c.isalpha()]) == len(letters)

    @given(vietnamese)
    def test_it_is_idempotent(self, value):
        once = text.strip_diacritics(value)
        assert text.strip_diacritics(once) == once


class SegmentCountTests:
    def test_the_boundaries(self):
        assert text.sms_count("a" * 160).segments == 1
        assert text.sms_count("a" * 161).segments == 2
        assert text.sms_count("a" * 306).segments == 2
        assert text.sms_count("a" * 307).segments == 3
        assert text.sms_count("ư" * 70) == text.SmsCount("UCS-2", 70, 1)
        assert text.sms_count("ư" * 71).segments == 2
        assert text.sms_count("[" * 80).segments == 1  # extended characters count two
        assert text.sms_count("[" * 81).segments == 2
        assert text.sms_count("").segments == 0

    @given(vietnamese)
    def test_one_accented_letter_switches_the_whole_message_to_ucs2(self, value):
        bare = text.strip_diacritics(value) or "a"
        assert text.sms_count(bare).encoding == "GSM-7"
        assert text.sms_count(bare + "ư").encoding == "UCS-2"

    @given(vietnamese)
    def test_segments_match_the_per_part_capacity(self, value):
        count = text.sms_count(value)
        single, part = (160, 153) if count.encoding == "GSM-7" else (70, 67)
        if count.characters <= single:
            assert count.segments == (1 if count.characters else 0)
        else:
            assert (count.segments - 1) * part < count.characters <= count.segments * part

    @given(vietnamese)
    def test_stripping_never_costs_more_segments(self, value):
        value = unicodedata.normalize("NFC", value)
        assert text.sms_count(text.strip_diacritics(value)).segments <= max(
            text.sms_count(value).segments, 1
        )


class PlaceholderTests:
    def test_unknown_placeholders_are_found(self):
        assert text.unknown_placeholders("Chào ((ten)) ở ((xa)) ((so_tien))") == ["so_tien"]

    def test_fill_and_given_name(self):
        values = {
            "ten": text.given_name("Lò Văn Pàng"),
            "xa": "Tô Hiệu",
            "ho_ten": "",
            "hotline": "",
        }
        assert text.fill("Chào (( ten )) ở ((xa))", values) == "Chào Pàng ở Tô Hiệu"

    def test_offers_carry_the_label_and_the_opt_out(self):
        sms = text.sms_text("Vay vốn ưu đãi", is_offer=True, opt_out_text="Từ chối: gọi 113")
        assert sms == "[QC] Vay von uu dai Tu choi: goi 113"
        assert text.sms_text("Tin chính sách", is_offer=False, opt_out_text="x") == "Tin chinh sach"


class DiscretionTests:
    def test_it_flags_words_that_reveal_a_past_with_and_without_diacritics(self):
        assert "ra tù" in text.discretion_flags("Chúc mừng anh ra tù")
        assert "ra tù" in text.discretion_flags("Chuc mung anh ra tu")
        assert "trại giam" in text.discretion_flags("Trai giam Yen Ha thong bao")
        assert "tiền án" in text.discretion_flags("nguoi co tien an")
        assert "tù" in text.discretion_flags("Người từng đi tù")

    def test_innocent_unaccented_words_are_not_flagged(self):
        assert text.discretion_flags("Chuc ban an toan, tu tin lap nghiep") == []
        assert text.discretion_flags("Ngân hàng hỗ trợ vay vốn tạo việc làm") == []


class SeedContentTests:
    def test_the_seed_content_loads_published_discreet_and_within_limits(self, db):
        import json
        from pathlib import Path

        from outreach.models import ContentItem
        from outreach.services.content import content_load_seed, sms_preview
        from registry.models import User

        path = Path(__file__).resolve().parents[2] / "fixtures" / "outreach" / "content.json"
        items = json.loads(path.read_text(encoding="utf-8"))["items"]
        system = User.objects.create(username="he-thong", is_active=False)
        assert content_load_seed(items, system=system)["created"] == len(items)
        assert content_load_seed(items, system=system)["kept"] == len(items)  # idempotent
        kinds = set(ContentItem.objects.values_list("kind", flat=True))
        assert {"policy", "guidance", "warning", "rebuttal", "story", "offer"} <= kinds
        for item in ContentItem.objects.all():
            # Stories wait for their person's consent to publish.
            expected = "approved" if item.kind == "story" else "published"
            assert item.status == expected
            # Only a public policy page may carry such words, with the reason written down.
            assert item.discretion_flags == [] or item.discretion_override
            preview = sms_preview(item)
            assert preview["non_gsm"] == [] and 1 <= preview["segments"] <= 3
            if item.is_offer:
                assert preview["text"].startswith("[QC] ")
