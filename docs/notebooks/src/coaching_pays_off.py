# %% [markdown]
# # How much coaching pays off
#
# Execution management coaches a goal when the live board flags it. Whether that pays off
# depends on two things: how much one coaching session changes a key result's course, and how
# often people check in (a goal that nobody logs cannot be flagged). This notebook sweeps both
# on a Dask cluster: the coaching effect from none to strong, check-ins weekly, fortnightly
# and monthly, each on several seeds, against performance management (no coaching at all).
#
# **Read this first.** The coaching effect is the model parameter `coaching_effect`: the share
# of a key result's projected shortfall that one session closes. It is an *assumption* this
# notebook varies, not something it measures. What the sweep shows is what each assumed effect
# would mean for attainment and for the managers' time, and from which effect on the coaching
# time buys something, under the model. It says nothing about how large the effect is in a
# real team.

# %%
# %matplotlib inline
import pandas as pd
from distributed import Client

from execution_core.simulation import ExecutionManagement, Model
from execution_core_adapters.simulate import simulate
from execution_core_adapters.sweeps import (
    DaskEngine,
    Grid,
    LoopEngine,
    counterfactual_sweep,
    local_cluster,
    notebook_bar,
    sweep,
)
from execution_core_adapters.sweeps.plots import plot_sweep

pd.set_option("display.width", 140)
pd.set_option("display.precision", 3)
model = Model(people=24, weeks=20)

# %% [markdown]
# ## A cluster
#
# A local cluster of two worker processes (`local_cluster(2)`, a Dask `LocalCluster`) stands in
# for a real cluster here. On a real one, start Dask's scheduler and workers (with execution-core installed on every worker) and give
# its address instead: `DaskEngine(scheduler="tcp://HOST:8786")`, or set
# `EXECUTION_CORE_SCHEDULER`; the code below does not change.

# %%
cluster = local_cluster(2)
client = Client(cluster)
engine = DaskEngine(client=client)
print(f"{len(client.scheduler_info()['workers'])} workers")

# %% [markdown]
# ## The grid
#
# Four coaching effects times three check-in cadences for execution management, plus
# performance management as the baseline, each point on four seeds. A grid is checked before
# anything runs: an unknown parameter, an empty range or a value the model refuses (a coaching
# effect of 1.5, say) is refused with the parameter named.

# %%
SEEDS = 4
coaching = Grid.of(
    {"policy": ["execution"], "coaching_effect": [0.0, 0.15, 0.3, 0.5], "cadence_days": [7, 14, 28]},
    seeds=SEEDS, model=model,
)
baseline = Grid.of({"policy": ["performance"]}, seeds=SEEDS, model=model)
print(f"{coaching.runs} runs of execution management over {len(coaching.points)} points, "
      f"{baseline.runs} of performance management")
try:
    Grid.of({"coaching_effect": [0.3, 1.5]}, seeds=SEEDS, model=model)
except ValueError as refused:
    print("refused:", refused)

# %% [markdown]
# ## The sweep
#
# One task per (point, seed), submitted to the cluster; the results stream back as they
# finish, with a progress bar. The frame has one row per run: the point's parameters, the
# seed, and the outcome's metrics, read from each run's history with the same views a coach
# and HR use.

# %%
result = sweep(coaching, engine=engine, progress=notebook_bar("coaching sweep"))
performance = sweep(baseline, engine=engine, progress=notebook_bar("baseline"))
print(f"{len(result.runs)} runs, {len(result.failures)} failed")
frame = result.frame()
frame[["coaching_effect", "cadence_days", "seed", "attainment_original_mean",
       "coaching_per_manager_mean", "detection_lead_days_mean"]].head(6)

# %% [markdown]
# The same seed gives the same outcome whichever engine runs it: one point re-run in a plain
# loop in this process matches the cluster's runs, seed for seed.

# %%
one_point = Grid.of(
    {"policy": ["execution"], "coaching_effect": [0.3], "cadence_days": [14]},
    seeds=SEEDS, model=model,
)
looped = sweep(one_point, engine=LoopEngine())
clustered = [run.outcome for run in result.runs if run.point == one_point.points[0]]
print("same outcomes in a loop as on the cluster:",
      [run.outcome for run in looped.runs] == clustered)

# %% [markdown]
# ## Attainment against the original targets
#
# Attainment is read against the targets agreed at the start, so that lowering a target does
# not count as progress. Each line is a cadence; the band is the 95 % confidence interval of
# the mean over the seeds (Student's t, four seeds); the dashed line is performance
# management.

# %%
# figure: coaching-attainment
figure = plot_sweep(result, "attainment_original_mean", against="coaching_effect",
                    title="Attainment (original targets) against the assumed coaching effect")
base = performance.summary(["attainment_original_mean"]).iloc[0]
ax = figure.axes[0]
ax.axhline(base["mean"], color="grey", linestyle="--", label="performance (no coaching)")
ax.legend(fontsize="small")
figure

# %% [markdown]
# With no effect (`coaching_effect=0`) coaching changes nothing in the world, and the lines
# start exactly at the baseline's level: every policy faces the same luck on a seed (common
# random numbers), and the simulator adds no effect of its own. From there the gain grows with
# the assumed effect, with diminishing returns. The cadence matters less than one might
# expect in this model: monthly check-ins gain slightly less than weekly or fortnightly ones,
# because a goal is flagged (and coached) a little later.
#
# ## What it costs
#
# The managers' time is the price: coaching sessions per manager over the cycle.

# %%
# figure: coaching-load
plot_sweep(result, "coaching_per_manager_mean", against="coaching_effect",
           title="Coaching sessions per manager against the assumed coaching effect")

# %% [markdown]
# ## Does it pay off?
#
# The gain over performance management per coaching session, point by point: attainment
# (original targets) above the baseline's mean, divided by the sessions per manager. With no
# effect there is no gain at all; the table shows how it rises with the effect for each
# cadence. Note that a stronger effect also *lowers* the coaching load: goals that are coached
# recover and stop being flagged.

# %%
summary = result.summary(["attainment_original_mean", "coaching_per_manager_mean"])
wide = summary.pivot_table(index=["cadence_days", "coaching_effect"], columns="metric",
                           values="mean")
wide["gain"] = wide["attainment_original_mean"] - base["mean"]
wide["gain per session"] = wide["gain"] / wide["coaching_per_manager_mean"]
wide.round(4)

# %% [markdown]
# ## A counterfactual sweep
#
# The same question about a history already recorded: a company ran its cycle under
# performance management. What if it had switched to execution management from week 10, checking in
# weekly, fortnightly or monthly? Each point forks the recorded history at week 10 and plays
# the rest under that point's policy; the world (its trajectories, and the coaching effect of
# 0.3 the history was recorded under) stays the history's. Every branch checks that its
# events before the fork are the recorded ones.

# %%
recorded = simulate(Model(people=24, weeks=20, coaching_effect=0.3), baseline.points[0].policy,
                    seed=1)
what_if = counterfactual_sweep(
    recorded, at_week=10,
    grid={"policy": [ExecutionManagement()], "cadence_days": [7, 14, 28]},
    engine=engine,
)
differences = what_if.differences(["attainment_original_mean", "coaching_sessions",
                                   "detection_lead_days_mean"])
differences.pivot_table(index="cadence_days", columns="metric", values="difference")

# %%
recorded.close()
client.close()
cluster.close()
