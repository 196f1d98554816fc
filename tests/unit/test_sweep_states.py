"""The sweep asks Airflow for a run's state through the Task SDK, which answers a DagRunState (a str Enum):
a run Airflow still runs must read as alive, or every run would mark its account's concurrent runs
abandoned (and drop their staging)."""
from __future__ import annotations

import pytest
from airflow.sdk.api.datamodels._generated import DagRunState

from ads_sync.sweep import ALIVE, GONE, airflow_run_state


class _TaskInstance:
    def __init__(self, answer: object) -> None:
        self.answer = answer

    def get_dagrun_state(self, dag_id: str, run_id: str) -> object:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.parametrize(("answer", "alive"), [
    (DagRunState.RUNNING, True), (DagRunState.QUEUED, True), (DagRunState.FAILED, False),
    (DagRunState.SUCCESS, False), ("running", True),
])
def test_airflows_run_states_read_as_their_values(answer: object, alive: bool) -> None:
    state = airflow_run_state(_TaskInstance(answer))("ads_sync__x__daily", "manual__1")
    assert (state in ALIVE) is alive
    assert state == getattr(answer, "value", answer)


def test_a_run_airflow_no_longer_knows_is_gone_and_an_error_is_unknown() -> None:
    assert airflow_run_state(_TaskInstance(RuntimeError("DagRun not found")))("d", "r") == GONE
    assert airflow_run_state(_TaskInstance(RuntimeError("connection reset")))("d", "r") is None
