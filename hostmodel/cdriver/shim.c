/* The C side of irqloop's WDK shim (include/irqloop_wdk.h): runs a driver's callbacks as
 * coroutines on their own stacks and turns every DDI that touches the simulated machine into a
 * request the host model (hostmodel/cdriver/__init__.py) services in simulated time.
 *
 * One OS thread, no locks: Python starts a callback (irqloop_call_start) or resumes it with the
 * reply to its last request (irqloop_call_resume); the callback runs until its next request or
 * its return, then control is back in Python. Each ISR, DPC or deferred-routine invocation has
 * its own call (stack), so an ISR can preempt a DPC that is waiting in a DDI on the same CPU.
 * What runs when is decided by the host model's scheduler alone: the same seed gives the same run.
 *
 * Compiled together with the driver into one shared library (irqloop's build of driver_file=).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "irqloop_wdk.h"

/* requests: what the driver asks of the host model (the numbers are the Python side's IrqloopOp) */
enum {
    OP_RETURN = 0,          /* the callback returned: arg0 = its value */
    OP_FAULT,               /* the driver broke a rule of the shim: text = why */
    OP_READ_REGISTER,       /* arg0 = offset -> value */
    OP_WRITE_REGISTER,      /* arg0 = offset, arg1 = value */
    OP_QUEUE_DPC_FOR_ISR,   /* arg0 = interrupt handle -> queued */
    OP_INITIALIZE_DPC,      /* arg0 = KDPC address */
    OP_INSERT_QUEUE_DPC,    /* arg0 = KDPC, arg1, arg2 = system arguments -> queued */
    OP_SET_IMPORTANCE_DPC,  /* arg0 = KDPC, arg1 = importance */
    OP_SET_TARGET_DPC,      /* arg0 = KDPC, arg1 = CPU */
    OP_INTERRUPT_LOCK,      /* arg0 = interrupt handle */
    OP_INTERRUPT_UNLOCK,
    OP_SPIN_LOCK_ACQUIRE,   /* arg0 = KSPIN_LOCK address */
    OP_SPIN_LOCK_RELEASE,
    OP_CURRENT_IRQL,        /* -> IRQL */
    OP_CURRENT_PROCESSOR,   /* -> CPU number */
    OP_INTERLOCKED,         /* charge one interlocked operation's time; the shim then does it */
    OP_QUERY_TIME,          /* -> simulated time, ps */
    OP_CPU_WORK,            /* arg0 = ps of CPU time at the caller's IRQL */
    OP_COPY_WORK,           /* arg0, arg1 = bytes copied before and after this piece */
    OP_TRACE,               /* text = event name, arg0 = fields, arg1 = count, arg2 = provider name */
    OP_COMPLETE_CHUNK,      /* arg0 = sequence, arg1 = data, arg2 = length -> accepted */
};

enum { ENTRY_PREPARE_HARDWARE = 1, ENTRY_INTERRUPT_ISR, ENTRY_INTERRUPT_DPC, ENTRY_DEFERRED_ROUTINE };

typedef struct {
    int32_t op;
    int32_t entry;
    uint64_t arg[4];
    const char *text;
    uint64_t reply;
} IRQLOOP_REQUEST;

typedef struct {
    IRQLOOP_REQUEST request;           /* first: the Python side reads it at the call's address */
    ucontext_t caller, callee;
    void *stack;
    size_t stack_bytes;
    uint64_t entry_arg[4];
} IRQLOOP_CALL;

#define STACK_BYTES (512u * 1024u)
#define COPY_PIECE_BYTES 256u          /* hostmodel/driver.py: the same pieces as the Python drivers */
#define MAX_COPY_PIECES 8u

extern const IRQLOOP_DRIVER_CALLBACKS IrqloopDriverCallbacks;

static IRQLOOP_CALL *current;          /* the call running now (one at a time) */
static uintptr_t register_base;        /* the register space: mapped with no access */
static size_t register_bytes;
static uintptr_t host_memory;          /* the simulated host RAM the device DMAs into */
static size_t host_memory_bytes;
static IRQLOOP_STREAM_PARAMETERS stream_parameters;
static IRQLOOP_COMPLETION_QUEUE_PARAMETERS queue_parameters;
static const WDFDEVICE device_handle = (WDFDEVICE)(uintptr_t)0xD0000;

