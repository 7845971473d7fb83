"""The measurements behind `make bench`; run by `bench/__main__.py` in the bench environment.

Every comparison is interleaved (A B A B ...) in one run, reported as medians and ratios with the peak
RSS of each child process. Results go to stdout and bench/RESULTS.md; the scale curve to bench/scale.png.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from importlib.metadata import version
from typing import Any

from . import synth
from .catalogue import bench_catalogue
from .env import BENCH, ROOT, env_bin, project_bin
from .measure import Run, child_env, interleaved, median, median_seconds, peak_mb, run_process

CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
CORPUS_SPECS = ("anthropic/stainless-2026-01.json", "openai-2026-08.yaml", "github-2021-10.json", "stripe-2023-09.yaml")
LARGE = frozenset(CORPUS_SPECS[1:])
# issue 14: where the peer crashes, an absolute bound instead of a ratio
ABSOLUTE_BOUNDS_S = {"github-2021-10.json": 5.0, "stripe-2023-09.yaml": 5.0}
SCALE_SIZES = (50, 1000, 10000)  # issue 14: 10,000 operations in ≤ 60 s and ≤ 1 GB, time per op flat
LARGEST_BOUND_S, LARGEST_BOUND_MB = 60.0, 1024.0
METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
TARGET_COPY_ITEMS = ("pyproject.toml", "specs", "templates", "generated")
HAND_EDITS = ("generated/anthropic_lowcodeapi/resources.py", "generated/url_formats.json", "generated/README.md")


def log(message: str) -> None:
    print(message, flush=True)


@dataclass
class Target:
    """One target of the issue: a measured value against its bound."""

    name: str
    value: str
    bound: str
    passed: bool | None  # None: could not be judged (the peer failed)
    profile: Callable[[], str] | None = None  # where the time goes, computed when the target is missed

    @property
    def verdict(self) -> str:
        return "n/a" if self.passed is None else ("PASS" if self.passed else "MISS")


@dataclass
class Report:
    sections: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)

    def section(self, text: str) -> None:
        log("\n" + text)
        self.sections.append(text)

    def samples(self, title: str, results: dict[str, list[Run]]) -> None:
        for name, runs in results.items():
            self.raw.append(f"- {title} / {name}: " + ", ".join(f"{r.seconds:.3f}" for r in runs) + " s")


def fmt_s(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "—"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_ratio(ratio: float) -> str:
    return "—" if ratio != ratio else f"{ratio:.2f}×"


def table(header: list[str], rows: list[list[str]], align: str = "") -> str:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- specs


def spec_operations(path: str) -> int:
    """Operations in an OpenAPI document: methods under `paths` (path items by $ref resolved locally)."""
    with open(path, "rb") as handle:
        if path.endswith((".yaml", ".yml")):
            import yaml

            document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        else:
            document = json.load(handle)
    count = 0
    for item in (document.get("paths") or {}).values():
        if isinstance(item, dict) and isinstance(item.get("$ref"), str):
            node = document
            for part in item["$ref"].lstrip("#/").split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            item = node
        if isinstance(item, dict):
            count += sum(1 for method in item if method in METHODS)
    return count


def routes_in(out: str) -> int | None:
    """Operations lowcodegen generated: the routes of its url_formats.json."""
    try:
        with open(os.path.join(out, "url_formats.json"), encoding="utf-8") as handle:
            return len(json.load(handle)["routes"])
    except (OSError, ValueError, KeyError):
        return None


def peer_endpoints(out: str) -> int | None:
    """Operations openapi-python-client generated: one module per endpoint under <package>/api/."""
    if not os.path.isdir(out):
        return None
    count = 0
    for package in os.listdir(out):
        api = os.path.join(out, package, "api")
        for _base, _, names in os.walk(api):
            count += sum(1 for n in names if n.endswith(".py") and n != "__init__.py")
    return count


def peer_failure(text: str) -> str:
    """The peer's own one-line reason for failing (its exception or error block), shortened."""
    lines = [line.strip() for line in text.splitlines()
             if line.strip() and "If you believe" not in line and "For further information" not in line]
    reason = lines[-1] if lines else "no output"
    for index in range(len(lines) - 1, -1, -1):
        if re.match(r"^[\w.]*(Error|Exception)\b.*:", lines[index]):
            reason = " ".join(lines[index:])
            break
        if lines[index].startswith("Error(s) encountered"):
            reason = " ".join(lines[index + 1:])
            break
    return reason[:200] + ("…" if len(reason) > 200 else "")


# ------------------------------------------------------------------------------ 1. generation vs peer


