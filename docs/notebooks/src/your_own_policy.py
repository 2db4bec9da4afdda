# %% [markdown]
# # Writing your own management policy
#
# The simulator plays a cycle week by week and asks a *management policy* what people do. Two
# come with it: `PerformanceManagement` (goals at the start, one report at the end, the
# appraisal) and `ExecutionManagement` (weekly check-ins, coaching when a goal turns at risk,
# target adjustments, game reviews). This notebook writes a third one, runs it, and compares it
# with both.
#
# A policy is anything with this shape (`execution_core.simulation.ManagementPolicy`, a
# `typing.Protocol`):
#
# | member | what the simulator does with it |
# |---|---|
# | `name: str` | names the runs in reports |
# | `cadence_days: int` | the check-in cadence the cycle is opened with |
# | `check_ins(situation)` | each week: whose key results are logged (`CheckIn` acts) |
# | `manage(situation)` | each week after the check-ins: `Coach`, `AdjustTarget`, or any command |
# | `close(situation)` | after the cycle closed: `Review` and `Appraise` acts |
#
# Each hook returns acts; the simulator turns each into the command a person would issue
# through the facade, so a refused act is refused by the same rules as in the app. A
# `Situation` is what was *recorded*: every goal's progress, forecast and health as the
# scoreboard computes them, the people and who manages whom, the week, and a seeded random
# generator. It never shows the hidden trajectories.
#
# As in every simulation here, what coaching does is the stated model parameter
# `coaching_effect`, not a finding.

# %%
# %matplotlib inline
from collections import defaultdict

import attrs
import pandas as pd
from matplotlib.figure import Figure

from execution_core import views as v
from execution_core.simulation import (
    Appraise,
    BasePolicy,
    CheckIn,
    Coach,
    ExecutionManagement,
    ManagementPolicy,
    Model,
    PerformanceManagement,
)
from execution_core_adapters import notebook as nb
from execution_core_adapters.simulate import monte_carlo, simulate

pd.set_option("display.width", 140)
pd.set_option("display.precision", 3)
model = Model(people=60, weeks=26)

# %% [markdown]
# ## What a policy sees
#
# The protocol is structural: a plain class with the five members is a policy. This one does
# what performance management does (a single report in the last week, then the appraisal), and
# keeps the situation it was shown in week 8 so we can look at it.

# %%
class Watcher:
    name = "watcher"
    cadence_days = 7

    def __init__(self) -> None:
        self.seen = None

    def check_ins(self, situation):
        last_week = situation.week == situation.weeks - 1
        return [CheckIn(goal_id) for goal_id in situation.goals] if last_week else []

    def manage(self, situation):
        if situation.week == 8:
            self.seen = situation  # a situation is a snapshot of its instant: safe to keep
        return []

    def close(self, situation):
        return [Appraise(person_id=person_id) for person_id in situation.people]


watcher = Watcher()
assert isinstance(watcher, ManagementPolicy)
with simulate(Model(people=12, weeks=26), watcher, seed=1) as run:
    seen = watcher.seen
    print(f"{run.events} events; in week {seen.week} of {seen.weeks} the cycle expected "
          f"{seen.expected:.0%}")
pd.DataFrame(
    [{"title": g.title, "kind": g.kind.value, "owner": g.owner_id, "manager": g.manager_id,
      "progress": g.progress, "forecast": g.forecast, "health": g.health.value,
      "last check-in": g.last_checkin_at, "coached": len(g.coached_at)}
     for g in seen.goals.values()]
).head(8)

# %% [markdown]
# Nobody has checked in by week 8, so the board knows nothing yet: every goal shows "not
# started", which is exactly what a manager under performance management knows mid-cycle.
#
# ## A policy with a coaching budget
#
# Execution management coaches every flagged goal. Real managers have limited time. This policy
# keeps the weekly check-ins but gives each manager a budget of `budget` coaching sessions a
# week, spent on their flagged goals with the worst forecast first; it never adjusts targets.
# Subclassing `BasePolicy` (a frozen attrs class whose hooks do nothing) keeps it a small,
# hashable, picklable value, so Monte Carlo can run it in worker processes too.

