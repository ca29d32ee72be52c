"""Optional LangSmith upload: with LANGSMITH_API_KEY set, a run's cases become a dataset and its
results an experiment (``langsmith.evaluate``); without a key nothing leaves the machine."""

from __future__ import annotations

import os
from typing import Any

DATASET_PREFIX = "leadgen-evals"


def langsmith_enabled() -> bool:
    return bool(os.environ.get("LANGSMITH_API_KEY"))


def maybe_upload(payload: dict[str, Any], cases: list[Any]) -> str | None:
    """Upload when a key is set; returns the experiment name, or None when running locally."""
    if not langsmith_enabled():
        return None
    return upload(payload, cases)


def upload(payload: dict[str, Any], cases: list[Any]) -> str:
    from langsmith import Client, evaluate

    client = Client()
    name = f"{DATASET_PREFIX}-{payload['slice'] or 'all'}"
    if client.has_dataset(dataset_name=name):
        dataset = client.read_dataset(dataset_name=name)
    else:
        dataset = client.create_dataset(name, description="leadgen offline eval cases (evals/datasets)")
    known = {ex.metadata.get("case_id") for ex in client.list_examples(dataset_id=dataset.id) if ex.metadata}
    new = [c for c in cases if c.id not in known]
    if new:
        client.create_examples(
            dataset_id=dataset.id,
            inputs=[{"case_id": c.id, "kind": c.kind} for c in new],
            outputs=[{"expected_fit": getattr(c, "expected_fit", None)} for c in new],
            metadata=[{"case_id": c.id} for c in new],
        )
    by_id = {c["id"]: c for c in payload["cases"]}

    def target(inputs: dict[str, Any]) -> dict[str, Any]:  # the run already happened: replay its result
        return by_id.get(inputs["case_id"], {"passed": False, "error": "case not in this run"})

    def passed(run: Any, example: Any) -> dict[str, Any]:
        return {"key": "passed", "score": int(bool((run.outputs or {}).get("passed")))}

    results = evaluate(target, data=name, evaluators=[passed],
                       experiment_prefix=f"{payload['engine']}-{payload['run_id']}",
                       metadata={"prompts": payload["prompts"], "engine": payload["engine"]})
    return results.experiment_name
