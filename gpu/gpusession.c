/* gpusession.c — which GPU runtime a cell brought into the process (see
 * gpusession.h). Loaded libraries are the evidence: the CUDA runtime loads
 * the driver at its first call, the OpenCL loader loads a platform's
 * library when a platform is first listed. */
#include "gpusession.h"

#include <dlfcn.h>
#include <stddef.h>

static const struct {
    const char *soname;
    const char *what;
} runtimes[] = {
    {"libcuda.so.1", "CUDA"},
    {"libpocl.so.2", "OpenCL (PoCL)"},
    {"libnvidia-opencl.so.1", "OpenCL (NVIDIA)"},
};

const char *gpu_session_runtime(void)
{
    for (size_t i = 0; i < sizeof runtimes / sizeof *runtimes; i++) {
        void *h = dlopen(runtimes[i].soname, RTLD_LAZY | RTLD_NOLOAD);
        if (h) {
            dlclose(h);
            return runtimes[i].what;
        }
    }
    return NULL;
}
