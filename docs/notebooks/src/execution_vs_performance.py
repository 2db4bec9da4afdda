# %% [markdown]
# # Execution management against performance management, on a simulated 200-person company
#
# *Performance management* sets goals at the start of a cycle and judges people at its end.
# *Execution management* runs the team during the game: check-ins at a cadence, coaching when a
# goal turns at risk, target adjustments when a goal becomes infeasible, a game review at the
# end. execution-core derives both views from one event stream, so the two can be played
# against each other on the same simulated company.
#
# The simulator (`execution_core.simulation`, run by `execution_core_adapters.simulate`) builds an
# organization, a strategy and cascaded goals from a seeded `Model`, then plays the cycle week
# by week: each key result follows a hidden trajectory (drift, noise, shocks), and a *policy*
# decides what managers do, seeing only what was recorded. Every act is a real command through
# the same facade an app uses, so each run is a real event stream, read with the same views.
#
# **Read this first.** What coaching does to a trajectory is the model parameter
# `coaching_effect` (a coaching session closes that share of a key result's projected
# shortfall). It is an assumption stated up front, not a finding: the differences below are its
# consequences under this model, not evidence that coaching works.
#
# Sections: one run of each policy; a Monte Carlo of both (ratings, attainment, detection lead
# time, coaching load, with the figures); and a counterfactual: the same company that stops
# coaching at mid-cycle.

# %%
# %matplotlib inline
import pandas as pd
from matplotlib.figure import Figure

from execution_core import views as v
from execution_core.simulation import ExecutionManagement, Model, PerformanceManagement
from execution_core_adapters import notebook as nb
from execution_core_adapters.simulate import compare, fork, monte_carlo, simulate

pd.set_option("display.width", 140)
pd.set_option("display.precision", 3)

model = Model(people=200, weeks=26)
performance, execution = PerformanceManagement(), ExecutionManagement()
model

# %% [markdown]
# ## One company, played both ways
#
# The same seed gives the same organization, goals and hidden trajectories. Under performance
# management the owners report their results once, in the last week, and the appraisal records
# the computed rating. Under execution management everyone checks in weekly, managers coach
# what the board flags, and infeasible targets are adjusted from mid-cycle on.

# %%
played = {policy.name: simulate(model, policy, seed=7) for policy in (performance, execution)}
one_run = pd.DataFrame([sim.outcome().to_record() for sim in played.values()]).set_index("policy")
one_run.T

# %% [markdown]
# **The same goal, two games.** Under performance management nothing is known about a goal
# until the last week; under execution management the board shows its course every week, and
# the coaching it triggers (under this model) bends the line.

