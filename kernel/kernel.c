/* kernel.c — see kernel.h. Threads: the main thread serves shell and
 * stdin and runs cells (engine_execute blocks it); the control thread
 * serves control, so interrupt and shutdown work while a cell runs, and
 * turns signals into actions; the heartbeat and iopub threads live in
 * their own modules. Signal handlers only write a byte to k->notify. */
#include "kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "config.h"
#include "engine.h"
#include "execute.h"
#include "heartbeat.h"
#include "history.h"
#include "iopub.h"
#include "shell.h"
#include "signing.h"
#include "streams.h"
#include "util.h"


/* Bytes on k->notify. */
enum { NOTE_INTERRUPT = 'I', NOTE_TERMINATE = 'T', NOTE_QUIT = 'Q' };

/* The write end of k->notify, for the signal handlers. */
static int notify_fd = -1;

void kernel_log(const char *fmt, ...)
{
    struct buf b = {0};
    va_list ap;
    buf_adds(&b, "parc-kernel: ");
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    buf_addc(&b, '\n');
    (void)!write_all(2, b.data, b.len);
    buf_free(&b);
}

/* ========================================================================
 * Messages out
 * ===================================================================== */

void kernel_publish(struct kernel *k, void *pub, const struct kmsg *parent,
                    const char *msg_type, json_t *content)
{
    char topic[96];
    snprintf(topic, sizeof topic, "kernel.%s.%s", k->session.id, msg_type);
    int shared = pub == k->pub_main;
    if (shared)
        pthread_mutex_lock(&k->pub_lock);
    if (kmsg_send(pub, &k->session, NULL, topic, parent, msg_type, content) < 0)
        kernel_log("cannot publish %s: %s", msg_type, zmq_strerror(errno));
    if (shared)
        pthread_mutex_unlock(&k->pub_lock);
}

void kernel_status(struct kernel *k, void *pub, const struct kmsg *parent, const char *state)
{
    kernel_publish(k, pub, parent, "status", json_pack("{s:s}", "execution_state", state));
}

void kernel_reply(struct kernel *k, void *sock, const struct kmsg *req, json_t *content)
{
    char type[128];
    size_t n = strlen(req->msg_type);
    if (n > 8 && strcmp(req->msg_type + n - 8, "_request") == 0)
        snprintf(type, sizeof type, "%.*s_reply", (int)(n - 8), req->msg_type);
    else
        snprintf(type, sizeof type, "%s_reply", req->msg_type);
    if (kmsg_send(sock, &k->session, req, NULL, req, type, content) < 0)
        kernel_log("cannot send %s: %s", type, zmq_strerror(errno));
}

json_t *kernel_info(const struct kernel *k)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:[{s:s, s:s}, {s:s, s:s}],"
        " s:b}",
        "status", "ok", "protocol_version", KMSG_PROTOCOL_VERSION, "implementation", "parc",
        "implementation_version", PARC_VERSION, "language_info", "name", "c", "version",
        k->c_standard, "mimetype", "text/x-csrc", "file_extension", ".c",
        "pygments_lexer", "c", "codemirror_mode", "text/x-csrc", "banner",
        "parc " PARC_VERSION " - C cells compiled in memory; state lives across cells.\n"
        "A cell may mix #include lines, declarations, functions and statements;\n"
        "a final expression without ';' shows its value. ?name describes a name.\n",
        "help_links", "text", "C language reference", "url", "https://en.cppreference.com/w/c",
        "text", "C standard library headers", "url", "https://en.cppreference.com/w/c/header",
        "debugger", 0);
}

/* ========================================================================
 * The session
 * ===================================================================== */

/* Collects the text/plain value of a cell run by probe_standard. */
static void on_probe(void *ctx, const struct engine_event *ev)
{
    struct buf *b = ctx;
    for (size_t i = 0; ev->kind == ENGINE_EV_RESULT && i < ev->nmime; i++)
        if (strcmp(ev->mime[i].mime, "text/plain") == 0)
            buf_add(b, ev->mime[i].data, ev->mime[i].len);
}

/* Asks the session which C standard cells are compiled at
 * (__STDC_VERSION__), for language_info.version; "C99" when it cannot
 * tell. */
