/* irqloop's WDK/WDF shim: what a KMDF driver's interrupt path calls, compiled with gcc on Linux
 * and run inside irqloop's host model in simulated time (docs/c-driver.md).
 *
 * A driver includes <ntddk.h>/<wdf.h> (include/wdk/ forwards them here) or this header, and
 * "irqloop_regs.h" for the device's register offsets and fields. Every call below that touches
 * the simulated machine (a register, a DPC, a lock, time, a trace event) suspends the driver's C
 * code and lets the host model do it at the current simulated time, charging the same CPU costs
 * as the Python drivers (hostmodel/kernel.py CpuCosts). A DDI not declared here is not provided:
 * the build names it (gcc's implicit-declaration error, mapped by irqloop).
 *
 * Rules of the shim (not of Windows):
 * - touch device registers only through READ_/WRITE_REGISTER_*: the register space is mapped
 *   with no access, so a plain dereference faults;
 * - copy out of the DMA common buffer with RtlCopyMemory: it reads host memory piece by piece at
 *   the simulated time each piece is copied (a DMA write landing mid-copy shows) and charges the
 *   copy's CPU time; a plain memcpy costs nothing and reads the whole buffer at one instant.
 */
#ifndef IRQLOOP_WDK_H
#define IRQLOOP_WDK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- SAL annotations and the WDK's calling-convention words: nothing on gcc ---- */
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_reads_bytes_(n)
#define _Out_writes_bytes_(n)
#define _Use_decl_annotations_
#define _IRQL_requires_max_(irql)
#define _IRQL_requires_(irql)
#define _Function_class_(name)
#define _Must_inspect_result_
#define IN
#define OUT
#define OPTIONAL
#define NTAPI
#define FORCEINLINE static inline
#define UNREFERENCED_PARAMETER(p) ((void)(p))
#define PAGED_CODE() ((void)0)

