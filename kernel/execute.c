/* execute.c — see execute.h. */
#include "execute.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "engine.h"
#include "history.h"
#include "kernel.h"
#include "mime.h"
#include "streams.h"
#include "utf8.h"
#include "util.h"

/* One cell in flight: what its events need to become messages. */
struct run {
    struct kernel *k;
    struct engine *e;
    const struct kmsg *req;
    int silent, allow_stdin, count;
    int told_no_stdin;
    json_t *error;          /* the error event as reply fields, or NULL */
    char *result_plain;     /* text/plain of the result, for history */
    /* user_expressions: collect the result, publish nothing. */
    int collect;
    json_t *collected;
};

/* ========================================================================
 * Events -> iopub
 * ===================================================================== */

static void publish(struct run *r, const char *type, json_t *content)
{
    if (r->silent || r->collect) {
        json_decref(content);
        return;
    }
    /* Output written before this message comes before it. */
    kstreams_flush(r->k->streams, 0);
    kernel_publish(r->k, r->k->pub_main, r->req, type, content);
}

/* Output the cell wrote: gathered and published by k->streams. */
static void stream(struct run *r, int which, const char *data, size_t len)
{
    if (!r->silent && !r->collect)
        kstreams_add(r->k->streams, which, data, len);
}

/* Publishes the output gathered so far (final: cut characters too). */
static void flush_streams(struct run *r, int final)
{
    if (!r->silent && !r->collect)
        kstreams_flush(r->k->streams, final);
}

/* Splits a traceback text into the array of lines Jupyter shows. */
static json_t *traceback_lines(const char *tb, const char *ename, const char *evalue)
{
    json_t *a = json_array();
    if (!tb || !*tb) {
        char *line = xasprintf("%s: %s", ename, evalue);
        json_array_append_new(a, kutf8_json_string(line, strlen(line)));
        free(line);
        return a;
    }
    const char *p = tb;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        json_array_append_new(a, kutf8_json_string(p, n));
        p += n + (nl != NULL);
    }
    return a;
}

static json_t *error_fields(const char *ename, const char *evalue, const char *tb)
{
    ename = ename ? ename : "Error";
    evalue = evalue ? evalue : "";
    return json_pack("{s:o, s:o, s:o}", "ename", kutf8_json_string(ename, strlen(ename)),
                     "evalue", kutf8_json_string(evalue, strlen(evalue)), "traceback",
                     traceback_lines(tb, ename, evalue));
}

/* Waits for the input_reply to the input_request just sent, answering the
 * engine with its text; end of file if the kernel is interrupted or shut
 * down meanwhile. */
static void wait_input(struct run *r)
{
    struct kernel *k = r->k;
    int seen = atomic_load(&k->interrupts);
    zmq_pollitem_t it = {.socket = k->stdin_sock, .events = ZMQ_POLLIN};
    while (!atomic_load(&k->stop) && atomic_load(&k->interrupts) == seen) {
        int n = zmq_poll(&it, 1, 100);
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        struct kmsg m;
        char err[256];
        int rc = kmsg_recv(k->stdin_sock, &k->session, &m, err, sizeof err);
        if (rc == -1)
            kernel_log("stdin: dropped a message: %s", err);
        if (rc != 0)
            continue;
        if (strcmp(m.msg_type, "input_reply") == 0) {
            const char *v = kmsg_str(&m, "value", "");
            char *line = xasprintf("%s\n", v);
            engine_send_input(r->e, line, strlen(line));
            free(line);
            kmsg_clear(&m);
            return;
        }
        kernel_log("stdin: ignored a %s message", m.msg_type);
        kmsg_clear(&m);
    }
    engine_send_input(r->e, NULL, 0);
}

static void input_request(struct run *r, const struct engine_event *ev)
{
    if (!r->allow_stdin || r->silent || r->collect) {
        engine_send_input(r->e, NULL, 0);
        /* The prompt the cell printed is still output. */
        if (ev->prompt && ev->prompt[0] && !r->collect)
            stream(r, 0, ev->prompt, strlen(ev->prompt));
        if (!r->told_no_stdin && !r->collect) {
            static const char why[] =
                "parc: this front end does not accept input (allow_stdin is false); "
                "reading stdin gives end of file\n";
            stream(r, 1, why, sizeof why - 1);
            r->told_no_stdin = 1;
        }
        return;
    }
    /* Output printed so far, the prompt in particular, goes first. */
    flush_streams(r, 1);
    const char *prompt = ev->prompt ? ev->prompt : "";
    json_t *c = json_pack("{s:o, s:b}", "prompt", kutf8_json_string(prompt, strlen(prompt)),
                          "password", ev->password != 0);
    kmsg_send(r->k->stdin_sock, &r->k->session, r->req, NULL, r->req, "input_request", c);
    wait_input(r);
}

