# %% [markdown]
# # Replaying the audit history of a plan
#
# execution-core never overwrites a fact: every check-in, target change, drop, coaching session
# and rating is an immutable event with two clocks, **occurred_at** (the business time it is
# about) and **recorded_at** (when the store accepted it). So any past state of the plan can be
# replayed exactly. This notebook replays a season:
#
# 1. the history as a data frame, and the one check-in that was entered a week late;
# 2. *as of* (what the system knew at a recorded time) against *as at* (how things were at a
#    business time, late entries included);
# 3. the plan at a recorded time, and its **diff** between two recorded times, with who and why;
# 4. the **trail** of a goal and of a person;
# 5. **verify**: the hash chain that exposes an edit made behind the library's back;
# 6. the season drawn: a burn-up against the pace, the health of every goal week by week, the
#    alignment tree, and how early the live view saw the goals that ended missed;
# 7. a counterfactual: the same history with one target change left out, compared view by view.
#
# The plan is the demo season (`execution_core_adapters.cli.demo`): a seeded simulation of a 12-person company
# playing a 26-week cycle, recorded through the same facade an app uses, into an in-memory
# store whose clock follows the season (each fact is recorded a couple of hours after it
# happened). It runs in a few seconds.

# %%
# %matplotlib inline
from datetime import timedelta

import pandas as pd

from execution_core import Execution
from execution_core import views as v
from execution_core.audit import diff, plan_of, trail, view_as_of
from execution_core_adapters import notebook as nb
from execution_core_adapters.cli.demo import SeasonClock, record_season
from execution_core_adapters.storage.store import open_store

pd.set_option("display.max_colwidth", 60)
pd.set_option("display.width", 140)

clock = SeasonClock()
execution = Execution(open_store("memory://", clock=clock))
season = record_season(execution, clock, seed=7)
cycle_id, goals = season.cycle_id, season.goals
history = execution.ledger_history()  # the ledger at any recorded time, from checkpoints
ledger = history.as_of()  # everything recorded
print(f"{season.events} events, {len(goals)} goals, cycle {season.starts_on} to {season.ends_on}")

# %% [markdown]
# ## 1. The history as a data frame
#
# `events_frame` gives one row per event in recorded order: its type, stream, version, actor,
# both clocks, then the payload fields (an owner as two columns, a policy field by field).

# %%
events = nb.events_frame(execution.store.read_all())
events.groupby(["stream", "type"]).size().rename("events").to_frame()

# %% [markdown]
# Most facts were recorded within hours of happening (the organization, the strategy and the
# cycle were set up in the week before the season and entered on its first day). One check-in
# of Eve's was entered a week late, and says so. Its business time says
# when the reading was true; its recorded time says when anyone could have known it.

# %%
events["lag"] = events["recorded_at"] - events["occurred_at"]
print(events.groupby("stream")["lag"].median().rename("median lag").to_string())
late = events.loc[events["comment"] == "entered late"]
late[["position", "type", "actor", "kr_id", "value", "occurred_at", "recorded_at", "lag", "comment"]]

# %% [markdown]
# ## 2. As of and as at
#
# *As at* business time `T` counts every fact about `T`, whenever it was recorded. *As of*
# recorded time `T` folds only what was recorded by then. `view_as_of` reads any view either
# way, or both: "what did we believe on day X about day Y?".
#
# Read Eve's goal on the scoreboard a day after her late check-in happened: as the system knew
# it then, her last reading was a week old; as things really were, she had checked in the day
# before, with a little more progress.

# %%
eve = goals["eve"]
then = late["occurred_at"].iloc[0].to_pydatetime() + timedelta(days=1)
believed = view_as_of(v.scoreboard, history, cycle_id, as_of=then, as_at=then).row(eve)
actual = view_as_of(v.scoreboard, history, cycle_id, as_at=then).row(eve)
columns = ["title", "progress", "last_checkin_at", "days_since_checkin", "health"]
pd.DataFrame(
    [
        {"read": f"as of {then:%b %d} (known then)", **{c: getattr(believed, c) for c in columns}},
        {"read": f"as at {then:%b %d} (known now)", **{c: getattr(actual, c) for c in columns}},
    ]
).set_index("read")