/* ---- basic types, as the WDK names them ---- */
typedef void VOID, *PVOID;
typedef char CHAR, *PCHAR;
typedef const char *PCSTR;
typedef unsigned char UCHAR, *PUCHAR;
typedef unsigned short USHORT, *PUSHORT;
typedef int32_t LONG, *PLONG;
typedef uint32_t ULONG, *PULONG;
typedef int64_t LONG64, *PLONG64, LONGLONG;
typedef uint64_t ULONG64, *PULONG64, ULONGLONG;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;
typedef size_t SIZE_T;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef LONG NTSTATUS;
typedef UCHAR KIRQL, *PKIRQL;
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
typedef union _LARGE_INTEGER {
    struct { ULONG LowPart; LONG HighPart; };
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER, PHYSICAL_ADDRESS;

#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

#define STATUS_SUCCESS                ((NTSTATUS)0x00000000L)
#define STATUS_UNSUCCESSFUL           ((NTSTATUS)0xC0000001L)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_INVALID_PARAMETER      ((NTSTATUS)0xC000000DL)
#define STATUS_DEVICE_CONFIGURATION_ERROR ((NTSTATUS)0xC0000182L)
#define NT_SUCCESS(status) (((NTSTATUS)(status)) >= 0)

#define PASSIVE_LEVEL  0
#define APC_LEVEL      1
#define DISPATCH_LEVEL 2

/* ---- WDF handles ---- */
typedef void *WDFOBJECT;
typedef struct WDFDEVICE__ *WDFDEVICE;
typedef struct WDFINTERRUPT__ *WDFINTERRUPT;
typedef struct WDFCMRESLIST__ *WDFCMRESLIST;
#define WDF_NO_OBJECT_ATTRIBUTES NULL
#define WDF_NO_HANDLE NULL

/* the KMDF callback roles (declare yours as `EVT_WDF_INTERRUPT_ISR MyEvtInterruptIsr;`) */
typedef BOOLEAN EVT_WDF_INTERRUPT_ISR(_In_ WDFINTERRUPT Interrupt, _In_ ULONG MessageID);
typedef VOID EVT_WDF_INTERRUPT_DPC(_In_ WDFINTERRUPT Interrupt, _In_ WDFOBJECT AssociatedObject);
typedef NTSTATUS EVT_WDF_DEVICE_PREPARE_HARDWARE(_In_ WDFDEVICE Device, _In_ WDFCMRESLIST ResourcesRaw,
                                                 _In_ WDFCMRESLIST ResourcesTranslated);
typedef EVT_WDF_INTERRUPT_ISR *PFN_WDF_INTERRUPT_ISR;
typedef EVT_WDF_INTERRUPT_DPC *PFN_WDF_INTERRUPT_DPC;
typedef EVT_WDF_DEVICE_PREPARE_HARDWARE *PFN_WDF_DEVICE_PREPARE_HARDWARE;

/* ---- the driver's entry points: which of its functions the host model calls ----
 * A KMDF driver passes these to WdfDeviceInitSetPnpPowerEventCallbacks and WdfInterruptCreate
 * (WDF_INTERRUPT_CONFIG_INIT). Bring-up is the Python host model's for now (hostmodel/driver.py,
 * hostmodel/strategies.py): name the callbacks once with IRQLOOP_DRIVER(prepare_hardware_or_NULL,
 * isr, dpc_or_NULL). The DPC is the one WdfInterruptQueueDpcForIsr queues; a driver that queues
 * only its own DPC objects (WdfDpcCreate) passes NULL. */
typedef struct _IRQLOOP_DRIVER_CALLBACKS {
    PFN_WDF_DEVICE_PREPARE_HARDWARE EvtDevicePrepareHardware;   /* optional: NULL */
    PFN_WDF_INTERRUPT_ISR EvtInterruptIsr;
    PFN_WDF_INTERRUPT_DPC EvtInterruptDpc;
} IRQLOOP_DRIVER_CALLBACKS;
#define IRQLOOP_DRIVER(prepare, isr, dpc) \
    const IRQLOOP_DRIVER_CALLBACKS IrqloopDriverCallbacks = { (prepare), (isr), (dpc) }

/* What the device was given, as the harness set it up: the mapped register space and the DMA
 * common buffer the ring lives in, with its geometry. Stands in for what a real driver gets from
 * its resource list (MmMapIoSpaceEx), WdfCommonBufferCreate and its registry parameters. */
typedef struct _IRQLOOP_STREAM_PARAMETERS {
    volatile void *Registers;          /* BAR 0, for READ_/WRITE_REGISTER_* */
    ULONG RegistersLength;
    PUCHAR RingVirtualAddress;         /* the ring's slots in host memory (DMA common buffer) */
    PHYSICAL_ADDRESS RingLogicalAddress;
    ULONG SlotCount;
    ULONG SlotBytes;
    BOOLEAN RearmByMask;               /* ISR masks the data vector, DPC unmasks it */
} IRQLOOP_STREAM_PARAMETERS, *PIRQLOOP_STREAM_PARAMETERS;
NTSTATUS IrqloopQueryStreamParameters(_In_ WDFDEVICE Device, _Out_ PIRQLOOP_STREAM_PARAMETERS Parameters);

/* The application's side of the driver: a chunk completed to the consumer (in a real driver a
 * completed read request or a user-mapped cyclic buffer). FALSE when the consumer's buffer is
 * full (the chunk is dropped, counted as lost to the cyclic buffer). */
BOOLEAN IrqloopCompleteChunk(_In_ ULONG Sequence, _In_ const VOID *Data, _In_ ULONG Length);

/* The completion-queue device as the harness set it up: the register space, each queue's ring of
 * 16-byte entries in a DMA common buffer, and which queues each MSI-X message announces (what a
 * real driver decides itself when it programs the device's vector mapping). The two costs are the
 * Python drivers' (hostmodel/strategies.py CqLayout): a C driver charges them with IrqloopCpuWork
 * where it reads entries and handles completions, as its Python twin does. */
#define IRQLOOP_MAX_QUEUES 32
#define IRQLOOP_MAX_MESSAGES 32
typedef struct _IRQLOOP_COMPLETION_QUEUE_PARAMETERS {
    volatile void *Registers;          /* BAR 0, for READ_/WRITE_REGISTER_* */
    ULONG RegistersLength;
    ULONG QueueCount;
    ULONG EntriesPerQueue;             /* entries of 16 bytes; the phase tag is bit 16 of dword 3 */
    PUCHAR QueueVirtualAddress[IRQLOOP_MAX_QUEUES];
    ULONG MessageCount;
    ULONG QueuesOfMessage[IRQLOOP_MAX_MESSAGES];   /* bit q: message m announces queue q */
    ULONG64 EntryReadPicoseconds;      /* one read of a queue entry (a cache miss) */
    ULONG64 PerCompletionPicoseconds;  /* handling one completion */
} IRQLOOP_COMPLETION_QUEUE_PARAMETERS, *PIRQLOOP_COMPLETION_QUEUE_PARAMETERS;
NTSTATUS IrqloopQueryCompletionQueueParameters(_In_ WDFDEVICE Device,
                                               _Out_ PIRQLOOP_COMPLETION_QUEUE_PARAMETERS Parameters);

/* ---- object contexts (WDF_DECLARE_CONTEXT_TYPE_WITH_NAME) ---- */
PVOID IrqloopObjectContext(WDFOBJECT Handle, const char *TypeName, SIZE_T Size);
#define WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(type, accessor) \
    static inline type *accessor(WDFOBJECT Handle) { return (type *)IrqloopObjectContext(Handle, #type, sizeof(type)); }
#define WDF_DECLARE_CONTEXT_TYPE(type) WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(type, WdfObjectGet_##type)
WDFDEVICE WdfInterruptGetDevice(_In_ WDFINTERRUPT Interrupt);

/* ---- registers (the simulated bus: AXI4-Lite, 32-bit; a read waits for its completion, a
 * write is posted) ---- */
UCHAR READ_REGISTER_UCHAR(_In_ volatile UCHAR *Register);
USHORT READ_REGISTER_USHORT(_In_ volatile USHORT *Register);
ULONG READ_REGISTER_ULONG(_In_ volatile ULONG *Register);
ULONG64 READ_REGISTER_ULONG64(_In_ volatile ULONG64 *Register);     /* two reads, low then high */
VOID WRITE_REGISTER_ULONG(_In_ volatile ULONG *Register, _In_ ULONG Value);
VOID WRITE_REGISTER_ULONG64(_In_ volatile ULONG64 *Register, _In_ ULONG64 Value);  /* low, then high */
/* the device's register bus has no byte enables (WSTRB is fixed 0xF): a narrow write would write
 * the whole register, so the build refuses it */
VOID WRITE_REGISTER_UCHAR(_In_ volatile UCHAR *Register, _In_ UCHAR Value)
    __attribute__((error("WRITE_REGISTER_UCHAR: the device's register bus takes 32-bit writes only (no byte enables)")));
VOID WRITE_REGISTER_USHORT(_In_ volatile USHORT *Register, _In_ USHORT Value)
    __attribute__((error("WRITE_REGISTER_USHORT: the device's register bus takes 32-bit writes only (no byte enables)")));

/* ---- DPCs ---- */
struct _KDPC;
typedef VOID KDEFERRED_ROUTINE(_In_ struct _KDPC *Dpc, _In_opt_ PVOID DeferredContext,
                               _In_opt_ PVOID SystemArgument1, _In_opt_ PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;
typedef struct _KDPC {
    PKDEFERRED_ROUTINE DeferredRoutine;
    PVOID DeferredContext;
    ULONG_PTR Reserved[4];             /* the host model's KDPC is found by this object's address */
} KDPC, *PKDPC, *PRKDPC;
typedef enum _KDPC_IMPORTANCE { LowImportance, MediumImportance, HighImportance, MediumHighImportance } KDPC_IMPORTANCE;
VOID KeInitializeDpc(_Out_ PRKDPC Dpc, _In_ PKDEFERRED_ROUTINE DeferredRoutine, _In_opt_ PVOID DeferredContext);
BOOLEAN KeInsertQueueDpc(_Inout_ PRKDPC Dpc, _In_opt_ PVOID SystemArgument1, _In_opt_ PVOID SystemArgument2);
VOID KeSetImportanceDpc(_Inout_ PRKDPC Dpc, _In_ KDPC_IMPORTANCE Importance);
VOID KeSetTargetProcessorDpc(_Inout_ PRKDPC Dpc, _In_ CHAR Number);
BOOLEAN WdfInterruptQueueDpcForIsr(_In_ WDFINTERRUPT Interrupt);

/* framework DPC objects: WdfDpcCreate in EvtDevicePrepareHardware (or EvtDriverDeviceAdd), with
 * the device as the parent; WdfDpcEnqueue from the ISR. AutomaticSerialization is accepted and
 * ignored: the shim models no synchronization scope (KMDF's default, WdfSynchronizationScopeNone,
 * makes it have no effect either). */
typedef struct WDFDPC__ *WDFDPC;
typedef VOID EVT_WDF_DPC(_In_ WDFDPC Dpc);
typedef EVT_WDF_DPC *PFN_WDF_DPC;
typedef struct _WDF_DPC_CONFIG {
    ULONG Size;
    PFN_WDF_DPC EvtDpcFunc;
    BOOLEAN AutomaticSerialization;
} WDF_DPC_CONFIG, *PWDF_DPC_CONFIG;
static inline VOID WDF_DPC_CONFIG_INIT(_Out_ PWDF_DPC_CONFIG Config, _In_ PFN_WDF_DPC EvtDpcFunc)
{
    memset(Config, 0, sizeof *Config);
    Config->Size = sizeof *Config;
    Config->EvtDpcFunc = EvtDpcFunc;
    Config->AutomaticSerialization = TRUE;
}
typedef struct _WDF_OBJECT_ATTRIBUTES {
    ULONG Size;
    PVOID EvtCleanupCallback;          /* not called by the shim */
    PVOID EvtDestroyCallback;          /* not called by the shim */
    int ExecutionLevel;
    int SynchronizationScope;
    WDFOBJECT ParentObject;
    SIZE_T ContextSizeOverride;
    const void *ContextTypeInfo;
} WDF_OBJECT_ATTRIBUTES, *PWDF_OBJECT_ATTRIBUTES;
static inline VOID WDF_OBJECT_ATTRIBUTES_INIT(_Out_ PWDF_OBJECT_ATTRIBUTES Attributes)
{
    memset(Attributes, 0, sizeof *Attributes);
    Attributes->Size = sizeof *Attributes;
}
/* STATUS_INVALID_PARAMETER without a parent (KMDF requires one: a device or a queue) */
NTSTATUS WdfDpcCreate(_In_ PWDF_DPC_CONFIG Config, _In_ PWDF_OBJECT_ATTRIBUTES Attributes, _Out_ WDFDPC *Dpc);
BOOLEAN WdfDpcEnqueue(_In_ WDFDPC Dpc);          /* KeInsertQueueDpc: FALSE when already queued */
WDFOBJECT WdfDpcGetParentObject(_In_ WDFDPC Dpc);
PKDPC WdfDpcWdmGetDpc(_In_ WDFDPC Dpc);

/* ---- locks and IRQL ---- */
VOID WdfInterruptAcquireLock(_In_ WDFINTERRUPT Interrupt);
VOID WdfInterruptReleaseLock(_In_ WDFINTERRUPT Interrupt);
static inline VOID KeInitializeSpinLock(_Out_ PKSPIN_LOCK SpinLock) { *SpinLock = 0; }
VOID KeAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
VOID KeReleaseSpinLockFromDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
/* callbacks run at DISPATCH_LEVEL or above: these take the lock as the ...AtDpcLevel forms do and
 * report DISPATCH_LEVEL as the old IRQL; called above DISPATCH_LEVEL (in an ISR) they fault, as
 * Windows bugchecks (IRQL_NOT_LESS_OR_EQUAL) */
VOID KeAcquireSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKIRQL OldIrql);
VOID KeReleaseSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _In_ KIRQL NewIrql);
typedef struct _KLOCK_QUEUE_HANDLE {
    PKSPIN_LOCK Lock;
    KIRQL OldIrql;
} KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;
VOID KeAcquireInStackQueuedSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKLOCK_QUEUE_HANDLE LockHandle);
VOID KeReleaseInStackQueuedSpinLock(_In_ PKLOCK_QUEUE_HANDLE LockHandle);
VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKLOCK_QUEUE_HANDLE LockHandle);
VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(_In_ PKLOCK_QUEUE_HANDLE LockHandle);
KIRQL KeGetCurrentIrql(VOID);
ULONG KeGetCurrentProcessorNumber(VOID);
#define KeGetCurrentProcessorNumberEx(ProcNumber) KeGetCurrentProcessorNumber()

