"""Every custom action, built with what it uses, in rasa_sdk's executor.

The list is explicit: rasa_sdk would otherwise register every `Action` subclass it can see,
built without arguments, and an action must get the app's hub, content and referral store
from the app (api/actions/deps.py). tests/api/actions/test_executor.py checks that the list
and the domain's actions (bot/domain/) name the same actions.
"""

from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor

from api.actions.deps import ActionDeps
from api.actions.hub_contact import ActionBehaviourRoute, ActionHelplines
from api.actions.language import ActionLanguageChosen, ActionLanguageMenu
from api.actions.live_chat import ActionLiveChat
from api.actions.navigation import ActionBackToMenu
from api.actions.referral import (
    ALL_FORM_SLOTS,
    ActionReferralFinish,
    ActionReferralForChild,
    ActionReferralForSomeoneElse,
    ActionReferralWho,
    AskQuestion,
    ValidateReferralForm,
)
from api.actions.returning import (
    ActionAskReturnReference,
    ActionAskReturnText,
    ActionAskReturnWord,
    ActionAskReturnWordNew,
    ActionReturning,
    ActionReturningSaveText,
    ActionReturningVerify,
    ActionReturnWordSave,
    ValidateReturningForm,
    ValidateReturnTextForm,
    ValidateReturnWordForm,
)
from api.actions.safety_plan import ActionSafetyPlan, ActionSafetyPlanAnswer, ActionStop
from api.actions.topics import ActionOutOfScope, ActionShowTopic, ActionUnclearMessage


def all_actions(deps: ActionDeps) -> list[Action]:
    return [
        # Information, languages, the menu
        ActionShowTopic(deps),
        ActionUnclearMessage(deps),
        ActionOutOfScope(),
        ActionHelplines(deps),
        ActionLiveChat(deps),
        ActionBehaviourRoute(deps),
        ActionLanguageMenu(deps),
        ActionLanguageChosen(deps),
        ActionBackToMenu(deps),
        # Safety planning
        ActionSafetyPlan(),
        ActionSafetyPlanAnswer(deps),
        ActionStop(),
        # The referral
        ActionReferralWho(deps),
        ActionReferralForChild(deps),
        ActionReferralForSomeoneElse(),
        ValidateReferralForm(deps),
        *(AskQuestion(deps, slot) for slot in ALL_FORM_SLOTS),
        ActionReferralFinish(deps),
        # Coming back with a reference
        ActionAskReturnWordNew(),
        ValidateReturnWordForm(),
        ActionReturnWordSave(deps),
        ActionAskReturnReference(),
        ActionAskReturnWord(),
        ValidateReturningForm(),
        ActionReturningVerify(deps),
        ActionReturning(deps),
        ActionAskReturnText(),
        ValidateReturnTextForm(),
        ActionReturningSaveText(deps),
    ]


def build_executor(deps: ActionDeps) -> ActionExecutor:
    executor = ActionExecutor()
    for action in all_actions(deps):
        executor.register_action(action)
    return executor
