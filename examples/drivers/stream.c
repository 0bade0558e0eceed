/* The second seed thread's streaming driver, its interrupt path in C as a KMDF driver writes it:
 * the twin of hostmodel/driver.py StreamDriver (tests/test_cdriver.py checks they agree).
 *
 * EvtInterruptIsr (DIRQL): read INT_CAUSE, clear what was read; for data-ready, mask the data
 * vector and queue the DPC (FALSE when it is still queued is fine: the DPC does all the work).
 * EvtInterruptDpc (DISPATCH_LEVEL): read PROD_IDX; if the device has lapped the driver, the
 * oldest chunks are gone: skip them; copy every ready slot out of the DMA ring and hand it to the
 * application; free the slots with one CONS_IDX write; unmask the data vector (a chunk that
 * completed while it was masked left it pending, so the device sends one MSI at once).
 *
 * The trace events are the ones the Python driver logs (the scoreboard subscribes to them):
 * chunk_copied(seq, data), ring_overrun_found(prod, cons, lost), dpc_copied(chunks, cons), and
 * error_cause(cause) for the error bits an ISR found.
 */
#include <ntddk.h>
#include <wdf.h>
#include <TraceLoggingProvider.h>

#include "irqloop_regs.h"

TRACELOGGING_DEFINE_PROVIDER(StreamTraceProvider, "IrqloopStream",
    (0x6c1f3a52, 0x0d1e, 0x4b7a, 0x9a, 0x41, 0x2f, 0x63, 0x8e, 0x10, 0x5c, 0x77));

#define STREAM_POOL_TAG 'mrtS'
#define MESSAGE_DATA 0                 /* message n is device vector n (data 0, error 1) */
#ifndef STREAM_MAX_SLOTS_PER_DPC
#define STREAM_MAX_SLOTS_PER_DPC 0     /* 0: every ready slot (stream_one_slot.c sets 1: the bug) */
#endif

typedef struct _DEVICE_CONTEXT {
    irqloop_t volatile *Regs;          /* BAR 0 */
    PUCHAR Ring;                       /* the DMA common buffer the device writes slots into */
    ULONG SlotCount;
    ULONG SlotBytes;
    BOOLEAN RearmByMask;
    ULONG Consumer;                    /* the next sequence number the driver expects */
    PULONG Chunk;                      /* the DPC's copy of one slot */
} DEVICE_CONTEXT, *PDEVICE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DEVICE_CONTEXT, DeviceGetContext)

EVT_WDF_DEVICE_PREPARE_HARDWARE StreamEvtDevicePrepareHardware;
EVT_WDF_INTERRUPT_ISR StreamEvtInterruptIsr;
EVT_WDF_INTERRUPT_DPC StreamEvtInterruptDpc;

IRQLOOP_DRIVER(StreamEvtDevicePrepareHardware, StreamEvtInterruptIsr, StreamEvtInterruptDpc);

