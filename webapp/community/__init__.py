"""The community's pages (issue 15): accounts for everyone (``accounts``: sign-up, confirming
an address, password reset, terms of use, one's own account page, export and deletion)."""