# %%
@attrs.frozen(kw_only=True)
class CoachingBudget(BasePolicy):
    """Weekly check-ins; each manager coaches at most `budget` flagged goals a week, the
    furthest behind first; no target adjustments; everyone appraised at the end."""

    name: str = "budget"
    budget: int = 1

    def check_ins(self, situation):
        return [CheckIn(g.goal_id) for g in situation.goals.values() if g.status == "active"]

    def manage(self, situation):
        flagged = defaultdict(list)
        for goal in situation.goals.values():
            if goal.status == "active" and goal.manager_id is not None and goal.flagged:
                flagged[goal.manager_id].append(goal)
        acts = []
        for goals in flagged.values():
            goals.sort(key=lambda goal: goal.forecast if goal.forecast is not None else 0.0)
            acts.extend(
                Coach(goal_id=goal.goal_id, note="The furthest behind first", commitment_weeks=2)
                for goal in goals[: self.budget]
            )
        return acts

    def close(self, situation):
        return [Appraise(person_id=person_id) for person_id in situation.people]


budget = CoachingBudget(budget=1, name="budget 1/week")
with simulate(model, budget, seed=7) as run:
    events = nb.events_frame(run.execution.store.read_all())
    print(run.outcome().to_record())
events["type"].value_counts().to_frame("events")

# %% [markdown]
# Its run is a real event stream: every view reads it. The coaching radar, for instance, shows
# who was coached in the last 30 days at the cycle's end:

# %%
with simulate(model, budget, seed=7) as run:
    radar = nb.view_frame(v.coaching_radar(run.ledger(), run.cycle_id, at=run.latest()))
radar.sort_values("coaching_30d", ascending=False).head(6)

# %% [markdown]
# ## Compared with the built-in policies
#
# A Monte Carlo of four policies on the same seeds. **N = 3 seeds of a 60-person company** keep
# this notebook under half a minute; more seeds (and `processes=`) narrow the spread.

# %%
policies = [
    PerformanceManagement(),
    CoachingBudget(budget=1, name="budget 1/week"),
    CoachingBudget(budget=3, name="budget 3/week"),
    ExecutionManagement(),
]
mc = monte_carlo(model, policies, seeds=3)
summary = nb.records_frame(mc.summary_records())
summary.pivot(index="metric", columns="policy", values="mean")[list(mc.policies)]

# %%
# figure: policy-ratings
nb.plot_rating_distributions(mc, title="Ratings under four policies (60 people x 3 runs each)")

# %% [markdown]
# **Attainment against coaching load.** Each dot is one run: the mean attainment scored
# against the original targets (so that target adjustments do not flatter execution
# management) against the mean number of sessions each manager gave.

# %%
# figure: policy-tradeoff
runs = nb.view_frame(mc)
figure = Figure(figsize=(7, 4), layout="constrained")
ax = figure.add_subplot()
for policy, group in runs.groupby("policy", sort=False):
    ax.scatter(group["coaching_per_manager_mean"], group["attainment_original_mean"], label=policy, s=40)
ax.set_xlabel("coaching sessions per manager over the cycle")
ax.set_ylabel("mean attainment (original targets)")
ax.set_title("What each policy buys with its coaching time (under this model)")
ax.legend()
figure

# %% [markdown]
# **Detection lead time** does not depend on coaching at all, only on how often the board is
# told: the three policies with weekly check-ins see missed goals coming months ahead, the
# one with a single report in the last week sees them days before the end.

# %%
# figure: policy-lead-times
nb.plot_lead_times(
    {policy: [d for run in mc.of(policy) for d in run.lead_days] for policy in mc.policies},
    title="Detection lead time of missed goals, by policy",
)

# %% [markdown]
# ## Notes for your own policies
#
# - Decide only from the `Situation`; draw any randomness from `situation.random` (seeded), so
#   a run stays a pure function of the model, the policy and the seed.
# - Return acts, or any `execution_core` command for what the acts do not cover (a
#   realignment, a reassignment, a dropped goal). A refused command raises, as in the app.
# - Frozen attrs values (like `BasePolicy` subclasses) can be sent to worker processes:
#   `monte_carlo(model, policies, seeds=50, processes=4)`.
# - `fork(simulation, at_week=13, policy=yours)` replays a simulated company with your policy
#   from week 13 on, and `compare` reads the two branches with the same views.
