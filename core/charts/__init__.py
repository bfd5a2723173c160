"""Charts drawn from the core's DTOs as PNG bytes (matplotlib's Agg canvas, no GUI, no pyplot).

Rendering is CPU work: a handler calls it with ``await asyncio.to_thread(...)`` so the event
loop never waits. Each call builds its own ``Figure``, so calls in several threads do not share
state; texts come in already translated, dates are formatted with Babel in the given locale.
"""