static void on_event(void *ctx, const struct engine_event *ev)
{
    struct run *r = ctx;
    switch (ev->kind) {
    case ENGINE_EV_STDOUT:
    case ENGINE_EV_STDERR:
        if (!r->collect)
            stream(r, ev->kind == ENGINE_EV_STDERR, ev->data, ev->len);
        break;
    case ENGINE_EV_RESULT: {
        char *plain = NULL;
        json_t *data = kmime_bundle(ev->mime, ev->nmime, &plain);
        free(r->result_plain);
        r->result_plain = plain;
        if (r->collect) {
            json_decref(r->collected);
            r->collected = json_pack("{s:s, s:o, s:{}}", "status", "ok", "data", data,
                                     "metadata");
            break;
        }
        publish(r, "execute_result",
                json_pack("{s:i, s:o, s:{}}", "execution_count", r->count, "data", data,
                          "metadata"));
        break;
    }
    case ENGINE_EV_DISPLAY:
    case ENGINE_EV_UPDATE_DISPLAY: {
        json_t *c = json_pack("{s:o, s:{}, s:{}}", "data",
                              kmime_bundle(ev->mime, ev->nmime, NULL), "metadata", "transient");
        if (ev->display_id)
            json_object_set_new(json_object_get(c, "transient"), "display_id",
                                kutf8_json_string(ev->display_id, strlen(ev->display_id)));
        publish(r, ev->kind == ENGINE_EV_DISPLAY ? "display_data" : "update_display_data", c);
        break;
    }
    case ENGINE_EV_CLEAR_OUTPUT:
        publish(r, "clear_output", json_pack("{s:b}", "wait", ev->wait != 0));
        break;
    case ENGINE_EV_ERROR:
        json_decref(r->error);
        r->error = error_fields(ev->ename, ev->evalue, ev->traceback);
        if (r->collect)
            break;
        /* Output the cell wrote before failing comes first. */
        flush_streams(r, 1);
        publish(r, "error", json_deep_copy(r->error));
        break;
    case ENGINE_EV_INPUT_REQUEST:
        input_request(r, ev);
        break;
    }
}

/* Runs code as a cell of r, returning its status; an engine that could
 * not start is reported as an error. */
static enum engine_status run_code(struct run *r, const char *code, int cell_no, int rollback)
{
    struct engine_exec ex = {
        .cell_no = cell_no,
        .rollback = rollback,
        .quiet_result = 0,
        .on_event = on_event,
        .ctx = r,
    };
    r->e = kernel_engine(r->k);
    if (!r->e) {
        struct engine_event ev = {
            .kind = ENGINE_EV_ERROR,
            .ename = "EngineError",
            .evalue = r->k->engine_err,
        };
        on_event(r, &ev);
        return ENGINE_LOST;
    }
    enum engine_status st = engine_execute(r->e, code, &ex);
    flush_streams(r, 1);
    if (st != ENGINE_OK && !r->error) {
        /* The engine always reports its errors; this is a safety net so
         * that a failed cell never looks like a success. */
        const char *name = engine_status_name(st);
        struct engine_event ev = {
            .kind = ENGINE_EV_ERROR,
            .ename = st == ENGINE_INTERRUPTED ? "Interrupted" : "CellFailed",
            .evalue = name,
        };
        on_event(r, &ev);
    }
    return st;
}

/* ========================================================================
 * user_expressions and ?name
 * ===================================================================== */

static json_t *user_expressions(struct kernel *k, const struct kmsg *req)
{
    json_t *out = json_object(), *in = json_object_get(req->content, "user_expressions");
    const char *name;
    json_t *expr;
    json_object_foreach(in, name, expr) {
        struct run r = {.k = k, .req = req, .collect = 1};
        if (!json_is_string(expr)) {
            json_t *v = error_fields("TypeError", "a user expression must be a string", NULL);
            json_object_set_new(v, "status", json_string("error"));
            json_object_set_new(out, name, v);
            continue;
        }
        run_code(&r, json_string_value(expr), 0, 1);
        json_t *v;
        if (r.error) {
            v = json_deep_copy(r.error);
            json_object_set_new(v, "status", json_string("error"));
        } else if (r.collected) {
            v = json_incref(r.collected);
        } else {
            v = json_pack("{s:s, s:{}, s:{}}", "status", "ok", "data", "metadata");
        }
        json_object_set_new(out, name, v);
        json_decref(r.error);
        json_decref(r.collected);
        free(r.result_plain);
    }
    return out;
}