static void probe_standard(struct kernel *k)
{
    static const struct {
        long v;
        const char *name;
    } known[] = {{202311, "C23"}, {201710, "C17"}, {201112, "C11"}, {199901, "C99"}};
    struct buf b = {0};
    struct engine_exec ex = {.rollback = 1, .on_event = on_probe, .ctx = &b};
    snprintf(k->c_standard, sizeof k->c_standard, "C99");
    if (engine_execute(atomic_load(&k->engine), "__STDC_VERSION__", &ex) == ENGINE_OK) {
        const char *p = b.data ? b.data : "";
        while (*p && !(*p >= '1' && *p <= '9'))
            p++;
        long v = atol(p);
        for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
            if (v >= known[i].v) {
                snprintf(k->c_standard, sizeof k->c_standard, "%s", known[i].name);
                break;
            }
        }
    }
    buf_free(&b);
}

/* Starts the session on the calling thread, the main one: the executor
 * is tied to the life of the thread that forks it. */
static void start_engine(struct kernel *k)
{
    struct engine_options opt = {0};
    atomic_store(&k->engine, engine_start(&opt, k->engine_err, sizeof k->engine_err));
    if (!atomic_load(&k->engine))
        kernel_log("cannot start the session: %s", k->engine_err);
    else if (!k->c_standard[0])
        probe_standard(k);
}

struct engine *kernel_engine(struct kernel *k)
{
    /* A session that could not start (parc-engine missing while it is
     * rebuilt, say) is tried again whenever it is needed. */
    if (!atomic_load(&k->engine) && !atomic_load(&k->stop))
        start_engine(k);
    return atomic_load(&k->engine);
}

/* ========================================================================
 * Control channel and signals
 * ===================================================================== */

static void on_signal(int sig)
{
    int saved = errno;
    char c = sig == SIGINT ? NOTE_INTERRUPT : NOTE_TERMINATE;
    if (notify_fd >= 0)
        (void)!write(notify_fd, &c, 1);
    errno = saved;
}

static void interrupt(struct kernel *k)
{
    atomic_fetch_add(&k->interrupts, 1);
    struct engine *e = atomic_load(&k->engine);
    if (e)
        engine_interrupt(e);
}

/* Starts shutting down: the main loop leaves at its next look at k->stop,
 * a running cell is stopped. */
static void begin_shutdown(struct kernel *k)
{
    atomic_store(&k->stop, 1);
    interrupt(k);
    char c = 1;
    (void)!write(k->wake[1], &c, 1);
}

/* Receives one message from sock and hands it to handle; one that does
 * not decode or verify is dropped and logged under channel's name. */
static void serve_one(struct kernel *k, void *sock, const char *channel,
                      void (*handle)(struct kernel *, const struct kmsg *))
{
    struct kmsg m;
    char err[256];
    int rc = kmsg_recv(sock, &k->session, &m, err, sizeof err);
    if (rc == -1)
        kernel_log("%s: dropped a message: %s", channel, err);
    if (rc == 0) {
        handle(k, &m);
        kmsg_clear(&m);
    }
}

static void control_request(struct kernel *k, const struct kmsg *req)
{
    const char *t = req->msg_type;
    kernel_status(k, k->pub_control, req, "busy");
    if (strcmp(t, "interrupt_request") == 0) {
        interrupt(k);
        kernel_reply(k, k->control, req, json_pack("{s:s}", "status", "ok"));
    } else if (strcmp(t, "shutdown_request") == 0) {
        int restart = kmsg_bool(req, "restart", 0);
        begin_shutdown(k);
        kernel_reply(k, k->control, req, json_pack("{s:s, s:b}", "status", "ok", "restart",
                                                   restart));
    } else if (strcmp(t, "kernel_info_request") == 0) {
        kernel_reply(k, k->control, req, kernel_info(k));
    } else {
        kernel_log("control: ignored a %s message", t);
    }
    kernel_status(k, k->pub_control, req, "idle");
}

/* The front end that started the kernel, if it said so: when it dies
 * without shutting the kernel down, the kernel ends its session itself
 * rather than leaving orphans. 0 when unknown. */
static pid_t front_end_pid(void)
{
    const char *s = getenv("JPY_PARENT_PID");
    pid_t p = s ? (pid_t)atol(s) : 0;
    return p > 1 && p == getppid() ? p : 0;
}

static void *control_main(void *arg)
{
    struct kernel *k = arg;
    zmq_pollitem_t it[2] = {
        {.socket = k->control, .events = ZMQ_POLLIN},
        {.fd = k->notify[0], .events = ZMQ_POLLIN},
    };
    pid_t parent = front_end_pid();
    for (;;) {
        int r = zmq_poll(it, 2, parent ? 1000 : -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            kernel_log("control: %s", zmq_strerror(errno));
            break;
        }
        if (parent && getppid() != parent && !atomic_load(&k->stop)) {
            kernel_log("the front end (pid %d) is gone; shutting down", (int)parent);
            begin_shutdown(k);
        }
        if (it[1].revents & ZMQ_POLLIN) {
            char c = 0;
            if (read(k->notify[0], &c, 1) == 1) {
                if (c == NOTE_QUIT)
                    break;
                if (c == NOTE_INTERRUPT)
                    interrupt(k);
                else if (c == NOTE_TERMINATE)
                    begin_shutdown(k);
            }
        }
        if (it[0].revents & ZMQ_POLLIN)
            serve_one(k, k->control, "control", control_request);
    }
    return NULL;
}

