"""The `irqloop` command: one entry point for the runner side (the Makefile's targets call it).

    irqloop list                          the scenarios and the question each answers
    irqloop params overrun                a scenario's parameters and defaults
    irqloop sim overrun --seed 3 [--waves fst] [name=value ...]
    irqloop day --trace lat.txt slots=8 period_us=1000   overruns per day from measured latencies
    irqloop compare multiqueue            every strategy or setting of a scenario side by side
    irqloop regress --suite smoke         a scenario regression (irqloop regress --help)
    irqloop device check --top mydev --source mydev.v    your own device against the contract

Run from a checkout it builds into the checkout (sim_build/) as `make` does; run from an
installed package it builds into $IRQLOOP_WORK or ~/.cache/irqloop and writes runs/ into the
current folder. Exit codes are those of every front end: 0 outcome as declared, 1 outcome
differs, 2 bad input, 3 infrastructure, 130 interrupted.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

from irqloop.toolchain import EXIT_AS_DECLARED, EXIT_BAD_INPUT


@dataclass(frozen=True)
class Command:
    module: str                 #: the module whose main() runs it
    args: tuple[str, ...]       #: what goes before the user's arguments
    summary: str


COMMANDS: dict[str, Command] = {
    "list": Command("irqloop.runner", ("list",), "list the scenarios (TEST names)"),
    "params": Command("irqloop.runner", ("params",), "a scenario's parameters with their defaults"),
    "sim": Command("irqloop.runner", ("sim",), "run a scenario: TEST [--seed N] [--waves none|fst|vcd] [name=value ...]"),
    "waves": Command("irqloop.runner", ("waves",), "open a run's waveform in GTKWave"),
    "wave-png": Command("irqloop.runner", ("wave-png",), "render a run's waveform view to a PNG"),
    "build": Command("irqloop.runner", ("build",), "build the simulator of the scenarios"),
    "day": Command("irqloop.day", (), "overruns per day from a measured latency trace: --trace FILE [name=value ...]"),
    "compare": Command("irqloop.compare", (), "run every strategy or setting of a scenario side by side"),
    "regress": Command("irqloop.regress", ("run",), "a scenario regression: --suite smoke|nightly, --seeds, --jobs"),
    "regress-merge": Command("irqloop.regress", ("merge",), "merge the results of regression shards"),
    "testplan": Command("irqloop.testplan", (), "which test plan items passing tests cover"),
    "lint": Command("irqloop.lint", (), "Verilator -Wall lint of the RTL"),
    "coverage": Command("irqloop.coverage", (), "merge the RTL line and toggle coverage of the last runs"),
    "bench": Command("irqloop.bench", (), "simulated cycles per second, cocotb beside plain Verilator"),
    "regs": Command("irqloop.regs_gen", (), "regenerate the register headers, map and docs from regs/irqloop.rdl"),
    "device": Command("irqloop.device", (), "your own device: check its top against the contract, "
                      "generate its RTL register header from its SystemRDL"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    return "\n".join([(__doc__ or "").split("\n\n")[0], "", "commands:"]
                     + [f"  {name:<{width}}  {c.summary}" for name, c in COMMANDS.items()]
                     + ["", "irqloop COMMAND --help gives a command's options."])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return EXIT_AS_DECLARED if args else EXIT_BAD_INPUT
    name, rest = args[0], args[1:]
    command = COMMANDS.get(name)
    if command is None:
        print(f"error: unknown command {name!r}; valid: {', '.join(COMMANDS)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    module = importlib.import_module(command.module)
    # runner's subcommands carry the command's own name; the others are one command each
    prog = "irqloop" if command.args[:1] == (name,) else f"irqloop {name}"
    return module.main([*command.args, *rest], prog=prog)


if __name__ == "__main__":
    sys.exit(main())
