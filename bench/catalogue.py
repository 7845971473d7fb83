"""Section 5: the whole LowCodeAPI catalogue (`../shared/lowcodeapi/providers/`, 47 providers) in plain mode.

Cold: every provider's `lowcodegen generate --spec P --package <p>_lowcodeapi --out P` in one fresh cwd (an
empty `./.lowcodegen-cache` at the start, shared by the run as a user's would be), two at a time (the machine
has two cores); wall time from the first spawn to the last reap, peak RSS of each process. Unchanged: the
same commands again, nothing changed. Import: `python -c "import <p>_lowcodeapi"` of generated packages
(GitHub's, 1,169 routes, included) minus a bare `python -c pass`, interleaved rounds, bytecode compiled.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .env import ROOT, env_bin, project_bin
from .measure import Run, child_env, interleaved, median, median_seconds, run_process

PROVIDERS_DIR = os.path.normpath(os.path.join(ROOT, "..", "shared", "lowcodeapi", "providers"))
# the largest two (GitHub's is the target), the largest new-format ones, a typical old-format provider
IMPORTED = ("github", "hubspot", "shopify", "slack", "openai")
WORKERS = 2
COLD_BOUND_S, COLD_BOUND_MB, UNCHANGED_BOUND_S, IMPORT_BOUND_S = 60.0, 1024.0, 1.0, 0.050


def providers() -> list[str]:
    return sorted(os.path.basename(p).removesuffix(".openapi.json")
                  for p in glob.glob(os.path.join(PROVIDERS_DIR, "*.openapi.json")))


def package_name(provider: str) -> str:
    return provider.replace("-", "_") + "_lowcodeapi"


def generate_all(cwd: str) -> tuple[float, dict[str, Run]]:
    """Every provider generated into cwd/<provider>, WORKERS at a time: (wall seconds, runs)."""

    def one(provider: str) -> Run:
        spec = os.path.join(PROVIDERS_DIR, f"{provider}.openapi.json")
        return run_process([project_bin("lowcodegen"), "generate", "--spec", spec, "--package", package_name(provider),
                            "--out", provider], cwd=cwd, env=child_env())

    names = providers()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        runs = dict(zip(names, pool.map(one, names), strict=True))
    return time.perf_counter() - start, runs


def catalogue_rows(cwd: str, runs: dict[str, Run]) -> list[list[str]]:
    """Per provider: routes in the routes file, operations generated, exit, warnings, seconds, peak RSS."""
    rows = []
    for provider, run in runs.items():
        with open(os.path.join(PROVIDERS_DIR, f"{provider}.routes.json"), encoding="utf-8") as handle:
            routes = len(json.load(handle))
        try:
            with open(os.path.join(cwd, provider, "url_formats.json"), encoding="utf-8") as handle:
                generated = str(len(json.load(handle)["routes"]))
        except (OSError, ValueError, KeyError):
            generated = "—"
        text = run.stdout + run.stderr
        warnings = sum(1 for line in text.splitlines() if ": warning:" in line or line.lower().startswith("warning"))
        errors = [line.strip() for line in text.splitlines() if ": error:" in line or line.lower().startswith("error")]
        error = f"{len(errors)} errors, first: {errors[0]}" if errors else ""
        rows.append([provider, str(routes), generated, str(run.returncode), str(warnings), f"{run.seconds:.2f} s",
                     f"{run.max_rss_mb:.0f} MB", error[:160].replace("|", "\\|")])
    return rows


def bench_catalogue(report: Any, work: str, rounds_cold: int, rounds_unchanged: int, rounds_import: int,
                    table: Callable[..., str], fmt_s: Callable[[float], str], target: Callable[..., Any],
                    log: Callable[[str], None]) -> None:
    log("\n== 5. the LowCodeAPI catalogue ==")
    colds: list[tuple[float, dict[str, Run]]] = []
    cwd = ""
    for index in range(rounds_cold):
        cwd = tempfile.mkdtemp(prefix="catalogue-", dir=work)  # fresh: an empty ./.lowcodegen-cache
        colds.append(generate_all(cwd))
        log(f"  cold round {index + 1}/{rounds_cold}: {colds[-1][0]:.1f} s, "
            f"peak {max(r.max_rss_mb for r in colds[-1][1].values()):.0f} MB")
    cold_s = median([wall for wall, _ in colds])
    cold_mb = max(r.max_rss_mb for _, runs in colds for r in runs.values())
    two_largest = max(sum(sorted((r.max_rss_mb for r in runs.values()), reverse=True)[:WORKERS]) for _, runs in colds)
    last_runs = colds[-1][1]
    failed = [p for p, r in last_runs.items() if r.returncode != 0]
    unchanged = []
    for index in range(rounds_unchanged):
        unchanged.append(generate_all(cwd))
        log(f"  unchanged round {index + 1}/{rounds_unchanged}: {unchanged[-1][0]:.2f} s")
    unchanged_s = median([wall for wall, _ in unchanged])
    per_provider = median([r.seconds for _, runs in unchanged for r in runs.values()])
    report.raw.append("- catalogue / cold: " + ", ".join(f"{wall:.3f}" for wall, _ in colds) + " s")
    report.raw.append("- catalogue / unchanged: " + ", ".join(f"{wall:.3f}" for wall, _ in unchanged) + " s")

    python = env_bin("python")
    importable = [p for p in IMPORTED if last_runs.get(p) and last_runs[p].returncode == 0]
    import_rows: list[list[str]] = []
    import_s: dict[str, float] = {}
    if importable:
        folder = tempfile.mkdtemp(prefix="catalogue-import-", dir=work)
        for provider in importable:
            os.symlink(os.path.join(cwd, provider, package_name(provider)), os.path.join(folder, package_name(provider)))
        subprocess.run([python, "-m", "compileall", "-q", cwd], check=False, capture_output=True)
        env = child_env(PYTHONPATH=folder)

        def python_c(code: str) -> Callable[[], Run]:
            return lambda: run_process([python, "-c", code], cwd=folder, env=env)

        cases = {"bare interpreter": python_c("pass")}
        cases.update({p: python_c(f"import {package_name(p)}") for p in importable})
        for case in cases.values():  # warm the page cache
            case()
        imports = interleaved(cases, rounds_import, log)
        report.samples("catalogue import", imports)
        bare = median_seconds(imports["bare interpreter"])
        for provider in importable:
            import_s[provider] = median_seconds(imports[provider]) - bare
            with open(os.path.join(PROVIDERS_DIR, f"{provider}.routes.json"), encoding="utf-8") as handle:
                routes = len(json.load(handle))
            import_rows.append([f"`{package_name(provider)}`", str(routes), fmt_s(import_s[provider]),
                                f"{max(r.max_rss_mb for r in imports[provider]):.0f} MB"])

    report.targets.append(target("catalogue: 47 providers generated cold (2 workers)", fmt_s(cold_s), f"≤ {COLD_BOUND_S:.0f} s",
                                 cold_s <= COLD_BOUND_S and not failed))
    report.targets.append(target("catalogue: peak RSS of a generate process (two at once)",
                                 f"{cold_mb:.0f} MB ({two_largest:.0f} MB)", f"≤ {COLD_BOUND_MB:.0f} MB",
                                 two_largest <= COLD_BOUND_MB))
    report.targets.append(target("catalogue: unchanged regeneration (47 processes, 2 workers)", fmt_s(unchanged_s),
                                 f"≤ {UNCHANGED_BOUND_S:.2f} s", unchanged_s <= UNCHANGED_BOUND_S))
    if "github" in import_s:
        report.targets.append(target("catalogue: `import github_lowcodeapi` (1,169 routes)", fmt_s(import_s["github"]),
                                     f"≤ {IMPORT_BOUND_S * 1000:.0f} ms", import_s["github"] <= IMPORT_BOUND_S))
    else:
        report.targets.append(target("catalogue: `import github_lowcodeapi` (1,169 routes)", "not generated", "≤ 50 ms", None))

    rows = catalogue_rows(cwd, last_runs)
    report.section(
        "## 5. The LowCodeAPI catalogue in plain mode\n\n"
        f"{len(last_runs)} providers of `../shared/lowcodeapi/providers/`, each `lowcodegen generate --spec P "
        "--package <p>_lowcodeapi --out <p>` in one fresh cwd (empty `./.lowcodegen-cache` at the start of the round, "
        f"then shared by the round's processes as a user's would be), {WORKERS} at a time. Cold: {rounds_cold} round(s); "
        f"unchanged: the same commands again, {rounds_unchanged} round(s).\n\n"
        + table(["measure", "value", "bound"], [
            ["cold: wall, whole catalogue", fmt_s(cold_s), f"≤ {COLD_BOUND_S:.0f} s"],
            ["cold: peak RSS of one process (largest two summed: both workers at once at worst)",
             f"{cold_mb:.0f} MB ({two_largest:.0f} MB)", f"≤ {COLD_BOUND_MB:.0f} MB"],
            ["unchanged: wall, whole catalogue", fmt_s(unchanged_s), f"≤ {UNCHANGED_BOUND_S:.2f} s"],
            ["unchanged: one provider's process (median)", fmt_s(per_provider), "(info)"],
            ["providers that failed to generate", str(len(failed)) + (": " + ", ".join(failed) if failed else ""), "0"],
        ], "lrr")
        + "\n\nImport (process minus bare `python -c pass`, medians of "
        f"{rounds_import} interleaved rounds, bytecode compiled):\n\n"
        + table(["package", "routes", "import", "peak RSS"], import_rows, "lrrr")
        + "\n\nPer provider (last cold round; warnings: output lines mentioning a warning):\n\n"
        + table(["provider", "routes", "operations generated", "exit", "warnings", "seconds", "peak RSS", "error"],
                rows, "lrrrrrrl")
    )
