"""The pages of the web workplace, one module per area, each with its ``router``."""
from web.pages import auth, district_map, reports, risks, search, sources, users

ROUTERS = [auth.router, risks.router, search.router, district_map.router, reports.router, sources.router, users.router]
