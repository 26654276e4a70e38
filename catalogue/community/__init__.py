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
from catalogue.community.comments import MAX_DEPTH as COMMENT_MAX_DEPTH
from catalogue.community.comments import MAX_LENGTH as COMMENT_MAX_LENGTH
from catalogue.community.comments import MAX_REASON as COMMENT_MAX_REASON
from catalogue.community.comments import CommentError
from catalogue.community.content import ACTIONS as CONTENT_ACTIONS
from catalogue.community.content import Container, Content, Revision, Upload
from catalogue.community.content_model import ContentError, Item, zone_names
from catalogue.community.documents import DocumentError
from catalogue.community.facilitators import collections, is_collection
from catalogue.community.ical import calendar
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

__all__ = ["COMMENT_MAX_DEPTH", "COMMENT_MAX_LENGTH", "COMMENT_MAX_REASON", "CommentError", "CONTENT_ACTIONS", "Container", "Content", "ContentError", "DocumentError", "Item", "Revision",
           "Upload", "calendar", "zone_names", "LANGUAGES", "MAX_NOTE", "OTHER_LICENCE", "ROLES", "AccountError", "Accounts", "BlockGroup",
           "Checked", "FormProblem", "LicenceChoices", "LicenceOption", "Moderation", "ModerationError", "NotAllowed", "Proposal", "ProposalForm", "ProposalNotFound",
           "PublishRefused", "TransitionError", "User", "building_blocks", "collections", "is_collection", "judges",
           "licence_choices", "may", "may_view"]

# accounts for everyone, communities, following (issue 15)
from catalogue.community.membership import (  # noqa: E402
    ROLES_IN_COLLECTION,
    CommunitySettings,
    Member,
    Membership,
    MembershipError,
)
from catalogue.community.notifier import start_notifier  # noqa: E402
from catalogue.community.registration import (  # noqa: E402
    TERMS_VERSION,
    Composed,
    Registration,
    RegistrationError,
)
from catalogue.community.subscriptions import (  # noqa: E402
    FREQUENCIES,
    KINDS,
    News,
    Subscription,
    SubscriptionError,
    Subscriptions,
)

__all__ += ["FREQUENCIES", "KINDS", "ROLES_IN_COLLECTION", "TERMS_VERSION", "CommunitySettings", "Composed", "Member",
            "Membership", "MembershipError", "News", "Registration", "RegistrationError", "Subscription",
            "SubscriptionError", "Subscriptions", "start_notifier"]
