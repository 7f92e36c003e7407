"""Wegwijs extensions to Rasa 3.6: NLU components, stores, response generation.

Importing the package applies the fixes in ``addons.patches`` (documented there).
"""

from addons import patches

patches.apply()
