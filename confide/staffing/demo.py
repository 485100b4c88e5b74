"""The demo's people have signed (issue 16): each account's declarations signed in Confide, its
induction recorded and its training done, so the demo opens files as before, except for one new
worker who has signed nothing and so meets the page "Before you can open clients' files".

`confide/demo.py` calls `sign_everyone(users, today)` with every account but the new worker's, and may
make the new worker with `NEW_WORKER` (username, first name, last name): fictional."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.policy import governance, vocab

from .clearance import _pack, add_months, name_of, needs_induction
from .models import Induction, Signature, TrainingRecord

# The demo's new worker, who has signed nothing: fictional.
NEW_WORKER = ("new-worker", "Nia", "Newcombe")
INDUCTED_DAYS_BEFORE = 30  # the demo's people were inducted a month ago and signed then


def sign_everyone(users, today: dt.date, *, except_usernames: tuple[str, ...] = (NEW_WORKER[0],)) -> int:
    """Every person in `users` (but those named in `except_usernames`) signs each declaration their
    role signs, in its current wording, is inducted where the pack asks, and has done each training
    module for their role, a month before `today`; one module per person is left overdue for the
    first person whose role has one, so the manager's register has something to show. In bulk, with
    one audit event. Returns how many people were signed. Skips anyone who has signed already."""
    pack = _pack()
    users = [u for u in users if u.username not in except_usernames and u.role in pack.spec.roles]
    already = set(Signature.objects.filter(person__in=users).values_list("person_id", flat=True))
    users = [u for u in users if u.pk not in already]
    if not users:
        return 0
    on = today - dt.timedelta(days=INDUCTED_DAYS_BEFORE)
    System = get_user_model()
    recorder = (System.objects.filter(is_active=True, role__in=[r for r, role in pack.spec.roles.items()
                                                                 if role.kind in vocab.LINE_MANAGER_KINDS]).order_by("id").first()
                or users[0])
    signatures, inductions, training = [], [], []
    overdue_left = False
    for user in users:
        for declaration in governance.declarations_for(pack, user.role):
            signatures.append(Signature(declaration=declaration.id, version=declaration.version, person=user,
                                        signer_name=name_of(user), signed_on=on, how=Signature.How.TYPED,
                                        recorded_by=user))
        if needs_induction(user, pack):
            inductions.append(Induction(person=user, completed_on=on,
                                        recorded_by=recorder if recorder.pk != user.pk else users[-1]))
        for module in governance.training_for(pack, user.role):
            done_on = on
            if not overdue_left and module.refresh_months:
                done_on = add_months(today, -module.refresh_months) - dt.timedelta(days=14)
                overdue_left = True
            training.append(TrainingRecord(person=user, module=module.id, completed_on=done_on, recorded_by=recorder))
    with transaction.atomic():
        Signature.objects.bulk_create(signatures)
        Induction.objects.bulk_create(inductions)
        TrainingRecord.objects.bulk_create(training)
        record_event(None, Action.CLEARANCE_DEMO_SIGNED, object_type="demo",
                     detail={"people": len(users), "signatures": len(signatures), "inductions": len(inductions),
                             "training": len(training)})
    return len(users)
