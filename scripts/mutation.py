"""`make mutation`: mutation testing (mutmut 3) of the modules where a bug costs most, one group
at a time, each against only the tests of its area, so that a run stays bounded.

Every group runs in its own copy of the checkout (mutmut reads ``[tool.mutmut]`` from the
``pyproject.toml`` of the folder it runs in, and writes a ``mutants/`` folder there); the
working tree itself is never touched. The score of a module is killed (or timed out) mutants
over all mutants of the module that were checked, mutants no selected test reaches counted as
survivors. Surviving mutants are listed so that they can be read (``mutmut show NAME`` in the
group's folder) and either killed by a test or recorded as equivalent in RELIABILITY.md.

A mutant's tests run cheapest first (the pytest plugin ``testing/mutation_order.py``), so a
mutant that a quick unit test kills does not wait for a fixture that scans the demo district.

    python scripts/mutation.py                 # every group
    python scripts/mutation.py privacy outbox  # some groups ("mappers": the three platform mappers)
    python scripts/mutation.py reactions --minutes 10 --children 1   # capped
    python scripts/mutation.py reactions --report                    # the last run's figures again
    MUTATION_DIR=/tmp/mcu-mutation python scripts/mutation.py --list
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["core", "collectors", "nlp", "store", "alerts", "reports", "demo", "pipeline", "flows", "cli", "training"]


@dataclass(frozen=True)
class Group:
    name: str
    modules: list[str]
    tests: list[str]
    functions: list[str] = field(default_factory=list)
    """Mutant name patterns to check (``core.domain.x_post_id*``); empty: every function."""


GROUPS = [
    Group("ids", ["core/domain.py"], ["tests/core/test_ids.py", "tests/collectors/test_mapping.py"],
          ["core.domain.x_make_id*", "core.domain.x_post_id*"]),
    Group("privacy", ["core/privacy.py"], ["tests/core/test_privacy.py", "tests/core/test_privacy_keys.py"]),
    # one group per platform's mapper, each against its own tests and the shared mapping tests
    Group("vk-mapper", ["collectors/vk/mapping.py"],
          ["tests/collectors/vk/test_vk_mapping.py", "tests/collectors/test_mapping.py",
           "tests/collectors/test_raw_items.py", "tests/collectors/vk/test_vk_raw.py",
           "tests/collectors/vk/test_vk_attachments.py", "tests/collectors/vk/test_vk_polls_and_gaps.py",
           "tests/collectors/vk/test_vk_collector.py"]),
    Group("telegram-mapper", ["collectors/telegram/mapping.py"],
          ["tests/collectors/telegram/test_telegram_mapping.py", "tests/collectors/test_mapping.py",
           "tests/collectors/test_raw_items.py", "tests/collectors/telegram/test_telegram_raw.py",
           "tests/collectors/telegram/test_telegram_polls_and_gaps.py",
           "tests/collectors/telegram/test_telegram_collector.py"]),
    Group("rss-mapper", ["collectors/rss/mapping.py"],
          ["tests/collectors/rss/test_rss_mapping.py", "tests/collectors/test_mapping.py",
           "tests/collectors/test_raw_items.py", "tests/collectors/rss/test_rss_raw.py",
           "tests/collectors/rss/test_rss_collector.py"]),
    # the RSS watermark lives in the feed collector: its FeedState and the two methods that move it
    Group("watermarks", ["collectors/telegram/watermark.py", "collectors/vk/state.py", "collectors/rss/collector.py"],
          ["tests/collectors/telegram/test_telegram_watermark.py", "tests/collectors/vk/test_vk_state.py",
           "tests/collectors/rss/test_rss_collector.py", "tests/collectors/telegram/test_telegram_collector.py",
           "tests/collectors/vk/test_vk_collector.py"],
          ["collectors.telegram.watermark.*", "collectors.vk.state.*", "collectors.rss.collector.xǁFeedStateǁ*",
           "collectors.rss.collector.xǁRssCollectorǁ_collect*", "collectors.rss.collector.xǁRssCollectorǁ_entries*"]),
    Group("outbox", ["alerts/outbox.py"], ["tests/alerts/test_outbox.py"]),
    Group("workflow", ["alerts/workflow.py"], ["tests/alerts/test_risk_workflow.py", "tests/alerts/test_answer_parsing.py"]),
    Group("reactions", ["alerts/reactions.py"], ["tests/alerts/test_reactions.py"]),
    Group("risk", ["nlp/risk.py"], ["tests/nlp/test_risk_score.py", "tests/nlp/test_risk_reasons.py",
                                    "tests/nlp/test_story_risk.py"]),
    Group("stories", ["nlp/stories.py"], ["tests/nlp/test_story_tracker.py", "tests/nlp/test_story_titles.py"]),
    Group("config", ["core/config.py"], ["tests/core/test_config.py", "tests/core/test_config_lookups.py"]),
]
ALIASES = {"mappers": ["vk-mapper", "telegram-mapper", "rss-mapper"]}


def copy_checkout(target: Path) -> None:
    """The working tree's files (tracked and new, not ignored) copied into ``target``."""
    if target.exists():
        shutil.rmtree(target)
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def configure(folder: Path, group: Group) -> None:
    tests = [t for t in group.tests if (folder / t).exists()]
    config = (
        "\n[tool.mutmut]\n"
        f"source_paths = {json.dumps(PACKAGES)}\n"
        f"only_mutate = {json.dumps(group.modules)}\n"
        'also_copy = ["testing", "config", "bench"]\n'
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "testing.mutation_order", "-q", "-x", "-m", "not fuzz"]\n'
    )
    with (folder / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(config)


def results(folder: Path, mutmut: str) -> dict[str, str]:
    out = subprocess.run([mutmut, "results", "--all", "true"], cwd=folder, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found[name] = status
    return found


def module_of(name: str) -> str:
    return name.split(".x_")[0].split(".xǁ")[0]


def run_group(group: Group, base: Path, children: int, minutes: float | None = None, fresh: bool = True,
              run: bool = True) -> dict:
    """Run mutmut for the group; after ``minutes`` it is stopped and the mutants checked so far
    are reported (the rest as ``not checked``). ``fresh=False`` resumes a stopped run;
    ``run=False`` only reports what the group's folder holds (a run stopped by hand)."""
    folder = base / group.name
    if run and (fresh or not folder.exists()):
        copy_checkout(folder)
        configure(folder, group)
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    started = time.monotonic()
    output, returncode = "", 0
    if run:
        process = subprocess.Popen([mutmut, "run", "--max-children", str(children), *group.functions], cwd=folder,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env=os.environ | {"PYTHONPATH": str(folder)}, start_new_session=True)
        try:
            output, _ = process.communicate(timeout=minutes * 60 if minutes else None)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)  # mutmut and the workers it forked
            output, _ = process.communicate()
        returncode = process.returncode
    seconds = time.monotonic() - started
    statuses = results(folder, mutmut)
    if group.functions:
        statuses = {n: s for n, s in statuses.items() if any(fnmatch.fnmatch(n, p) for p in group.functions)}
    modules: dict[str, dict] = {}
    for name, status in statuses.items():
        entry = modules.setdefault(module_of(name), {"killed": 0, "survived": [], "no tests": [], "not checked": 0,
                                                     "other": {}})
        if status in ("killed", "timeout"):
            entry["killed"] += 1
        elif status in ("survived", "no tests"):
            entry[status].append(name)
        elif status == "not checked":
            entry["not checked"] += 1
        else:
            entry["other"][name] = status
    report = {"group": group.name, "seconds": round(seconds, 1), "tests": group.tests, "exit": returncode,
              "folder": str(folder), "modules": modules}
    if returncode != 0 and not statuses:
        report["error"] = output[-2000:]
    return report


def score(entry: dict) -> tuple[int, int, float]:
    checked = entry["killed"] + len(entry["survived"]) + len(entry["no tests"])
    return entry["killed"], checked, (100.0 * entry["killed"] / checked if checked else 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", help="groups to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the groups and exit")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--minutes", type=float, default=None, help="stop each group after this long")
    parser.add_argument("--resume", action="store_true", help="continue stopped groups in their folders")
    parser.add_argument("--report", action="store_true", help="only report the groups' last runs (no mutmut run)")
    args = parser.parse_args()
    if args.list:
        for group in GROUPS:
            print(f"{group.name:16} {' '.join(group.modules)}  ←  {' '.join(group.tests)}")
        return 0
    wanted = {name for given in args.groups for name in ALIASES.get(given, [given])}
    chosen = [g for g in GROUPS if not wanted or g.name in wanted]
    base = Path(os.environ.get("MUTATION_DIR", "/tmp/mcu-mutation"))
    base.mkdir(parents=True, exist_ok=True)
    reports = []
    for group in chosen:
        report = run_group(group, base, args.children, args.minutes, fresh=not args.resume, run=not args.report)
        reports.append(report)
        for module, entry in report["modules"].items():
            killed, checked, percent = score(entry)
            print(f"{group.name:16} {module:32} {killed:4}/{checked:<4} {percent:5.1f} %  not checked "
                  f"{entry['not checked']}  ({report['seconds']} s)", flush=True)
        if "error" in report:
            print(f"{group.name}: mutmut failed:\n{report['error']}", file=sys.stderr)
        (base / f"report-{group.name}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False),
                                                       encoding="utf-8")
        (base / "report.json").write_text(json.dumps(reports, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"survivors and details: {base / 'report.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
