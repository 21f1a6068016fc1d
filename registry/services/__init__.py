"""Every write to the registry. Services are keyword-only, take the acting user (``actor``),
validate their input with specific Vietnamese messages, run in one transaction and refuse an
illegal state transition with ``ApplicationError``. Nothing else changes a status."""

from registry.services.cases import (
    case_assign_helper,
    case_close,
    case_note_add,
    case_open,
    case_record_milestone,
    case_record_presentation,
    case_verify_address,
    need_identify,
    need_mark_unmet,
    need_withdraw,
    prison_notice_register,
)
from registry.services.consents import consent_record, consent_withdraw
from registry.services.people import custody_record_create, person_create, person_update
from registry.services.referrals import (
    REFERRAL_ACTIONS,
    referral_accept,
    referral_cancel,
    referral_complete,
    referral_fail,
    referral_hold,
    referral_reject,
    referral_resume,
    referral_send,
    referral_start,
    referral_transition,
)

__all__ = [
    "case_assign_helper",
    "REFERRAL_ACTIONS",
    "case_close",
    "case_note_add",
    "case_open",
    "case_record_milestone",
    "case_record_presentation",
    "case_verify_address",
    "consent_record",
    "consent_withdraw",
    "custody_record_create",
    "need_identify",
    "need_mark_unmet",
    "need_withdraw",
    "person_create",
    "person_update",
    "prison_notice_register",
    "referral_accept",
    "referral_cancel",
    "referral_complete",
    "referral_fail",
    "referral_hold",
    "referral_reject",
    "referral_resume",
    "referral_send",
    "referral_start",
    "referral_transition",
]