/* ---- the watchdog: C code that neither returns nor calls a DDI for IRQLOOP_C_WATCHDOG_S seconds
 * of wall time (default 10; 0: off) is in an endless loop: the simulator cannot get control back
 * from it, so the watchdog thread names the callback on stderr and ends the process with
 * IRQLOOP_EXIT_C_HANG. It costs the running code nothing: one counter and one flag per switch. */
#define IRQLOOP_EXIT_C_HANG 86
static volatile uint64_t switches;     /* every switch into or out of the driver's C code */
static volatile int in_driver;
static volatile int running_entry;
static unsigned watchdog_seconds = 10;
static pthread_once_t watchdog_once = PTHREAD_ONCE_INIT;

static const char *entry_name(int entry)
{
    switch (entry) {
    case ENTRY_PREPARE_HARDWARE: return "EvtDevicePrepareHardware";
    case ENTRY_INTERRUPT_ISR: return "EvtInterruptIsr";
    case ENTRY_INTERRUPT_DPC: return "EvtInterruptDpc";
    case ENTRY_DEFERRED_ROUTINE: return "DPC routine";
    default: return "callback";
    }
}

static void *watchdog_thread(void *unused)
{
    uint64_t seen = 0;
    unsigned still = 0;
    (void)unused;
    for (;;) {
        sleep(1);
        uint64_t now = __atomic_load_n(&switches, __ATOMIC_RELAXED);
        if (!__atomic_load_n(&in_driver, __ATOMIC_RELAXED) || now != seen) {
            seen = now;
            still = 0;
            continue;
        }
        if (++still >= watchdog_seconds) {
            char text[320];
            int n = snprintf(text, sizeof text, "irqloop WDK shim: your C driver's %s ran %u s of wall time without "
                             "returning or calling a DDI: an endless loop? (IRQLOOP_C_WATCHDOG_S=%u; 0 turns this off)\n",
                             entry_name(running_entry), still, watchdog_seconds);
            if (n > 0 && write(2, text, (size_t)n) < 0)
                n = 0;
            _exit(IRQLOOP_EXIT_C_HANG);
        }
    }
    return NULL;
}

/* ---- a crash in the driver's code: named (callback, signal, address) on stderr, then the previous
 * handler (the simulator's, Python's faulthandler or the default) takes the signal as before ---- */
static struct sigaction previous_segv, previous_bus;
static char crash_stack[64 * 1024];    /* the handler's own stack: a C stack overflow hits the guard page */

static void crash_handler(int sig, siginfo_t *info, void *context)
{
    (void)context;
    if (__atomic_load_n(&in_driver, __ATOMIC_RELAXED)) {
        char text[320];
        int n = snprintf(text, sizeof text, "irqloop WDK shim: your C driver's %s crashed with %s at address %p: a bad "
                         "pointer or a stack overflow (registers only through READ_/WRITE_REGISTER_*; docs/c-driver.md)\n",
                         entry_name(running_entry), sig == SIGSEGV ? "SIGSEGV" : "SIGBUS", info ? info->si_addr : NULL);
        if (n > 0 && write(2, text, (size_t)n) < 0)
            n = 0;
    }
    sigaction(sig, sig == SIGSEGV ? &previous_segv : &previous_bus, NULL);   /* the fault repeats under it */
}

static void install_crash_handler(void)
{
    stack_t alt = { .ss_sp = crash_stack, .ss_size = sizeof crash_stack, .ss_flags = 0 };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = crash_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaltstack(&alt, NULL);
    sigaction(SIGSEGV, &sa, &previous_segv);
    sigaction(SIGBUS, &sa, &previous_bus);
}

static void start_watchdog(void)
{
    install_crash_handler();
    const char *text = getenv("IRQLOOP_C_WATCHDOG_S");
    if (text && *text) {
        char *end;
        unsigned long v = strtoul(text, &end, 10);
        if (*end == '\0' && v == 0)
            return;
        if (*end == '\0' && v < 86400)
            watchdog_seconds = (unsigned)v;
    }
    pthread_attr_t attr;
    pthread_t thread;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&thread, &attr, watchdog_thread, NULL);
    pthread_attr_destroy(&attr);
}

/* control goes to the driver's C code (into = 1) or comes back (0) */
static inline void driver_switch(int into)
{
    __atomic_store_n(&in_driver, into, __ATOMIC_RELAXED);
    __atomic_add_fetch(&switches, 1, __ATOMIC_RELAXED);
}