def lowcodegen_plain(spec: str, work: str) -> Run:
    """`lowcodegen generate` in plain mode, in a fresh cwd: fresh output folder, empty run cache."""
    cwd = tempfile.mkdtemp(prefix="lcg-", dir=work)
    try:
        run = run_process([project_bin("lowcodegen"), "generate", "--spec", spec, "--package", "p", "--out", "out"],
                          cwd=cwd, env=child_env())
        run.extra["operations"] = routes_in(os.path.join(cwd, "out"))
        return run
    finally:
        shutil.rmtree(cwd, ignore_errors=True)


def peer_generate(spec: str, work: str) -> Run:
    """openapi-python-client with its default post-hooks (ruff check --fix, ruff format) from bench/.env."""
    cwd = tempfile.mkdtemp(prefix="opc-", dir=work)
    try:
        env = child_env(PATH=os.path.dirname(env_bin("ruff")) + os.pathsep + os.environ.get("PATH", ""),
                        COLUMNS="1000")  # its messages are printed by rich: no wrapping in the middle of a name
        run = run_process([env_bin("openapi-python-client"), "generate", "--path", spec, "--output-path",
                           os.path.join(cwd, "out"), "--overwrite"], cwd=cwd, env=env)
        text = run.stdout + run.stderr
        run.extra["operations"] = peer_endpoints(os.path.join(cwd, "out"))
        run.extra["dropped"] = text.count("Endpoint will not be generated")
        run.extra["omitted_responses"] = text.count("response will be omitted")
        run.extra["failure"] = peer_failure(text) if run.returncode else ""
        return run
    finally:
        shutil.rmtree(cwd, ignore_errors=True)


def bench_generation(report: Report, work: str, rounds_small: int, rounds_large: int, profile: bool) -> None:
    log("\n== 1. generation in plain mode vs openapi-python-client ==")
    rows = []
    for name in CORPUS_SPECS:
        spec = os.path.join(CORPUS, name)
        ops = spec_operations(spec)
        rounds = rounds_large if name in LARGE else rounds_small
        log(f"{name}: {ops} operations, {rounds} rounds")
        results = interleaved({"lowcodegen": partial(lowcodegen_plain, spec, work),
                               "openapi-python-client": partial(peer_generate, spec, work)}, rounds, log)
        report.samples(f"generate {name}", results)
        ours, peer = results["lowcodegen"], results["openapi-python-client"]
        ours_ops = {r.extra["operations"] for r in ours}
        complete = all(r.returncode == 0 for r in ours) and ours_ops == {ops}
        peer_ok = [r for r in peer if r.returncode == 0]
        ratio = median_seconds(ours) / median_seconds(peer_ok) if len(peer_ok) == len(peer) else float("nan")
        cpu_ratio = (median([r.cpu_seconds for r in ours]) / median([r.cpu_seconds for r in peer_ok])
                     if len(peer_ok) == len(peer) and all(r.cpu_seconds for r in peer_ok) else float("nan"))
        if peer_ok:
            last = peer_ok[-1]
            peer_ops = f"{last.extra['operations']} of {ops} (drops {last.extra['dropped']}, omits {last.extra['omitted_responses']} responses)"
            peer_time = fmt_s(median_seconds(peer_ok))
        else:
            peer_ops = f"failed: {peer[-1].extra['failure']}"
            peer_time = f"{fmt_s(median_seconds(peer))} (exit {peer[-1].returncode})"
        passed = None if ratio != ratio else (ratio <= 0.5 and cpu_ratio <= 0.5 and complete)
        ours_ops_text = "/".join(str(o) for o in sorted(ours_ops, key=str)) + f" of {ops}" + ("" if complete else " ✗")
        cpu = f"{median([r.cpu_seconds for r in ours]):.2f} s / {median([r.cpu_seconds for r in peer]):.2f} s"
        rows.append([f"`{name}`", str(ops), fmt_s(median_seconds(ours)), ours_ops_text, f"{peak_mb(ours):.0f} MB",
                     peer_time, peer_ops, f"{peak_mb(peer):.0f} MB", fmt_ratio(ratio), cpu, fmt_ratio(cpu_ratio),
                     "≤ 0.50×", {None: "n/a (peer fails)", True: "PASS", False: "MISS"}[passed]])
        target = Target(f"generation `{name}` vs openapi-python-client (wall, CPU)",
                        f"{fmt_ratio(ratio)}, {fmt_ratio(cpu_ratio)}", "≤ 0.50× each, every operation", passed)
        if not complete:
            target.value += " (incomplete)"
            target.passed = False
        report.targets.append(target)
        if name in ABSOLUTE_BOUNDS_S:
            bound = ABSOLUTE_BOUNDS_S[name]
            report.targets.append(Target(f"generation `{name}` (wall)", fmt_s(median_seconds(ours)), f"≤ {bound:.0f} s",
                                         complete and median_seconds(ours) <= bound))
        if passed is False and profile:
            target.profile = lambda s=spec: profile_cli(["generate", "--spec", s, "--package", "p", "--out", "out"], work,
                                                        black_files="out")
    text = ("## 1. Generation in plain mode vs openapi-python-client\n\n"
            "Each run in a fresh temporary cwd: new output folder, empty run cache (compiled templates are kept beside "
            "the templates, in `templates/__pycache__`, as Python keeps the generator's compiled modules). The peer runs with its "
            "default post-hooks (`ruff check --fix`, `ruff format`). Medians; CPU is user + system time of the process and the children it waits for (the peer's ruff included), through GNU time; peak RSS is the largest of the runs.\n\n"
            + table(["spec", "ops", "lowcodegen", "ops generated", "peak RSS", "openapi-python-client",
                     "peer ops generated", "peer peak RSS", "wall ratio", "CPU (ours / peer's)", "CPU ratio", "target",
                     "result"], rows, "lrrrrrlrrrrrl"))
    report.section(text)