/* ========================================================================
 * Setup and teardown
 * ===================================================================== */

/* A socket of type for channel ch, bound to the connection's endpoint. */
static void *bind_channel(struct kernel *k, int type, enum kchannel ch, char *err, size_t errlen)
{
    char ep[512], bound[512];
    int linger = 1000;
    kconn_endpoint(&k->conn, ch, ep, sizeof ep);
    void *s = zmq_socket(k->zctx, type);
    if (!s || zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
        kconn_limit_frames(s, k->max_frame) < 0 || zmq_bind(s, ep) < 0) {
        snprintf(err, errlen, "cannot bind %s to %s: %s", kconn_port_name(ch), ep,
                 zmq_strerror(errno));
        if (s)
            zmq_close(s);
        return NULL;
    }
    size_t len = sizeof bound;
    if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, bound, &len) == 0)
        kconn_set_port(&k->conn, ch, bound);
    return s;
}

/* Runs fn on a new thread that never receives the kernel's signals. */
static int spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc == 0 ? 0 : -1;
}

static int make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    return 0;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int kernel_init(struct kernel *k, const char *connection_file, char *err, size_t errlen)
{
    char ep[512], bound[512];
    memset(k, 0, sizeof *k);
    pthread_mutex_init(&k->pub_lock, NULL);
    k->notify[0] = k->notify[1] = k->wake[0] = k->wake[1] = -1;
    json_object_seed(0);  /* before any thread creates objects */
    if (kconn_load(connection_file, &k->conn, err, errlen) < 0)
        return -1;
    struct buf warn = {0};
    kconn_warnings(&k->conn, &warn);
    for (char *line = warn.data, *nl; line && (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = 0;
        kernel_log("%s", line);
    }
    buf_free(&warn);
    k->sign = ksign_new(k->conn.scheme, k->conn.key, k->conn.keylen, err, errlen);
    if (!k->sign)
        return -1;
    kmsg_session_init(&k->session, k->sign);
    char *warning = NULL, *hpath = khist_default_path();
    k->hist = khist_open(hpath, &warning);
    if (warning)
        kernel_log("%s", warning);
    free(warning);
    free(hpath);
    if (make_pipe(k->notify) < 0 || make_pipe(k->wake) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    notify_fd = k->notify[1];
    install_signals();

    char why[256];
    if (kconn_max_frame(getenv("PARC_KERNEL_MAX_FRAME"), &k->max_frame, why, sizeof why) < 0)
        kernel_log("%s", why);
    k->zctx = zmq_ctx_new();
    if (!k->zctx) {
        snprintf(err, errlen, "cannot create a ZeroMQ context");
        return -1;
    }
    if (!(k->shell = bind_channel(k, ZMQ_ROUTER, KCH_SHELL, err, errlen)) ||
        !(k->stdin_sock = bind_channel(k, ZMQ_ROUTER, KCH_STDIN, err, errlen)) ||
        !(k->control = bind_channel(k, ZMQ_ROUTER, KCH_CONTROL, err, errlen)))
        return -1;
    kconn_endpoint(&k->conn, KCH_IOPUB, ep, sizeof ep);
    k->iopub = kiopub_start(k->zctx, ep, &k->session, k->max_frame, bound, sizeof bound, err, errlen);
    if (!k->iopub)
        return -1;
    kconn_set_port(&k->conn, KCH_IOPUB, bound);
    kconn_endpoint(&k->conn, KCH_HB, ep, sizeof ep);
    k->hb = khb_start(k->zctx, ep, k->max_frame, bound, sizeof bound, err, errlen);
    if (!k->hb)
        return -1;
    kconn_set_port(&k->conn, KCH_HB, bound);
    k->pub_main = kiopub_connect(k->iopub);
    k->pub_control = kiopub_connect(k->iopub);
    if (!k->pub_main || !k->pub_control) {
        snprintf(err, errlen, "cannot connect to the iopub thread");
        return -1;
    }
    k->streams = kstreams_start(k);
    if (!k->streams) {
        snprintf(err, errlen, "cannot start the output thread");
        return -1;
    }

    kernel_status(k, k->pub_main, NULL, "starting");

    /* A kernel whose session cannot start still answers, and says why
     * on every execute. The control thread starts after the session so
     * that it reads what the session's start wrote (k->c_standard). */
    start_engine(k);
    if (!k->c_standard[0])
        snprintf(k->c_standard, sizeof k->c_standard, "C99");
    if (spawn(&k->control_thread, control_main, k) < 0) {
        snprintf(err, errlen, "cannot start the control thread");
        return -1;
    }
    k->control_started = 1;
    return 0;
}

/* ========================================================================
 * The shell loop
 * ===================================================================== */

/* Answers one shell request between busy and idle; while a failed cell
 * is aborting the queue (kernel_abort_queued), execute requests are
 * aborted. */
static void shell_request(struct kernel *k, const struct kmsg *m)
{
    kernel_status(k, k->pub_main, m, "busy");
    if (k->aborting && strcmp(m->msg_type, "execute_request") == 0)
        kexec_abort(k, m);
    else if (strcmp(m->msg_type, "shutdown_request") == 0) {
        /* Old clients send it here rather than on control. */
        atomic_store(&k->stop, 1);
        kernel_reply(k, k->shell, m,
                     json_pack("{s:s, s:b}", "status", "ok", "restart",
                               kmsg_bool(m, "restart", 0)));
    } else if (kshell_dispatch(k, m) < 0)
        kernel_log("shell: ignored a %s message", m->msg_type);
    kernel_status(k, k->pub_main, m, "idle");
}

void kernel_abort_queued(struct kernel *k)
{
    k->aborting = 1;
    zmq_pollitem_t it = {.socket = k->shell, .events = ZMQ_POLLIN};
    while (!atomic_load(&k->stop) && zmq_poll(&it, 1, 0) > 0 && (it.revents & ZMQ_POLLIN))
        serve_one(k, k->shell, "shell", shell_request);
    k->aborting = 0;
}

/* Drops messages that arrive on stdin outside an input request. */
static void drain_stdin(struct kernel *k)
{
    struct kmsg m;
    char err[256];
    int rc = kmsg_recv(k->stdin_sock, &k->session, &m, err, sizeof err);
    if (rc == 0) {
        kernel_log("stdin: ignored a %s message outside an input request", m.msg_type);
        kmsg_clear(&m);
    } else if (rc == -1) {
        kernel_log("stdin: dropped a message: %s", err);
    }
}

void kernel_run(struct kernel *k)
{
    zmq_pollitem_t it[3] = {
        {.socket = k->shell, .events = ZMQ_POLLIN},
        {.socket = k->stdin_sock, .events = ZMQ_POLLIN},
        {.fd = k->wake[0], .events = ZMQ_POLLIN},
    };
    while (!atomic_load(&k->stop)) {
        int r = zmq_poll(it, 3, -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            kernel_log("shell: %s", zmq_strerror(errno));
            break;
        }
        if (it[2].revents & ZMQ_POLLIN) {
            char c[64];
            while (read(k->wake[0], c, sizeof c) > 0)
                ;
        }
        if (it[1].revents & ZMQ_POLLIN)
            drain_stdin(k);
        if (it[0].revents & ZMQ_POLLIN)
            serve_one(k, k->shell, "shell", shell_request);
    }
}

void kernel_fini(struct kernel *k)
{
    if (k->control_started) {
        char c = NOTE_QUIT;
        (void)!write(k->notify[1], &c, 1);
        pthread_join(k->control_thread, NULL);
    }
    /* The session first: its processes must be gone before the front
     * end, seeing the kernel exit, concludes that everything is. */
    engine_free(atomic_load(&k->engine));
    atomic_store(&k->engine, NULL);
    kstreams_stop(k->streams);
    if (k->pub_main)
        zmq_close(k->pub_main);
    if (k->pub_control)
        zmq_close(k->pub_control);
    kiopub_stop(k->iopub);
    khb_stop(k->hb);
    if (k->shell)
        zmq_close(k->shell);
    if (k->stdin_sock)
        zmq_close(k->stdin_sock);
    if (k->control)
        zmq_close(k->control);
    if (k->zctx)
        zmq_ctx_term(k->zctx);
    notify_fd = -1;
    for (int i = 0; i < 2; i++) {
        if (k->notify[i] >= 0)
            close(k->notify[i]);
        if (k->wake[i] >= 0)
            close(k->wake[i]);
    }
    khist_free(k->hist);
    ksign_free(k->sign);
    kconn_free(&k->conn);
    pthread_mutex_destroy(&k->pub_lock);
}
