/* magics.c — the table of every magic; each lives with what it does. */
#include "files.h"
#include "compilers.h"
#include "cuda.h"
#include "replay.h"
#include "magic.h"
#include "opencl.h"
#include "gpus.h"
#include "vectorize.h"
#include "mpi.h"
#include "session.h"
#include "spmd.h"
#include "shell.h"
#include "state.h"
#include "timing.h"
#include "timeline.h"
#include "scaling.h"
#include "openmp.h"

const struct magic magic_table[] = {
    {"cc", 0, MAGIC_COMPILING, "%cc [tcc | clang | gcc | PATH [FLAGS]]",
     "Sets the compiler of later cells: tcc (the default: instant, unoptimized) or clang, gcc... with options,\n"
     "e.g. %cc clang -O2. Code from every compiler shares one session. Without arguments shows it.",
     compilers_magic_cc},
    {"cflags", 0, MAGIC_COMPILING, "%cflags [FLAGS]",
     "Sets the compiler options of later cells (-DNAME=1, -O, ...); without FLAGS shows them.",
     compilers_magic_cflags},
    {"ldflags", 0, MAGIC_COMPILING, "%ldflags [FLAGS]",
     "Sets the linker options of later cells (-L DIR, -l NAME, ...); without FLAGS shows them.",
     compilers_magic_ldflags},
    {"lib", 0, MAGIC_COMPILING, "%lib NAME...", "Makes the system library libNAME available to cells (e.g. %lib m).",
     session_magic_lib},
    {"include_path", 0, MAGIC_COMPILING, "%include_path [DIR]",
     "Adds DIR to the #include search path; without DIR lists it.",
     session_magic_include_path},
    {"c", 1, MAGIC_COMPILING, "%%c [--cc clang|gcc|tcc|PATH] [--remarks] [FLAGS]",
     "Compiles this cell with another compiler or options: %%c --cc clang -O3 -march=native. FLAGS alone go\n"
     "to the session's compiler (an -O flag with tcc means clang). --remarks shows clang's vectorization and\n"
     "unrolling remarks for the cell's loops: what was optimized, what was not and why.",
     compilers_magic_c},
    {"load", 0, MAGIC_FILES, "%load FILE",
     "The file's text takes the line's place and runs with the rest of the cell; messages about its lines\n"
     "name the file (FILE:LINE), those about later lines name the cell as usual.",
     files_magic_load},
    {"run", 0, MAGIC_FILES, "%run FILE [ARGS...]",
     "Compiles and runs the file as a cell (its definitions join the session); if it defines main, main is\n"
     "called with argv = FILE ARGS... and a status other than 0 is reported. Messages name the file.",
     files_magic_run},
    {"env", 0, MAGIC_FILES, "%env [NAME[=VALUE]]",
     "Without arguments lists the environment; %env NAME prints a variable; %env NAME=VALUE (or NAME VALUE)\n"
     "sets it for the session and the programs it starts.",
     shell_magic_env},
    {"cd", 0, MAGIC_FILES, "%cd [DIR]",
     "Changes the session's working directory and prints it. No DIR: $HOME; -: the directory before.\n"
     "Like every magic it runs before the cell's code (and ! lines).",
     shell_magic_cd},
    {"pwd", 0, MAGIC_FILES, "%pwd", "Prints the session's working directory.", shell_magic_pwd},
    {"writefile", 1, MAGIC_FILES, "%%writefile [-a] FILE",
     "Writes the cell's body to FILE (-a: appends to it) and prints Writing FILE (Appending to FILE). The cell\n"
     "is not compiled.",
     files_magic_writefile},
    {"omp_threads", 0, MAGIC_PARALLEL, "%omp_threads [N | default]",
     "Sets the number of OpenMP threads of later cells (default: one per core, or $OMP_NUM_THREADS); without N\n"
     "shows it.",
     openmp_magic_threads},
    {"threads", 1, MAGIC_PARALLEL, "%%threads [N]",
     "Runs the cell's code on N threads at once (default: one per core), like ipyparallel's %%px; each knows\n"
     "parc_worker_id() and parc_worker_count(). Lines printed through stdio are labelled \"[id] \". Variables\n"
     "the cell declares are each thread's own and end with the cell; those of earlier cells are shared.",
     spmd_magic_threads},
    {"procs", 1, MAGIC_PARALLEL, "%%procs [N]",
     "Runs the cell's code in N forked processes at once (default: one per core); like %%threads, but each\n"
     "process has its own copy of every variable: what they change is lost when they end, unless it is in\n"
     "parc_shared_alloc memory.",
     spmd_magic_procs},
    {"openmp", 1, MAGIC_PARALLEL,
     "%%openmp [-t N] [--schedule static|dynamic|guided[,CHUNK]] [--bind spread|close|none] [--no-trace]",
     "Runs the cell with OpenMP settings: -t threads of its parallel regions, --schedule for loops with\n"
     "schedule(runtime), --bind where threads run (default spread: one per core). Any cell with #pragma omp is\n"
     "built by clang -O2 -fopenmp against LLVM's libomp; %%openmp also builds one without. Its timeline shows a\n"
     "lane per OpenMP thread: loop chunks [lo, hi), barrier and lock waits, tasks. --no-trace records nothing.",
     openmp_magic_cell},
    {"time", 0, MAGIC_TIMING, "%time STATEMENT",
     "Runs STATEMENT once and prints CPU (user, sys) and wall time, plus the compile time when over 0.1 s.\n"
     "Without a ';' the statement is the cell's value and is still shown. Only the statement is timed.",
     timing_magic_time},
    {"timeit", 0, MAGIC_TIMING, "%timeit [-n N] [-r R] [-p P] [-q] [-o NAME] STATEMENT",
     "Times STATEMENT as IPython does: compiled once into a loop (no call per iteration), calibrated to runs of\n"
     "at least 0.2 s, 7 runs; prints mean +- std. dev. per loop. -n loops per run, -r runs, -p significant\n"
     "digits, -q quiet, -o NAME keeps the result (parc_timeit_result: loops, repeat, best, worst, average,\n"
     "stdev, all_runs) in a session variable. The clock is read around the loop inside the cell's process:\n"
     "forking, compiling and pipes are never timed.",
     timing_magic_timeit},
    {"timeline", 0, MAGIC_TIMING, "%timeline [on | off | auto | save FILE.svg | save FILE.json]",
     "Sets when a cell's timeline (what ran on which thread or process, and when) is shown after it: auto (the\n"
     "default) when tasks ran at the same time on two lanes, on, off. save writes the last traced cell's\n"
     "timeline as SVG, or as Chrome trace JSON that ui.perfetto.dev opens.",
     timeline_magic},
    {"time", 1, MAGIC_TIMING, "%%time",
     "Runs the cell once and prints CPU and wall time of its code (not of compiling it,\n"
     "which is printed when over 0.1 s).",
     timing_magic_time_cell},
    {"timeit", 1, MAGIC_TIMING, "%%timeit [-n N] [-r R] [-p P] [-q] [-o NAME] [SETUP]",
     "Times the cell's body like %timeit; SETUP on the first line runs before each run, untimed.",
     timing_magic_timeit_cell},
    {"timeline", 1, MAGIC_TIMING, "%%timeline", "Runs the cell and shows its timeline whatever %timeline says.",
     timeline_magic_cell},
    {"scaling", 1, MAGIC_TIMING, "%%scaling [-w 1,2,4,8] [--threads | --procs | --omp] [-r R]",
     "Runs the cell once to warm up, then R times (default 3) for each worker count (default 1,2,4,8), and shows\n"
     "a table and a plot of time and speedup against workers with the ideal line and an Amdahl fit (its serial\n"
     "fraction printed); counts above the number of cores are marked oversubscribed and left out of the fit.\n"
     "The cell reads the count with parc_default_workers() (and parc_default_use_procs() for --procs). Its\n"
     "body is statements: define functions in an earlier cell. --omp sets the OpenMP thread count of the\n"
     "cell's parallel regions instead.",
     scaling_magic_cell},
    {"gpus", 0, MAGIC_GPU, "%gpus",
     "Lists this machine's CUDA devices (name, compute capability, SMs, memory, driver and runtime versions) and\n"
     "OpenCL platforms and devices, numbered as %%opencl --platform/--device count them, or says why there are\n"
     "none. Asking does not bring a GPU runtime into the session.",
     gpus_magic},
    {"opencl", 1, MAGIC_GPU, "%%opencl [--device N] [--platform NAME|N] [BUILD OPTIONS]",
     "Builds the cell's OpenCL C kernels for the session's OpenCL device: the first GPU, else the first device\n"
     "(PoCL on the CPU), or the one --platform and --device choose (%gpus lists them). Errors name cell lines.\n"
     "Later cells run kernel K with cl_K(items, ARGS...) (its arguments typed as the kernel's; buffers from\n"
     "parc_cl_buffer, results by parc_cl_read), with parc_cl_run/parc_cl_run_nd (parc.h) or the plain OpenCL API;\n"
     "every command appears on the timeline, a lane per queue. The session then runs in place.",
     ocl_magic_opencl},
    {"cuda", 1, MAGIC_GPU, "%%cuda [--nvcc | --nvrtc] [NVCC FLAGS]",
     "A cell of CUDA C++: __global__ kernels, device functions, host code with <<<...>>> launches. Its extern \"C\"\n"
     "functions are callable from later C cells; it can use earlier C cells' globals and functions by declaring\n"
     "them extern \"C\". Compiled by nvcc for this machine's GPU, cached by text and flags. A cell of kernels only\n"
     "is compiled by NVRTC in tens of ms (--nvcc: not); C cells launch its kernels with parc_cuda_launch.\n"
     "Without a GPU the cell still compiles and says why there is no device.",
     cuda_magic_cell},
    {"vectorize", 1, MAGIC_GPU, "%%vectorize [--target cpu|omp|opencl|cuda] [--name NAME]",
     "Makes the cell's scalar function (the last it defines: float f(float x, float y) { ... }) an element-wise\n"
     "function over arrays, void f_TARGET(const float *x, const float *y, float *out, size_t n), one input array\n"
     "per parameter. cpu: a loop built by clang -O2 (vectorized); omp: the loop on OpenMP threads; opencl: an\n"
     "OpenCL kernel run on the session's OpenCL device, with the copies to and from it; cuda: a CUDA kernel.\n"
     "--name names the array function. The scalar function stays callable: time the targets with %timeit.",
     vectorize_magic},
    {"mpi", 1, MAGIC_MPI, "%%mpi -n N [--hostfile FILE] [--oversubscribe] [-- MPIRUN ARGS]",
     "Runs the cell's code as an MPI program on N ranks (Open MPI's mpirun), each knowing rank and size; MPI_Init\n"
     "and MPI_Finalize are done for it. Types, functions and macros of earlier cells are there, globals start with\n"
     "the values they have now (those holding pointers: with their initializers). The ranks are new processes: the\n"
     "session's own variables never change. Lines are labelled \"[rank] \"; a failed rank is reported; the timeline\n"
     "shows each rank's MPI calls and an arrow per message as the job runs, and which rank crashed. One machine by\n"
     "default; --hostfile names others.",
     mpi_magic_cell},
    {"who", 0, MAGIC_SESSION, "%who [variables|functions|types|macros]",
     "Lists the session's names, sorted, one line per kind (or only the kind asked for).", state_magic_who},
    {"whos", 0, MAGIC_SESSION, "%whos",
     "A table of the session's names: kind (variable, function, type, macro), type, the cell that defined it,\n"
     "and for variables their value as a cell would show it (without the type, cut at 40 characters).",
     state_magic_whos},
    {"history", 0, MAGIC_SESSION, "%history [-n]",
     "The code of the cells that ran before this one (since %reset); -n puts each cell's number before it.",
     state_magic_history},
    {"limit", 0, MAGIC_SESSION, "%limit [time SECONDS | mem SIZE | procs N | output SIZE]",
     "Limits every cell from this one on: its run time (the cell is stopped), its memory (allocations fail), the\n"
     "processes it may have at once (fork fails) or the output shown (the rest is dropped, with a note).\n"
     "0 = no limit. Defaults: time 600 s, mem 4 GB, procs 256, output 10 MB; PARC_LIMITS=\"time=60,mem=2G\"\n"
     "changes them for new sessions. Without arguments shows the limits.",
     session_magic_limit},
    {"reset", 0, MAGIC_SESSION, "%reset [-f]",
     "A fresh session in the same kernel: every declaration, definition and the history are gone. Asks y/n\n"
     "first (input from the front end); -f does not ask. Settings stay: %limit, %cflags, %include_path, %lib,\n"
     "the working directory and the environment. Magics run before their cell's code, so all the C of the\n"
     "cell holding %reset runs in the fresh session.",
     state_magic_reset},
    {"replay", 0, MAGIC_SESSION, "%replay",
     "Rebuilds the session in a fresh process by running the cells that succeeded again, in order, their output\n"
     "not shown. A GPU session whose cell crashed gets its GPU state (device memory, kernels) back this way.",
     replay_magic},
    {"lsmagic", 0, MAGIC_HELP, "%lsmagic",
     "Lists every magic: line magics, then cell magics, by topic. %NAME? (or %NAME --help) explains one.",
     session_magic_lsmagic},
    {"magic", 0, MAGIC_HELP, "%magic", "The same as %lsmagic: lists every magic; %NAME? explains one.",
     session_magic_lsmagic},
    {0},
};
