"""Personal data kept only as long as needed (152-FZ): the retention job and the subject access
report. See docs/privacy.md for what is stored, why and for how long."""
