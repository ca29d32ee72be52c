"""The workers' exposition in multiprocess mode: a worker main process serves, on a free port, the
sum of what its forked child processes counted, and the Celery queue depth read from real Redis."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]

# A worker main process in miniature: multiprocess dir, the server, then two forked
# children that count tasks the way Celery's task_postrun signal does. It prints its port and
# serves until its stdin closes.
WORKER = textwrap.dedent("""
    import multiprocessing, sys
    import workers.app  # the real import chain: core.metrics is loaded before the dir is prepared
    from workers.metrics_server import count_task, prepare_multiprocess_dir, start_metrics_server

    class Task:
        name = "leadgen.start_campaign"

    def child(successes, failures):
        for _ in range(successes):
            count_task(sender=Task(), state="SUCCESS")
        for _ in range(failures):
            count_task(sender=Task(), state="FAILURE")

    if __name__ == "__main__":
        directory = prepare_multiprocess_dir()  # unset here: a fresh temp dir
        server, _ = start_metrics_server(0, addr="127.0.0.1", redis_url=sys.argv[1], queues=[sys.argv[2]])
        fork = multiprocessing.get_context("fork")
        children = [fork.Process(target=child, args=args) for args in ((2, 1), (3, 0))]
        for process in children:
            process.start()
        for process in children:
            process.join()
            assert process.exitcode == 0
        print(server.server_port, directory, flush=True)
        sys.stdin.read()
""")


def samples(text: str, name: str) -> dict[frozenset, float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[frozenset(sample.labels.items())] = sample.value
    return found


@pytest.fixture
def queue(redis_url):
    name = f"leadgen-test-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(redis_url)
    client.rpush(name, *[b"task"] * 4)
    client.rpush(name + "\x06\x169", b"urgent")  # kombu's list for priority 9
    yield name
    client.delete(name, name + "\x06\x169")
    client.close()


def test_worker_port_serves_the_sum_of_its_child_processes(redis_url, queue):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}  # no PROMETHEUS_MULTIPROC_DIR yet
    worker = subprocess.Popen([sys.executable, "-c", WORKER, redis_url, queue], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port, directory = worker.stdout.readline().split()
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
    finally:
        worker.stdin.close()
        worker.wait(timeout=60)
    try:
        assert len(list(Path(directory).glob("counter_*.db"))) >= 2  # every child wrote its own file
    finally:
        shutil.rmtree(directory)
    tasks = samples(text, "leadgen_worker_tasks_total")
    assert tasks[frozenset({("task", "start_campaign"), ("outcome", "ok")})] == 5.0
    assert tasks[frozenset({("task", "start_campaign"), ("outcome", "failed")})] == 1.0
    assert samples(text, "leadgen_queue_depth")[frozenset({("queue", queue)})] == 5.0


def test_worker_server_refuses_to_start_without_multiprocess_mode(tmp_path):
    script = "from core import metrics\nfrom workers.metrics_server import start_metrics_server\nstart_metrics_server(0)"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "prepare_multiprocess_dir" in result.stderr
