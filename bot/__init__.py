"""The reporting assistant, in wings named for the product's jobs.

``dialogue``, ``reports`` and ``referrals`` are the core and import nothing from Rasa, Sanic or
Telegram, so they can be used and tested alone; ``vocabulary`` sits below them; ``state`` and
``channels`` are the adapters at Rasa's extension points. ``.importlinter`` states the layers and
the test suite checks them.
"""
