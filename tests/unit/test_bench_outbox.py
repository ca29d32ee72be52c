from bench import bench_outbox


def test_outbox_benchmark_delivers_every_message_to_the_sink(tmp_path):
    result = bench_outbox.main(["--n", "15", "--results-dir", str(tmp_path)])
    assert result["sent"] == result["received_by_sink"] == 15
    assert (tmp_path / "outbox.json").exists()
    assert {"messages_per_second", "send_seconds", "target_messages_per_second"} <= result.keys()
