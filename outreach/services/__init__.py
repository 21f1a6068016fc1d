"""Every write of the outreach app (content, campaigns, dispatch, opt-outs and receipts)."""
