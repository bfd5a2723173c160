"""Views: DTO in, (HTML text, keyboard) out. Every school or user string is escaped here."""