_Use_decl_annotations_
NTSTATUS StreamEvtDevicePrepareHardware(WDFDEVICE Device, WDFCMRESLIST ResourcesRaw, WDFCMRESLIST ResourcesTranslated)
{
    PDEVICE_CONTEXT ctx = DeviceGetContext(Device);
    IRQLOOP_STREAM_PARAMETERS params;
    UNREFERENCED_PARAMETER(ResourcesRaw);
    UNREFERENCED_PARAMETER(ResourcesTranslated);

    NTSTATUS status = IrqloopQueryStreamParameters(Device, &params);
    if (!NT_SUCCESS(status))
        return status;
    ctx->Regs = (irqloop_t volatile *)params.Registers;
    ctx->Ring = params.RingVirtualAddress;
    ctx->SlotCount = params.SlotCount;
    ctx->SlotBytes = params.SlotBytes;
    ctx->RearmByMask = params.RearmByMask;
    ctx->Consumer = 0;
    ctx->Chunk = ExAllocatePool2(POOL_FLAG_NON_PAGED, params.SlotBytes, STREAM_POOL_TAG);
    return ctx->Chunk ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

_Use_decl_annotations_
BOOLEAN StreamEvtInterruptIsr(WDFINTERRUPT Interrupt, ULONG MessageID)
{
    PDEVICE_CONTEXT ctx = DeviceGetContext(WdfInterruptGetDevice(Interrupt));
    UNREFERENCED_PARAMETER(MessageID);

    ULONG cause = READ_REGISTER_ULONG(&ctx->Regs->INT_CAUSE);
    if (cause == 0)
        return FALSE;                  /* not ours, or already serviced */
    WRITE_REGISTER_ULONG(&ctx->Regs->INT_CAUSE, cause);     /* write-1-to-clear what was read */
    if (cause & (IRQLOOP__INT_CAUSE__OVERRUN_bm | IRQLOOP__INT_CAUSE__CFGERR_bm))
        TraceLoggingWrite(StreamTraceProvider, "error_cause", TraceLoggingHexUInt32(cause, "cause"));
    if (cause & IRQLOOP__INT_CAUSE__DATA_bm) {
        if (ctx->RearmByMask)
            WRITE_REGISTER_ULONG(&ctx->Regs->MSI_MASK, IRQLOOP__MSI_MASK__DATA_bm);
        WdfInterruptQueueDpcForIsr(Interrupt);
    }
    return TRUE;
}

_Use_decl_annotations_
VOID StreamEvtInterruptDpc(WDFINTERRUPT Interrupt, WDFOBJECT AssociatedObject)
{
    PDEVICE_CONTEXT ctx = DeviceGetContext(WdfInterruptGetDevice(Interrupt));
    UNREFERENCED_PARAMETER(AssociatedObject);

    ULONG prod = READ_REGISTER_ULONG(&ctx->Regs->PROD_IDX);
    ULONG avail = prod - ctx->Consumer;
    if (avail > ctx->SlotCount) {      /* lapped: the oldest chunks were overwritten */
        ULONG lost = avail - ctx->SlotCount;
        TraceLoggingWrite(StreamTraceProvider, "ring_overrun_found", TraceLoggingULong(prod, "prod"),
                          TraceLoggingULong(ctx->Consumer, "cons"), TraceLoggingULong(lost, "lost"));
        ctx->Consumer += lost;
    }

    ULONG copied = 0;
    while (ctx->Consumer != prod &&    /* every ready slot, oldest first */
           (STREAM_MAX_SLOTS_PER_DPC == 0 || copied < STREAM_MAX_SLOTS_PER_DPC)) {
        PUCHAR slot = ctx->Ring + (SIZE_T)(ctx->Consumer % ctx->SlotCount) * ctx->SlotBytes;
        RtlCopyMemory(ctx->Chunk, slot, ctx->SlotBytes);
        IRQLOOP_CPU_WORK_NS(50);       /* the per-chunk bookkeeping (CpuCosts.per_chunk_ps) */
        TraceLoggingWrite(StreamTraceProvider, "chunk_copied", TraceLoggingULong(ctx->Consumer, "seq"),
                          TraceLoggingUInt32Array(ctx->Chunk, ctx->SlotBytes / 4, "data"));
        IrqloopCompleteChunk(ctx->Consumer, ctx->Chunk, ctx->SlotBytes);
        ctx->Consumer++;
        copied++;
    }

    WRITE_REGISTER_ULONG(&ctx->Regs->CONS_IDX, ctx->Consumer);   /* only now may the device reuse them */
    TraceLoggingWrite(StreamTraceProvider, "dpc_copied", TraceLoggingULong(copied, "chunks"),
                      TraceLoggingULong(ctx->Consumer, "cons"));
    if (ctx->RearmByMask)
        WRITE_REGISTER_ULONG(&ctx->Regs->MSI_MASK, 0);
}
