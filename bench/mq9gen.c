/*
 * Load generator for the mq9 rows of bench/run.ts (libnats, like loadgen.c). Each mode
 * runs against our broker (--impl mq9) or a reference on nats-server (--impl js: JetStream
 * with file storage; --impl core: plain NATS).
 *
 *   mq9gen durable --impl mq9|js --url U [--count N] [--size B] [--flush K] [--window W]
 *   mq9gen replay  --impl mq9|js --url U [--count N] [--size B] [--flush K] [--window W]
 *   mq9gen latency --impl mq9|core --url U [--rate R] [--duration-ms D] [--size B] [--warmup N]
 *   mq9gen idle    --url U --pid P [--count N] [--per-conn C] [--settle-ms S] [--mem-file F]
 *
 * durable: N messages, round-robin over ceil(N / per-mailbox) mailboxes (so the default
 *          10 000-message mailbox limit holds); mq9 confirms by flushing every K messages
 *          (mq9.md §4.5: a PONG means committed), JetStream by async publish with at most
 *          W acks outstanding. Afterwards the store is asked how many it holds.
 * replay:  fills the same way, then times how long the owner (mq9: a subscription to
 *          `<inbox>.*` per mailbox, all at once on one connection; JetStream: an ordered
 *          push consumer) takes to receive all N.
 * latency: a publisher paced at R msg/s for D ms puts its monotonic send time in each
 *          payload; the owner (or a core subscriber) records receive − send.
 * idle:    creates N mailboxes over ceil(N / C) connections (CREATE is rate-limited per
 *          connection, mq9.md §11), closes them, and reads VmRSS of process P before and
 *          after; with --mem-file also P's V8 heap after a full GC (SIGWINCH, see
 *          bench/gc-on-signal.ts).
 *
 * Mailboxes and streams made for a run are deleted at its end. Prints one JSON line;
 * exit 0 if complete, 2 if not, 1 on a setup error.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <nats/nats.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ID_MAX 160
#define MAX_BOXES 4096

typedef struct {
  char id[ID_MAX];
  char token[ID_MAX];
} mailbox;

static const char *url = "nats://127.0.0.1:4222";
static const char *impl = "mq9";
static int64_t count = 100000;
static int size = 128;
static int flush_every = 1000;
static int window = 1000;
static int per_box = 10000;
static int64_t timeout_ms = 60000;
static int64_t rate = 10000;
static int64_t duration_ms = 5000;
static int64_t warmup = 1000;
static int per_conn = 600;
static int pid = 0;
static int64_t settle_ms = 2000;
static bool parallel = false;
static const char *mem_file = NULL;

static _Atomic int64_t async_errors;
static _Atomic int64_t disconnects;
static _Atomic int64_t received;
static _Atomic int64_t last_ns;
static _Atomic int64_t bad_size;
static _Atomic int64_t js_pub_errors;
static int64_t *latencies; /* by sequence number, -1 = not received */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(int64_t ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Prints {"error": what: detail} (detail may be a broker reply, so it is escaped) and exits. */
static _Noreturn void fail_text(const char *what, const char *detail) {
  printf("{\"error\":\"%s: ", what);
  for (const char *p = detail; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if ((unsigned char)*p >= 0x20) putchar(*p);
  }
  printf("\"}\n");
  fflush(stdout);
  exit(1);
}

static _Noreturn void fail(const char *what, natsStatus s) {
  const char *last = nats_GetLastError(NULL);
  char detail[512];
  snprintf(detail, sizeof detail, "%s%s%s", natsStatus_GetText(s), last ? " / " : "", last ? last : "");
  fail_text(what, detail);
}

static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus err, void *closure) {
  (void)nc;
  (void)sub;
  (void)err;
  (void)closure;
  atomic_fetch_add(&async_errors, 1);
}

/* Connections this program opened, so a close of its own is not counted as a disconnect. */
#define MAX_CONNS 8192
static struct {
  natsConnection *nc;
  _Atomic bool closing;
} conns[MAX_CONNS];
static int nconns;

static void on_disconnect(natsConnection *nc, void *closure) {
  (void)nc;
  const int i = (int)(intptr_t)closure;
  if (!atomic_load(&conns[i].closing)) atomic_fetch_add(&disconnects, 1);
}

