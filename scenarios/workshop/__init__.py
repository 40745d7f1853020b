"""The workshop scenarios, installed as the data package `simorg.scenarios.workshop`.

Room-sized organizations (90 people, so that a room of 30 players is a third of the workforce) for
the facilitator's kit in docs/workshop/sessions/. They are named `workshop/<name>` wherever a
scenario name is taken (`simorg run workshop/silos_room`); `simorg scenarios` lists them in their
own group, and `simorg demo` and the explorer's picker keep to the top-level scenarios.
"""
