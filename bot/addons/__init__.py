"""Wegwijs extensions to Rasa 3.6: NLU components, stores, response generation.

Importing the package (or any module in it) changes nothing in Rasa: the engine fixes in
``addons.patches`` are installed by ``addons.patches.apply()`` at engine start-up (documented there).
"""
