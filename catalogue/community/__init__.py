"""Accounts, roles and the people around the catalogue: sign-in accounts and API tokens
(``accounts``), proposed solutions and their moderation (``moderation``), collection
facilitators (``facilitators``)."""

from catalogue.community.accounts import ROLES, AccountError, Accounts, User
from catalogue.community.facilitators import collections, is_collection
from catalogue.community.moderation import (
    LANGUAGES,
    MAX_NOTE,
    Checked,
    FormProblem,
    Moderation,
    ModerationError,
    NotAllowed,
    Proposal,
    ProposalForm,
    ProposalNotFound,
    PublishRefused,
    TransitionError,
    judges,
    may,
    may_view,
)

__all__ = ["LANGUAGES", "MAX_NOTE", "ROLES", "AccountError", "Accounts", "Checked", "FormProblem",
           "Moderation", "ModerationError", "NotAllowed", "Proposal", "ProposalForm", "ProposalNotFound",
           "PublishRefused", "TransitionError", "User", "collections", "is_collection", "judges", "may",
           "may_view"]