# %% [markdown]
# Ratings work the same way. Eve's manager recorded a 3; in calibration HR changed it to a 4.
# Her appraisal sheet as of the moment between the two, and as of now:

# %%
calibrated = events.loc[events["type"] == "RatingCalibrated", "recorded_at"].iloc[0]
before = calibrated.to_pydatetime() - timedelta(minutes=1)
rows = []
for label, as_of in (("before calibration", before), ("now", None)):
    sheet = view_as_of(
        v.appraisal_sheet, history, cycle_id, "eve", viewer="hana", as_of=as_of,
        as_at=calibrated.to_pydatetime() + timedelta(days=1),
    )
    rows.append({"as of": label, "attainment": sheet.attainment, "computed": sheet.computed_rating,
                 "recorded": sheet.recorded_rating, "calibrated": sheet.calibrated_rating,
                 "rating": sheet.rating, "source": sheet.rating_source.value,
                 "bonus": sheet.bonus_multiplier})
pd.DataFrame(rows).set_index("as of")

# %% [markdown]
# ## 3. The plan, and what changed in it
#
# `plan_of(ledger)` is the plan as a value: every goal with its owner, alignment, weight,
# status and targets. Fold the history as of a recorded time to get the plan as it was known
# then. `diff(history, T1, T2)` lists every change between two recorded times, old to new, with
# the fact that made it: its actor, reason and both clocks.

# %%
start = pd.Timestamp(season.starts_on, tz="UTC").to_pydatetime()
week10, week14 = start + timedelta(weeks=10), start + timedelta(weeks=14)
plan = nb.view_frame(plan_of(history.as_of(week10), cycle_id=cycle_id))
plan[["title", "owner_id", "aligned_to", "weight", "status", "targets"]]

# %%
changes = nb.view_frame(diff(history, week10, week14, cycle_id=cycle_id))
changes[["goal_title", "kind", "before", "after", "actor", "reason", "occurred_at"]]

# %% [markdown]
# ## 4. Trails
#
# A goal's trail is every event about it, in recorded order, with both clocks: its own stream,
# goals aligned to it, and the coaching about it. Here is Finn's goal, whose target was eased
# in week 12: how many events of each kind, then all but the check-ins:

# %%
finn = nb.view_frame(trail(execution.store.read_all(), goal=goals["finn"]))
print(finn["event"].value_counts().to_string())
finn.loc[~finn["event"].str.endswith("ProgressLogged"), ["position", "event", "actor", "occurred_at", "details"]]

# %% [markdown]
# A person's trail gathers the organization's events about them, every goal they owned, their
# coaching journal, the coaching they gave and their appraisals. Eve's, without the check-ins:

# %%
eve_trail = nb.view_frame(trail(execution.store.read_all(), person="eve"))
eve_trail.loc[
    ~eve_trail["event"].str.endswith("ProgressLogged"),
    ["position", "event", "relation", "actor", "occurred_at", "details"],
]

# %% [markdown]
# ## 5. Verify: tamper evidence
#
# Every stored event is hashed into a chain when it is written. `verify` recomputes the chain
# and reports the first position that does not match. The in-memory store verifies clean:

# %%
report = execution.store.verify()
report.ok, report.events_checked, report.head.position

# %% [markdown]
# Copy the history into a SQLite file (export and import keep it event for event), then play
# the admin who quietly makes the late check-in look entered on time, with plain SQL around the
# library (its comment cannot be edited so: it is sealed with Eve's key, see docs/privacy.md):

# %%
import json
import sqlite3
import tempfile
from pathlib import Path

from execution_core_adapters.transfer import export_lines, import_lines

folder = Path(tempfile.mkdtemp())
copy = open_store(f"sqlite:///{folder / 'season.db'}")
import_lines(copy, export_lines(execution.store))
print("copy verifies:", copy.verify().ok)
copy.close()

position = int(late["position"].iloc[0])
with sqlite3.connect(folder / "season.db") as db:
    (state,) = db.execute(
        "SELECT state FROM stored_events WHERE rowid = ?", (position,)
    ).fetchone()
    stored = json.loads(state)
    stored["recorded_at"] = stored["occurred_at"]  # as if it had been entered on time
    db.execute(
        "UPDATE stored_events SET state = ? WHERE rowid = ?",
        (json.dumps(stored, sort_keys=True, separators=(",", ":")).encode(), position),
    )

