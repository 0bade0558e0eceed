/* The first seed thread's completion-queue driver, its interrupt path in C as a KMDF driver writes
 * it: the InterlockedOr bitmap, the twin of hostmodel/strategies.py InterlockedOrBitmapDriver
 * (tests/test_cdriver.py checks they agree on the RTL).
 *
 * EvtInterruptIsr (DIRQL, one call per MSI-X message): for every queue the message announces,
 * InterlockedOr the queue's bit into the pending bitmap and enqueue the DPC. Enqueueing a DPC
 * that is still queued returns FALSE and does nothing; the bit is already set, so nothing is lost:
 * the bitmap, not the number of DPC runs, says what happened.
 * EvtDpcFunc (DISPATCH_LEVEL): InterlockedExchange the bitmap to 0 and drain each queue it names:
 * under the queue's spin lock (the DPC object can run on two CPUs at once when ISRs on two CPUs
 * enqueue it), consume every entry whose phase tag is the expected one, then free them all with
 * one head doorbell write.
 *
 * The trace event the scoreboard subscribes to is the Python strategies' own:
 * cq_entry_consumed(queue, slot, entry: its four dwords, cpu).
 */
#include <ntddk.h>
#include <wdf.h>
#include <TraceLoggingProvider.h>

#include "irqloop_regs.h"

TRACELOGGING_DEFINE_PROVIDER(CqTraceProvider, "IrqloopCompletionQueues",
    (0x3b8e0f7a, 0x51c2, 0x4d09, 0x8a, 0x6e, 0x1f, 0x2c, 0x93, 0x47, 0xb0, 0x5d));

#define CQ_POOL_TAG 'qCrI'
#define CQ_PHASE_BIT (1u << 16)         /* in dword 3 of an entry, as NVMe's phase tag */
#ifndef CQ_MAX_ENTRIES_PER_RUN
#define CQ_MAX_ENTRIES_PER_RUN 0       /* 0: drain the queue (cq_one_entry.c sets 1: the bug) */
#endif

typedef struct _CQ_HOST_STATE {
    KSPIN_LOCK Lock;
    ULONG Head;                        /* the next entry the driver reads */
    ULONG Phase;                       /* the phase tag a new entry carries (1 on the first pass) */
} CQ_HOST_STATE;

typedef struct _CQ_ENTRY { ULONG Dword[4]; } CQ_ENTRY;

typedef struct _DEVICE_CONTEXT {
    irqloop_t volatile *Regs;          /* BAR 0 */
    IRQLOOP_COMPLETION_QUEUE_PARAMETERS Queues;
    WDFDPC Dpc;
    CQ_ENTRY *Taken;                   /* a DPC's copy of the entries of one pass over a queue */
    volatile LONG Pending;             /* bit q: queue q has news */
    CQ_HOST_STATE Cq[IRQLOOP_MAX_QUEUES];
} DEVICE_CONTEXT, *PDEVICE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DEVICE_CONTEXT, DeviceGetContext)

EVT_WDF_DEVICE_PREPARE_HARDWARE CqEvtDevicePrepareHardware;
EVT_WDF_INTERRUPT_ISR CqEvtInterruptIsr;
EVT_WDF_DPC CqEvtDpcFunc;

IRQLOOP_DRIVER(CqEvtDevicePrepareHardware, CqEvtInterruptIsr, NULL);

_Use_decl_annotations_
NTSTATUS CqEvtDevicePrepareHardware(WDFDEVICE Device, WDFCMRESLIST ResourcesRaw, WDFCMRESLIST ResourcesTranslated)
{
    PDEVICE_CONTEXT ctx = DeviceGetContext(Device);
    WDF_DPC_CONFIG dpcConfig;
    WDF_OBJECT_ATTRIBUTES attributes;
    UNREFERENCED_PARAMETER(ResourcesRaw);
    UNREFERENCED_PARAMETER(ResourcesTranslated);

    NTSTATUS status = IrqloopQueryCompletionQueueParameters(Device, &ctx->Queues);
    if (!NT_SUCCESS(status))
        return status;
    ctx->Regs = (irqloop_t volatile *)ctx->Queues.Registers;
    for (ULONG q = 0; q < ctx->Queues.QueueCount; q++) {
        KeInitializeSpinLock(&ctx->Cq[q].Lock);
        ctx->Cq[q].Head = 0;
        ctx->Cq[q].Phase = 1;
    }
    ctx->Pending = 0;
    ctx->Taken = ExAllocatePool2(POOL_FLAG_NON_PAGED, ctx->Queues.EntriesPerQueue * sizeof(CQ_ENTRY), CQ_POOL_TAG);
    if (!ctx->Taken)
        return STATUS_INSUFFICIENT_RESOURCES;

    WDF_DPC_CONFIG_INIT(&dpcConfig, CqEvtDpcFunc);
    dpcConfig.AutomaticSerialization = FALSE;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = Device;
    return WdfDpcCreate(&dpcConfig, &attributes, &ctx->Dpc);
}

