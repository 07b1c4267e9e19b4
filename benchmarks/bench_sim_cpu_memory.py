"""How fast the CPU and memory simulators run, and the documented numbers they reproduce.

Run: .venv/bin/python benchmarks/bench_sim_cpu_memory.py  (prints; asserts nothing about time)
"""

from __future__ import annotations

import time

import numpy as np

from ecs_workbook.sim import cpu, memory


def timed(label: str, function, repeat: int = 3) -> None:
    best = min(_once(function) for _ in range(repeat))
    print(f"{label:<58} {best * 1000:8.1f} ms")


def _once(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    rng = np.random.default_rng(0)
    containers = [cpu.CpuContainer(f"c{i}", 128 * (i + 1), task=f"t{i // 2}") for i in range(10)]
    demand = rng.uniform(0, 2, size=(10, 3600))
    timed(
        "simulate_cpu: 10 containers x 3600 steps, 4 vCPU",
        lambda: cpu.simulate_cpu(containers, 4, demand, task_cpu_units={"t0": 1024}),
    )

    mem_containers = [
        memory.MemoryContainer(
            f"m{i}",
            memory_mib=900,
            memory_reservation_mib=256,
            task=f"t{i}",
            restart_policy={"enabled": True, "restartAttemptPeriod": 60},
        )
        for i in range(10)
    ]
    usage = rng.uniform(100, 1000, size=(10, 3600))
    timed(
        "simulate_memory: 10 containers x 3600 steps, 4096 MiB",
        lambda: memory.simulate_memory(
            mem_containers, 4096, usage, reclaimable=usage * 0.3, step_seconds=10
        ),
    )

    timed(
        "explore_cpu_shares (simulate + plot + draw, Agg)", lambda: _close(cpu.explore_cpu_shares())
    )
    timed("explore_memory (simulate + plot + draw, Agg)", lambda: _close(memory.explore_memory()))

    pair = cpu.simulate_cpu(
        [cpu.CpuContainer("a", 1024, "t1"), cpu.CpuContainer("b", 512, "t2")], 1, [[1.0], [1.0]]
    )
    ratio = pair.usage_vcpu[0, 0] / pair.usage_vcpu[1, 0]
    print(f"contended 1024 vs 512 shares: usage ratio {ratio:.3f} (documented 2:1)")
    alone = cpu.simulate_cpu([cpu.CpuContainer("a", 512)], 1, [[1.0]])
    print(
        f"512-unit task alone on 1 vCPU uses {alone.usage_cpu_units[0, 0]:.0f} units "
        f"(documented: all 1024)"
    )


def _close(fig) -> None:
    from ecs_workbook import plots

    fig.canvas.draw()
    plots.plt.close(fig)


if __name__ == "__main__":
    main()