/* ---- interlocked operations (32-bit; each charges CpuCosts.interlocked_op_ps, then acts) ---- */
LONG InterlockedOr(_Inout_ volatile LONG *Target, _In_ LONG Value);
LONG InterlockedAnd(_Inout_ volatile LONG *Target, _In_ LONG Value);
LONG InterlockedIncrement(_Inout_ volatile LONG *Addend);
LONG InterlockedDecrement(_Inout_ volatile LONG *Addend);
LONG InterlockedExchange(_Inout_ volatile LONG *Target, _In_ LONG Value);
LONG InterlockedCompareExchange(_Inout_ volatile LONG *Destination, _In_ LONG Exchange, _In_ LONG Comparand);
LONG InterlockedExchangeAdd(_Inout_ volatile LONG *Addend, _In_ LONG Value);

/* ---- time ---- */
/* the simulated time in 100 ns units (QPC frequency 10 MHz, as on current Windows) */
LARGE_INTEGER KeQueryPerformanceCounter(_Out_opt_ PLARGE_INTEGER PerformanceFrequency);
/* busy-waits the CPU at its IRQL for MicroSeconds of simulated time */
VOID KeStallExecutionProcessor(_In_ ULONG MicroSeconds);
/* a hint of CPU time spent by the code around it (what the host model cannot see in C) */
VOID IrqloopCpuWork(_In_ ULONG64 Picoseconds);
#define IRQLOOP_CPU_WORK_NS(ns) IrqloopCpuWork((ULONG64)(ns) * 1000u)

