"""``aetherflow run --check-races`` in a subprocess: one ``race:`` line per finding on
stderr, results and exit status as usual."""

from __future__ import annotations

import json
from pathlib import Path

import race_services as rs
from test_cli_advice import cli, items
from test_races import seed_flow


def race_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("race: ")]


def test_check_races_prints_one_line_per_finding(tmp_path: Path) -> None:
    path = tmp_path / "unlocked.aflow"
    seed_flow(rs.UnlockedSeedContext).save(path)
    proc = cli(str(path), "-i", "-", "-w", "8", "--check-races", stdin=items(2000))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count('"tracked": true}') == 2000  # the seed's service prints too
    lines = race_lines(proc.stderr)
    assert [line.split(":")[1].strip() for line in lines] == [
        "monitor.metrics",
        "monitor.operations",
        "shared_service.counter",
    ]
    assert all("race_services.py:" in line for line in lines)
    assert "race check: 3 findings (shared services watched: " in proc.stderr


def test_locked_services_print_no_race_and_a_normal_run_no_check(tmp_path: Path) -> None:
    path = tmp_path / "locked.aflow"
    seed_flow(rs.SeedContext).save(path)
    proc = cli(str(path), "-i", "-", "-w", "8", "--check-races", stdin=items(500))
    assert proc.returncode == 0, proc.stderr
    assert race_lines(proc.stderr) == []
    assert "race check: 0 findings" in proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["tracked"] is True
    plain = cli(str(path), "-i", "-", "-w", "8", stdin=items(50))
    assert plain.returncode == 0 and "race" not in plain.stderr


def test_check_races_needs_the_thread_executor(tmp_path: Path) -> None:
    path = tmp_path / "locked.aflow"
    seed_flow(rs.SeedContext).save(path)
    proc = cli(str(path), "-i", "-", "--check-races", "--executor", "dask", stdin=items(5))
    assert proc.returncode == 2
    assert "--check-races watches worker threads: use --executor thread" in proc.stderr
