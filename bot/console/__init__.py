"""The reviewers' web console (``bot review serve``): on loopback, on the machine that holds the
reviewer's private key."""