static void close_one(natsConnection *nc) {
  for (int i = 0; i < nconns; i++)
    if (conns[i].nc == nc) atomic_store(&conns[i].closing, true);
  natsConnection_Destroy(nc);
}

static natsConnection *connect_one(bool send_asap) {
  natsOptions *opts = NULL;
  natsConnection *nc = NULL;
  if (nconns == MAX_CONNS) fail_text("connect", "too many connections");
  const int slot = nconns++;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, url);
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts, false);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(opts, on_error, NULL);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, on_disconnect, (void *)(intptr_t)slot);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 5000);
  /* Without it libnats' flusher thread holds each publish up to ~1 ms (see loadgen.c). */
  if (s == NATS_OK && send_asap) s = natsOptions_SetSendAsap(opts, true);
  if (s == NATS_OK) s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) fail("connect", s);
  conns[slot].nc = nc;
  return nc;
}

static char *payload_buf(void) {
  char *p = malloc(size > 16 ? size : 16);
  memset(p, 'x', size > 16 ? size : 16);
  return p;
}

/* ---- pipelined requests (mq9 CREATE / QUERY / DELETE) ---- */

/*
 * Publishes n requests at once on nc, each with its own reply subject, then collects the
 * n replies (any order). replies[i] is a malloc'd NUL-terminated copy, or NULL on timeout.
 */
static void request_many(natsConnection *nc, int n, char **subjects, char **bodies, char **replies) {
  static int64_t batch_no;
  char prefix[64];
  snprintf(prefix, sizeof prefix, "_MQ9GEN.%d.%lld", (int)getpid(), (long long)++batch_no);
  char wildcard[80];
  snprintf(wildcard, sizeof wildcard, "%s.*", prefix);
  natsSubscription *sub = NULL;
  natsStatus s = natsConnection_SubscribeSync(&sub, nc, wildcard);
  if (s == NATS_OK) s = natsSubscription_SetPendingLimits(sub, -1, -1);
  for (int i = 0; i < n && s == NATS_OK; i++) {
    char reply[96];
    snprintf(reply, sizeof reply, "%s.%d", prefix, i);
    s = natsConnection_PublishRequest(nc, subjects[i], reply, bodies[i], (int)strlen(bodies[i]));
  }
  if (s == NATS_OK) s = natsConnection_Flush(nc);
  if (s != NATS_OK) fail("request", s);
  for (int i = 0; i < n; i++) replies[i] = NULL;
  const int64_t deadline = now_ns() + timeout_ms * 1000000LL;
  for (int got = 0; got < n;) {
    const int64_t left = (deadline - now_ns()) / 1000000LL;
    natsMsg *m = NULL;
    if (left <= 0 || natsSubscription_NextMsg(&m, sub, left) != NATS_OK) break;
    const char *dot = strrchr(natsMsg_GetSubject(m), '.');
    const int i = dot ? atoi(dot + 1) : -1;
    if (i >= 0 && i < n && replies[i] == NULL) {
      replies[i] = strndup(natsMsg_GetData(m), natsMsg_GetDataLength(m));
      got++;
    }
    natsMsg_Destroy(m);
  }
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
}

/* The string value of "key" in a flat JSON reply; false if absent or too long. */
static bool json_string(const char *json, const char *key, char *out, size_t cap) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":\"", key);
  const char *p = strstr(json, pat);
  if (!p) return false;
  p += strlen(pat);
  const char *end = strchr(p, '"');
  if (!end || (size_t)(end - p) >= cap) return false;
  memcpy(out, p, end - p);
  out[end - p] = 0;
  return true;
}

static void free_all(int n, char **xs) {
  for (int i = 0; i < n; i++) free(xs[i]);
}

/*
 * Creates n mailboxes (ttl 3600) on nc, pipelined; boxes may be NULL (ids not kept).
 * Returns how many were created; *first_error gets a copy of the first failed reply.
 */
