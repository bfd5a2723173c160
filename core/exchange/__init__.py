"""The exchange format: CSV/XLSX in, the journal out and back (docs/exchange-format.md)."""