/* ---- the Python side's entry points ---- */
void *irqloop_map_registers(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    register_base = (uintptr_t)p;
    register_bytes = bytes;
    stream_parameters.Registers = (volatile void *)register_base;
    stream_parameters.RegistersLength = (ULONG)register_bytes;
    return p;
}

void irqloop_set_host_memory(void *base, size_t bytes)
{
    host_memory = (uintptr_t)base;
    host_memory_bytes = bytes;
}

void irqloop_set_stream_parameters(uint64_t ring_offset, uint64_t ring_logical, uint32_t slot_count,
                                   uint32_t slot_bytes, uint32_t rearm_by_mask)
{
    stream_parameters.Registers = (volatile void *)register_base;
    stream_parameters.RegistersLength = (ULONG)register_bytes;
    stream_parameters.RingVirtualAddress = (PUCHAR)(host_memory + ring_offset);
    stream_parameters.RingLogicalAddress.QuadPart = (LONGLONG)ring_logical;
    stream_parameters.SlotCount = slot_count;
    stream_parameters.SlotBytes = slot_bytes;
    stream_parameters.RearmByMask = (BOOLEAN)!!rearm_by_mask;
}

/* the completion queues: `queue_offsets` (host-memory offsets) and `message_queues` (bitmaps)
 * are copied; the costs are in picoseconds */
int irqloop_set_queue_parameters(uint32_t queue_count, uint32_t entries, const uint64_t *queue_offsets,
                                 uint32_t message_count, const uint32_t *message_queues,
                                 uint64_t entry_read_ps, uint64_t per_completion_ps)
{
    if (queue_count > IRQLOOP_MAX_QUEUES || message_count > IRQLOOP_MAX_MESSAGES)
        return -1;
    memset(&queue_parameters, 0, sizeof queue_parameters);
    queue_parameters.Registers = (volatile void *)register_base;
    queue_parameters.RegistersLength = (ULONG)register_bytes;
    queue_parameters.QueueCount = queue_count;
    queue_parameters.EntriesPerQueue = entries;
    for (uint32_t q = 0; q < queue_count; q++)
        queue_parameters.QueueVirtualAddress[q] = (PUCHAR)(host_memory + queue_offsets[q]);
    queue_parameters.MessageCount = message_count;
    for (uint32_t m = 0; m < message_count; m++)
        queue_parameters.QueuesOfMessage[m] = message_queues[m];
    queue_parameters.EntryReadPicoseconds = entry_read_ps;
    queue_parameters.PerCompletionPicoseconds = per_completion_ps;
    return 0;
}

void *irqloop_device_handle(void) { return (void *)device_handle; }

int irqloop_has_entry(int entry)
{
    switch (entry) {
    case ENTRY_PREPARE_HARDWARE: return IrqloopDriverCallbacks.EvtDevicePrepareHardware != NULL;
    case ENTRY_INTERRUPT_ISR: return IrqloopDriverCallbacks.EvtInterruptIsr != NULL;
    case ENTRY_INTERRUPT_DPC: return IrqloopDriverCallbacks.EvtInterruptDpc != NULL;
    default: return 0;
    }
}

IRQLOOP_CALL *irqloop_call_new(void)
{
    pthread_once(&watchdog_once, start_watchdog);
    IRQLOOP_CALL *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    /* a guard page below the stack: an overflow faults instead of corrupting the heap */
    size_t page = 4096;
    char *m = mmap(NULL, STACK_BYTES + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        free(c);
        return NULL;
    }
    mprotect(m, page, PROT_NONE);
    c->stack = m + page;
    c->stack_bytes = STACK_BYTES;
    return c;
}