static int create_mailboxes(natsConnection *nc, int n, mailbox *boxes, char **first_error) {
  char **subjects = calloc(n, sizeof(char *)), **bodies = calloc(n, sizeof(char *));
  char **replies = calloc(n, sizeof(char *));
  for (int i = 0; i < n; i++) {
    subjects[i] = strdup("$mq9.AI.MAILBOX.CREATE");
    bodies[i] = strdup("{\"ttl\":3600}");
  }
  request_many(nc, n, subjects, bodies, replies);
  int ok = 0;
  for (int i = 0; i < n; i++) {
    mailbox b;
    const char *r = replies[i] ? replies[i] : "no reply";
    if (replies[i] && json_string(r, "mail_id", b.id, sizeof b.id) &&
        json_string(r, "token", b.token, sizeof b.token)) {
      if (boxes) boxes[ok] = b;
      ok++;
    } else if (first_error && !*first_error) {
      *first_error = strdup(r);
    }
  }
  free_all(n, subjects);
  free_all(n, bodies);
  free_all(n, replies);
  free(subjects);
  free(bodies);
  free(replies);
  return ok;
}

static void create_or_fail(natsConnection *nc, int n, mailbox *boxes) {
  char *err = NULL;
  if (create_mailboxes(nc, n, boxes, &err) != n) fail_text("create mailboxes", err ? err : "?");
}

/* QUERY (peek) or DELETE each mailbox with its token; returns the replies. */
static char **per_mailbox_request(natsConnection *nc, int n, mailbox *boxes, const char *verb) {
  char **subjects = calloc(n, sizeof(char *)), **bodies = calloc(n, sizeof(char *));
  char **replies = calloc(n, sizeof(char *));
  const bool query = strcmp(verb, "QUERY") == 0;
  for (int i = 0; i < n; i++) {
    if (asprintf(&subjects[i], "$mq9.AI.MAILBOX.%s.%s", verb, boxes[i].id) < 0 ||
        asprintf(&bodies[i], query ? "{\"token\":\"%s\",\"peek\":true,\"limit\":1}" : "{\"token\":\"%s\"}",
                 boxes[i].token) < 0)
      fail_text("asprintf", verb);
  }
  request_many(nc, n, subjects, bodies, replies);
  free_all(n, subjects);
  free_all(n, bodies);
  free(subjects);
  free(bodies);
  return replies;
}

/* Unread messages over all the mailboxes (QUERY's envelope count, mq9.md §7), or -1. */
static int64_t count_unread(natsConnection *nc, int n, mailbox *boxes) {
  char **replies = per_mailbox_request(nc, n, boxes, "QUERY");
  int64_t total = 0;
  for (int i = 0; i < n; i++) {
    /* The envelope's "unread" comes before "messages" (whose entries say unread:true). */
    const char *p = replies[i] ? strstr(replies[i], "\"unread\":") : NULL;
    if (!p || total < 0)
      total = -1;
    else total += atoll(p + 9);
  }
  free_all(n, replies);
  free(replies);
  return total;
}

static void delete_mailboxes(natsConnection *nc, int n, mailbox *boxes) {
  char **replies = per_mailbox_request(nc, n, boxes, "DELETE");
  for (int i = 0; i < n; i++)
    if (!replies[i] || !strstr(replies[i], "\"deleted\":true")) fail_text("delete", replies[i] ? replies[i] : "no reply");
  free_all(n, replies);
  free(replies);
}

static int mailboxes_for(int64_t messages) {
  const int64_t m = (messages + per_box - 1) / per_box;
  if (m > MAX_BOXES) fail_text("too many messages", "raise --per-mailbox");
  return m < 1 ? 1 : (int)m;
}

/* Round-robin over the mailboxes, flushing (= committed) every flush_every messages. */
static natsStatus mq9_fill(natsConnection *nc, int nboxes, mailbox *boxes, const char *payload) {
  char **subjects = calloc(nboxes, sizeof(char *));
  for (int i = 0; i < nboxes; i++)
    if (asprintf(&subjects[i], "$mq9.AI.INBOX.%s.normal", boxes[i].id) < 0) fail_text("asprintf", "inbox");
  natsStatus s = NATS_OK;
  for (int64_t i = 0; i < count && s == NATS_OK; i++) {
    s = natsConnection_Publish(nc, subjects[i % nboxes], payload, size);
    if (s == NATS_OK && (i + 1) % flush_every == 0) s = natsConnection_FlushTimeout(nc, timeout_ms);
  }
  if (s == NATS_OK) s = natsConnection_FlushTimeout(nc, timeout_ms);
  free_all(nboxes, subjects);
  free(subjects);
  return s;
}

/* ---- JetStream ---- */

