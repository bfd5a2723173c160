"""The local console chat: the real dispatcher, a terminal instead of Telegram."""