static void run_entry(void)
{
    IRQLOOP_CALL *c = current;
    uint64_t *a = c->entry_arg;
    uint64_t ret = 0;
    switch (c->request.entry) {
    case ENTRY_PREPARE_HARDWARE:
        ret = (uint64_t)(uint32_t)IrqloopDriverCallbacks.EvtDevicePrepareHardware(
            (WDFDEVICE)(uintptr_t)a[0], (WDFCMRESLIST)(uintptr_t)a[1], (WDFCMRESLIST)(uintptr_t)a[2]);
        break;
    case ENTRY_INTERRUPT_ISR:
        ret = IrqloopDriverCallbacks.EvtInterruptIsr((WDFINTERRUPT)(uintptr_t)a[0], (ULONG)a[1]);
        break;
    case ENTRY_INTERRUPT_DPC:
        IrqloopDriverCallbacks.EvtInterruptDpc((WDFINTERRUPT)(uintptr_t)a[0], (WDFOBJECT)(uintptr_t)a[1]);
        break;
    case ENTRY_DEFERRED_ROUTINE: {
        PKDPC dpc = (PKDPC)(uintptr_t)a[0];
        dpc->DeferredRoutine(dpc, dpc->DeferredContext, (PVOID)(uintptr_t)a[2], (PVOID)(uintptr_t)a[3]);
        break;
    }
    }
    c = current;
    c->request.op = OP_RETURN;
    c->request.arg[0] = ret;
    swapcontext(&c->callee, &c->caller);    /* never resumed: the next start makes a new context */
}

/* Start entry point `entry` on call `c`; returns when it makes its first request or returns. */
void irqloop_call_start(IRQLOOP_CALL *c, int entry, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    c->request.entry = entry;
    c->entry_arg[0] = a0, c->entry_arg[1] = a1, c->entry_arg[2] = a2, c->entry_arg[3] = a3;
    getcontext(&c->callee);
    c->callee.uc_stack.ss_sp = c->stack;
    c->callee.uc_stack.ss_size = c->stack_bytes;
    c->callee.uc_link = NULL;
    makecontext(&c->callee, run_entry, 0);
    current = c;
    running_entry = entry;
    driver_switch(1);
    swapcontext(&c->caller, &c->callee);
    driver_switch(0);
    current = NULL;
}

/* Resume call `c` with the reply to its request; returns at its next request or its return. */
void irqloop_call_resume(IRQLOOP_CALL *c, uint64_t reply)
{
    c->request.reply = reply;
    current = c;
    running_entry = c->request.entry;
    driver_switch(1);
    swapcontext(&c->caller, &c->callee);
    driver_switch(0);
    current = NULL;
}

/* ---- the driver's side: a request, answered when the host model resumes the call ---- */
static uint64_t request(int op, uint64_t a0, uint64_t a1, uint64_t a2, const char *text)
{
    IRQLOOP_CALL *c = current;
    if (!c) {
        fprintf(stderr, "irqloop WDK shim: a DDI was called outside a driver callback\n");
        abort();
    }
    c->request.op = op;
    c->request.arg[0] = a0, c->request.arg[1] = a1, c->request.arg[2] = a2;
    c->request.text = text;
    swapcontext(&c->callee, &c->caller);
    return current->request.reply;
}

static void fault(const char *why)
{
    request(OP_FAULT, 0, 0, 0, why);
    abort();                           /* the host model raises and never resumes a faulted call */
}

static uint64_t register_offset(volatile const void *reg, size_t width)
{
    uintptr_t p = (uintptr_t)reg;
    if (p < register_base || p + width > register_base + register_bytes)
        fault("READ_/WRITE_REGISTER_* on an address outside the device's register space");
    return p - register_base;
}

ULONG READ_REGISTER_ULONG(volatile ULONG *Register)
{
    uint64_t off = register_offset(Register, 4);
    if (off & 3)
        fault("READ_REGISTER_ULONG on an unaligned register address");
    return (ULONG)request(OP_READ_REGISTER, off, 0, 0, NULL);
}

/* narrow reads: the aligned 32-bit read (the register has no read side effects per byte lane) */
UCHAR READ_REGISTER_UCHAR(volatile UCHAR *Register)
{
    uint64_t off = register_offset(Register, 1);
    ULONG v = (ULONG)request(OP_READ_REGISTER, off & ~3ull, 0, 0, NULL);
    return (UCHAR)(v >> (8 * (off & 3)));
}

USHORT READ_REGISTER_USHORT(volatile USHORT *Register)
{
    uint64_t off = register_offset(Register, 2);
    if (off & 1)
        fault("READ_REGISTER_USHORT on an unaligned register address");
    ULONG v = (ULONG)request(OP_READ_REGISTER, off & ~3ull, 0, 0, NULL);
    return (USHORT)(v >> (8 * (off & 2)));
}