/* ---- memory ---- */
VOID IrqloopCopyMemory(_Out_ VOID *Destination, _In_ const VOID *Source, _In_ SIZE_T Length);
#define RtlCopyMemory(Destination, Source, Length) IrqloopCopyMemory((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define POOL_FLAG_NON_PAGED 0x40ull
#define POOL_FLAG_UNINITIALIZED 0x2ull
typedef ULONG64 POOL_FLAGS;
PVOID ExAllocatePool2(_In_ POOL_FLAGS Flags, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);   /* zeroed */
VOID ExFreePoolWithTag(_In_ PVOID P, _In_ ULONG Tag);
#define ExFreePool(P) ExFreePoolWithTag((P), 0)

/* ---- trace output: host-model trace events (Kernel.log), seen by scoreboards and trace.json ---- */
ULONG DbgPrint(_In_ PCSTR Format, ...) __attribute__((format(printf, 1, 2)));  /* event "DbgPrint", text= */
#define KdPrint(args) DbgPrint args

typedef enum { IRQLOOP_FIELD_END, IRQLOOP_FIELD_UNSIGNED, IRQLOOP_FIELD_SIGNED, IRQLOOP_FIELD_STRING,
               IRQLOOP_FIELD_UINT32_ARRAY, IRQLOOP_FIELD_BINARY } IRQLOOP_FIELD_TYPE;
