"""Pushes: which notifications go out, to whom and when (the notifier in ``bot`` sends them)."""
