"""A report's life: built from the answers, sealed to the reviewers, stored once, opened and
exported (HTCDS) by reviewers, shredded at the end of retention; the reviewers' keys."""