typedef struct _IRQLOOP_TRACE_FIELD {
    const char *Name;
    int Type;                          /* IRQLOOP_FIELD_TYPE */
    ULONG64 Value;                     /* a number, or the element count of an array */
    const void *Pointer;               /* a string or an array */
} IRQLOOP_TRACE_FIELD;
typedef const struct _IRQLOOP_TRACE_PROVIDER { const char *Name; } *TraceLoggingHProvider;
#define TRACELOGGING_DECLARE_PROVIDER(handle) extern TraceLoggingHProvider const handle
#define TRACELOGGING_DEFINE_PROVIDER(handle, name, guid) \
    static const struct _IRQLOOP_TRACE_PROVIDER handle##_irqloop = { name }; \
    TraceLoggingHProvider const handle = &handle##_irqloop
#define TraceLoggingRegister(handle) (STATUS_SUCCESS)
#define TraceLoggingUnregister(handle) ((void)0)
VOID IrqloopTraceWrite(TraceLoggingHProvider Provider, const char *EventName, const IRQLOOP_TRACE_FIELD *Fields,
                       SIZE_T Count);
/* TraceLoggingWrite(provider, "event_name", TraceLoggingUInt32(x, "x"), ...): event_name becomes the
 * trace event's kind, each field a keyword (the Python drivers' Kernel.log(kind, **fields)) */
