"""What the assistant says and decides at each turn, without Rasa: the conversation's decisions,
how an answer is understood, the summary a person reads, messages and locales, language."""
