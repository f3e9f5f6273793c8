/* cudatrace.c — CUPTI activity records turned into trace events (see
 * cudatrace.h). Built only where CUPTI's headers are (PARC_HAVE_CUPTI);
 * libcupti itself is loaded at run time. */
#include "cudatrace.h"
#include "cudadev.h"
#include "trace.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct cudatrace_counts counts;

void cudatrace_counts(struct cudatrace_counts *out)
{
    *out = counts;
}

#ifndef PARC_HAVE_CUPTI

void cudatrace_cell_begin(void)
{
}

void cudatrace_cell_end(void)
{
}

#else

#include <cupti.h>
#include <dlfcn.h>

#define BUF_SIZE (4u << 20)
#define MAX_LANES 32
#define MAX_COPY_NAMES 256

static struct {
    int loaded, failed;
    typeof(&cuptiActivityRegisterCallbacks) register_callbacks;
    typeof(&cuptiActivityEnable) enable;
    typeof(&cuptiActivityFlushAll) flush_all;
    typeof(&cuptiActivityGetNextRecord) next_record;
    typeof(&cuptiGetTimestamp) timestamp;
    typeof(&cuptiGetCallbackName) callback_name;
} api;

/* Per cell: CUPTI's clock to the recording's, and the lanes made so far. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t offset_ns;
static int active;
static struct {
    uint32_t stream; /* UINT32_MAX: the host's runtime calls */
    uint32_t tid;
    int lane;
} lanes[MAX_LANES];
static int nlanes, copy_names;

static void *load_cupti(void)
{
    void *h = dlopen("libcupti.so.13", RTLD_NOW | RTLD_GLOBAL);
    const char *dirs[] = {"lib64", "extras/CUPTI/lib64", NULL};
    for (int i = 0; !h && dirs[i]; i++) {
        char *p = xasprintf("%s/%s/libcupti.so", cudadev_home(), dirs[i]);
        h = dlopen(p, RTLD_NOW | RTLD_GLOBAL);
        free(p);
    }
    return h;
}

static void CUPTIAPI on_buffer_requested(uint8_t **buffer, size_t *size, size_t *max_records)
{
    *buffer = aligned_alloc(8, BUF_SIZE);
    *size = *buffer ? BUF_SIZE : 0;
    *max_records = 0;
}

/* The lane of stream (or of the host thread tid), made on first use.
 * Called with lock held. */
static int lane_of(uint32_t stream, uint32_t tid)
{
    for (int i = 0; i < nlanes; i++)
        if (lanes[i].stream == stream && lanes[i].tid == tid)
            return lanes[i].lane;
    if (nlanes == MAX_LANES)
        return -1;
    char label[96];
    if (stream == UINT32_MAX)
        snprintf(label, sizeof label, "CUDA API (host thread %u)", tid);
    else
        snprintf(label, sizeof label, "CUDA stream %u", stream);
    int lane = trace_rec_new_lane(label);
    lanes[nlanes].stream = stream;
    lanes[nlanes].tid = tid;
    lanes[nlanes++].lane = lane;
    return lane;
}

/* "_Z7saxpy_kifPKfPf" -> "saxpy_k"; other names as they are. */
static void short_name(const char *mangled, char *out, size_t n)
{
    const char *p = mangled ? mangled : "kernel";
    if (!strncmp(p, "_Z", 2) && p[2] >= '1' && p[2] <= '9') {
        char *end;
        long len = strtol(p + 2, &end, 10);
        if (len > 0 && (size_t)len < n && (long)strlen(end) >= len) {
            memcpy(out, end, (size_t)len);
            out[len] = 0;
            return;
        }
    }
    snprintf(out, n, "%s", p);
}

static const char *copy_kind(uint8_t kind)
{
    switch (kind) {
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD: return "HtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH: return "DtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD: return "DtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOH: return "HtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_PTOP: return "PtoP";
    default: return "copy";
    }
}

static void fmt_bytes(uint64_t b, char *out, size_t n)
{
    if (b >= 1000000)
        snprintf(out, n, "%.2f MB", (double)b / 1e6);
    else if (b >= 1000)
        snprintf(out, n, "%.1f kB", (double)b / 1e3);
    else
        snprintf(out, n, "%llu B", (unsigned long long)b);
}

static void on_kernel(const CUpti_ActivityKernel10 *k)
{
    char name[160], full[320];
    short_name(k->name, name, sizeof name);
    snprintf(full, sizeof full, "%s grid (%d,%d,%d) block (%d,%d,%d)", name, k->gridX, k->gridY, k->gridZ, k->blockX,
             k->blockY, k->blockZ);
    int lane = lane_of(k->streamId, 0);
    if (lane >= 0 && k->end >= k->start)
        trace_rec_event(lane, TRACE_TASK, trace_rec_name(full), (int64_t)k->start + offset_ns,
                        (int64_t)k->end + offset_ns, (int64_t)k->gridX * k->gridY * k->gridZ,
                        (int64_t)k->blockX * k->blockY * k->blockZ);
    counts.kernels++;
}

