/*
 * Load generator for bench/run.ts, built on the C client (libnats), because the
 * Node client is itself the bottleneck (nats-wire-notes "Reference figures").
 *
 *   loadgen pubsub  --url U [--count M] [--size B] [--subs S] [--flush F] [--timeout-ms T]
 *   loadgen queue   --url U [--count M] [--size B] [--subs S] [--flush F] [--timeout-ms T]
 *   loadgen reqrep  --url U [--count K] [--size B] [--warmup W] [--timeout-ms T]
 *
 * pubsub: 1 publisher connection, S subscriber connections on one subject; each
 *         subscriber must receive all M messages.
 * queue:  1 publisher, S subscribers in one queue group; together they must
 *         receive exactly M messages.
 * reqrep: 1 responder connection, 1 requester doing K sequential requests.
 *
 * The publisher sends as fast as it can but round-trips (PING/PONG) every F
 * messages so the server's buffers stay bounded and no subscriber is cut off
 * as a slow consumer. Reconnects are disabled: a disconnect is a failure.
 *
 * Prints one JSON line to stdout. Exit 0 if every message arrived, 2 if not,
 * 1 on a setup error.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <nats/nats.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SUBS 64

typedef struct {
  _Atomic int64_t received;
  _Atomic int64_t last_ns; /* monotonic time of the latest message */
  _Atomic int64_t bad_size;
  natsConnection *nc;
  natsSubscription *sub;
} subscriber;

static subscriber subs[MAX_SUBS];
static _Atomic int64_t async_errors;
static _Atomic int64_t disconnects;
static _Atomic int last_async_error;

static const char *url = "nats://127.0.0.1:4222";
static int64_t count = 100000;
static int size = 16;
static int nsubs = 1;
static int flush_every = 1000;
static int64_t timeout_ms = 60000;
static int64_t warmup = 200;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus err, void *closure) {
  (void)nc;
  (void)sub;
  (void)closure;
  atomic_fetch_add(&async_errors, 1);
  atomic_store(&last_async_error, (int)err);
}

static void on_disconnect(natsConnection *nc, void *closure) {
  (void)nc;
  (void)closure;
  atomic_fetch_add(&disconnects, 1);
}

static void fail(const char *what, natsStatus s) {
  printf("{\"error\":\"%s: %s\"}\n", what, natsStatus_GetText(s));
  fflush(stdout);
  exit(1);
}

static natsConnection *connect_one(bool send_asap) {
  natsOptions *opts = NULL;
  natsConnection *nc = NULL;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, url);
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts, false);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(opts, on_error, NULL);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, on_disconnect, NULL);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 5000);
  /* Without this libnats' flusher thread adds up to ~1 ms to every reply (measured). */
  if (s == NATS_OK && send_asap) s = natsOptions_SetSendAsap(opts, true);
  if (s == NATS_OK) s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) fail("connect", s);
  return nc;
}

static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure) {
  (void)nc;
  (void)sub;
  subscriber *me = closure;
  if (natsMsg_GetDataLength(msg) != size) atomic_fetch_add_explicit(&me->bad_size, 1, memory_order_relaxed);
  natsMsg_Destroy(msg);
  atomic_store_explicit(&me->last_ns, now_ns(), memory_order_relaxed);
  atomic_fetch_add_explicit(&me->received, 1, memory_order_release);
}

