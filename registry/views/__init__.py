"""Staff pages of the registry, by area: ``casework`` (worklist, case page, notices, needs),
``agencies`` (inboxes, loans, training, judicial records), ``privacy``, ``reports``, ``imports``,
``accounts`` (sign-in), ``audit``; ``common`` holds what every page shares. Templates mirror the
areas under ``templates/``."""
