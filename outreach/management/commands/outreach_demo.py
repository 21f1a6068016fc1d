from django.core.management.base import BaseCommand
from django.db.models.functions import Mod
from django.utils import timezone

from outreach.demo import grant_outreach_consents
from outreach.models import ContentItem, TestRecipient
from registry.models import Consent, Person, User


class Command(BaseCommand):
    help = (
        "Dữ liệu mẫu cho truyền thông: người mẫu đồng ý nhận tin (2/3 số người) và một số thử "
        "nghiệm của cán bộ. Chạy lại không tạo trùng."
    )

    def handle(self, *args: object, **options: object) -> None:
        system, _ = User.objects.get_or_create(
            username="he-thong", defaults={"first_name": "Hệ thống", "is_active": False}
        )
        demo = Person.objects.filter(is_demo=True)
        if not Consent.objects.filter(person__in=demo, purpose=Consent.Purpose.OUTREACH).exists():
            # Two in three demo people agreed to messages (ids not divisible by 3).
            agreed = demo.annotate(third=Mod("id", 3)).exclude(third=0)
            count = grant_outreach_consents(agreed, actor=system)
            self.stdout.write(f"Đồng ý nhận tin (mẫu): {count} người.")
        story = ContentItem.objects.filter(
            kind=ContentItem.Kind.STORY, status=ContentItem.Status.APPROVED, story_person=None
        ).first()
        person = demo.order_by("id").first()
        if story is not None and person is not None:
            # A demo person agrees to the demo story being published, then it is.
            story.story_person = person
            story.save(update_fields=["story_person"])
            grant_outreach_consents(
                Person.objects.filter(pk=person.pk),
                actor=system,
                purpose=Consent.Purpose.PUBLISH_STORY,
            )
            ContentItem.objects.filter(pk=story.pk).update(
                status=ContentItem.Status.PUBLISHED, published_at=timezone.now()
            )
            self.stdout.write(f"Câu chuyện mẫu đã đăng: {story.title}.")
        if not TestRecipient.objects.exists():
            tester = TestRecipient(name="Cán bộ thử nghiệm (mẫu)", phone="+84912000000")
            from outreach.services.campaigns import phone_index

            tester.phone_index = phone_index(tester.phone)
            tester.save()
            self.stdout.write("Số thử nghiệm của cán bộ: +84912000000 (mẫu).")
