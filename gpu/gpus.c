/* gpus.c — the machine's GPUs and OpenCL devices (see gpus.h). */
#include "gpus.h"
#include "cudadev.h"
#include "magic.h"
#include "opencl.h"
#include "parc.h"
#include "gpusession.h"
#include "guard.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void version_str(char *out, size_t n, int v)
{
    snprintf(out, n, "%d.%d", v / 1000, v % 1000 / 10);
}

static void cuda_report(struct buf *out)
{
    struct cudadev_info info;
    struct buf why = {0};
    if (cudadev_probe(&info, &why) < 0) {
        buf_printf(out, "CUDA: %s\n", why.data ? why.data : "no CUDA device");
        buf_free(&why);
        return;
    }
    char drv[16], rt[16];
    version_str(drv, sizeof drv, info.driver_version);
    int r = cudadev_runtime_version();
    if (r)
        version_str(rt, sizeof rt, r);
    else
        snprintf(rt, sizeof rt, "not installed");
    buf_printf(out, "CUDA device 0: %s — compute capability %d.%d, %d SMs, %.1f GiB; driver %s, runtime %s\n", info.name,
               info.major, info.minor, info.sms, (double)info.memory / (1ull << 30), drv, rt);
    if (info.count > 1)
        buf_printf(out, "  (%d CUDA devices; parc uses device 0)\n", info.count);
}

/* How long the drivers have to answer %gpus in a throwaway fork. */
#define PROBE_MS 30000

/* Runs fn(out) in a throwaway fork when no GPU runtime lives in this
 * process yet (so that none comes to live in it), else here. */
static void probe(void (*fn)(struct buf *), struct buf *out)
{
    if (gpu_session_runtime()) {
        fn(out);
        return;
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        buf_printf(out, "cannot ask the drivers: pipe: %s\n", strerror(errno));
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        struct buf b = {0};
        fn(&b);
        if (b.len)
            write_all(p[1], b.data, b.len);
        _exit(0);
    }
    close(p[1]);
    if (pid > 0 && guard_read_all_within(p[0], out, PROBE_MS) < 0) {
        kill(pid, SIGKILL);
        buf_printf(out, "\nthe GPU drivers did not answer within %d s: one of them may hang; the session goes on\n",
                   PROBE_MS / 1000);
    }
    close(p[0]);
    if (pid < 0)
        buf_printf(out, "cannot ask the drivers: fork: %s\n", strerror(errno));
    else
        guard_reap_within(pid, 1000);
}

static void report(struct buf *out)
{
    cuda_report(out);
    ocl_list(out);
}

void gpus_report(struct buf *out)
{
    probe(report, out);
}

int gpus_magic(struct magic_call *c)
{
    if (magic_no_args(c) < 0)
        return -1;
    struct buf out = {0};
    gpus_report(&out);
    fputs(out.data ? out.data : "", stdout);
    fflush(stdout);
    buf_free(&out);
    return 0;
}

/* "1" if a CUDA device or an OpenCL GPU answers. */
static void available(struct buf *out)
{
    struct cudadev_info info;
    if (cudadev_probe(&info, NULL) == 0) {
        buf_adds(out, "1");
        return;
    }
    struct buf l = {0};
    ocl_list(&l);
    buf_adds(out, l.data && strstr(l.data, " — GPU,") ? "1" : "0");
    buf_free(&l);
}

int parc_gpu_available(void)
{
    static int known = -1;
    if (known < 0) {
        struct buf out = {0};
        probe(available, &out);
        known = out.data && out.data[0] == '1';
        buf_free(&out);
    }
    return known;
}
