"""The admin area (issues 4 and 11): one blueprint, `bp`, with a module per area.

`blueprint` holds the blueprint and the access rules every route shares; `login`, `uploads`
(uploads and training jobs), `catalogue` (the editor), `versions` and `dashboard` (and the audit log) add
their routes to it when imported here.
"""

from recommender.web.admin import catalogue, dashboard, login, uploads, versions
from recommender.web.admin.blueprint import bp

__all__ = ["bp", "catalogue", "dashboard", "login", "uploads", "versions"]