_Use_decl_annotations_
BOOLEAN CqEvtInterruptIsr(WDFINTERRUPT Interrupt, ULONG MessageID)
{
    PDEVICE_CONTEXT ctx = DeviceGetContext(WdfInterruptGetDevice(Interrupt));
    ULONG queues = MessageID < ctx->Queues.MessageCount ? ctx->Queues.QueuesOfMessage[MessageID] : 0;

    for (ULONG q = 0; q < ctx->Queues.QueueCount; q++) {
        if (queues & (1u << q)) {
            InterlockedOr(&ctx->Pending, (LONG)(1u << q));
            WdfDpcEnqueue(ctx->Dpc);
        }
    }
    return TRUE;
}

/* Consume queue q's new completions (DISPATCH_LEVEL, its lock held); returns how many. */
static ULONG CqDrainQueue(PDEVICE_CONTEXT ctx, ULONG q)
{
    CQ_HOST_STATE *cq = &ctx->Cq[q];
    ULONG entries = ctx->Queues.EntriesPerQueue;
    ULONG first = cq->Head;
    ULONG taken = 0;

    /* read every entry that carries the expected phase: the device wrote it since the last pass
     * (at most a queue's worth: the phase expected flips at the wrap) */
    while (CQ_MAX_ENTRIES_PER_RUN == 0 || taken < CQ_MAX_ENTRIES_PER_RUN) {
        volatile CQ_ENTRY *entry = (volatile CQ_ENTRY *)ctx->Queues.QueueVirtualAddress[q] + cq->Head;
        if (((entry->Dword[3] & CQ_PHASE_BIT) != 0) != (cq->Phase != 0))
            break;
        for (int d = 0; d < 4; d++)
            ctx->Taken[taken].Dword[d] = entry->Dword[d];
        taken++;
        if (++cq->Head == entries) {
            cq->Head = 0;
            cq->Phase ^= 1;
        }
    }
    /* the entry reads (one more than taken: the one that ended the pass) and the handling */
    IrqloopCpuWork((taken + 1) * ctx->Queues.EntryReadPicoseconds + taken * ctx->Queues.PerCompletionPicoseconds);
    ULONG cpu = KeGetCurrentProcessorNumber();
    for (ULONG i = 0; i < taken; i++)
        TraceLoggingWrite(CqTraceProvider, "cq_entry_consumed", TraceLoggingULong(q, "queue"),
                          TraceLoggingULong((first + i) % entries, "slot"),
                          TraceLoggingUInt32Array(ctx->Taken[i].Dword, 4, "entry"),
                          TraceLoggingULong(cpu, "cpu"));
    if (taken)
        WRITE_REGISTER_ULONG(&ctx->Regs->CQ[q].HEAD, cq->Head);   /* only now may the device reuse them */
    return taken;
}

_Use_decl_annotations_
VOID CqEvtDpcFunc(WDFDPC Dpc)
{
    PDEVICE_CONTEXT ctx = DeviceGetContext(WdfDpcGetParentObject(Dpc));
    ULONG bits = (ULONG)InterlockedExchange(&ctx->Pending, 0);

    for (ULONG q = 0; q < ctx->Queues.QueueCount; q++) {
        if (!(bits & (1u << q)))
            continue;
        KeAcquireSpinLockAtDpcLevel(&ctx->Cq[q].Lock);
        CqDrainQueue(ctx, q);
        KeReleaseSpinLockFromDpcLevel(&ctx->Cq[q].Lock);
    }
}