static void on_request(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure) {
  (void)sub;
  (void)closure;
  const char *reply = natsMsg_GetReply(msg);
  if (reply != NULL) natsConnection_Publish(nc, reply, natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static int64_t total_received(void) {
  int64_t t = 0;
  for (int i = 0; i < nsubs; i++) t += atomic_load(&subs[i].received);
  return t;
}

/* pubsub and queue share everything but the subscription and what "complete" means. */
static int run_fanout(int queue) {
  const char *subject = queue ? "bench.queue" : "bench.pubsub";
  for (int i = 0; i < nsubs; i++) {
    subs[i].nc = connect_one(false);
    natsStatus s = queue ? natsConnection_QueueSubscribe(&subs[i].sub, subs[i].nc, subject, "workers",
                                                          on_msg, &subs[i])
                         : natsConnection_Subscribe(&subs[i].sub, subs[i].nc, subject, on_msg, &subs[i]);
    /* The client must not drop messages itself: only the server is under test. */
    if (s == NATS_OK) s = natsSubscription_SetPendingLimits(subs[i].sub, -1, -1);
    /* The PONG proves the server has registered the SUB before anything is published. */
    if (s == NATS_OK) s = natsConnection_Flush(subs[i].nc);
    if (s != NATS_OK) fail("subscribe", s);
  }
  natsConnection *pub = connect_one(false);
  char *payload = malloc(size > 0 ? size : 1);
  memset(payload, 'x', size > 0 ? size : 1);

  const int64_t expected = queue ? count : count * nsubs;
  natsStatus s = NATS_OK;
  const int64_t start = now_ns();
  int64_t published = 0;
  for (; published < count && s == NATS_OK; published++) {
    s = natsConnection_Publish(pub, subject, payload, size);
    if (flush_every > 0 && (published + 1) % flush_every == 0 && s == NATS_OK) s = natsConnection_Flush(pub);
  }
  if (s == NATS_OK) s = natsConnection_Flush(pub);
  const int64_t pub_end = now_ns();

  const int64_t deadline = pub_end + timeout_ms * 1000000LL;
  while (total_received() < expected && now_ns() < deadline && atomic_load(&disconnects) == 0) usleep(1000);
  /* Give stragglers a moment so over-delivery (queue) would show up too. */
  usleep(queue ? 50000 : 0);

  int64_t end = start;
  int64_t delivered = 0, bad = 0;
  char per_sub[MAX_SUBS * 24] = "";
  size_t off = 0;
  for (int i = 0; i < nsubs; i++) {
    int64_t r = atomic_load(&subs[i].received);
    int64_t last = atomic_load(&subs[i].last_ns);
    delivered += r;
    bad += atomic_load(&subs[i].bad_size);
    if (last > end) end = last;
    off += snprintf(per_sub + off, sizeof per_sub - off, "%s%lld", i ? "," : "", (long long)r);
  }
  const double elapsed = (double)(end - start) / 1e9;
  const double pub_secs = (double)(pub_end - start) / 1e9;
  const int complete = delivered == expected && bad == 0 && s == NATS_OK;
  printf("{\"mode\":\"%s\",\"url\":\"%s\",\"count\":%lld,\"size\":%d,\"subs\":%d,\"flush_every\":%d,"
         "\"published\":%lld,\"pub_secs\":%.6f,\"pub_rate\":%.0f,\"expected\":%lld,\"delivered\":%lld,"
         "\"per_sub\":[%s],\"elapsed_secs\":%.6f,\"delivered_rate\":%.0f,\"bad_size\":%lld,"
         "\"async_errors\":%lld,\"last_async_error\":\"%s\",\"disconnects\":%lld,\"publish_status\":\"%s\","
         "\"complete\":%s}\n",
         queue ? "queue" : "pubsub", url, (long long)count, size, nsubs, flush_every, (long long)published,
         pub_secs, pub_secs > 0 ? (double)published / pub_secs : 0.0, (long long)expected, (long long)delivered,
         per_sub, elapsed, elapsed > 0 ? (double)delivered / elapsed : 0.0, (long long)bad,
         (long long)atomic_load(&async_errors),
         atomic_load(&async_errors) ? natsStatus_GetText((natsStatus)atomic_load(&last_async_error)) : "",
         (long long)atomic_load(&disconnects), natsStatus_GetText(s), complete ? "true" : "false");
  fflush(stdout);

  natsConnection_Destroy(pub);
  for (int i = 0; i < nsubs; i++) {
    natsSubscription_Destroy(subs[i].sub);
    natsConnection_Destroy(subs[i].nc);
  }
  free(payload);
  return complete ? 0 : 2;
}

static int run_reqrep(void) {
  natsConnection *responder = connect_one(true);
  natsSubscription *sub = NULL;
  natsStatus s = natsConnection_Subscribe(&sub, responder, "bench.echo", on_request, NULL);
  if (s == NATS_OK) s = natsConnection_Flush(responder);
  if (s != NATS_OK) fail("responder", s);
  natsConnection *requester = connect_one(true);
  char *payload = malloc(size > 0 ? size : 1);
  memset(payload, 'x', size > 0 ? size : 1);
  int64_t *lat = malloc(sizeof(int64_t) * (count > 0 ? count : 1));
  int64_t done = 0, failures = 0;
  natsStatus last_failure = NATS_OK;

  for (int64_t i = -warmup; i < count; i++) {
    natsMsg *reply = NULL;
    const int64_t t0 = now_ns();
    s = natsConnection_Request(&reply, requester, "bench.echo", payload, size, timeout_ms);
    const int64_t t1 = now_ns();
    if (s != NATS_OK) {
      failures++;
      last_failure = s;
      if (s != NATS_TIMEOUT) break; /* the connection is gone */
      continue;
    }
    natsMsg_Destroy(reply);
    if (i >= 0) lat[done++] = t1 - t0;
  }

  qsort(lat, done, sizeof(int64_t), cmp_i64);
  double sum = 0;
  for (int64_t i = 0; i < done; i++) sum += (double)lat[i];
#define PCT(p) (done ? (double)lat[(int64_t)((double)(done - 1) * (p))] / 1000.0 : 0.0)
  printf("{\"mode\":\"reqrep\",\"url\":\"%s\",\"count\":%lld,\"size\":%d,\"warmup\":%lld,\"completed\":%lld,"
         "\"failures\":%lld,\"last_failure\":\"%s\",\"min_us\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,"
         "\"p99_us\":%.1f,\"max_us\":%.1f,\"avg_us\":%.1f,\"async_errors\":%lld,\"disconnects\":%lld,"
         "\"complete\":%s}\n",
         url, (long long)count, size, (long long)warmup, (long long)done, (long long)failures,
         failures ? natsStatus_GetText(last_failure) : "", PCT(0.0), PCT(0.5), PCT(0.9), PCT(0.99), PCT(1.0),
         done ? sum / (double)done / 1000.0 : 0.0, (long long)atomic_load(&async_errors),
         (long long)atomic_load(&disconnects), done == count ? "true" : "false");
  fflush(stdout);

  natsConnection_Destroy(requester);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(responder);
  free(lat);
  free(payload);
  return done == count ? 0 : 2;
}

static _Noreturn void usage(void) {
  fprintf(stderr,
          "usage: loadgen pubsub|queue|reqrep --url URL [--count N] [--size BYTES] [--subs S]\n"
          "               [--flush EVERY] [--timeout-ms MS] [--warmup N]\n");
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  const char *mode = argv[1];
  static const struct option longopts[] = {
      {"url", required_argument, 0, 'u'},   {"count", required_argument, 0, 'n'},
      {"size", required_argument, 0, 's'},  {"subs", required_argument, 0, 'S'},
      {"flush", required_argument, 0, 'f'}, {"timeout-ms", required_argument, 0, 't'},
      {"warmup", required_argument, 0, 'w'}, {0, 0, 0, 0},
  };
  optind = 2;
  int c;
  while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (c) {
      case 'u': url = optarg; break;
      case 'n': count = atoll(optarg); break;
      case 's': size = atoi(optarg); break;
      case 'S': nsubs = atoi(optarg); break;
      case 'f': flush_every = atoi(optarg); break;
      case 't': timeout_ms = atoll(optarg); break;
      case 'w': warmup = atoll(optarg); break;
      default: usage();
    }
  }
  if (nsubs < 1 || nsubs > MAX_SUBS || size < 0 || count < 0) usage();

  natsStatus s = nats_Open(-1);
  if (s != NATS_OK) fail("nats_Open", s);
  int rc;
  if (strcmp(mode, "pubsub") == 0) rc = run_fanout(0);
  else if (strcmp(mode, "queue") == 0) rc = run_fanout(1);
  else if (strcmp(mode, "reqrep") == 0) rc = run_reqrep();
  else usage();
  nats_Close();
  return rc;
}
