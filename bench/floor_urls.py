"""The floor page: the same views, SQL and templates as Confide's, without the gate's own work.

Imported as the URLconf of the benchmark's floor server only (bench/floor_settings.py). In that
process it replaces, in confide.records.access (the one gate):
  * `record_event`: no audit event is written (no head lock, hash, insert or durable commit);
  * `decide` (`_decide` in the gate before issue 18): no engine evaluation; each distinct question is answered once by the real engine and
    the answer reused, so every page reads the same rows and renders the same template;
  * `list_filter` (where the gate has one): the list filter built once per role, team and purpose.
Each name is replaced only if the gate has it (the gate is being reworked as this is written), and
the names replaced are written to $BENCH_FLOOR_REPORT so the benchmark can say what its floor left out.
Every other module, SQL statement and template is Confide's own.
"""

from __future__ import annotations

import json
import os

from confide.records import access
from confide.urls import urlpatterns  # noqa: F401 -- the same pages

replaced = []

if hasattr(access, "record_event"):
    access.record_event = lambda *args, **kwargs: None
    replaced.append("record_event")

# The engine's one entry point in the gate: `decide` (or `_decide`, as the gate named it before issue 18).
_decide_name = next((name for name in ("decide", "_decide") if hasattr(access, name)), None)
if _decide_name is not None:
    _decide, _answers = getattr(access, _decide_name), {}

    def decide(request):
        actor, record = request["actor"], request["record"]
        key = (actor.get("role"), actor.get("team"), actor.get("assigned_to_case"), record.get("kind"),
               record.get("service"), record.get("team"), record.get("sealed"), request.get("purpose"))
        answer = _answers.get(key)
        if answer is None:
            answer = _answers[key] = _decide(request)
        return answer

    setattr(access, _decide_name, decide)
    replaced.append(_decide_name)

if hasattr(access, "list_filter"):
    _list_filter, _filters = access.list_filter, {}

    def list_filter(user, purpose):
        key = (user.role, user.team_id is not None, purpose)
        if key not in _filters:
            _filters[key] = _list_filter(user, purpose)
        return _filters[key]

    access.list_filter = list_filter
    replaced.append("list_filter")

if os.environ.get("BENCH_FLOOR_REPORT"):
    with open(os.environ["BENCH_FLOOR_REPORT"], "w", encoding="utf-8") as report:
        json.dump(replaced, report)