#define TraceLoggingWrite(provider, name, ...) \
    IrqloopTraceWrite((provider), (name), (const IRQLOOP_TRACE_FIELD[]){ {NULL, IRQLOOP_FIELD_END, 0, NULL}, __VA_ARGS__ }, \
                      sizeof((const IRQLOOP_TRACE_FIELD[]){ {NULL, IRQLOOP_FIELD_END, 0, NULL}, __VA_ARGS__ }) \
                      / sizeof(IRQLOOP_TRACE_FIELD) - 1)
#define IRQLOOP_UNSIGNED_FIELD(v, name) { (name), IRQLOOP_FIELD_UNSIGNED, (ULONG64)(v), NULL }
#define IRQLOOP_SIGNED_FIELD(v, name) { (name), IRQLOOP_FIELD_SIGNED, (ULONG64)(LONG64)(v), NULL }
#define TraceLoggingUInt8(v, name) IRQLOOP_UNSIGNED_FIELD(v, name)
#define TraceLoggingUInt16(v, name) IRQLOOP_UNSIGNED_FIELD(v, name)
#define TraceLoggingUInt32(v, name) IRQLOOP_UNSIGNED_FIELD(v, name)
#define TraceLoggingULong(v, name) IRQLOOP_UNSIGNED_FIELD(v, name)
#define TraceLoggingUInt64(v, name) IRQLOOP_UNSIGNED_FIELD(v, name)
#define TraceLoggingHexUInt32(v, name) IRQLOOP_UNSIGNED_FIELD(v, name)
#define TraceLoggingBoolean(v, name) IRQLOOP_UNSIGNED_FIELD(!!(v), name)
#define TraceLoggingInt32(v, name) IRQLOOP_SIGNED_FIELD(v, name)
#define TraceLoggingLong(v, name) IRQLOOP_SIGNED_FIELD(v, name)
#define TraceLoggingInt64(v, name) IRQLOOP_SIGNED_FIELD(v, name)
#define TraceLoggingString(s, name) { (name), IRQLOOP_FIELD_STRING, 0, (s) }
#define TraceLoggingUInt32Array(p, count, name) { (name), IRQLOOP_FIELD_UINT32_ARRAY, (ULONG64)(count), (p) }
#define TraceLoggingBinary(p, length, name) { (name), IRQLOOP_FIELD_BINARY, (ULONG64)(length), (p) }

#ifdef __cplusplus
}
#endif

#endif /* IRQLOOP_WDK_H */
