"""Accounts, roles and the people around the catalogue: sign-in accounts and API tokens
(``accounts``), proposed solutions (``proposals``: the form, its checks, a proposal as read
back) and their moderation (``moderation``: states, permissions, publishing), collection
facilitators (``facilitators``)."""

from catalogue.community.accounts import ROLES, AccountError, Accounts, User
from catalogue.community.facilitators import collections, is_collection
from catalogue.community.moderation import (
    MAX_NOTE,
    Moderation,
    ModerationError,
    NotAllowed,
    ProposalNotFound,
    PublishRefused,
    TransitionError,
    judges,
    may,
    may_view,
)
from catalogue.community.proposals import LANGUAGES, Checked, FormProblem, Proposal, ProposalForm

__all__ = ["LANGUAGES", "MAX_NOTE", "ROLES", "AccountError", "Accounts", "Checked", "FormProblem",
           "Moderation", "ModerationError", "NotAllowed", "Proposal", "ProposalForm", "ProposalNotFound",
           "PublishRefused", "TransitionError", "User", "collections", "is_collection", "judges", "may",
           "may_view"]