tampered = open_store(f"sqlite:///{folder / 'season.db'}")
found = tampered.verify()
tampered.close()
print("after the edit:", found.ok, "-", found.first)

# %% [markdown]
# The edited position is the late check-in's. (A careful attacker could recompute the whole
# chain; an anchored head kept elsewhere closes that gap: see docs/audit.md.)

# %%
assert found.first is not None and found.first.position == late["position"].iloc[0]

# %% [markdown]
# ## 6. The season, drawn
#
# **Burn-up.** Ben's Nordics goal against the pace line. Each reading stands until the next, so
# the five weeks without a check-in show as the long flat step: nothing told the board, and
# the live view marked the goal stale (see the heatmap below).

# %%
# figure: audit-burnup
burnup = nb.burnup_frame(ledger, cycle_id, goals["ben"])
nb.plot_burnup(burnup, title="Open the Nordics (Ben): progress against the pace")

# %% [markdown]
# **Health heatmap.** The scoreboard every week (`scoreboard_by_week`), one row per goal, the
# goals of each unit together, under a count of the goals in each health: the coach saw red
# early on most goals that ended missed, and the dropped partner channel shows as ended from
# week 12.

# %%
# figure: audit-heatmap
weekly = nb.scoreboard_by_week(ledger, cycle_id)
nb.plot_health_heatmap(weekly, title="Health of every goal, week by week (demo season)")

# %%
weekly.pivot_table(index="week", columns="health", values="goal_id", aggfunc="count", fill_value=0, observed=False).iloc[::5]

# %% [markdown]
# **Alignment tree** at mid-season (week 13): strategy, themes, goals and child goals, each with
# its rolled-up progress and coloured by health.

# %%
# figure: audit-alignment
tree = v.alignment_tree(ledger, cycle_id, at=start + timedelta(weeks=13))
nb.plot_alignment_tree(tree, title="Alignment at week 13")

# %% [markdown]
# **Detection lead time.** For each goal that ended missed, how many days before the cycle's end
# the live view first showed it at risk or off track: the time a coach had to act, which an
# end-of-cycle appraisal never has.

# %%
# figure: audit-lead-times
lead = v.detection_lead_time(ledger, cycle_id, at=start + timedelta(weeks=30))
nb.plot_lead_times(lead, bin_days=7, title="Days the live view saw each missed goal coming")

# %%
nb.view_frame(lead)[["title", "owner_id", "final_progress", "first_flagged_health", "first_flagged_on", "lead_days"]]

# %% [markdown]
# ## 7. A counterfactual on the recorded history
#
# Because the history is a list of facts, it can be forked. `fork_events` keeps every event
# before an instant, passes the later ones through changes, and replays the result into a
# separate in-memory store, validated like an import; the original is only read. What if Finn's
# target had not been eased (from 15 to 20 minutes) in week 12? Drop that one event and read
# both branches with the same views:

# %%
from execution_core.simulation import drop
from execution_core_adapters.simulate import Simulation, compare, fork_events

recorded = Simulation(execution, cycle_id, name="recorded")
lowered_at = ledger.goals[goals["finn"]].key_results["minutes"].adjustments[0].occurred_at
kept = fork_events(recorded, at=lowered_at, changes=[drop("goal.TargetAdjusted")], name="kept")
comparison = compare(recorded, kept)
branches = nb.view_frame(comparison)
branches.loc[branches["difference"] != 0, ["title", "owner_id", "progress_recorded", "progress_kept", "outcome_recorded", "outcome_kept"]]

# %% [markdown]
# Against the original target Finn's attainment falls, and so does the rating the sheet
# computes; the rating his manager recorded stands in both branches, since a recorded rating
# overrides the computed one. The appraisal alone would never show the difference; the trace
# from execution to appraisal does.

# %%
after = start + timedelta(weeks=30)
pd.DataFrame(
    [
        {"branch": name, "attainment": sheet.attainment, "computed": sheet.computed_rating,
         "recorded": sheet.recorded_rating, "rating": sheet.rating}
        for name, sheet in (
            (branch.name, v.appraisal_sheet(branch.ledger(), cycle_id, "finn", viewer="hana", at=after))
            for branch in (recorded, kept)
        )
    ]
).set_index("branch")

# %%
kept.close()
execution.close()
