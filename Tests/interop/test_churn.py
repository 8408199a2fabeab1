"""Churn (issue #10): tools/churn.py against the real binary — 1,000 viewers that connect (ICE,
DTLS, SRTP) and DELETE, then 1,000 that give up part-way and are freed by the setup timeout — and
the agent's file descriptors, threads and resident memory back at their baseline afterwards. Its
log stays within the rate limit meanwhile."""
import json
import os
import subprocess
import sys

from conftest import ROOT, Agent


def test_a_thousand_viewers_come_and_go_and_leave_nothing_behind(tmp_path):
    config = tmp_path / "pinhole.toml"
    config.write_text("max_viewers = 256\n")  # room for a batch of 200 abandoned handshakes at once
    agent = Agent("--config", str(config), "--setup-timeout", "2")
    try:
        report = tmp_path / "churn.json"
        run = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "churn.py"), "--base", agent.base,
                              "--udp-port", str(agent.udp_port), "--pid", str(agent.process.pid), "--json", str(report)],
                             capture_output=True, text=True, timeout=600)
        print("\n" + run.stdout + run.stderr)
        figures = json.loads(report.read_text())
        log_lines = sum(1 for _ in open(agent.log_path))
        seconds = figures["cycle_seconds"] + figures["abandon_seconds"]
        print(f"agent log: {log_lines} lines over {seconds:.0f} s of churn (4,000 viewer events)")
        assert run.returncode == 0
        assert figures["connected_and_deleted"] == 1000 and figures["abandoned_started"] == 1000
        assert log_lines < 60 + 2 * seconds  # the budget: a burst of 50, then 2 lines a second
        assert agent.status()["streaming"] is True
    finally:
        agent.stop()