# ------------------------------------------------------------------------- 2. the Anthropic target


def copy_project(work: str) -> str:
    copy = tempfile.mkdtemp(prefix="target-", dir=work)
    for item in TARGET_COPY_ITEMS:
        source = os.path.join(ROOT, item)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(copy, item), ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, os.path.join(copy, item))
    return copy


def bench_target(report: Report, work: str, rounds: int, rounds_cold: int, profile: bool) -> None:
    log("\n== 2. the Anthropic target as whole lowcodegen processes ==")
    copy = copy_project(work)
    cache = os.path.join(copy, ".lowcodegen-cache")
    exe, env = project_bin("lowcodegen"), child_env()

    def lowcodegen(*args: str) -> Run:
        return run_process([exe, *args, "--root", copy], cwd=copy, env=env)

    def cold_generate() -> Run:
        shutil.rmtree(cache, ignore_errors=True)
        return lowcodegen("generate")

    warm = lowcodegen("generate")  # fills the caches; rewrites the copy if generated/ is behind the templates
    log(f"  warm-up generate: {warm.seconds:.2f} s, exit {warm.returncode}: {warm.stdout.strip().splitlines()[:1]}")
    hot = interleaved({"generate (nothing changed)": lambda: lowcodegen("generate"),
                       "check": lambda: lowcodegen("check")}, rounds, log)
    def spec_changed_generate() -> Run:  # what a changed spec costs: no run to reuse, templates compiled
        shutil.rmtree(os.path.join(cache, "runs"), ignore_errors=True)
        return lowcodegen("generate")

    cold = interleaved({"generate (empty cache)": cold_generate,
                        "generate (run cache empty, compiled templates kept)": spec_changed_generate}, rounds_cold, log)
    edits: list[Run] = []
    for relative in HAND_EDITS:
        path = os.path.join(copy, relative)
        with open(path, "rb") as source:
            original = source.read()
        with open(path, "ab") as edited:
            edited.write(b"\n" if relative.endswith(".json") else b"\n# a hand edit\n")
        run = lowcodegen("check")
        run.extra["file"] = relative
        edits.append(run)
        log(f"  check after editing {relative}: {run.seconds:.2f} s, exit {run.returncode}")
        with open(path, "wb") as restored:
            restored.write(original)
    after = lowcodegen("check")
    report.samples("target", hot | cold | {"check after a hand edit": edits})

    def profiler(*args: str, clear: bool = False) -> Callable[[], str]:
        def run_profile() -> str:
            if clear:
                shutil.rmtree(cache, ignore_errors=True)
                return profile_cli([*args, "--root", copy], work, cwd=copy, black_files="generated")
            lowcodegen("generate")  # the generator may have changed since: warm the run cache again, then profile a hit
            text = profile_cli([*args, "--root", copy], work, cwd=copy)
            seconds, imports = importtime_top([project_bin("python"), "-m", "generator.cli", *args, "--root", copy],
                                              None, env, copy)
            return (text + f"\nThe whole process's imports (`-X importtime`, `site` and the editable-install finder "
                    f"included): {fmt_s(seconds)} in all. Slowest:\n\n" + imports)
        return run_profile

    rows = []
    for label, runs, bound, limit, prof in (
        ("`generate`, nothing changed", hot["generate (nothing changed)"], "≤ 0.20 s", 0.2, profiler("generate")),
        ("`generate` from an empty cache", cold["generate (empty cache)"], "≤ 0.80 s", 0.8, profiler("generate", clear=True)),
        ("`check`", hot["check"], "≤ 0.30 s", 0.3, profiler("check")),
        ("`generate` after a spec change (no run to reuse; compiled templates kept)",
         cold["generate (run cache empty, compiled templates kept)"], "(info)", None, None),
    ):
        seconds = median_seconds(runs)
        ok = all(r.returncode == 0 for r in runs)
        if limit is None:  # for information: no bound of its own
            rows.append([label, fmt_s(seconds), str(len(runs)), f"{peak_mb(runs):.0f} MB", bound, "—", "—",
                         "" if ok else "non-zero exit"])
            continue
        passed = ok and seconds <= limit
        rows.append([label, fmt_s(seconds), str(len(runs)), f"{peak_mb(runs):.0f} MB", bound,
                     fmt_ratio(seconds / limit), "PASS" if passed else "MISS", "" if ok else "non-zero exit"])
        report.targets.append(Target(f"target: {label}", fmt_s(seconds), bound, passed,
                                     prof if profile else None))
    codes = [r.returncode for r in edits]
    edit_ok = all(code == 1 for code in codes) and after.returncode == 0
    rows.append(["`check` after a hand edit", fmt_s(median_seconds(edits)), str(len(edits)), f"{peak_mb(edits):.0f} MB",
                 "exit 1", "—", "PASS" if edit_ok else "MISS",
                 "exits " + ", ".join(f"{c} ({os.path.basename(r.extra['file'])})" for c, r in zip(codes, edits, strict=True))
                 + f"; {after.returncode} once restored"])
    report.targets.append(Target("target: `check` notices a hand edit", ", ".join(map(str, codes)), "exit 1", edit_ok))
    text = ("## 2. The Anthropic target as whole `lowcodegen` processes\n\n"
            f"A temporary copy of the project ({', '.join(TARGET_COPY_ITEMS)}), run with `.venv/bin/lowcodegen … --root COPY`. "
            "Nothing changed: after one warm-up `generate`. Empty cache: `COPY/.lowcodegen-cache` deleted before each run "
            "(the compiled templates in `COPY/templates/__pycache__` stay, like the compiled modules). "
            "Hand edit: one line appended to a generated file, `check` run, the file restored. "
            "No peer here: the ratio is to the target.\n\n"
            + table(["command", "median", "runs", "peak RSS", "target", "vs target", "result", "notes"], rows, "lrrrrrll"))
    report.section(text)