static void on_js_pub_error(jsCtx *js, jsPubAckErr *pae, void *closure) {
  (void)js;
  (void)pae;
  (void)closure;
  atomic_fetch_add(&js_pub_errors, 1);
}

typedef struct {
  natsConnection *nc;
  jsCtx *js;
  char stream[64];
  char subject[64];
} js_setup;

static void js_open(js_setup *j) {
  j->nc = connect_one(false);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = window;
  jo.PublishAsync.ErrHandler = on_js_pub_error;
  /* With W acks outstanding PublishAsync waits; it must not give up before the run does. */
  jo.PublishAsync.StallWait = timeout_ms;
  natsStatus s = natsConnection_JetStream(&j->js, j->nc, &jo);
  if (s != NATS_OK) fail("jetstream", s);
  const long long tag = (long long)(now_ns() % 1000000000LL);
  snprintf(j->stream, sizeof j->stream, "MQ9GEN_%d_%lld", (int)getpid(), tag);
  snprintf(j->subject, sizeof j->subject, "mq9gen.%d.%lld", (int)getpid(), tag);
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  const char *subjects[1] = {j->subject};
  sc.Name = j->stream;
  sc.Subjects = subjects;
  sc.SubjectsLen = 1;
  sc.Storage = js_FileStorage;
  jsStreamInfo *si = NULL;
  jsErrCode jerr = 0;
  s = js_AddStream(&si, j->js, &sc, NULL, &jerr);
  if (s != NATS_OK) fail("js_AddStream", s);
  jsStreamInfo_Destroy(si);
}

static natsStatus js_fill(js_setup *j, const char *payload) {
  natsStatus s = NATS_OK;
  for (int64_t i = 0; i < count && s == NATS_OK; i++) s = js_PublishAsync(j->js, j->subject, payload, size, NULL);
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = timeout_ms;
  if (s == NATS_OK) s = js_PublishAsyncComplete(j->js, &po);
  return s;
}

static int64_t js_stored(js_setup *j) {
  jsStreamInfo *si = NULL;
  jsErrCode jerr = 0;
  if (js_GetStreamInfo(&si, j->js, j->stream, NULL, &jerr) != NATS_OK) return -1;
  const int64_t n = (int64_t)si->State.Msgs;
  jsStreamInfo_Destroy(si);
  return n;
}

static void js_close(js_setup *j) {
  jsErrCode jerr = 0;
  js_DeleteStream(j->js, j->stream, NULL, &jerr);
  jsCtx_Destroy(j->js);
  close_one(j->nc);
}

/* ---- modes ---- */

static void print_common(const char *mode) {
  printf("{\"mode\":\"%s\",\"impl\":\"%s\",\"url\":\"%s\",\"size\":%d,", mode, impl, url, size);
}

static void print_tail(bool complete) {
  printf("\"async_errors\":%lld,\"disconnects\":%lld,\"complete\":%s}\n", (long long)atomic_load(&async_errors),
         (long long)atomic_load(&disconnects), complete ? "true" : "false");
  fflush(stdout);
}

static int run_durable(void) {
  char *payload = payload_buf();
  natsStatus s;
  int64_t stored, start, end;
  int nboxes = 0;
  if (strcmp(impl, "mq9") == 0) {
    natsConnection *nc = connect_one(false);
    nboxes = mailboxes_for(count);
    mailbox *boxes = calloc(nboxes, sizeof(mailbox));
    create_or_fail(nc, nboxes, boxes);
    start = now_ns();
    s = mq9_fill(nc, nboxes, boxes, payload);
    end = now_ns();
    stored = s == NATS_OK ? count_unread(nc, nboxes, boxes) : -1;
    if (s == NATS_OK) delete_mailboxes(nc, nboxes, boxes);
    close_one(nc);
    free(boxes);
  } else {
    js_setup j;
    js_open(&j);
    start = now_ns();
    s = js_fill(&j, payload);
    end = now_ns();
    stored = js_stored(&j);
    js_close(&j);
  }
  const double secs = (double)(end - start) / 1e9;
  const bool complete = s == NATS_OK && stored == count && atomic_load(&js_pub_errors) == 0;
  print_common("durable");
  printf("\"count\":%lld,\"flush_every\":%d,\"window\":%d,\"mailboxes\":%d,\"secs\":%.6f,\"rate\":%.0f,"
         "\"expected\":%lld,\"delivered\":%lld,\"publish_status\":\"%s\",\"js_pub_errors\":%lld,",
         (long long)count, flush_every, window, nboxes, secs, secs > 0 ? (double)count / secs : 0.0,
         (long long)count, (long long)stored, natsStatus_GetText(s), (long long)atomic_load(&js_pub_errors));
  print_tail(complete);
  free(payload);
  return complete ? 0 : 2;
}

