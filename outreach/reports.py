"""The outreach part of the province's report: messages by channel and status, opt-outs by
source and content published. Registered with the registry's report in ``OutreachConfig.ready``
(the registry never imports outreach).

Messages and opt-outs are counted for the people inside the report's scope and the viewer's;
opt-outs that name no person (a number unsubscribed on the website, a provider's notice) appear
only in the province-wide report of a viewer who sees the whole province.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from outreach.models import Channel, ContentItem, Message, OptOut
from registry.models import Case
from registry.reports.figures import ReportContext, Row, Section, Table, register_section


def _about_people_in_scope(ctx: ReportContext, queryset: QuerySet) -> QuerySet:
    if ctx.whole_province:
        return queryset
    cases = ctx.rows(Case.objects.all(), ctx.scope.case_q())
    return queryset.filter(Exists(cases.filter(person_id=OuterRef("person_id"))))


def outreach_section(ctx: ReportContext) -> Section:
    statuses = Message.Status.choices
    messages = _about_people_in_scope(
        ctx,
        Message.objects.filter(
            person__isnull=False, created_at__gte=ctx.start_at, created_at__lt=ctx.end_before
        ),
    )
    grid: dict[str, dict[str, int]] = {}
    for channel, status, n in messages.values_list("channel", "status").annotate(n=Count("id")):
        grid.setdefault(channel, {})[status] = n
    rows = [
        Row(
            channel,
            str(label),
            [
                sum(grid.get(channel, {}).values()),
                *(grid.get(channel, {}).get(s, 0) for s, _l in statuses),
            ],
        )
        for channel, label in Channel.choices
    ]
    message_table = Table(
        "messages",
        _("Tin nhắn theo kênh và trạng thái"),
        [_("Tổng"), *(str(label) for _s, label in statuses)],
        rows,
        note=_("Tin nhắn chiến dịch tạo trong kỳ (không tính số thử nghiệm của cán bộ)."),
        chart_column=0,
    )
    opt_outs = OptOut.objects.filter(created_at__gte=ctx.start_at, created_at__lt=ctx.end_before)
    opt_outs = _about_people_in_scope(ctx, opt_outs)
    by_source = dict(opt_outs.values_list("source").annotate(n=Count("id")))
    opt_out_table = Table(
        "opt_outs",
        _("Từ chối nhận tin theo nguồn"),
        [_("Số lượt")],
        [
            Row(source, str(label), [by_source.get(source, 0)])
            for source, label in OptOut.Source.choices
        ],
    )
    published = dict(
        ContentItem.objects.filter(
            Q(published_at__gte=ctx.start_at) & Q(published_at__lt=ctx.end_before)
        )
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    content_table = Table(
        "content",
        _("Nội dung đăng trong kỳ"),
        [_("Số bài")],
        [
            Row(kind, str(label), [published.get(kind, 0)])
            for kind, label in ContentItem.Kind.choices
        ],
        chart_column=0,
    )
    return Section(
        "outreach", _("Tuyên truyền, nhắn tin"), [message_table, opt_out_table, content_table]
    )


def register() -> None:
    register_section(outreach_section)
