"""The reporting assistant's core: everything that is not dialogue.

The modules here import nothing from Rasa, so they can be used and tested alone; only the
adapters in ``bot.channels`` plug into Rasa's extension points.
"""
