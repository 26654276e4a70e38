"""Accounts, roles and the people around the catalogue: sign-in accounts and API tokens
(``accounts``), proposed solutions (``proposals``: the form, its checks, a proposal as read
back; ``choices``: the building blocks and licences the form offers) and their moderation (``moderation``: states, permissions, publishing), collection
facilitators (``facilitators``)."""

from catalogue.community.accounts import ROLES, AccountError, Accounts, User
from catalogue.community.choices import (
    BlockGroup,
    LicenceChoices,
    LicenceOption,
    building_blocks,
    licence_choices,
)
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
from catalogue.community.proposals import (
    LANGUAGES,
    OTHER_LICENCE,
    Checked,
    FormProblem,
    Proposal,
    ProposalForm,
)

__all__ = ["LANGUAGES", "MAX_NOTE", "OTHER_LICENCE", "ROLES", "AccountError", "Accounts", "BlockGroup",
           "Checked", "FormProblem", "LicenceChoices", "LicenceOption", "Moderation", "ModerationError", "NotAllowed", "Proposal", "ProposalForm", "ProposalNotFound",
           "PublishRefused", "TransitionError", "User", "building_blocks", "collections", "is_collection", "judges",
           "licence_choices", "may", "may_view"]