static void on_replay(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure) {
  (void)nc;
  (void)sub;
  (void)closure;
  if (natsMsg_GetDataLength(msg) != size) atomic_fetch_add(&bad_size, 1);
  natsMsg_Destroy(msg);
  atomic_store_explicit(&last_ns, now_ns(), memory_order_relaxed);
  atomic_fetch_add_explicit(&received, 1, memory_order_release);
}

/* Waits until `target` messages arrived, the deadline passed, or nothing came for 10 s. */
static void wait_received(int64_t target, int64_t deadline) {
  int64_t seen = -1, since = now_ns();
  while (now_ns() < deadline && atomic_load(&disconnects) == 0) {
    const int64_t r = atomic_load(&received);
    if (r >= target) return;
    if (r != seen) {
      seen = r;
      since = now_ns();
    } else if (now_ns() - since > 10000000000LL) return;
    usleep(500);
  }
}

static int run_replay(void) {
  char *payload = payload_buf();
  natsStatus s;
  int64_t fill_start, fill_end, start = 0, unread_after = -1;
  int nboxes = 0;
  if (strcmp(impl, "mq9") == 0) {
    natsConnection *nc = connect_one(false);
    nboxes = mailboxes_for(count);
    mailbox *boxes = calloc(nboxes, sizeof(mailbox));
    create_or_fail(nc, nboxes, boxes);
    fill_start = now_ns();
    s = mq9_fill(nc, nboxes, boxes, payload);
    fill_end = now_ns();
    if (s == NATS_OK) {
      natsConnection *owner = connect_one(false);
      natsSubscription **subs = calloc(nboxes, sizeof(natsSubscription *));
      const int64_t deadline = now_ns() + timeout_ms * 1000000LL;
      int64_t expected = 0;
      start = now_ns();
      for (int i = 0; i < nboxes && s == NATS_OK; i++) {
        char subject[ID_MAX + 32];
        snprintf(subject, sizeof subject, "$mq9.AI.INBOX.%s.*", boxes[i].id);
        s = natsConnection_Subscribe(&subs[i], owner, subject, on_replay, NULL);
        /* The client must not drop messages itself: only the broker is under test. */
        if (s == NATS_OK) s = natsSubscription_SetPendingLimits(subs[i], -1, -1);
        /* Round-robin fill: mailbox i holds the messages i, i + nboxes, ... */
        expected += (count - i + nboxes - 1) / nboxes;
        if (!parallel) {
          if (s == NATS_OK) s = natsConnection_Flush(owner);
          if (s == NATS_OK) wait_received(expected, deadline);
          if (atomic_load(&received) != expected) break;
        }
      }
      if (s == NATS_OK) s = natsConnection_Flush(owner);
      if (s == NATS_OK) wait_received(count, deadline);
      /* Replay marks what it hands over as read (mq9.md §6.2). */
      unread_after = count_unread(nc, nboxes, boxes);
      for (int i = 0; i < nboxes; i++) natsSubscription_Destroy(subs[i]);
      close_one(owner);
      free(subs);
      delete_mailboxes(nc, nboxes, boxes);
    }
    close_one(nc);
    free(boxes);
  } else {
    js_setup j;
    js_open(&j);
    fill_start = now_ns();
    s = js_fill(&j, payload);
    fill_end = now_ns();
    if (s == NATS_OK) {
      jsSubOptions so;
      jsSubOptions_Init(&so);
      so.Stream = j.stream;
      so.Ordered = true; /* push, no acks, flow control: JetStream's fastest full read */
      natsSubscription *sub = NULL;
      jsErrCode jerr = 0;
      start = now_ns();
      s = js_Subscribe(&sub, j.js, j.subject, on_replay, NULL, NULL, &so, &jerr);
      if (s == NATS_OK) s = natsSubscription_SetPendingLimits(sub, -1, -1);
      if (s == NATS_OK) wait_received(count, now_ns() + timeout_ms * 1000000LL);
      if (sub) {
        natsSubscription_Unsubscribe(sub);
        natsSubscription_Destroy(sub);
      }
    }
    js_close(&j);
  }
  const int64_t got = atomic_load(&received);
  const int64_t last = atomic_load(&last_ns);
  const double fill_secs = (double)(fill_end - fill_start) / 1e9;
  const double secs = got > 0 ? (double)(last - start) / 1e9 : 0;
  const bool complete = s == NATS_OK && got == count && atomic_load(&bad_size) == 0 &&
                        atomic_load(&js_pub_errors) == 0 && (unread_after == 0 || nboxes == 0);
  print_common("replay");
  printf("\"count\":%lld,\"mailboxes\":%d,\"parallel\":%s,\"fill_secs\":%.6f,\"fill_rate\":%.0f,\"replay_secs\":%.6f,"
         "\"replay_rate\":%.0f,\"expected\":%lld,\"delivered\":%lld,\"bad_size\":%lld,\"unread_after\":%lld,"
         "\"status\":\"%s\",",
         (long long)count, nboxes, parallel ? "true" : "false", fill_secs, fill_secs > 0 ? (double)count / fill_secs : 0.0, secs,
         secs > 0 ? (double)got / secs : 0.0, (long long)count, (long long)got, (long long)atomic_load(&bad_size),
         (long long)unread_after, natsStatus_GetText(s));
  print_tail(complete);
  free(payload);
  return complete ? 0 : 2;
}

