# The outreach fixtures (fake provider, personas) are shared with the operations tests.
from tests.outreach.conftest import (  # noqa: F401
    approver,
    editor,
    fake,
    fake_server,
    manager,
    officer,
)
