"""A deterministic, realistic demo gymnasium in the exchange format (`journal demo`)."""

from core.demo.generate import generate

__all__ = ["generate"]
