"""The web workplace of the МЦУ staff (``mcu web``): risks and their cards with the decree's
actions, search with facets, the map, reports and sources, behind sign-in with roles.

It calls the same workflow (``alerts.workflow``) and store functions (``core.store``) as the
CLI and the chat bot, so an action taken in any of the three shows in the other two.
"""
from web.app import create_app

__all__ = ["create_app"]
