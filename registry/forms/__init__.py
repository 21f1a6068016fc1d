"""Forms of the staff pages, by area (``casework``, ``agencies``, ``privacy``); ``common`` holds
the shared widgets and the renderer that gives every form GOV.UK Frontend's markup. Forms only
parse and present input: services validate and write."""
