"""The journal's built-in mail: threads, office hours, announcements."""
