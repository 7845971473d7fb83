"""Section 5: the whole LowCodeAPI catalogue (`../shared/lowcodeapi/providers/`, 47 providers) in plain mode.

The catalogue is one project, as a user who vendors many providers keeps it: a `pyproject.toml` with
one `[[tool.lowcodegen.targets]]` per provider (its document alone, no documented spec). Cold: one
`lowcodegen generate --jobs 2` in a fresh folder (no `.lowcodegen-cache`; the machine has two cores):
wall time from spawn to reap, peak RSS of the largest process. Unchanged: the same command again.
For reference, the same catalogue as 47 separate plain-mode processes (`--spec P --package ... --out
P`), two at a time, unchanged. Import: `python -c "import <p>_lowcodeapi"` (GitHub's, 1,169 routes,
included) minus a bare `python -c pass`, and the same plus constructing a `Client`, interleaved rounds,
bytecode compiled.
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


def write_project(cwd: str) -> None:
    """The catalogue as one project: a target per provider, its LowCodeAPI document alone."""
    lines = ["[tool.lowcodegen]", f'templates = "{os.path.join(ROOT, "templates")}"', ""]
    for provider in providers():
        lines += ["[[tool.lowcodegen.targets]]", f'name = "{provider}"', f'provider = "{provider}"',
                  f'package = "{package_name(provider)}"',
                  f'snapshot = "{os.path.join(PROVIDERS_DIR, provider + ".openapi.json")}"', f'out = "{provider}"', ""]
    with open(os.path.join(cwd, "pyproject.toml"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


def generate_project(cwd: str) -> Run:
    """`lowcodegen generate --jobs 2` over the catalogue project in cwd."""
    return run_process([project_bin("lowcodegen"), "generate", "--jobs", str(WORKERS), "--root", cwd], cwd=cwd,
                       env=child_env())


def generate_all(cwd: str) -> tuple[float, dict[str, Run]]:
    """Every provider as its own plain-mode process into cwd/<provider>, WORKERS at a time."""

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
    colds: list[Run] = []
    cwd = ""
    for index in range(rounds_cold):
        cwd = tempfile.mkdtemp(prefix="catalogue-", dir=work)  # fresh: no ./.lowcodegen-cache
        write_project(cwd)
        colds.append(generate_project(cwd))
        log(f"  cold round {index + 1}/{rounds_cold}: {colds[-1].seconds:.1f} s, peak {colds[-1].max_rss_mb:.0f} MB, "
            f"exit {colds[-1].returncode}")
    cold_s = median([run.seconds for run in colds])
    cold_mb = max(run.max_rss_mb for run in colds)
    failed = [run.stderr.strip().splitlines()[-1:] for run in colds if run.returncode != 0]
    unchanged: list[Run] = []
    for index in range(rounds_unchanged):
        unchanged.append(generate_project(cwd))
        log(f"  unchanged round {index + 1}/{rounds_unchanged}: {unchanged[-1].seconds:.2f} s")
    unchanged_s = median([run.seconds for run in unchanged])
    report.raw.append("- catalogue / cold (one project, --jobs 2): " + ", ".join(f"{r.seconds:.3f}" for r in colds) + " s")
    report.raw.append("- catalogue / unchanged: " + ", ".join(f"{r.seconds:.3f}" for r in unchanged) + " s")

    # For reference and the per-provider table: each provider as its own plain-mode process.
    apart = tempfile.mkdtemp(prefix="catalogue-apart-", dir=work)
    apart_cold_s, apart_runs = generate_all(apart)
    apart_unchanged_s, _ = generate_all(apart)
    log(f"  47 processes: cold {apart_cold_s:.1f} s, unchanged {apart_unchanged_s:.2f} s")

    python = env_bin("python")
    importable = [p for p in IMPORTED if os.path.isdir(os.path.join(cwd, p, package_name(p)))]
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
        cases.update({f"{p} + Client()": python_c(f"import {package_name(p)} as lc; lc.Client(api_token='at_x')")
                      for p in importable})
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
                                fmt_s(median_seconds(imports[f"{provider} + Client()"]) - bare),
                                f"{max(r.max_rss_mb for r in imports[provider]):.0f} MB"])

    report.targets.append(target("catalogue: 47 providers generated cold (one project, --jobs 2)", fmt_s(cold_s),
                                 f"≤ {COLD_BOUND_S:.0f} s", cold_s <= COLD_BOUND_S and not failed))
    report.targets.append(target("catalogue: peak RSS (largest process)", f"{cold_mb:.0f} MB",
                                 f"≤ {COLD_BOUND_MB:.0f} MB", cold_mb <= COLD_BOUND_MB))
    report.targets.append(target("catalogue: unchanged regeneration (one project)", fmt_s(unchanged_s),
                                 f"≤ {UNCHANGED_BOUND_S:.2f} s", unchanged_s <= UNCHANGED_BOUND_S))
    if "github" in import_s:
        report.targets.append(target("catalogue: `import github_lowcodeapi` (1,169 routes)", fmt_s(import_s["github"]),
                                     f"≤ {IMPORT_BOUND_S * 1000:.0f} ms", import_s["github"] <= IMPORT_BOUND_S))
    else:
        report.targets.append(target("catalogue: `import github_lowcodeapi` (1,169 routes)", "not generated", "≤ 50 ms", None))

    rows = catalogue_rows(apart, apart_runs)
    report.section(
        "## 5. The LowCodeAPI catalogue\n\n"
        f"{len(apart_runs)} providers of `../shared/lowcodeapi/providers/` as one project (a `[[tool.lowcodegen.targets]]` "
        "entry per provider, its document alone), generated by one `lowcodegen generate --jobs 2` in a fresh folder; "
        f"cold: {rounds_cold} round(s), unchanged: the same command again, {rounds_unchanged} round(s). For reference, "
        "the same catalogue as 47 plain-mode processes (`--spec P --package <p>_lowcodeapi --out <p>`), two at a time.\n\n"
        + table(["measure", "value", "bound"], [
            ["cold: wall, whole catalogue (one project, --jobs 2)", fmt_s(cold_s), f"≤ {COLD_BOUND_S:.0f} s"],
            ["cold: peak RSS of the largest process", f"{cold_mb:.0f} MB", f"≤ {COLD_BOUND_MB:.0f} MB"],
            ["unchanged: wall, whole catalogue (one project)", fmt_s(unchanged_s), f"≤ {UNCHANGED_BOUND_S:.2f} s"],
            ["47 processes, two at a time: cold", fmt_s(apart_cold_s), "(info)"],
            ["47 processes, two at a time: unchanged", fmt_s(apart_unchanged_s), "(info)"],
            ["runs that failed", str(len(failed)) + (": " + "; ".join(" ".join(f) for f in failed) if failed else ""), "0"],
        ], "lrr")
        + "\n\nImport (process minus bare `python -c pass`, medians of "
        f"{rounds_import} interleaved rounds, bytecode compiled); resources, models and the URL table load on a "
        "resource's first use, httpx on the first client:\n\n"
        + table(["package", "routes", "import", "import + `Client()`", "peak RSS"], import_rows, "lrrrr")
        + "\n\nPer provider (its own process, cold; warnings: output lines mentioning a warning):\n\n"
        + table(["provider", "routes", "operations generated", "exit", "warnings", "seconds", "peak RSS", "error"],
                rows, "lrrrrrrl")
    )