/* Pages the description of name: the execute_reply payload Jupyter shows
 * in its pager, or a note on stdout when nothing is known about it. */
static json_t *page(struct kernel *k, struct run *r, const char *name, int detail)
{
    json_t *payload = json_array();
    struct engine *e = kernel_engine(k);
    char *text = e ? engine_inspect(e, name, strlen(name), detail) : NULL;
    if (text) {
        json_array_append_new(payload,
                              json_pack("{s:s, s:{s:o}, s:i}", "source", "page", "data",
                                        "text/plain", kutf8_json_string(text, strlen(text)),
                                        "start", 0));
        free(text);
    } else {
        char *msg = xasprintf("Object `%s` not found.\n", name);
        stream(r, 0, msg, strlen(msg));
        free(msg);
    }
    return payload;
}

/* ========================================================================
 * The request
 * ===================================================================== */

/* How long after a cell's request the kernel decides which requests were
 * queued behind it, in nanoseconds. Requests a client sent together with
 * the failing cell ("Run All") can arrive a little after it; a request
 * sent after the client saw the error cannot arrive before the error
 * reply is sent, which waits out this window for cells failing sooner. */
#define QUEUE_WINDOW_NS (30 * 1000000LL)

/* Waits until the queue window of a request received at t0 is over. */
static void wait_queue_window(long long t0)
{
    long long left = t0 + QUEUE_WINDOW_NS - now_ns();
    if (left <= 0)
        return;
    struct timespec ts = {.tv_sec = left / 1000000000LL, .tv_nsec = left % 1000000000LL};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

void kexec_request(struct kernel *k, const struct kmsg *req)
{
    long long t0 = now_ns();
    const char *code = kmsg_str(req, "code", "");
    struct run r = {
        .k = k,
        .req = req,
        .silent = kmsg_bool(req, "silent", 0),
        .allow_stdin = kmsg_bool(req, "allow_stdin", 1),
    };
    int store = !r.silent && kmsg_bool(req, "store_history", 1);
    if (store)
        k->execution_count++;
    r.count = k->execution_count;
    publish(&r, "execute_input",
            json_pack("{s:o, s:i}", "code", kutf8_json_string(code, strlen(code)),
                      "execution_count", r.count));
    kstreams_begin(k->streams, req);

    int detail = 0;
    char *help = engine_help_name(code, &detail);
    json_t *payload;
    enum engine_status st = ENGINE_OK;
    if (help) {
        payload = page(k, &r, help, detail);
        free(help);
    } else if (kmsg_has_nul(req, "code")) {
        /* Running the text up to the NUL would run another cell. */
        struct engine_event ev = {
            .kind = ENGINE_EV_ERROR,
            .ename = "SyntaxError",
            .evalue = "the cell holds a NUL character (U+0000), which C source cannot contain",
        };
        payload = json_array();
        on_event(&r, &ev);
    } else {
        payload = json_array();
        st = run_code(&r, code, store ? r.count : 0, 0);
    }
    kstreams_end(k->streams);
    if (store)
        khist_add(k->hist, r.count, code, r.result_plain);

    json_t *reply;
    if (st == ENGINE_OK && !r.error) {
        reply = json_pack("{s:s, s:i, s:o, s:o}", "status", "ok", "execution_count", r.count,
                          "payload", payload, "user_expressions", user_expressions(k, req));
    } else {
        reply = r.error ? json_incref(r.error) : error_fields("Error", "", NULL);
        json_object_set_new(reply, "status", json_string("error"));
        json_object_set_new(reply, "execution_count", json_integer(r.count));
        json_object_set_new(reply, "payload", payload);
        json_object_set_new(reply, "user_expressions", json_object());
        if (kmsg_bool(req, "stop_on_error", 1) && !r.silent) {
            /* Before the reply: a request sent after it is never aborted. */
            wait_queue_window(t0);
            kernel_abort_queued(k);
        }
    }
    kernel_reply(k, k->shell, req, reply);
    json_decref(r.error);
    free(r.result_plain);
}

void kexec_abort(struct kernel *k, const struct kmsg *req)
{
    kernel_reply(k, k->shell, req,
                 json_pack("{s:s, s:i}", "status", "aborted", "execution_count",
                           k->execution_count));
}
