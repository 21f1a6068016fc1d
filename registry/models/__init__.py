from registry.models.base import BaseModel, PublicModel
from registry.models.cases import (
    Case,
    CaseMilestone,
    CaseNote,
    Consent,
    Need,
    Referral,
    ReferralTransition,
)
from registry.models.people import CustodyRecord, Person, User
from registry.models.places import (
    AdministrativeUnit,
    Agency,
    ExpungementPeriod,
    NeedType,
    NeedTypeResponsibility,
    PublicHoliday,
)

__all__ = [
    "AdministrativeUnit",
    "Agency",
    "BaseModel",
    "Case",
    "CaseMilestone",
    "CaseNote",
    "Consent",
    "CustodyRecord",
    "ExpungementPeriod",
    "Need",
    "NeedType",
    "NeedTypeResponsibility",
    "Person",
    "PublicHoliday",
    "PublicModel",
    "Referral",
    "ReferralTransition",
    "User",
]
from registry.models.access import (  # noqa: E402
    AccessEvent,
    ApiToken,
    CaseUserObjectPermission,
    ChangeLog,
    Membership,
    Notification,
    RecoveryCode,
    Role,
)

__all__ += [
    "AccessEvent",
    "ApiToken",
    "CaseUserObjectPermission",
    "ChangeLog",
    "Membership",
    "Notification",
    "RecoveryCode",
    "Role",
]
from registry.models.loans import (  # noqa: E402
    JudicialRecordRequest,
    JudicialRecordRule,
    LoanApplication,
    LoanProgramme,
)

__all__ += ["JudicialRecordRequest", "JudicialRecordRule", "LoanApplication", "LoanProgramme"]
from registry.models.training import Enrollment, JobFollowUp, JobPlacement, TrainingCourse  # noqa: E402

__all__ += ["Enrollment", "JobFollowUp", "JobPlacement", "TrainingCourse"]
from registry.models.imports import (  # noqa: E402
    ImportBatch,
    ImportColumnAlias,
    ImportEncoding,
    ImportField,
    ImportSource,
    ImportTerm,
)

__all__ += [
    "ImportBatch",
    "ImportColumnAlias",
    "ImportEncoding",
    "ImportField",
    "ImportSource",
    "ImportTerm",
]
from registry.models.privacy import (  # noqa: E402
    DataSubjectRequest,
    DataSubjectRequestRule,
    RequestKind,
)

__all__ += ["DataSubjectRequest", "DataSubjectRequestRule", "RequestKind"]
from registry.models.documents import (  # noqa: E402
    DocumentTemplate,
    FormCode,
    ReportingRule,
    ReportSubmission,
)

__all__ += ["DocumentTemplate", "FormCode", "ReportingRule", "ReportSubmission"]
from registry.models.supervision import (  # noqa: E402
    DetentionPeriod,
    EndOfManagement,
    Helper,
    HelperAssignment,
    HelperReport,
    QuarterlyGroup,
    ReportingFailure,
    Transfer,
)

__all__ += [
    "DetentionPeriod",
    "EndOfManagement",
    "Helper",
    "HelperAssignment",
    "HelperReport",
    "QuarterlyGroup",
    "ReportingFailure",
    "Transfer",
]

from registry.models.keys import EncryptionKey, KeyringProcess  # noqa: E402

__all__ += ["EncryptionKey", "KeyringProcess"]
