"""Accounts, roles and the people around the catalogue: sign-in accounts and API tokens
(``accounts``), proposed solutions and their moderation (``moderation``), collection
facilitators (``facilitators``)."""
