"""The About page: the model's Info tab, in NetLogo's sections.

The text is Markdown, turned into HTML on the server with python-markdown (a dependency of solara),
and shown with solara.HTML: `solara.Markdown` would fetch KaTeX from a CDN, which an offline room
cannot reach.
"""

from __future__ import annotations

import solara

ABOUT_MD = """
# simorg: how an organization communicates, and what follows

## What is it?

simorg is an agent-based model of an organization that talks: employees, leaders and customers,
wired together by departments, reporting lines and informal ties. It exists to **test a claim rather
than believe it**. The claim, from a 2011 essay on social business, is that *using* social media (a
friendly team answering customers on Facebook and Twitter in front of an unchanged, siloed
organization) is not *being* social. A business becomes social when the whole workforce communicates
openly and two-way, across silos, with each other and with customers; when leaders walk the talk;
and when the change is made step by step. Then trust, innovation, customer engagement and sales
follow.

Nothing in the code states that answer. Outcomes emerge from the mechanisms below, so the model can
show where the claim holds, where it fails, and the nuance: breaking silos causes friction, some
isolation protects the diversity of ideas, and a big-bang change can backfire.

## How it works

One step is one week. Each step, in this order:

1. **Interventions** due now are applied (a vision, leaders' walk-the-talk, opening silos, a
   platform, empowering everyone to face customers, project teams, a social-media team).
2. **Customers speak.** A customer without an open request raises one about something they need.
   It reaches someone who faces customers, or waits in the Customer Service queue.
3. **Requests travel** one tie per step toward the department that knows the answer. Crossing a
   department boundary succeeds more often when silos are permeable, when both people communicate
   openly and when they trust each other. Old requests fail.
4. **Customers judge.** A quick answer raises a customer's trust; a failure lowers it, and more so
   when someone had promised an answer. Trust spreads by word of mouth, and some events happen in
   public. The employee who handled the request may learn what the customer really needs.
5. **Colleagues talk** along their ties (and, with a platform, to anyone). A contact is open and
   two-way when both choose to share: trust on the tie rises and beliefs are exchanged. Otherwise
   trust decays and nothing is learned.
6. **The organization learns** (March 1991): people's beliefs drift toward the shared code, and the
   code learns from those who know better, but only from people whose voice reaches it.
7. **Culture moves.** Social practice follows colleagues and, with weight ρ, one's manager; an
   announced vision pulls it; change faster than people can absorb pushes it back (friction).
   A vision leaders do not live costs trust in leadership.
8. **People leave** more often when they trust less; a new hire takes their place.
9. **Customers buy** in proportion to their trust.

The full description, with every equation and parameter, is the ODD document (`docs/odd.md`).

## How to use it

- **Explore.** Pick a scenario on the left, or drop your own `.toml` file there. Change parameters
  and the seed; they take effect when you press **Reset**. **Step** moves one week; **Play** and
  **Pause** run and stop; **Speed** sets steps per second. The big **Step N** tells you where you are.
- **Watch the organization.** Each disc is a department; the head sits in its centre and teams sit
  next to their leader. Squares are formal leaders, diamonds informal leaders, a dashed orange ring
  marks people who answer customers, a black dot someone holding an open request. Colour people by
  social practice, trust in leadership, knowledge or trust in colleagues. Ties run from orange (low
  trust) through grey to blue (high trust).
- **Transform it live.** The buttons under the picture apply a transformation move before the next
  step, to all departments at once or one at a time. Each move is marked on the charts.
- **Compare.** Two scenarios side by side, on the same seed, stepped together, on the same axes.
- **Export** the run's data (CSV, one row per step) and the charts (PNG); the picture as SVG.

## Things to notice

- In `traditional_silos` every request starts in the Customer Service queue: the black dots gather
  there, and the orange bars on the right show requests sitting with one department while they need
  an answer from another.
- In `social_media_team` the ringed team answers at once, yet behind it practice and trust between
  colleagues stay where they were: the front changed, the organization did not.
- In `vision_without_walk` trust in leadership falls steadily after the vision is announced at week
  10, because leaders' own practice stays low.
- In `big_bang` friction jumps when every move lands at once; in `stepwise` it comes in small waves.
- Ties across departments stay grey or turn orange while people keep to themselves; they turn blue
  only when both sides talk openly.
- Belief diversity falls as the organization learns: open talk spreads good beliefs and bad ones.

## Things to try

- Compare `big_bang` with `stepwise`: the same moves at a different pace. Watch friction, practice
  and trust in leadership.
- Compare `social_business` with `traditional_silos` on customer requests and customer trust. Does
  openness everywhere mean fewer failed requests? Look before you guess.
- Start from `traditional_silos` and press **Open silos** alone, then (after Reset) **Leaders walk
  the talk** alone, on the same seed. Which one moves trust in leadership? Which one moves customers?
- In `grassroots`, early adopters have no leaders behind them. Raise `culture.role_modeling` or
  lower it, and see whether they win or fade.
- Set `learning.turbulence` high (a fast-moving market) and compare a closed with an open
  organization: who keeps up with reality?
- Change the seed: which differences between two scenarios survive a new seed? (For confidence
  intervals over many seeds, use `simorg compare` on the command line.)

## Extending the model

Each process is a function of the state arrays in its own module under `simorg/mechanisms/`; a new
mechanism is a new function called from `OrgModel.step`. Every parameter is declared once in
`simorg/scenario.py`, and this explorer builds its controls from that declaration, so a new parameter
appears here without touching the app. A new outcome added to `simorg/outcomes.py` appears in the
table and can be added to a chart in `simorg/app/charts.py`. For sweeps, replications with
confidence intervals and sensitivity analysis, use the command line (`simorg --help`).

## Credits and references

- simorg is built with Mesa (agent-based modelling in Python) and Solara (this app).
- Berg, O. (2011). *The journey towards a truly social business starts from within.* Blog post.
- March, J. G. (1991). Exploration and exploitation in organizational learning. *Organization
  Science* 2(1), 71–87.
- Grimm, V., et al. (2020). The ODD protocol for describing agent-based and other simulation models:
  a second update. *Journal of Artificial Societies and Social Simulation* 23(2), 7.
- Wilensky, U. (1999). NetLogo (the Info tab this page follows). Center for Connected Learning and
  Computer-Based Modeling, Northwestern University.
- Colours: Okabe, M., and Ito, K. (2008). Color Universal Design; viridis by van der Walt and Smith.
"""


def about_html() -> str:
    import markdown

    return markdown.markdown(ABOUT_MD, extensions=["tables"])


@solara.component
def About():
    html = solara.use_memo(about_html, [])
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=["simorg-about", "simorg-card"])
