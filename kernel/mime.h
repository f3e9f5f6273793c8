/* mime.h — engine mime bundles to the "data" dict of display messages:
 * text stays text, JSON types are embedded as JSON, binary types are
 * base64-encoded as the notebook format requires. */
#ifndef PARC_KERNEL_MIME_H
#define PARC_KERNEL_MIME_H

#include <stddef.h>

#include <jansson.h>

#include "engine.h"

/* A new JSON object mapping each mime type of m[0..n) to its value. If
 * plain is not NULL, *plain gets a malloc'd copy of the text/plain entry
 * (or NULL when there is none). Never NULL. */
json_t *kmime_bundle(const struct engine_mime *m, size_t n, char **plain);

/* A new JSON string with the base64 encoding of data (len bytes). */
json_t *kmime_base64(const void *data, size_t len);

#endif
