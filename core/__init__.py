"""The kernel: the domain model, the settings, privacy, safe text and the store interface.

It imports no stage and no application module; every other package may import it.
"""
