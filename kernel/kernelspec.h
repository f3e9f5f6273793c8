/* kernelspec.h — `parc install-kernel`: writes the Jupyter kernelspec
 * (kernel.json and the logos) that lets front ends start parc-kernel. */
#ifndef PARC_KERNEL_KERNELSPEC_H
#define PARC_KERNEL_KERNELSPEC_H

/* Runs the install-kernel command. argv[0] is the command's own name;
 * options: --user (the default), --sys-prefix, --prefix DIR, --name NAME,
 * --kernel PATH (the parc-kernel to run; found next to the running
 * program by default). Prints what it did; returns the exit status (0 on
 * success, 1 on failure, 2 on bad usage). */
int kernelspec_main(int argc, char **argv);

#endif