# %%
# figure: evp-burnup
sim_p, sim_e = played["performance"], played["execution"]
weekly_e = nb.scoreboard_by_week(sim_e.ledger(), sim_e.cycle_id)
final = weekly_e[(weekly_e["week"] == model.weeks) & (weekly_e["kind"] == "individual")]
goal_id = final.sort_values("raw_progress").iloc[len(final) // 4]["goal_id"]  # a goal that struggled
title = final.set_index("goal_id").loc[goal_id, "title"]

figure = Figure(figsize=(11, 4), layout="constrained")
left, right = figure.subplots(1, 2, sharey=True)
for ax, sim in ((left, sim_p), (right, sim_e)):
    frame = nb.burnup_frame(sim.ledger(), sim.cycle_id, goal_id)
    nb.plot_burnup(frame, title=f"{sim.policy.name} management", ax=ax)
figure.suptitle(f"Burn-up of one goal: {title}")
figure

# %% [markdown]
# **The live view of the whole company** under execution management, week by week. Above, how
# many of its goals were in each health; below, a row per unit (436 goals are too many to
# draw one by one): the share of the unit's goals in play that were not on track. A unit that
# stays red for weeks is where a coach's time goes. (`scoreboard_by_week(..., unit_level=2)`
# groups by a coarser level of the unit tree, for a company of a thousand.)

# %%
# figure: evp-heatmap
nb.plot_health_heatmap(weekly_e, title="Health of the goals of each unit, week by week (execution management)")

# %% [markdown]
# Health, status and outcome are ordered in the frames (on track < at risk < off track < stale
# < not started), so "every goal the board cannot call on track" is a comparison:

# %%
last_week = weekly_e[weekly_e["week"] == model.weeks]
last_week[last_week["health"] > "on track"].groupby("health", observed=True).size().rename("goals").to_frame()

# %% [markdown]
# ## Monte Carlo: both policies on the same seeds
#
# Each run simulates the whole company and reads its outcome with the views: attainment and
# ratings from the appraisal sheets, detection lead time of missed goals, coaching sessions per
# manager, target adjustments. **N = 4 seeds per policy** keeps this notebook under a minute
# on two cores; the spread between seeds is small at this size (the `sd` of each metric is in
# `mc.summary_records()`), and `monte_carlo(..., seeds=50, processes=4)` gives more runs where
# time allows.

# %%
mc = monte_carlo(model, [performance, execution], seeds=4, processes=2)
runs = nb.view_frame(mc)
runs.set_index(["policy", "seed"])[
    ["attainment_mean", "attainment_original_mean", "rating_mean", "missed_goals",
     "detection_lead_days_mean", "coaching_per_manager_mean", "target_adjustments"]
]

# %%
summary = nb.records_frame(mc.summary_records())
summary.pivot(index="metric", columns="policy", values="mean")[["performance", "execution"]]

# %% [markdown]
# **Ratings.** Pooled over every person of every run, against the calibration guideline
# (10/20/40/20/10 %). Under this model execution management moves people up the scale: more
# goals are reached because coaching closes part of each shortfall, and some targets were
# adjusted to reachable ones. `attainment_original_mean` (scored against the targets agreed at
# the start) shows how much of the gain the adjustments account for.

# %%
# figure: evp-ratings
nb.plot_rating_distributions(mc, title="Rating distribution, 200 people x 4 runs per policy")

# %% [markdown]
# **Detection lead time.** For every goal that ended missed, how many days before the cycle's
# end the live view first showed it at risk or off track, a panel per policy on one scale.
# Under performance management the first reading comes in the last week, so the first warning
# is days before the appraisal; under execution management most missed goals were visible
# months ahead.

# %%
# figure: evp-lead-times
lead_days = {policy: [d for run in mc.of(policy) for d in run.lead_days] for policy in mc.policies}
nb.plot_lead_times(lead_days, title="Detection lead time of missed goals (all runs)")

# %% [markdown]
# **Coaching load.** Execution management is not free: every flagged goal costs a coaching
# conversation. Sessions per manager over the cycle, pooled over the runs:

# %%
# figure: evp-coaching-load
sessions = {"execution": [n for run in mc.of("execution") for n in run.coaching_per_manager]}
nb.plot_coaching_load(sessions, weeks=model.weeks, title="Coaching load under execution management (all runs)")

# %% [markdown]
# ## A counterfactual: stop coaching at mid-cycle
#
# `fork` replays the execution-managed company with another policy from a given week on: the
# same seed makes everything before week 13 identical (checked), and only the acts of the new
# policy change what follows. `compare` reads both branches with the same views.

# %%
branch = fork(sim_e, at_week=13, policy=performance, name="no coaching after week 13")
comparison = compare(sim_e, branch)
nb.records_frame(comparison.summary_records())

# %% [markdown]
# The goals that lost most when the coaching stopped (some of them also had a target adjusted in
# the original branch, which performance management never does):

# %%
goals = nb.view_frame(comparison)
print(f"{len(comparison.changed_goals)} of {len(goals)} goals ended differently")
goals.sort_values("difference").head(8)

# %% [markdown]
# **The alignment tree** of the execution-managed company at mid-cycle, as an icicle: a column
# per level, each goal as tall as the goals below it, coloured by health. The strategy, the
# themes and the goals that cascade are named; the individual goals at the leaves are too many
# to name, but their colours show which branches are behind. Every goal serves a theme,
# through its parents (none is in a red "aligned to nothing" block).

# %%
# figure: evp-alignment
tree = v.alignment_tree(sim_e.ledger(), sim_e.cycle_id, at=(weekly_e["at"].iloc[0] + pd.Timedelta(weeks=12)).to_pydatetime())
nb.plot_alignment_icicle(tree, title="Alignment at week 13 (execution management)")

# %%
for sim in (*played.values(), branch):
    sim.close()
