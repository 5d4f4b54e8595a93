"""Services people are referred to: the directory files, their validation and import, and the
matching of a need and a place to the few best services."""