ULONG64 READ_REGISTER_ULONG64(volatile ULONG64 *Register)
{
    uint64_t off = register_offset(Register, 8);
    if (off & 7)
        fault("READ_REGISTER_ULONG64 on an unaligned register address");
    ULONG64 lo = request(OP_READ_REGISTER, off, 0, 0, NULL) & 0xFFFFFFFFu;
    ULONG64 hi = request(OP_READ_REGISTER, off + 4, 0, 0, NULL) & 0xFFFFFFFFu;
    return lo | hi << 32;
}

VOID WRITE_REGISTER_ULONG(volatile ULONG *Register, ULONG Value)
{
    uint64_t off = register_offset(Register, 4);
    if (off & 3)
        fault("WRITE_REGISTER_ULONG on an unaligned register address");
    request(OP_WRITE_REGISTER, off, Value, 0, NULL);
}

VOID WRITE_REGISTER_ULONG64(volatile ULONG64 *Register, ULONG64 Value)
{
    uint64_t off = register_offset(Register, 8);
    if (off & 7)
        fault("WRITE_REGISTER_ULONG64 on an unaligned register address");
    request(OP_WRITE_REGISTER, off, Value & 0xFFFFFFFFu, 0, NULL);
    request(OP_WRITE_REGISTER, off + 4, Value >> 32, 0, NULL);
}

/* ---- objects ---- */
NTSTATUS IrqloopQueryStreamParameters(WDFDEVICE Device, PIRQLOOP_STREAM_PARAMETERS Parameters)
{
    if (Device != device_handle || !Parameters)
        return STATUS_UNSUCCESSFUL;
    *Parameters = stream_parameters;
    return STATUS_SUCCESS;
}

NTSTATUS IrqloopQueryCompletionQueueParameters(WDFDEVICE Device, PIRQLOOP_COMPLETION_QUEUE_PARAMETERS Parameters)
{
    if (Device != device_handle || !Parameters || !queue_parameters.QueueCount)
        return STATUS_UNSUCCESSFUL;
    *Parameters = queue_parameters;
    return STATUS_SUCCESS;
}

WDFDEVICE WdfInterruptGetDevice(WDFINTERRUPT Interrupt)
{
    UNREFERENCED_PARAMETER(Interrupt);
    return device_handle;              /* one device per driver library */
}

#define MAX_CONTEXTS 64
static struct { WDFOBJECT handle; const char *type; void *context; } contexts[MAX_CONTEXTS];

PVOID IrqloopObjectContext(WDFOBJECT Handle, const char *TypeName, SIZE_T Size)
{
    /* an interrupt's context is its device's in this shim (one context per object type) */
    for (int i = 0; i < MAX_CONTEXTS; i++) {
        if (contexts[i].type && strcmp(contexts[i].type, TypeName) == 0)
            return contexts[i].context;
        if (!contexts[i].type) {
            contexts[i].handle = Handle;
            contexts[i].type = TypeName;
            contexts[i].context = calloc(1, Size ? Size : 1);
            return contexts[i].context;
        }
    }
    fault("more than 64 object context types");
    return NULL;
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(Tag);
    return calloc(1, NumberOfBytes ? NumberOfBytes : 1);
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    UNREFERENCED_PARAMETER(Tag);
    free(P);
}

/* ---- DPCs ---- */
enum { DPC_KERNEL = 0, DPC_FRAMEWORK = 1 };     /* OP_INITIALIZE_DPC arg1: how the host model names it */

static void initialize_dpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext, int kind)
{
    memset(Dpc, 0, sizeof *Dpc);
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    request(OP_INITIALIZE_DPC, (uintptr_t)Dpc, (uint64_t)kind, 0, NULL);
}

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    initialize_dpc(Dpc, DeferredRoutine, DeferredContext, DPC_KERNEL);
}

/* a framework DPC object: the KDPC first (WdfDpcWdmGetDpc), its EvtDpcFunc called with the object */
struct WDFDPC__ {
    KDPC Dpc;
    PFN_WDF_DPC EvtDpcFunc;
    WDFOBJECT Parent;
};

static VOID framework_dpc_routine(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    WDFDPC dpc = (WDFDPC)DeferredContext;
    dpc->EvtDpcFunc(dpc);
}