static void on_timed(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure) {
  (void)nc;
  (void)sub;
  const int64_t total = *(const int64_t *)closure;
  const int64_t at = now_ns();
  if (natsMsg_GetDataLength(msg) != size) {
    atomic_fetch_add(&bad_size, 1);
  } else {
    int64_t sent, seq;
    memcpy(&sent, natsMsg_GetData(msg), 8);
    memcpy(&seq, natsMsg_GetData(msg) + 8, 8);
    if (seq >= 0 && seq < total) latencies[seq] = at - sent;
  }
  natsMsg_Destroy(msg);
  atomic_fetch_add_explicit(&received, 1, memory_order_release);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static int run_latency(void) {
  if (size < 16) fail_text("latency", "--size must be at least 16 (timestamp + sequence)");
  static int64_t total;
  total = rate * duration_ms / 1000 + warmup;
  latencies = malloc(sizeof(int64_t) * total);
  for (int64_t i = 0; i < total; i++) latencies[i] = -1;
  const bool mq9 = strcmp(impl, "mq9") == 0;
  natsConnection *owner = connect_one(false);
  natsConnection *pub = connect_one(true);
  /* Core NATS gets as many subjects and subscriptions as mq9 needs mailboxes: same client work. */
  const int nboxes = mailboxes_for(total);
  mailbox *boxes = calloc(nboxes, sizeof(mailbox));
  char **subjects = calloc(nboxes, sizeof(char *));
  natsSubscription **subs = calloc(nboxes, sizeof(natsSubscription *));
  if (mq9) create_or_fail(pub, nboxes, boxes);
  natsStatus s = NATS_OK;
  for (int i = 0; i < nboxes && s == NATS_OK; i++) {
    char *filter;
    int r = mq9 ? asprintf(&subjects[i], "$mq9.AI.INBOX.%s.normal", boxes[i].id)
                : asprintf(&subjects[i], "mq9gen.latency.%d.%d", (int)getpid(), i);
    if (r < 0 || asprintf(&filter, mq9 ? "$mq9.AI.INBOX.%s.*" : "%s", mq9 ? boxes[i].id : subjects[i]) < 0)
      fail_text("asprintf", "latency");
    s = natsConnection_Subscribe(&subs[i], owner, filter, on_timed, &total);
    if (s == NATS_OK) s = natsSubscription_SetPendingLimits(subs[i], -1, -1);
    free(filter);
  }
  /* The PONG proves the subscriptions exist before the first message. */
  if (s == NATS_OK) s = natsConnection_Flush(owner);
  if (s != NATS_OK) fail("subscribe", s);

  char *payload = payload_buf();
  const int64_t interval = 1000000000LL / (rate > 0 ? rate : 1);
  const int64_t start = now_ns() + 10000000LL;
  int64_t i = 0;
  for (; i < total && s == NATS_OK; i++) {
    const int64_t due = start + i * interval;
    if (now_ns() < due) {
      struct timespec ts = {due / 1000000000LL, due % 1000000000LL};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    const int64_t sent = now_ns();
    memcpy(payload, &sent, 8);
    memcpy(payload + 8, &i, 8);
    s = natsConnection_Publish(pub, subjects[i % nboxes], payload, size);
  }
  const int64_t pub_end = now_ns();
  if (s == NATS_OK) s = natsConnection_FlushTimeout(pub, timeout_ms);
  wait_received(total, now_ns() + timeout_ms * 1000000LL);

  for (int k = 0; k < nboxes; k++) natsSubscription_Destroy(subs[k]);
  if (mq9 && s == NATS_OK) delete_mailboxes(pub, nboxes, boxes);
  close_one(pub);
  close_one(owner);

  int64_t n = 0, missing = 0;
  int64_t *lat = malloc(sizeof(int64_t) * total);
  for (int64_t k = 0; k < total; k++) {
    if (latencies[k] < 0) missing++;
    else if (k >= warmup) lat[n++] = latencies[k];
  }
  qsort(lat, n, sizeof(int64_t), cmp_i64);
#define PCT(p) (n ? (double)lat[(int64_t)((double)(n - 1) * (p))] / 1000.0 : 0.0)
  const double pub_secs = (double)(pub_end - start) / 1e9;
  const bool complete = s == NATS_OK && missing == 0 && atomic_load(&bad_size) == 0;
  print_common("latency");
  printf("\"rate\":%lld,\"duration_ms\":%lld,\"warmup\":%lld,\"subscriptions\":%d,\"sent\":%lld,"
         "\"achieved_rate\":%.0f,\"expected\":%lld,\"delivered\":%lld,\"measured\":%lld,\"min_us\":%.1f,"
         "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"status\":\"%s\",",
         (long long)rate, (long long)duration_ms, (long long)warmup, nboxes, (long long)i,
         pub_secs > 0 ? (double)i / pub_secs : 0.0, (long long)total, (long long)(total - missing), (long long)n,
         PCT(0.0), PCT(0.5), PCT(0.9), PCT(0.99), PCT(0.999), PCT(1.0), natsStatus_GetText(s));
  print_tail(complete);
  free_all(nboxes, subjects);
  free(subjects);
  free(subs);
  free(boxes);
  free(lat);
  free(latencies);
  free(payload);
  return complete ? 0 : 2;
}

static int64_t vm_rss_kb(void) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  int64_t kb = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) kb = atoll(line + 6);
  fclose(f);
  return kb;
}

