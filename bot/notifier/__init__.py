"""The notifier: delivers outbox pushes to Telegram."""