NTSTATUS WdfDpcCreate(PWDF_DPC_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFDPC *Dpc)
{
    if (!Config || !Config->EvtDpcFunc || !Attributes || !Attributes->ParentObject || !Dpc)
        return STATUS_INVALID_PARAMETER;
    WDFDPC dpc = calloc(1, sizeof *dpc);
    if (!dpc)
        return STATUS_INSUFFICIENT_RESOURCES;
    dpc->EvtDpcFunc = Config->EvtDpcFunc;
    dpc->Parent = Attributes->ParentObject;
    initialize_dpc(&dpc->Dpc, framework_dpc_routine, dpc, DPC_FRAMEWORK);
    *Dpc = dpc;
    return STATUS_SUCCESS;
}

BOOLEAN WdfDpcEnqueue(WDFDPC Dpc) { return KeInsertQueueDpc(&Dpc->Dpc, NULL, NULL); }
WDFOBJECT WdfDpcGetParentObject(WDFDPC Dpc) { return Dpc->Parent; }
PKDPC WdfDpcWdmGetDpc(WDFDPC Dpc) { return &Dpc->Dpc; }

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    return (BOOLEAN)request(OP_INSERT_QUEUE_DPC, (uintptr_t)Dpc, (uintptr_t)SystemArgument1,
                            (uintptr_t)SystemArgument2, NULL);
}

VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance)
{
    request(OP_SET_IMPORTANCE_DPC, (uintptr_t)Dpc, (uint64_t)Importance, 0, NULL);
}

VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CHAR Number)
{
    request(OP_SET_TARGET_DPC, (uintptr_t)Dpc, (uint64_t)(UCHAR)Number, 0, NULL);
}

BOOLEAN WdfInterruptQueueDpcForIsr(WDFINTERRUPT Interrupt)
{
    return (BOOLEAN)request(OP_QUEUE_DPC_FOR_ISR, (uintptr_t)Interrupt, 0, 0, NULL);
}

/* ---- locks, IRQL ---- */
VOID WdfInterruptAcquireLock(WDFINTERRUPT Interrupt) { request(OP_INTERRUPT_LOCK, (uintptr_t)Interrupt, 0, 0, NULL); }
VOID WdfInterruptReleaseLock(WDFINTERRUPT Interrupt) { request(OP_INTERRUPT_UNLOCK, (uintptr_t)Interrupt, 0, 0, NULL); }
VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { request(OP_SPIN_LOCK_ACQUIRE, (uintptr_t)SpinLock, 0, 0, NULL); }
VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { request(OP_SPIN_LOCK_RELEASE, (uintptr_t)SpinLock, 0, 0, NULL); }
KIRQL KeGetCurrentIrql(VOID) { return (KIRQL)request(OP_CURRENT_IRQL, 0, 0, 0, NULL); }

static KIRQL at_most_dispatch(const char *ddi)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql > DISPATCH_LEVEL) {
        char text[160];
        snprintf(text, sizeof text, "%s above DISPATCH_LEVEL (IRQL %u, in an ISR): Windows bugchecks "
                 "IRQL_NOT_LESS_OR_EQUAL; use WdfInterruptAcquireLock there", ddi, (unsigned)irql);
        fault(text);
    }
    return irql;
}

VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    *OldIrql = at_most_dispatch("KeAcquireSpinLock");
    KeAcquireSpinLockAtDpcLevel(SpinLock);
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    UNREFERENCED_PARAMETER(NewIrql);   /* DISPATCH_LEVEL: every callback runs at it or above */
    KeReleaseSpinLockFromDpcLevel(SpinLock);
}

VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    LockHandle->Lock = SpinLock;
    LockHandle->OldIrql = at_most_dispatch("KeAcquireInStackQueuedSpinLock");
    KeAcquireSpinLockAtDpcLevel(SpinLock);
}

VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle) { KeReleaseSpinLockFromDpcLevel(LockHandle->Lock); }

VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    LockHandle->Lock = SpinLock;
    LockHandle->OldIrql = DISPATCH_LEVEL;
    KeAcquireSpinLockAtDpcLevel(SpinLock);
}

VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KeReleaseSpinLockFromDpcLevel(LockHandle->Lock);
}
ULONG KeGetCurrentProcessorNumber(VOID) { return (ULONG)request(OP_CURRENT_PROCESSOR, 0, 0, 0, NULL); }