# ------------------------------------------------------------------------------------------ 3. scale


def bench_scale(report: Report, work: str, rounds: int, profile: bool) -> None:
    log("\n== 3. scale: synthetic specs ==")
    specs, sizes = {}, {}
    for ops in SCALE_SIZES:
        path = os.path.join(work, f"synthetic-{ops}.json")
        sizes[ops] = synth.write_synthetic_spec(ops, path)
        specs[ops] = path
    results = interleaved({f"{ops} operations": partial(lowcodegen_plain, specs[ops], work) for ops in SCALE_SIZES},
                          rounds, log)
    report.samples("scale", results)
    rows: list[list[str]] = []
    points: list[dict[str, Any]] = []
    for ops in SCALE_SIZES:
        runs = results[f"{ops} operations"]
        seconds = median_seconds(runs)
        generated = {r.extra["operations"] for r in runs}
        points.append({"ops": ops, "seconds": seconds, "samples": [r.seconds for r in runs], "rss": peak_mb(runs),
                       "spec_mb": sizes[ops] / 1e6})
        rows.append([str(ops), f"{sizes[ops] / 1e3:.0f} KB", fmt_s(seconds), f"{seconds / ops * 1000:.1f} ms",
                     f"{peak_mb(runs):.0f} MB", "/".join(map(str, sorted(generated, key=str)))])
    small, large = points[0], points[-1]
    per_op_ratio = (large["seconds"] / large["ops"]) / (small["seconds"] / small["ops"])
    memory_growth = large["rss"] / small["rss"]
    spec_growth = large["spec_mb"] / small["spec_mb"]
    marginal = (large["rss"] - small["rss"]) / (large["ops"] - small["ops"]) * 100
    slope = (large["seconds"] - small["seconds"]) / (large["ops"] - small["ops"])
    time_target = Target(f"scale: time per operation at {large['ops']} vs {small['ops']}", fmt_ratio(per_op_ratio), "≤ 2.00×",
                         per_op_ratio <= 2)
    if profile and not time_target.passed:
        time_target.profile = lambda: profile_cli(["generate", "--spec", specs[large["ops"]], "--package", "p", "--out", "out"], work)
    report.targets.append(time_target)
    report.targets.append(Target(f"scale: {large['ops']:,} operations, wall", fmt_s(large["seconds"]),
                                 f"≤ {LARGEST_BOUND_S:.0f} s", large["seconds"] <= LARGEST_BOUND_S))
    report.targets.append(Target(f"scale: {large['ops']:,} operations, peak RSS", f"{large['rss']:.0f} MB",
                                 f"≤ {LARGEST_BOUND_MB:.0f} MB", large["rss"] <= LARGEST_BOUND_MB))
    report.targets.append(Target(f"scale: peak memory growth vs spec growth ({small['ops']} → {large['ops']})",
                                 f"{memory_growth:.2f}× vs {spec_growth:.2f}×", "memory ≤ spec", memory_growth <= spec_growth))
    plot_scale(points, per_op_ratio)
    text = ("## 3. Scale: synthetic specs\n\n"
            f"Made by `bench/synth.py`: per resource five operations (list with query enum, create with a nested body "
            f"and a discriminated union, retrieve/update/delete with a path parameter) and its own schemas. "
            f"Plain mode, fresh cwd and empty run cache each run; {rounds} interleaved rounds.\n\n"
            + table(["operations", "spec", "median", "per operation", "peak RSS", "ops generated"], rows)
            + f"\n\n- time per operation at {large['ops']} / at {small['ops']}: **{per_op_ratio:.2f}×** (target ≤ 2×: "
            f"{time_target.verdict}); marginal cost {slope * 1000:.1f} ms per operation, fixed cost "
            f"{(small['seconds'] - slope * small['ops']):.2f} s\n"
            f"- peak RSS {small['rss']:.0f} → {large['rss']:.0f} MB ({memory_growth:.2f}×) while the spec grows "
            f"{spec_growth:.0f}× ({small['spec_mb']:.2f} → {large['spec_mb']:.2f} MB): about {marginal:.1f} MB per 100 operations\n\n"
            "![scale curve](scale.png)")
    report.section(text)


