"""Conversation state at rest: the encrypted tracker store Rasa reads and writes between turns,
the server keys that seal it, and the pseudonyms that stand for people's ids."""
