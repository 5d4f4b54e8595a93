"""Urgent alerts to the reviewers on duty: the reference and "urgent", never a report's content."""
