"""The ``catalogue`` console script: the only code that imports both the domain
(``catalogue``) and the web layer (``webapp``, for ``catalogue serve``).

``main.py`` holds the catalogue commands (validate, ingest, query, export, serve...),
``admin.py`` the accounts, tokens, history and roll back commands, ``harvest.py`` the
harvest commands. ``python -m catalogue_cli`` runs it as the console script does.
"""
