"""School analytics: early warning (:mod:`core.analytics.risk`, :mod:`core.analytics.warnings`)."""