/*
 * With --mem-file the broker runs a full GC on SIGWINCH and then writes its
 * process.memoryUsage() there (bench/gc-on-signal.ts). Returns heapUsed in kB, or -1.
 */
static int64_t collect_garbage(void) {
  if (!mem_file) return -1;
  remove(mem_file);
  kill(pid, SIGWINCH);
  for (int i = 0; i < 100; i++) {
    sleep_ms(50);
    FILE *f = fopen(mem_file, "r");
    if (!f) continue;
    char buf[512] = "";
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *p = strstr(buf, "\"heapUsed\":");
    if (p) return atoll(p + 11) / 1024;
  }
  return -1;
}

static int run_idle(void) {
  if (pid <= 0) fail_text("idle", "--pid is required");
  const int64_t heap_before = collect_garbage();
  const int64_t before = vm_rss_kb();
  if (before < 0) fail_text("idle", "cannot read VmRSS of --pid");
  int64_t created = 0;
  char *err = NULL;
  const int64_t start = now_ns();
  /* A fresh connection per C mailboxes: CREATE is limited per connection per minute. */
  while (created < count && atomic_load(&disconnects) == 0) {
    const int n = (int)(count - created < per_conn ? count - created : per_conn);
    natsConnection *nc = connect_one(false);
    const int ok = create_mailboxes(nc, n, NULL, &err);
    close_one(nc);
    created += ok;
    if (ok < n) break;
  }
  const double secs = (double)(now_ns() - start) / 1e9;
  sleep_ms(settle_ms);
  const int64_t after = vm_rss_kb();
  const int64_t heap_after = collect_garbage();
  const int64_t after_gc = vm_rss_kb();
  const bool complete = created == count && after > 0;
  print_common("idle");
  printf("\"count\":%lld,\"per_conn\":%d,\"created\":%lld,\"create_secs\":%.3f,\"create_rate\":%.0f,"
         "\"rss_before_kb\":%lld,\"rss_after_kb\":%lld,\"rss_delta_kb\":%lld,\"bytes_per_mailbox\":%.0f,",
         (long long)count, per_conn, (long long)created, secs, secs > 0 ? (double)created / secs : 0.0,
         (long long)before, (long long)after, (long long)(after - before),
         created > 0 ? (double)(after - before) * 1024.0 / (double)created : 0.0);
  if (heap_before > 0 && heap_after > 0)
    printf("\"rss_after_gc_kb\":%lld,\"heap_used_before_kb\":%lld,\"heap_used_after_kb\":%lld,"
           "\"heap_bytes_per_mailbox\":%.0f,",
           (long long)after_gc, (long long)heap_before, (long long)heap_after,
           created > 0 ? (double)(heap_after - heap_before) * 1024.0 / (double)created : 0.0);
  printf("\"first_error\":\"");
  for (const char *p = err ? err : ""; *p; p++)
    if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) putchar(*p);
  printf("\",\"expected\":%lld,\"delivered\":%lld,", (long long)count, (long long)created);
  print_tail(complete);
  free(err);
  return complete ? 0 : 2;
}