static void on_copy(const CUpti_ActivityMemcpy6 *m)
{
    char size[32], full[128];
    fmt_bytes(m->bytes, size, sizeof size);
    double s = (double)(m->end - m->start) / 1e9;
    double gbs = s > 0 ? (double)m->bytes / s / 1e9 : 0;
    /* Names carry size and bandwidth for the tooltip; past a few hundred
     * distinct ones (copies in a loop) the arguments carry them. */
    if (copy_names < MAX_COPY_NAMES) {
        snprintf(full, sizeof full, "%s copy %s, %.1f GB/s", copy_kind(m->copyKind), size, gbs);
        copy_names++;
    } else
        snprintf(full, sizeof full, "%s copy", copy_kind(m->copyKind));
    int lane = lane_of(m->streamId, 0);
    if (lane >= 0 && m->end >= m->start)
        trace_rec_event(lane, TRACE_TASK, trace_rec_name(full), (int64_t)m->start + offset_ns,
                        (int64_t)m->end + offset_ns, (int64_t)m->bytes, (int64_t)(gbs * 1000));
    counts.copies++;
}

static void on_api(const CUpti_ActivityAPI *a)
{
    const char *cb = NULL;
    char name[96];
    if (api.callback_name(CUPTI_CB_DOMAIN_RUNTIME_API, a->cbid, &cb) != CUPTI_SUCCESS || !cb)
        cb = "cuda call";
    snprintf(name, sizeof name, "%s", cb);
    char *v = strstr(name, "_v");
    if (v && v[2] >= '0' && v[2] <= '9')
        *v = 0; /* cudaMemcpy_v3020 -> cudaMemcpy */
    int lane = lane_of(UINT32_MAX, a->threadId);
    if (lane >= 0 && a->end >= a->start)
        trace_rec_event(lane, TRACE_SPAN, trace_rec_name(name), (int64_t)a->start + offset_ns,
                        (int64_t)a->end + offset_ns, TRACE_NO_ARG, TRACE_NO_ARG);
    counts.api_calls++;
}

static void CUPTIAPI on_buffer_completed(CUcontext ctx, uint32_t stream, uint8_t *buffer, size_t size, size_t valid)
{
    (void)ctx;
    (void)stream;
    (void)size;
    CUpti_Activity *r = NULL;
    pthread_mutex_lock(&lock);
    while (active && valid && api.next_record(buffer, valid, &r) == CUPTI_SUCCESS) {
        switch (r->kind) {
        case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL:
        case CUPTI_ACTIVITY_KIND_KERNEL:
            on_kernel((const CUpti_ActivityKernel10 *)r);
            break;
        case CUPTI_ACTIVITY_KIND_MEMCPY:
            on_copy((const CUpti_ActivityMemcpy6 *)r);
            break;
        case CUPTI_ACTIVITY_KIND_RUNTIME:
            on_api((const CUpti_ActivityAPI *)r);
            break;
        default:
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    free(buffer);
}

/* Loads CUPTI and enables the records parc draws, once per process. */
static int start(void)
{
    if (api.loaded || api.failed)
        return api.loaded ? 0 : -1;
    void *h = load_cupti();
    if (h) {
        api.register_callbacks = (typeof(api.register_callbacks))dlsym(h, "cuptiActivityRegisterCallbacks");
        api.enable = (typeof(api.enable))dlsym(h, "cuptiActivityEnable");
        api.flush_all = (typeof(api.flush_all))dlsym(h, "cuptiActivityFlushAll");
        api.next_record = (typeof(api.next_record))dlsym(h, "cuptiActivityGetNextRecord");
        api.timestamp = (typeof(api.timestamp))dlsym(h, "cuptiGetTimestamp");
        api.callback_name = (typeof(api.callback_name))dlsym(h, "cuptiGetCallbackName");
    }
    if (!h || !api.register_callbacks || !api.enable || !api.flush_all || !api.next_record || !api.timestamp ||
        !api.callback_name ||
        api.register_callbacks(on_buffer_requested, on_buffer_completed) != CUPTI_SUCCESS) {
        api.failed = 1;
        return -1;
    }
    api.enable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
    api.enable(CUPTI_ACTIVITY_KIND_MEMCPY);
    api.enable(CUPTI_ACTIVITY_KIND_RUNTIME);
    api.loaded = 1;
    return 0;
}

void cudatrace_cell_begin(void)
{
    if (!cudadev_ready() || start() < 0)
        return;
    /* Whatever an earlier cell left is not this cell's. */
    api.flush_all(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    uint64_t ts = 0;
    api.timestamp(&ts);
    pthread_mutex_lock(&lock);
    offset_ns = trace_rec_now() - (int64_t)ts;
    nlanes = 0;
    copy_names = 0;
    active = 1;
    pthread_mutex_unlock(&lock);
}

void cudatrace_cell_end(void)
{
    if (!api.loaded || !active || !cudadev_ready())
        return;
    /* Work the cell left running on the GPU belongs to it. */
    int (*sync)(void) = (int (*)(void))cudadev_sym("cuCtxSynchronize");
    if (sync)
        sync();
    api.flush_all(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    pthread_mutex_lock(&lock);
    active = 0;
    pthread_mutex_unlock(&lock);
}

#endif