/* ---- interlocked: the time first, then the operation (as the Python kernel does) ---- */
#define INTERLOCKED(expr) do { request(OP_INTERLOCKED, 0, 0, 0, NULL); expr; } while (0)
LONG InterlockedOr(volatile LONG *Target, LONG Value) { LONG old; INTERLOCKED(old = *Target; *Target = old | Value); return old; }
LONG InterlockedAnd(volatile LONG *Target, LONG Value) { LONG old; INTERLOCKED(old = *Target; *Target = old & Value); return old; }
LONG InterlockedIncrement(volatile LONG *Addend) { LONG v; INTERLOCKED(v = (LONG)((ULONG)*Addend + 1u); *Addend = v); return v; }
LONG InterlockedDecrement(volatile LONG *Addend) { LONG v; INTERLOCKED(v = (LONG)((ULONG)*Addend - 1u); *Addend = v); return v; }
LONG InterlockedExchange(volatile LONG *Target, LONG Value) { LONG old; INTERLOCKED(old = *Target; *Target = Value); return old; }
LONG InterlockedExchangeAdd(volatile LONG *Addend, LONG Value)
{
    LONG old;
    INTERLOCKED(old = *Addend; *Addend = (LONG)((ULONG)old + (ULONG)Value));
    return old;
}
LONG InterlockedCompareExchange(volatile LONG *Destination, LONG Exchange, LONG Comparand)
{
    LONG old;
    INTERLOCKED(old = *Destination; if (old == Comparand) *Destination = Exchange);
    return old;
}

/* ---- time ---- */
LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER now;
    if (PerformanceFrequency)
        PerformanceFrequency->QuadPart = 10000000;
    now.QuadPart = (LONGLONG)(request(OP_QUERY_TIME, 0, 0, 0, NULL) / 100000u);
    return now;
}

VOID KeStallExecutionProcessor(ULONG MicroSeconds) { request(OP_CPU_WORK, (uint64_t)MicroSeconds * 1000000u, 0, 0, NULL); }
VOID IrqloopCpuWork(ULONG64 Picoseconds) { request(OP_CPU_WORK, Picoseconds, 0, 0, NULL); }

/* ---- memory ---- */
static int in_host_memory(const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p;
    return n && a >= host_memory && a + n <= host_memory + host_memory_bytes;
}

VOID IrqloopCopyMemory(VOID *Destination, const VOID *Source, SIZE_T Length)
{
    if (!in_host_memory(Source, Length) && !in_host_memory(Destination, Length)) {
        memcpy(Destination, Source, Length);
        request(OP_COPY_WORK, 0, Length, 0, NULL);
        return;
    }
    /* host memory changes under the copy (the device's DMA): each piece is read at the simulated
     * time it is copied, then its CPU time passes (hostmodel/driver.py StreamDriver.copy_slot) */
    size_t piece = ((Length + MAX_COPY_PIECES - 1) / MAX_COPY_PIECES + 3) & ~(size_t)3;
    if (piece < COPY_PIECE_BYTES)
        piece = COPY_PIECE_BYTES;
    for (size_t off = 0; off < Length; off += piece) {
        size_t end = off + piece < Length ? off + piece : Length;
        memcpy((char *)Destination + off, (const char *)Source + off, end - off);
        request(OP_COPY_WORK, off, end, 0, NULL);
    }
}

/* ---- trace ---- */
ULONG DbgPrint(PCSTR Format, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, Format);
    int n = vsnprintf(text, sizeof text, Format, ap);
    va_end(ap);
    IRQLOOP_TRACE_FIELD field = { "text", IRQLOOP_FIELD_STRING, 0, text };
    request(OP_TRACE, (uintptr_t)&field, 1, 0, "DbgPrint");
    return n < 0 ? 0 : (ULONG)n;
}

VOID IrqloopTraceWrite(TraceLoggingHProvider Provider, const char *EventName, const IRQLOOP_TRACE_FIELD *Fields,
                       SIZE_T Count)
{
    request(OP_TRACE, (uintptr_t)(Fields + 1), Count, (uintptr_t)(Provider ? Provider->Name : NULL), EventName);
}

BOOLEAN IrqloopCompleteChunk(ULONG Sequence, const VOID *Data, ULONG Length)
{
    return (BOOLEAN)request(OP_COMPLETE_CHUNK, Sequence, (uintptr_t)Data, Length, NULL);
}
