"""The words both the dialogue and the reports use: a report's fields as the questions that fill
them, how text is folded and bounded, dates and places named in free text. It imports no other
wing, so that neither the dialogue nor the reports import the other to share it."""