def plot_scale(points: list[dict[str, Any]], per_op_ratio: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ops = [p["ops"] for p in points]
    fig, (total, each, memory) = plt.subplots(1, 3, figsize=(14, 4.3))
    for axis in (total, each, memory):  # a linear axis: linear growth must look like a straight line
        axis.set_xlim(0, ops[-1] * 1.06)
        axis.set_xticks(ops, [str(o) for o in ops])
        axis.set_xlabel("operations in the spec")
        axis.grid(alpha=0.3)
    for p in points:
        total.scatter([p["ops"]] * len(p["samples"]), p["samples"], color="tab:blue", alpha=0.35, s=18)
        each.scatter([p["ops"]] * len(p["samples"]), [s / p["ops"] * 1000 for s in p["samples"]],
                     color="tab:blue", alpha=0.35, s=18)
    total.plot(ops, [p["seconds"] for p in points], "o-", color="tab:blue", label="median of the runs")
    slope = (points[-1]["seconds"] - points[0]["seconds"]) / (ops[-1] - ops[0])
    fixed = points[0]["seconds"] - slope * ops[0]
    line = [0, ops[-1] * 1.06]
    total.plot(line, [fixed + slope * x for x in line], ":", color="tab:gray",
               label=f"{fixed:.1f} s + {slope * 1000:.0f} ms per operation")
    total.set_ylim(bottom=0)
    total.set_ylabel("wall time (s)")
    total.set_title("Total time")
    total.legend(loc="upper left", fontsize=8)
    per_op = [p["seconds"] / p["ops"] * 1000 for p in points]
    each.plot(ops, per_op, "o-", color="tab:blue", label="median")
    each.axhline(per_op[0] * 2, color="tab:red", linestyle="--", label=f"target bound: 2× the per-op time at {ops[0]}")
    each.set_ylim(0, max(per_op[0] * 2, max(per_op)) * 1.15)
    each.set_ylabel("wall time per operation (ms)")
    each.set_title(f"Time per operation: {per_op_ratio:.2f}× from {ops[0]} to {ops[-1]}")
    each.legend(loc="lower left", fontsize=8)
    memory.plot(ops, [p["rss"] for p in points], "o-", color="tab:green", label="peak RSS (MB)")
    memory.set_ylim(bottom=0)
    memory.set_ylabel("peak RSS (MB)", color="tab:green")
    twin = memory.twinx()
    twin.plot(ops, [p["spec_mb"] for p in points], "s--", color="tab:gray", label="spec size (MB)")
    twin.set_ylim(bottom=0)
    twin.set_ylabel("spec size (MB, dashed)", color="tab:gray")
    memory.set_title("Peak memory (solid) and spec size (dashed)")
    fig.suptitle("lowcodegen generate, plain mode, empty run cache, on synthetic specs", fontsize=11)
    fig.tight_layout()
    fig.savefig(os.path.join(BENCH, "scale.png"), dpi=110)
    plt.close(fig)


# -------------------------------------------------------------------------- 4. client vs official SDK


def copy_client(work: str) -> str:
    """The generated package alone in a folder for PYTHONPATH, its bytecode compiled once, as an install does."""
    folder = tempfile.mkdtemp(prefix="client-", dir=work)
    shutil.copytree(os.path.join(ROOT, "generated", "anthropic_lowcodeapi"), os.path.join(folder, "anthropic_lowcodeapi"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([env_bin("python"), "-m", "compileall", "-q", folder], check=True)
    return folder


def importtime_top(argv: list[str], module: str | None, env: dict[str, str], cwd: str | None = None, top: int = 12) -> tuple[float, str]:
    """argv run with `-X importtime`: `module`'s cumulative seconds (all imports' when None), the slowest imports."""
    run = run_process([argv[0], "-X", "importtime", *argv[1:]], cwd=cwd, env=env)
    entries = []
    for line in run.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            entries.append((int(match.group(1)), int(match.group(2)), len(match.group(3)), match.group(4)))
    top_level = min((indent for _, _, indent, _ in entries), default=0)
    total = (next((cum for _, cum, _, name in entries if name == module), 0) if module
             else sum(cum for _, cum, indent, _ in entries if indent == top_level))
    lines = ["| module (by cumulative time) | self (ms) | cumulative (ms) |", "|---|---:|---:|"]
    for self_us, cum_us, _, name in sorted(entries, key=lambda e: -e[1])[:top]:
        lines.append(f"| `{name}` | {self_us / 1000:.1f} | {cum_us / 1000:.1f} |")
    return total / 1e6, "\n".join(lines) + "\n"


def bench_client(report: Report, work: str, rounds_import: int, rounds_requests: int, calls: int, profile: bool) -> None:
    log("\n== 4. the generated client vs the official anthropic SDK ==")
    python = env_bin("python")
    folder = copy_client(work)
    env = child_env(PYTHONPATH=folder)
    sdk_version = version("anthropic")

    def python_c(code: str) -> Callable[[], Run]:
        return lambda: run_process([python, "-c", code], cwd=folder, env=env)

    for module in ("anthropic_lowcodeapi", "anthropic"):  # warm the page cache and bytecode
        python_c(f"import {module}")()
    imports = interleaved({"bare interpreter": python_c("pass"), "anthropic_lowcodeapi": python_c("import anthropic_lowcodeapi"),
                           "anthropic": python_c("import anthropic")}, rounds_import, log)
    report.samples("import", imports)
    bare = median_seconds(imports["bare interpreter"])
    ours_import = median_seconds(imports["anthropic_lowcodeapi"]) - bare
    sdk_import = median_seconds(imports["anthropic"]) - bare
    ours_x, ours_top = importtime_top([python, "-c", "import anthropic_lowcodeapi"], "anthropic_lowcodeapi", env, folder)
    sdk_x, _ = importtime_top([python, "-c", "import anthropic"], "anthropic", env, folder)
    import_ratio = ours_import / sdk_import

    server = subprocess.Popen([python, "-m", "bench.loopback"], cwd=ROOT, env=child_env(), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base_url = f"http://127.0.0.1:{int(server.stdout.readline())}"
        probe_env = child_env(PYTHONPATH=os.pathsep.join([folder, ROOT]))

        def probe(kind: str) -> Callable[[], Run]:
            def run() -> Run:
                result = run_process([python, "-m", "bench.client_probe", kind, base_url, str(calls)], cwd=ROOT, env=probe_env)
                if result.returncode == 0:
                    timing = json.loads(result.stdout.strip().splitlines()[-1])
                    result.seconds = timing["seconds"]  # the timed calls alone, not start-up
                    result.extra["cpu"] = timing["cpu_seconds"]
                else:
                    log(result.stderr[-2000:])
                    result.seconds = float("nan")
                    result.extra["cpu"] = float("nan")
                return result
            return run

        requests = interleaved({"anthropic_lowcodeapi": probe("lowcodegen"), "anthropic": probe("sdk"),
                                "plain httpx": probe("httpx")}, rounds_requests, log)

        def request_profile() -> str:
            out = os.path.join(work, "client-profile.md")
            run_process([python, "-m", "bench.client_probe", "lowcodegen", base_url, str(calls), "--profile", out],
                        cwd=ROOT, env=probe_env)
            with open(out, encoding="utf-8") as handle:
                return handle.read()

        ours_req = median_seconds(requests["anthropic_lowcodeapi"])
        sdk_req = median_seconds(requests["anthropic"])
        floor = median_seconds(requests["plain httpx"])
        request_ratio = ours_req / sdk_req
        ours_cpu, sdk_cpu, floor_cpu = (median([r.extra["cpu"] for r in requests[k]])
                                        for k in ("anthropic_lowcodeapi", "anthropic", "plain httpx"))
        profile_text = request_profile() if profile and not request_ratio <= 0.8 else ""
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    report.samples(f"{calls} requests", requests)
    report.raw.append(f"- {calls} requests, CPU: " + "; ".join(
        f"{k}: " + ", ".join(f"{r.extra['cpu']:.3f}" for r in runs) for k, runs in requests.items()) + " s")

    rows = [
        ["cold import (process minus bare `python -c pass`)", fmt_s(ours_import), fmt_s(sdk_import), fmt_ratio(import_ratio),
         "≤ 0.20×", "PASS" if import_ratio <= 0.2 else "MISS",
         f"{peak_mb(imports['anthropic_lowcodeapi']):.0f} / {peak_mb(imports['anthropic']):.0f} MB",
         f"`-X importtime`: {fmt_s(ours_x)} vs {fmt_s(sdk_x)}; bare interpreter {fmt_s(bare)}"],
        [f"{calls} sequential `messages.create`, direct mode, loopback", fmt_s(ours_req), fmt_s(sdk_req), fmt_ratio(request_ratio),
         "≤ 0.80×", "PASS" if request_ratio <= 0.8 else "MISS",
         f"{peak_mb(requests['anthropic_lowcodeapi']):.0f} / {peak_mb(requests['anthropic']):.0f} MB",
         f"per call {ours_req / calls * 1e6:.0f} µs vs {sdk_req / calls * 1e6:.0f} µs; plain httpx "
         f"{floor / calls * 1e6:.0f} µs" + (f", so {(ours_req - floor) / calls * 1e6:.0f} µs vs "
                                           f"{(sdk_req - floor) / calls * 1e6:.0f} µs above it" if min(ours_req, sdk_req) > floor
                                           else " (a client's median at or under plain httpx: its own cost is within the noise)")],
        ["the same, client process CPU time (`time.process_time`)", fmt_s(ours_cpu), fmt_s(sdk_cpu), fmt_ratio(ours_cpu / sdk_cpu),
         "(info)", "—", "", f"per call {ours_cpu / calls * 1e6:.0f} µs vs {sdk_cpu / calls * 1e6:.0f} µs (plain httpx "
         f"{floor_cpu / calls * 1e6:.0f} µs); less sensitive to the machine's load than wall time, which includes waiting "
         "for the server process to be scheduled"],
    ]
    report.targets.append(Target("client: cold import vs the SDK", fmt_ratio(import_ratio), "≤ 0.20×", import_ratio <= 0.2,
                                 (lambda: "Slowest imports of `anthropic_lowcodeapi` (`-X importtime`):\n\n" + ours_top)
                                 if profile and import_ratio > 0.2 else None))
    report.targets.append(Target(f"client: {calls} requests vs the SDK", fmt_ratio(request_ratio), "≤ 0.80×",
                                 request_ratio <= 0.8, (lambda: profile_text) if profile_text else None))
    text = (f"## 4. The generated client vs the official `anthropic` SDK {sdk_version}\n\n"
            f"Both in bench/.env's interpreter; the generated package copied alone onto PYTHONPATH with its bytecode compiled. "
            f"Import: {rounds_import} interleaved rounds of fresh processes. Requests: a loopback server (`bench/loopback.py`, "
            f"HTTP/1.1 keep-alive, Nagle off) answering an Anthropic Message; each round a fresh process per client makes 20 "
            f"warm-up calls, then {calls} timed ones; `lc.Client(api_key=…, target=\"direct\", base_url=…, max_retries=0)` vs "
            f"`anthropic.Anthropic(api_key=…, base_url=…, max_retries=0)`; {rounds_requests} rounds. For reference, a plain "
            f"`httpx.Client.post(json=…)` + `json.loads` on the same server: a client cannot do much less per call.\n\n"
            + table(["measure", "anthropic_lowcodeapi", "anthropic SDK", "ratio", "target", "result", "peak RSS (ours / SDK)", "notes"],
                    rows, "lrrrrrrl"))
    report.section(text)


# --------------------------------------------------------------------------------------- profiles


def profile_cli(args: list[str], work: str, cwd: str | None = None, black_files: str | None = None) -> str:
    """pyinstrument over one lowcodegen command, run in process in the project's .venv."""
    folder = cwd or tempfile.mkdtemp(prefix="profile-", dir=work)
    out = os.path.join(work, f"profile-{time.monotonic_ns()}.md")
    extra = ["--black-files", os.path.join(folder, black_files)] if black_files else []
    run = run_process([project_bin("python"), "-m", "bench.profile_cli", out, *extra, "--", *args], cwd=folder,
                      env=child_env(PYTHONPATH=ROOT))
    if run.returncode != 0:
        return f"(profile failed: {run.stderr.strip()[-500:]})\n"
    with open(out, encoding="utf-8") as handle:
        return handle.read().replace(work, "$TMP")


# ---------------------------------------------------------------------------------------- report


def git_head() -> str:
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "generator", "templates", "generated", "specs"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" (with uncommitted changes in generator/, templates/, generated/ or specs/)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_report(report: Report, started: float, load_start: tuple[float, float, float], args: argparse.Namespace) -> str:
    load_end = os.getloadavg()
    order = ("generation", "target", "scale", "client", "catalogue")
    targets = sorted(report.targets, key=lambda t: next(i for i, word in enumerate(order) if t.name.startswith(word)))
    summary_rows = [[t.name, t.value, t.bound, t.verdict] for t in targets]
    header = (
        "# Benchmark results\n\n"
        f"Produced by `make bench` (`python -m bench`) on {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, "
        f"commit {git_head()}, in {(time.time() - started) / 60:.1f} min. Machine: {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, load average {load_start[0]:.1f} at the start and "
        f"{load_end[0]:.1f} at the end: a shared, noisy machine, so read medians and ratios (both sides ran interleaved "
        f"in the same minutes), not absolute times. Peers: openapi-python-client {version('openapi-python-client')} "
        f"(ruff {version('ruff')}), anthropic {version('anthropic')}. Rounds: {args.rounds_small} per small spec, "
        f"{args.rounds_large} per large spec, {args.rounds_scale} per scale size.\n\n"
        "## Targets\n\n" + table(["target", "measured", "bound", "result"], summary_rows, "lrrl") + "\n"
    )
    body = "\n\n".join(sorted(report.sections, key=lambda text: text.split(".", 1)[0]))  # "## 1." … "## 4."
    profiles = ""
    missed = [t for t in targets if t.passed is False and t.profile]
    if missed:
        profiles = ("\n\n## Where the time goes (missed targets)\n\nProfiles (pyinstrument, 1 ms sampling) of one more run of "
                    "each missed case, taken after all the measurements. Stages are the generator's own functions, timed "
                    "inclusively. Own time in `recv` or `lock.acquire` is the main process waiting for its forked helpers "
                    "(the format worker, the OpenAPI validation), whose work a profiler of the main process does not "
                    "see: the black lines time that work in one process.\n")
        for target in missed:
            log(f"profiling: {target.name}")
            assert target.profile is not None
            profiles += f"\n### {target.name}\n\n{target.profile()}"
    raw = "\n\n## Raw samples (seconds, in run order)\n\n" + "\n".join(report.raw) + "\n"
    text = header + "\n" + body + profiles + raw
    with open(os.path.join(BENCH, "RESULTS.md"), "w", encoding="utf-8") as handle:
        handle.write(text)
    return header + profiles


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="generation,target,scale,client,catalogue",
                        help="comma-separated sections: generation, target, scale, client, catalogue (default: all)")
    parser.add_argument("--rounds-small", type=int, default=5, help="rounds for the Anthropic corpus spec (default 5)")
    parser.add_argument("--rounds-large", type=int, default=3, help="rounds for OpenAI, GitHub, Stripe (default 3)")
    parser.add_argument("--rounds-scale", type=int, default=3, help="rounds per synthetic spec size (default 3)")
    parser.add_argument("--rounds-target", type=int, default=10, help="rounds of the cached target commands (default 10)")
    parser.add_argument("--rounds-import", type=int, default=20, help="rounds of the import comparison (default 20)")
    parser.add_argument("--rounds-requests", type=int, default=7, help="rounds of the request comparison (default 7)")
    parser.add_argument("--rounds-catalogue", type=int, default=1,
                        help="rounds of the cold and of the unchanged LowCodeAPI catalogue (default 1)")
    parser.add_argument("--calls", type=int, default=500, help="timed messages.create calls per round (default 500)")
    parser.add_argument("--quick", action="store_true", help="one round of each large case: a smoke run, not a result")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip profiling missed targets")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds_small, args.rounds_large, args.rounds_scale = 1, 1, 1
        args.rounds_target, args.rounds_import, args.rounds_requests, args.calls = 3, 5, 2, 200
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    if not os.path.exists(project_bin("lowcodegen")):
        sys.exit("bench: the project's .venv is missing: run `make bench` (it creates .venv first)")
    started, load_start = time.time(), os.getloadavg()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="lowcodegen-bench-") as work:
        if "client" in sections:
            bench_client(report, work, args.rounds_import, args.rounds_requests, args.calls, args.profile)
        if "target" in sections:
            bench_target(report, work, args.rounds_target, max(2, args.rounds_small), args.profile)
        if "generation" in sections:
            bench_generation(report, work, args.rounds_small, args.rounds_large, args.profile)
        if "scale" in sections:
            bench_scale(report, work, args.rounds_scale, args.profile)
        if "catalogue" in sections:
            bench_catalogue(report, work, args.rounds_catalogue, args.rounds_catalogue, args.rounds_import,
                            table, fmt_s, Target, log)
        summary = write_report(report, started, load_start, args)
    log("\n" + summary)
    log(f"written: {os.path.relpath(os.path.join(BENCH, 'RESULTS.md'))}"
        + (f", {os.path.relpath(os.path.join(BENCH, 'scale.png'))}" if "scale" in sections else ""))


if __name__ == "__main__":
    main()
