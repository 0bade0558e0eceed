// The simulator's main loop for a cocotb build whose clock comes from here (irqloop/simbuild.py,
// MainClock): it replaces cocotb's stock Verilator main (share/lib/verilator/verilator.cpp) and
// keeps its order of VPI regions exactly, adding one thing: at every clock edge, a half period
// apart from the first at one half period, it toggles the clock before the time step's first
// evaluation, where the HDL's `always #half clk = ~clk` would have toggled it.
//
// Why: an HDL clock needs Verilator's --timing, and then every edge pays a coroutine resume, a
// delay-queue insert and erase (a malloc and a free) and the timing framework's extra evaluation
// work; a model built without --timing and clocked from here simulates ~1.4x as many cycles per
// second, with the same edges at the same times, so the same reports and the same waveform.
//
// Compiled with IRQLOOP_CLOCK_FIELD (the clock's member of the root model, public in the build's
// .vlt) and IRQLOOP_CLOCK_HALF_PERIOD (in picoseconds: the model's time precision must be 1 ps, checked).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "Vtop.h"
#include "Vtop___024root.h"
#include "verilated.h"
#include "verilated_vpi.h"
#if VM_COVERAGE
#include "verilated_cov.h"
#endif

#if VM_TRACE
#if VM_TRACE_FST
#include <verilated_fst_c.h>
using Trace = VerilatedFstC;
#else
#include <verilated_vcd_c.h>
using Trace = VerilatedVcdC;
#endif
#endif

#ifndef IRQLOOP_CLOCK_FIELD
#error "IRQLOOP_CLOCK_FIELD must name the clock's member of the root model"
#endif
#ifndef IRQLOOP_CLOCK_HALF_PERIOD
#error "IRQLOOP_CLOCK_HALF_PERIOD must give the clock's half period in time precision units"
#endif

extern "C" void vlog_startup_routines_bootstrap(void);

namespace {

uint64_t now = 0;  // the current time step, in time precision units

#if VM_TRACE
std::unique_ptr<Trace> trace;
#endif

// Value-change callbacks may write signals that fire more of them: call them until none fires.
void settle() {
    while (VerilatedVpi::callValueCbs()) {
    }
}

// Evaluate the time step until neither the model, nor an inertial write, nor a read-write
// callback has anything left to do.
void evaluate(Vtop& top) {
    do {
        do {
            top.eval_step();
            VerilatedVpi::clearEvalNeeded();
            VerilatedVpi::doInertialPuts();
            settle();
        } while (VerilatedVpi::evalNeeded());
        VerilatedVpi::callCbs(cbReadWriteSynch);
        VerilatedVpi::doInertialPuts();
        settle();
    } while (VerilatedVpi::evalNeeded());
    top.eval_end_step();
}

void finish_run() {
    VerilatedVpi::callCbs(cbEndOfSimulation);
#if VM_TRACE
    if (trace) trace->close();
#endif
#if VM_COVERAGE
    VerilatedCov::write();  // +verilator+coverage+file+<name>
#endif
}

}  // namespace

double sc_time_stamp() { return double(now); }  // $time, for a context that was never given one

int main(int argc, char** argv) {
    std::string trace_file = VM_TRACE_FST ? "dump.fst" : "dump.vcd";
    bool trace_on = false, trace_flush = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--trace") {
            trace_on = true;
        } else if (arg == "--trace-flush") {
            trace_flush = true;
        } else if (arg == "--trace-file" && i + 1 < argc) {
            trace_file = argv[++i];
        }
    }
#if !VM_TRACE
    if (trace_on) {
        std::fprintf(stderr, "error: --trace needs a build with waves\n");
        return 2;
    }
#endif

    Verilated::commandArgs(argc, argv);
    VerilatedContext* const context = Verilated::threadContextp();
    auto top = std::make_unique<Vtop>("");
    // the half period is given in picoseconds: the model's time precision must be 1 ps
    if (context->timeprecision() != -12) {
        std::fprintf(stderr, "error: the design's time precision is 1e%d s; the main loop's clock needs 1 ps "
                             "(`timescale 1ns / 1ps)\n", context->timeprecision());
        return 2;
    }
    Verilated::fatalOnVpiError(false);  // cocotb probes for system tasks that do not exist
#if VM_TRACE
    Verilated::traceEverOn(true);
    if (trace_on) {
        trace = std::make_unique<Trace>();
        top->trace(trace.get(), 99);
        trace->open(trace_file.c_str());
    }
#endif

    vlog_startup_routines_bootstrap();
    Verilated::addExitCb([](void*) { finish_run(); }, nullptr);
    VerilatedVpi::callCbs(cbStartOfSimulation);
    settle();

    auto& clock = top->rootp->IRQLOOP_CLOCK_FIELD;
    uint64_t next_edge = IRQLOOP_CLOCK_HALF_PERIOD;
    while (!Verilated::gotFinish()) {
        if (now == next_edge) {
            clock = !clock;
            next_edge += IRQLOOP_CLOCK_HALF_PERIOD;
        }
        evaluate(*top);
        VerilatedVpi::callCbs(cbReadOnlySynch);
#if VM_TRACE
        if (trace) {
            trace->dump(now);
            if (trace_flush) trace->flush();
        }
#endif
        // the next time step: the next edge, or earlier if Python set a timer before it
        now = std::min<uint64_t>(VerilatedVpi::cbNextDeadline(), next_edge);
        context->time(now);
        VerilatedVpi::callCbs(cbNextSimTime);
        settle();
        VerilatedVpi::callTimedCbs();  // cocotb's timers, at the start of the step
        settle();
    }

    top->final();
    finish_run();
#if VM_TRACE
    trace.reset();
#endif
    return context->errorCount() > 0 ? 1 : 0;
}
