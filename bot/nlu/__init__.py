"""Rasa NLU components of this project (an extension point of Rasa, like ``channels``)."""
