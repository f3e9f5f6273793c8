/* shell.c — see shell.h. */
#include "shell.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "execute.h"
#include "history.h"
#include "kernel.h"
#include "utf8.h"
#include "util.h"

/* The code of req and its cursor_pos (code points, default: the end)
 * converted to a byte offset. */
static const char *code_and_cursor(const struct kmsg *req, size_t *byte)
{
    const char *code = kmsg_str(req, "code", "");
    size_t len = strlen(code);
    long long cp = kmsg_int(req, "cursor_pos", -1);
    *byte = cp < 0 ? len : kutf8_cp_to_byte(code, len, (size_t)cp);
    return code;
}

static void complete(struct kernel *k, const struct kmsg *req)
{
    size_t cursor, start = 0, end = 0;
    const char *code = code_and_cursor(req, &cursor);
    size_t len = strlen(code);
    json_t *matches = json_array();
    char **m = NULL;
    struct engine *e = kernel_engine(k);
    int n = e ? engine_complete(e, code, cursor, &m, &start, &end) : -1;
    if (n < 0) {
        start = end = cursor;
    } else {
        for (int i = 0; m && m[i]; i++)
            json_array_append_new(matches, kutf8_json_string(m[i], strlen(m[i])));
        engine_strv_free(m);
        if (start > cursor || end < start || end > len)
            start = end = cursor;
    }
    kernel_reply(k, k->shell, req,
                 json_pack("{s:s, s:o, s:I, s:I, s:{}}", "status", "ok", "matches", matches,
                           "cursor_start", (json_int_t)kutf8_byte_to_cp(code, len, start),
                           "cursor_end", (json_int_t)kutf8_byte_to_cp(code, len, end),
                           "metadata"));
}

static void inspect(struct kernel *k, const struct kmsg *req)
{
    size_t cursor;
    const char *code = code_and_cursor(req, &cursor);
    struct engine *e = kernel_engine(k);
    int detail = (int)kmsg_int(req, "detail_level", 0);
    char *text = e ? engine_inspect(e, code, cursor, detail) : NULL;
    json_t *data = json_object();
    if (text)
        json_object_set_new(data, "text/plain", kutf8_json_string(text, strlen(text)));
    kernel_reply(k, k->shell, req,
                 json_pack("{s:s, s:b, s:o, s:{}}", "status", "ok", "found", text != NULL,
                           "data", data, "metadata"));
    free(text);
}

static void is_complete(struct kernel *k, const struct kmsg *req)
{
    const char *code = kmsg_str(req, "code", "");
    struct engine *e = kernel_engine(k);
    char *indent = NULL;
    json_t *c;
    char *help = engine_help_name(code, NULL);
    if (help) {
        c = json_pack("{s:s}", "status", "complete"); /* "name?" is no unfinished ?: expression */
    } else if (!e) {
        c = json_pack("{s:s}", "status", "unknown");
    } else {
        switch (engine_is_complete(e, code, &indent)) {
        case ENGINE_INCOMPLETE:
            c = json_pack("{s:s, s:s}", "status", "incomplete", "indent", indent ? indent : "");
            break;
        case ENGINE_INVALID:
            c = json_pack("{s:s}", "status", "invalid");
            break;
        default:
            c = json_pack("{s:s}", "status", "complete");
            break;
        }
    }
    free(help);
    free(indent);
    kernel_reply(k, k->shell, req, c);
}

static void history(struct kernel *k, const struct kmsg *req)
{
    const char *type = kmsg_str(req, "hist_access_type", "tail");
    int output = kmsg_bool(req, "output", 0);
    json_t *h;
    if (strcmp(type, "range") == 0)
        h = khist_range(k->hist, (long)kmsg_int(req, "session", 0),
                        (long)kmsg_int(req, "start", 0), (long)kmsg_int(req, "stop", 0), output);
    else if (strcmp(type, "search") == 0)
        h = khist_search(k->hist, kmsg_str(req, "pattern", "*"), (long)kmsg_int(req, "n", 0),
                         kmsg_bool(req, "unique", 0), output);
    else
        h = khist_tail(k->hist, (long)kmsg_int(req, "n", 10), output);
    kernel_reply(k, k->shell, req, json_pack("{s:s, s:o}", "status", "ok", "history", h));
}

/* parc has no comm targets: an opened comm is closed again at once, so
 * the front end does not wait on it. */
static void comm_open(struct kernel *k, const struct kmsg *req)
{
    const char *id = kmsg_str(req, "comm_id", NULL);
    if (!id)
        return;
    kernel_log("no comm target '%s'; closing comm %s", kmsg_str(req, "target_name", ""), id);
    kernel_publish(k, k->pub_main, req, "comm_close", json_pack("{s:s, s:{}}", "comm_id", id,
                                                                "data"));
}

int kshell_dispatch(struct kernel *k, const struct kmsg *req)
{
    const char *t = req->msg_type;
    if (strcmp(t, "execute_request") == 0)
        kexec_request(k, req);
    else if (strcmp(t, "kernel_info_request") == 0)
        kernel_reply(k, k->shell, req, kernel_info(k));
    else if (strcmp(t, "complete_request") == 0)
        complete(k, req);
    else if (strcmp(t, "inspect_request") == 0)
        inspect(k, req);
    else if (strcmp(t, "is_complete_request") == 0)
        is_complete(k, req);
    else if (strcmp(t, "history_request") == 0)
        history(k, req);
    else if (strcmp(t, "comm_info_request") == 0)
        kernel_reply(k, k->shell, req, json_pack("{s:s, s:{}}", "status", "ok", "comms"));
    else if (strcmp(t, "comm_open") == 0)
        comm_open(k, req);
    else if (strcmp(t, "comm_msg") == 0 || strcmp(t, "comm_close") == 0)
        ; /* no comm is ever open */
    else
        return -1;
    return 0;
}
