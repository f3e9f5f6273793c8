#!/bin/sh
# Run by `meson install`: writes the kernelspec under the install prefix,
# naming the installed parc-kernel ($1 is the final bindir).
set -e
bindir="$1"
"${DESTDIR:-}${bindir}/parc-kernel" install-kernel \
  --prefix "${MESON_INSTALL_DESTDIR_PREFIX}" --kernel "${bindir}/parc-kernel"
