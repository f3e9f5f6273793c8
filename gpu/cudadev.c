/* cudadev.c — the CUDA driver through dlopen (see cudadev.h). */
#include "cudadev.h"
#include "gpusession.h"
#include "util.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*cu_init_fn)(unsigned);
typedef int (*cu_count_fn)(int *);
typedef int (*cu_get_fn)(int *, int);
typedef int (*cu_name_fn)(char *, int, int);
typedef int (*cu_attr_fn)(int *, int, int);
typedef int (*cu_mem_fn)(size_t *, int);
typedef int (*cu_ver_fn)(int *);
typedef int (*cu_err_fn)(int, const char **);

static void *driver;
static int probed, probe_rc;
static pid_t probed_pid; /* the process the driver was started in */
static struct cudadev_info probed_info;
static char probe_why[512];

const char *cudadev_home(void)
{
    const char *h = getenv("CUDA_HOME");
    return h && *h ? h : "/usr/local/cuda";
}

/* Whether the driver was started in another process, of which this one
 * is a fork: CUDA cannot be used here (it would fail or hang). The CUDA
 * runtime may have started it without parc's probe: then the GPU
 * session's owner tells (gpusession.h). */
static int forked(void)
{
    return (probed && probe_rc == 0 && probed_pid != getpid()) || gpu_session_forked("CUDA");
}

void *cudadev_sym(const char *name)
{
    return driver && !forked() ? dlsym(driver, name) : NULL;
}

/* The driver's description of error rc. */
static const char *cu_error(int rc)
{
    cu_err_fn str = (cu_err_fn)cudadev_sym("cuGetErrorString");
    const char *s = NULL;
    if (str && str(rc, &s) == 0 && s)
        return s;
    return "unknown error";
}

static int probe(struct cudadev_info *info)
{
    /* PARC_CUDA_DEVICE=none makes a machine with a GPU behave as one
     * without (for tests of the no-device path). */
    const char *force = getenv("PARC_CUDA_DEVICE");
    if (force && !strcmp(force, "none")) {
        snprintf(probe_why, sizeof probe_why, "CUDA devices are turned off (PARC_CUDA_DEVICE=none)");
        return -1;
    }
    driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (!driver) {
        snprintf(probe_why, sizeof probe_why, "no CUDA driver on this machine (libcuda.so.1 not found)");
        return -1;
    }
    cu_init_fn init = (cu_init_fn)cudadev_sym("cuInit");
    cu_count_fn count = (cu_count_fn)cudadev_sym("cuDeviceGetCount");
    cu_name_fn name = (cu_name_fn)cudadev_sym("cuDeviceGetName");
    cu_attr_fn attr = (cu_attr_fn)cudadev_sym("cuDeviceGetAttribute");
    cu_mem_fn mem = (cu_mem_fn)cudadev_sym("cuDeviceTotalMem_v2");
    cu_ver_fn ver = (cu_ver_fn)cudadev_sym("cuDriverGetVersion");
    if (!init || !count || !name || !attr || !mem || !ver) {
        snprintf(probe_why, sizeof probe_why, "the CUDA driver (libcuda.so.1) lacks the functions parc needs");
        return -1;
    }
    int rc = init(0);
    int n = 0;
    if (rc != 0)
        snprintf(probe_why, sizeof probe_why, "the CUDA driver did not start: %s (error %d)", cu_error(rc), rc);
    else if ((rc = count(&n)) != 0 || n == 0)
        snprintf(probe_why, sizeof probe_why, "the CUDA driver sees no GPU");
    if (rc != 0 || n == 0) {
        /* Unloaded, so that the session does not count as a GPU one. */
        dlclose(driver);
        driver = NULL;
        return -1;
    }
    memset(info, 0, sizeof *info);
    info->count = n;
    name(info->name, sizeof info->name, 0);
    attr(&info->major, 75 /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR */, 0);
    attr(&info->minor, 76 /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR */, 0);
    attr(&info->sms, 16 /* CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT */, 0);
    mem(&info->memory, 0);
    ver(&info->driver_version);
    return 0;
}

int cudadev_probe(struct cudadev_info *info, struct buf *why)
{
    if (forked()) {
        if (why)
            buf_adds(why, "the GPU's state stayed with the process that started CUDA, which this one was forked from "
                          "(after a crash in a GPU session: %replay rebuilds it)");
        return -1;
    }
    if (!probed) {
        probed = 1;
        probed_pid = getpid();
        probe_rc = probe(&probed_info);
    }
    if (probe_rc == 0 && info)
        *info = probed_info;
    if (probe_rc < 0 && why)
        buf_adds(why, probe_why);
    return probe_rc;
}

int cudadev_ready(void)
{
    return probed && probe_rc == 0 && !forked();
}

int cudadev_runtime_version(void)
{
    void *rt = dlopen("libcudart.so.13", RTLD_NOW | RTLD_GLOBAL);
    if (!rt) {
        char *path = xasprintf("%s/lib64/libcudart.so", cudadev_home());
        rt = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
        free(path);
    }
    int (*get)(int *) = rt ? (int (*)(int *))dlsym(rt, "cudaRuntimeGetVersion") : NULL;
    int v = 0;
    if (!get || get(&v) != 0)
        v = 0;
    return v;
}