static _Noreturn void usage(void) {
  fprintf(stderr,
          "usage: mq9gen durable|replay --impl mq9|js --url URL [--count N] [--size B] [--flush K] [--window W]\n"
          "                      [--parallel]\n"
          "       mq9gen latency --impl mq9|core --url URL [--rate R] [--duration-ms D] [--warmup N]\n"
          "       mq9gen idle --url URL --pid P [--count N] [--per-conn C] [--settle-ms S] [--mem-file F]\n"
          "       common: [--per-mailbox M] [--timeout-ms T]\n");
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  const char *mode = argv[1];
  static const struct option longopts[] = {
      {"url", required_argument, 0, 'u'},         {"impl", required_argument, 0, 'i'},
      {"count", required_argument, 0, 'n'},       {"size", required_argument, 0, 's'},
      {"flush", required_argument, 0, 'f'},       {"window", required_argument, 0, 'W'},
      {"per-mailbox", required_argument, 0, 'm'}, {"timeout-ms", required_argument, 0, 't'},
      {"rate", required_argument, 0, 'r'},        {"duration-ms", required_argument, 0, 'd'},
      {"warmup", required_argument, 0, 'w'},      {"per-conn", required_argument, 0, 'c'},
      {"pid", required_argument, 0, 'p'},         {"settle-ms", required_argument, 0, 'S'},
      {"parallel", no_argument, 0, 'P'},          {"mem-file", required_argument, 0, 'M'},
      {0, 0, 0, 0},
  };
  optind = 2;
  int c;
  while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (c) {
      case 'u': url = optarg; break;
      case 'i': impl = optarg; break;
      case 'n': count = atoll(optarg); break;
      case 's': size = atoi(optarg); break;
      case 'f': flush_every = atoi(optarg); break;
      case 'W': window = atoi(optarg); break;
      case 'm': per_box = atoi(optarg); break;
      case 't': timeout_ms = atoll(optarg); break;
      case 'r': rate = atoll(optarg); break;
      case 'd': duration_ms = atoll(optarg); break;
      case 'w': warmup = atoll(optarg); break;
      case 'c': per_conn = atoi(optarg); break;
      case 'p': pid = atoi(optarg); break;
      case 'S': settle_ms = atoll(optarg); break;
      case 'P': parallel = true; break;
      case 'M': mem_file = optarg; break;
      default: usage();
    }
  }
  if (size < 1 || count < 1 || flush_every < 1 || window < 1 || per_box < 1 || per_conn < 1 || rate < 1)
    usage();

  natsStatus s = nats_Open(-1);
  if (s != NATS_OK) fail("nats_Open", s);
  int rc;
  if (strcmp(mode, "durable") == 0) rc = run_durable();
  else if (strcmp(mode, "replay") == 0) rc = run_replay();
  else if (strcmp(mode, "latency") == 0) rc = run_latency();
  else if (strcmp(mode, "idle") == 0) rc = run_idle();
  else usage();
  nats_Close();
  return rc;
}
