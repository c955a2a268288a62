/*
 * Core NATS behaviour as seen through nats.c (libnats), run by client-c.test.ts against our
 * broker and against nats-server. Usage: nats_client_check <nats://127.0.0.1:port> <max_payload>
 * Prints "ok <name>" or "fail <name>: <why>" per check and exits 1 if any check failed.
 *
 * Delivery is checked after flushes, not sleeps: a PONG comes after every MSG the server
 * queued to that connection before it handled the PING, and nats.c has moved those MSGs
 * into the subscriptions' queues by the time Flush returns (nats-wire-notes §1.7, §1.10).
 * A failing check returns early and may leak its objects; the process exits soon anyway.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <nats/nats.h>

static const char *url;
static int port;
static int expected_max_payload;
static char why[512];

/* Records the reason and makes the enclosing check return it. */
#define FAIL(...)                                       \
    do {                                                \
        snprintf(why, sizeof(why), __VA_ARGS__);        \
        return why;                                     \
    } while (0)
#define NATS_OK_OR_FAIL(call)                                                         \
    do {                                                                              \
        natsStatus s_ = (call);                                                       \
        if (s_ != NATS_OK) FAIL("%s -> %s", #call, natsStatus_GetText(s_));          \
    } while (0)

static natsConnection *dial(bool no_echo) {
    natsOptions *opts = NULL;
    natsConnection *nc = NULL;
    if (natsOptions_Create(&opts) != NATS_OK) return NULL;
    natsOptions_SetURL(opts, url);
    natsOptions_SetAllowReconnect(opts, false);
    natsOptions_SetTimeout(opts, 2000);
    if (no_echo) natsOptions_SetNoEcho(opts, true);
    if (natsConnection_Connect(&nc, opts) != NATS_OK) nc = NULL;
    natsOptions_Destroy(opts);
    return nc;
}

static void hang_up(natsConnection *nc) {
    if (nc == NULL) return;
    natsConnection_Close(nc);
    natsConnection_Destroy(nc);
}

static int pending(natsSubscription *sub) {
    int msgs = -1, bytes = 0;
    natsSubscription_GetPending(sub, &msgs, &bytes);
    return msgs;
}

/* The next queued message's payload as a string (payloads here are short text), or NULL. */
static char *next_text(natsSubscription *sub, char *buf, size_t size) {
    natsMsg *m = NULL;
    if (natsSubscription_NextMsg(&m, sub, 1000) != NATS_OK) return NULL;
    snprintf(buf, size, "%.*s", natsMsg_GetDataLength(m), natsMsg_GetData(m));
    natsMsg_Destroy(m);
    return buf;
}

static natsConnection *main_nc;

static const char *check_pubsub(void) {
    natsConnection *sub_nc = dial(false);
    natsSubscription *sub = NULL;
    char buf[64], want[64];
    if (sub_nc == NULL) FAIL("connect");
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&sub, sub_nc, "ps.a"));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    for (int i = 0; i < 20; i++) {
        snprintf(buf, sizeof(buf), "m%d", i);
        NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "ps.a", buf));
    }
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    for (int i = 0; i < 20; i++) {
        natsMsg *m = NULL;
        NATS_OK_OR_FAIL(natsSubscription_NextMsg(&m, sub, 1000));
        snprintf(want, sizeof(want), "m%d", i);
        snprintf(buf, sizeof(buf), "%.*s", natsMsg_GetDataLength(m), natsMsg_GetData(m));
        bool good = strcmp(buf, want) == 0 && strcmp(natsMsg_GetSubject(m), "ps.a") == 0 &&
                    natsMsg_GetReply(m) == NULL;
        natsMsg_Destroy(m);
        if (!good) FAIL("message %d: got '%s'", i, buf);
    }
    if (pending(sub) != 0) FAIL("%d extra messages", pending(sub));
    natsSubscription_Destroy(sub);
    hang_up(sub_nc);
    return NULL;
}

/* Subjects of every message queued on `sub`, space separated. */
static const char *queued_subjects(natsSubscription *sub, char *out, size_t size) {
    out[0] = '\0';
    natsMsg *m = NULL;
    for (int n = pending(sub); n > 0; n--) {
        if (natsSubscription_NextMsg(&m, sub, 100) != NATS_OK) break;
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", len ? " " : "", natsMsg_GetSubject(m));
        natsMsg_Destroy(m);
    }
    return out;
}

static const char *check_wildcards(void) {
    natsConnection *sub_nc = dial(false);
    natsSubscription *star = NULL, *tail = NULL, *mid = NULL;
    const char *subjects[] = {"wc", "wc.a", "wc.a.b", "wc.a.c", "other.a", "wcx.a"};
    char got[256];
    if (sub_nc == NULL) FAIL("connect");
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&star, sub_nc, "wc.*"));
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&tail, sub_nc, "wc.>"));
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&mid, sub_nc, "wc.*.c"));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
        NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, subjects[i], "x"));
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    if (strcmp(queued_subjects(star, got, sizeof(got)), "wc.a") != 0) FAIL("wc.* got [%s]", got);
    if (strcmp(queued_subjects(tail, got, sizeof(got)), "wc.a wc.a.b wc.a.c") != 0)
        FAIL("wc.> got [%s]", got);
    if (strcmp(queued_subjects(mid, got, sizeof(got)), "wc.a.c") != 0) FAIL("wc.*.c got [%s]", got);
    natsSubscription_Destroy(star);
    natsSubscription_Destroy(tail);
    natsSubscription_Destroy(mid);
    hang_up(sub_nc);
    return NULL;
}

#define QUEUE_MEMBERS 3
#define QUEUE_MSGS 300

static const char *check_queue_group(void) {
    natsConnection *ncs[QUEUE_MEMBERS + 1];
    natsSubscription *subs[QUEUE_MEMBERS + 1];
    int seen[QUEUE_MSGS] = {0};
    char buf[32];
    for (int i = 0; i <= QUEUE_MEMBERS; i++) {
        if ((ncs[i] = dial(false)) == NULL) FAIL("connect %d", i);
        if (i < QUEUE_MEMBERS)
            NATS_OK_OR_FAIL(natsConnection_QueueSubscribeSync(&subs[i], ncs[i], "qg.work", "workers"));
        else
            NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&subs[i], ncs[i], "qg.work"));
        NATS_OK_OR_FAIL(natsConnection_Flush(ncs[i]));
    }
    for (int i = 0; i < QUEUE_MSGS; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "qg.work", buf));
    }
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    for (int i = 0; i <= QUEUE_MEMBERS; i++) NATS_OK_OR_FAIL(natsConnection_Flush(ncs[i]));

    if (pending(subs[QUEUE_MEMBERS]) != QUEUE_MSGS)
        FAIL("plain sub got %d of %d", pending(subs[QUEUE_MEMBERS]), QUEUE_MSGS);
    for (int i = 0; i < QUEUE_MEMBERS; i++) {
        int n = pending(subs[i]);
        if (n <= 0) FAIL("member %d got none", i);
        while (n-- > 0) {
            if (next_text(subs[i], buf, sizeof(buf)) == NULL) FAIL("member %d: NextMsg", i);
            int k = atoi(buf);
            if (k < 0 || k >= QUEUE_MSGS) FAIL("member %d: bad payload '%s'", i, buf);
            seen[k]++;
        }
    }
    for (int k = 0; k < QUEUE_MSGS; k++)
        if (seen[k] != 1) FAIL("message %d reached %d members", k, seen[k]);
    for (int i = 0; i <= QUEUE_MEMBERS; i++) {
        natsSubscription_Destroy(subs[i]);
        hang_up(ncs[i]);
    }
    return NULL;
}

static void echo_responder(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *closure) {
    char buf[128];
    (void)sub;
    (void)closure;
    snprintf(buf, sizeof(buf), "re:%.*s", natsMsg_GetDataLength(m), natsMsg_GetData(m));
    if (natsMsg_GetReply(m) != NULL) natsConnection_PublishString(nc, natsMsg_GetReply(m), buf);
    natsMsg_Destroy(m);
}

static const char *check_request_reply(void) {
    natsConnection *svc = dial(false);
    natsSubscription *sub = NULL;
    natsMsg *reply = NULL;
    char buf[64], want[64];
    if (svc == NULL) FAIL("connect");
    NATS_OK_OR_FAIL(natsConnection_Subscribe(&sub, svc, "rr.echo", echo_responder, NULL));
    NATS_OK_OR_FAIL(natsConnection_Flush(svc));
    for (int i = 0; i < 10; i++) {
        snprintf(buf, sizeof(buf), "q%d", i);
        NATS_OK_OR_FAIL(natsConnection_RequestString(&reply, main_nc, "rr.echo", buf, 2000));
        snprintf(want, sizeof(want), "re:q%d", i);
        snprintf(buf, sizeof(buf), "%.*s", natsMsg_GetDataLength(reply), natsMsg_GetData(reply));
        natsMsg_Destroy(reply);
        if (strcmp(buf, want) != 0) FAIL("reply %d: got '%s'", i, buf);
    }
    natsSubscription_Destroy(sub);
    hang_up(svc);
    return NULL;
}

static const char *check_headers(void) {
    natsConnection *sub_nc = dial(false);
    natsSubscription *sub = NULL;
    natsMsg *out = NULL, *in = NULL;
    const char **values = NULL, **keys = NULL;
    const char *value = NULL;
    int count = 0;
    if (sub_nc == NULL) FAIL("connect");
    NATS_OK_OR_FAIL(natsConnection_HasHeaderSupport(main_nc));
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&sub, sub_nc, "hd.x"));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    NATS_OK_OR_FAIL(natsMsg_Create(&out, "hd.x", "hd.reply", "body", 4));
    NATS_OK_OR_FAIL(natsMsgHeader_Add(out, "X-Multi", "one"));
    NATS_OK_OR_FAIL(natsMsgHeader_Add(out, "X-Multi", "two"));
    NATS_OK_OR_FAIL(natsMsgHeader_Set(out, "X-Mixed-Case", "a b:c"));
    NATS_OK_OR_FAIL(natsConnection_PublishMsg(main_nc, out));
    natsMsg_Destroy(out);
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    NATS_OK_OR_FAIL(natsSubscription_NextMsg(&in, sub, 1000));

    if (natsMsg_GetDataLength(in) != 4 || memcmp(natsMsg_GetData(in), "body", 4) != 0)
        FAIL("payload '%.*s'", natsMsg_GetDataLength(in), natsMsg_GetData(in));
    if (natsMsg_GetReply(in) == NULL || strcmp(natsMsg_GetReply(in), "hd.reply") != 0)
        FAIL("reply '%s'", natsMsg_GetReply(in) ? natsMsg_GetReply(in) : "(none)");
    NATS_OK_OR_FAIL(natsMsgHeader_Values(in, "X-Multi", &values, &count));
    if (count != 2 || strcmp(values[0], "one") != 0 || strcmp(values[1], "two") != 0)
        FAIL("X-Multi has %d values", count);
    free((void *)values);
    NATS_OK_OR_FAIL(natsMsgHeader_Get(in, "X-Mixed-Case", &value));
    if (strcmp(value, "a b:c") != 0) FAIL("X-Mixed-Case '%s'", value);
    NATS_OK_OR_FAIL(natsMsgHeader_Keys(in, &keys, &count));
    free((void *)keys);
    if (count != 2) FAIL("%d header keys", count);
    natsMsg_Destroy(in);
    natsSubscription_Destroy(sub);
    hang_up(sub_nc);
    return NULL;
}

static const char *check_no_responders(void) {
    natsMsg *reply = NULL;
    int64_t started = nats_Now();
    natsStatus s = natsConnection_RequestString(&reply, main_nc, "nr.nobody", "x", 4000);
    int64_t took = nats_Now() - started;
    if (s != NATS_NO_RESPONDERS) FAIL("status %s", natsStatus_GetText(s));
    if (took >= 1000) FAIL("took %lld ms", (long long)took);
    return NULL;
}

static const char *check_unsub_max(void) {
    natsConnection *sub_nc = dial(false);
    natsSubscription *sub = NULL;
    natsMsg *m = NULL;
    char buf[32];
    if (sub_nc == NULL) FAIL("connect");
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&sub, sub_nc, "um.x"));
    NATS_OK_OR_FAIL(natsSubscription_AutoUnsubscribe(sub, 3));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    for (int i = 0; i < 6; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "um.x", buf));
    }
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    for (int i = 0; i < 3; i++) {
        char want[8];
        snprintf(want, sizeof(want), "%d", i);
        if (next_text(sub, buf, sizeof(buf)) == NULL || strcmp(buf, want) != 0)
            FAIL("message %d missing or wrong", i);
    }
    natsStatus s = natsSubscription_NextMsg(&m, sub, 200);
    if (s == NATS_OK) FAIL("a 4th message arrived");
    if (natsSubscription_IsValid(sub)) FAIL("subscription still valid after 3");
    /* nats.c drops extras itself, so ask the server: the subscription must be gone there. */
    s = natsConnection_RequestString(&m, main_nc, "um.x", "x", 2000);
    if (s != NATS_NO_RESPONDERS) FAIL("request to um.x after max -> %s", natsStatus_GetText(s));
    natsSubscription_Destroy(sub);
    hang_up(sub_nc);
    return NULL;
}

static void count_msg(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *closure) {
    (void)nc;
    (void)sub;
    __atomic_fetch_add((int *)closure, 1, __ATOMIC_SEQ_CST);
    natsMsg_Destroy(m);
}

static int counter(int *c) { return __atomic_load_n(c, __ATOMIC_SEQ_CST); }

static const char *check_sub_drain(void) {
    natsConnection *sub_nc = dial(false);
    natsSubscription *drained = NULL, *kept = NULL;
    int n_drained = 0, n_kept = 0;
    if (sub_nc == NULL) FAIL("connect");
    NATS_OK_OR_FAIL(natsConnection_Subscribe(&drained, sub_nc, "dr.x", count_msg, &n_drained));
    NATS_OK_OR_FAIL(natsConnection_Subscribe(&kept, sub_nc, "dr.kept", count_msg, &n_kept));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    for (int i = 0; i < 200; i++) {
        NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "dr.x", "x"));
        NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "dr.kept", "x"));
    }
    /* The server has queued all 400 to sub_nc; the client may not have read them yet. */
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    NATS_OK_OR_FAIL(natsSubscription_Drain(drained));
    NATS_OK_OR_FAIL(natsSubscription_WaitForDrainCompletion(drained, 3000));
    NATS_OK_OR_FAIL(natsSubscription_DrainCompletionStatus(drained));
    if (counter(&n_drained) != 200) FAIL("drained sub got %d of 200", counter(&n_drained));
    /* nats.c signals completion just before it marks the subscription closed. */
    for (int i = 0; i < 100 && natsSubscription_IsValid(drained); i++) nats_Sleep(10);
    if (natsSubscription_IsValid(drained)) FAIL("drained sub still valid");
    natsMsg *reply = NULL;
    natsStatus s = natsConnection_RequestString(&reply, main_nc, "dr.x", "x", 2000);
    if (s != NATS_NO_RESPONDERS) FAIL("request to drained subject -> %s", natsStatus_GetText(s));
    /* Only that subscription is gone. */
    NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "dr.x", "x"));
    NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "dr.kept", "x"));
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    for (int i = 0; i < 100 && counter(&n_kept) < 201; i++) nats_Sleep(10);
    if (counter(&n_kept) != 201) FAIL("kept sub got %d of 201", counter(&n_kept));
    if (counter(&n_drained) != 200) FAIL("drained sub got more: %d", counter(&n_drained));
    natsSubscription_Destroy(drained);
    natsSubscription_Destroy(kept);
    hang_up(sub_nc);
    return NULL;
}

/* A queue member that drains mid-stream loses nothing: the group still gets every message. */
static const char *check_queue_drain(void) {
    natsConnection *ncs[QUEUE_MEMBERS];
    natsSubscription *subs[QUEUE_MEMBERS];
    int counts[QUEUE_MEMBERS] = {0};
    const int total = 1500;
    for (int i = 0; i < QUEUE_MEMBERS; i++) {
        if ((ncs[i] = dial(false)) == NULL) FAIL("connect %d", i);
        NATS_OK_OR_FAIL(
            natsConnection_QueueSubscribe(&subs[i], ncs[i], "qd.x", "g", count_msg, &counts[i]));
        NATS_OK_OR_FAIL(natsConnection_Flush(ncs[i]));
    }
    for (int i = 0; i < total; i++) {
        NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "qd.x", "x"));
        if (i == total / 3) {
            NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
            NATS_OK_OR_FAIL(natsSubscription_Drain(subs[0]));
        }
    }
    NATS_OK_OR_FAIL(natsSubscription_WaitForDrainCompletion(subs[0], 3000));
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    int sum = 0;
    for (int waited = 0; waited < 2000; waited += 10) {
        sum = counter(&counts[0]) + counter(&counts[1]) + counter(&counts[2]);
        if (sum >= total) break;
        nats_Sleep(10);
    }
    if (sum != total)
        FAIL("group got %d of %d (%d/%d/%d)", sum, total, counter(&counts[0]),
             counter(&counts[1]), counter(&counts[2]));
    for (int i = 0; i < QUEUE_MEMBERS; i++) {
        natsSubscription_Destroy(subs[i]);
        hang_up(ncs[i]);
    }
    return NULL;
}

static bool wait_closed(natsConnection *nc, int ms) {
    for (int waited = 0; waited < ms; waited += 10) {
        if (natsConnection_IsClosed(nc)) return true;
        nats_Sleep(10);
    }
    return natsConnection_IsClosed(nc);
}

static const char *check_conn_drain(void) {
    natsConnection *sub_nc = dial(false), *late = dial(false);
    natsSubscription *a = NULL, *b = NULL, *watch = NULL;
    int n_a = 0, n_b = 0;
    if (sub_nc == NULL || late == NULL) FAIL("connect");
    NATS_OK_OR_FAIL(natsConnection_Subscribe(&a, sub_nc, "cd.a", count_msg, &n_a));
    NATS_OK_OR_FAIL(natsConnection_Subscribe(&b, sub_nc, "cd.b", count_msg, &n_b));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    for (int i = 0; i < 150; i++) {
        NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "cd.a", "x"));
        NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "cd.b", "x"));
    }
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    NATS_OK_OR_FAIL(natsConnection_Drain(sub_nc));
    if (!wait_closed(sub_nc, 3000)) FAIL("subscriber connection not closed after drain");
    if (counter(&n_a) != 150 || counter(&n_b) != 150)
        FAIL("got %d and %d of 150", counter(&n_a), counter(&n_b));

    /* A publisher that drains right after publishing still gets its messages out. */
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&watch, main_nc, "cd.late"));
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    for (int i = 0; i < 100; i++) NATS_OK_OR_FAIL(natsConnection_PublishString(late, "cd.late", "x"));
    NATS_OK_OR_FAIL(natsConnection_Drain(late));
    if (!wait_closed(late, 3000)) FAIL("publisher connection not closed after drain");
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    if (pending(watch) != 100) FAIL("watcher got %d of 100", pending(watch));
    natsSubscription_Destroy(a);
    natsSubscription_Destroy(b);
    natsSubscription_Destroy(watch);
    natsConnection_Destroy(sub_nc);
    natsConnection_Destroy(late);
    return NULL;
}

static const char *check_no_echo(void) {
    natsConnection *quiet = dial(true);
    natsSubscription *own = NULL, *theirs = NULL;
    if (quiet == NULL) FAIL("connect");
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&own, quiet, "ne.x"));
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&theirs, main_nc, "ne.x"));
    NATS_OK_OR_FAIL(natsConnection_Flush(quiet));
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    for (int i = 0; i < 5; i++) NATS_OK_OR_FAIL(natsConnection_PublishString(quiet, "ne.x", "x"));
    NATS_OK_OR_FAIL(natsConnection_Flush(quiet));
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    if (pending(theirs) != 5) FAIL("other connection got %d of 5", pending(theirs));
    if (pending(own) != 0) FAIL("own subscription got %d", pending(own));
    /* The quiet connection's subscription works for other publishers. */
    NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "ne.x", "x"));
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    NATS_OK_OR_FAIL(natsConnection_Flush(quiet));
    if (pending(own) != 1) FAIL("own subscription got %d from another publisher", pending(own));
    natsSubscription_Destroy(own);
    natsSubscription_Destroy(theirs);
    hang_up(quiet);
    return NULL;
}

static const char *check_flush(void) {
    natsSubscription *sub = NULL;
    int64_t rtt = -1;
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&sub, main_nc, "fl.x"));
    for (int i = 0; i < 100; i++) NATS_OK_OR_FAIL(natsConnection_PublishString(main_nc, "fl.x", "x"));
    NATS_OK_OR_FAIL(natsConnection_FlushTimeout(main_nc, 2000));
    if (pending(sub) != 100) FAIL("%d of 100 before flush returned", pending(sub));
    NATS_OK_OR_FAIL(natsConnection_GetRTT(main_nc, &rtt));
    if (rtt < 0 || rtt > 1000000000LL) FAIL("rtt %lld ns", (long long)rtt);
    natsSubscription_Destroy(sub);
    return NULL;
}

static const char *check_large_payload(void) {
    natsConnection *sub_nc = dial(false);
    natsSubscription *sub = NULL;
    natsMsg *in = NULL, *out = NULL;
    int max = (int)natsConnection_GetMaxPayload(main_nc);
    char *data = NULL;
    if (sub_nc == NULL) FAIL("connect");
    if (max != expected_max_payload) FAIL("max_payload %d, want %d", max, expected_max_payload);
    data = malloc((size_t)max);
    for (int i = 0; i < max; i++) data[i] = (char)(i * 7 + (i >> 8));
    NATS_OK_OR_FAIL(natsConnection_SubscribeSync(&sub, sub_nc, "big.x"));
    NATS_OK_OR_FAIL(natsConnection_Flush(sub_nc));
    NATS_OK_OR_FAIL(natsConnection_Publish(main_nc, "big.x", data, max));
    NATS_OK_OR_FAIL(natsMsg_Create(&out, "big.x", NULL, data, max - 100));
    NATS_OK_OR_FAIL(natsMsgHeader_Set(out, "K", "v"));
    NATS_OK_OR_FAIL(natsConnection_PublishMsg(main_nc, out));
    natsMsg_Destroy(out);
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    NATS_OK_OR_FAIL(natsSubscription_NextMsg(&in, sub, 2000));
    if (natsMsg_GetDataLength(in) != max || memcmp(natsMsg_GetData(in), data, (size_t)max) != 0)
        FAIL("full-size payload differs (%d bytes)", natsMsg_GetDataLength(in));
    natsMsg_Destroy(in);
    NATS_OK_OR_FAIL(natsSubscription_NextMsg(&in, sub, 2000));
    const char *k = NULL;
    if (natsMsg_GetDataLength(in) != max - 100 ||
        memcmp(natsMsg_GetData(in), data, (size_t)(max - 100)) != 0)
        FAIL("payload with headers differs (%d bytes)", natsMsg_GetDataLength(in));
    if (natsMsgHeader_Get(in, "K", &k) != NATS_OK || strcmp(k, "v") != 0) FAIL("header K lost");
    natsMsg_Destroy(in);
    free(data);
    natsSubscription_Destroy(sub);
    hang_up(sub_nc);
    return NULL;
}

static const char *check_over_max_payload(void) {
    int size = expected_max_payload + 1;
    char *data = calloc(1, (size_t)size);
    natsStatus s = natsConnection_Publish(main_nc, "big.over", data, size);
    free(data);
    if (s != NATS_MAX_PAYLOAD) FAIL("publish -> %s", natsStatus_GetText(s));
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    if (natsConnection_Status(main_nc) != NATS_CONN_STATUS_CONNECTED) FAIL("not connected");
    return NULL;
}

/* Reads from `fd` into `buf` until `pongs` PONGs have arrived or 2 s pass. */
static bool read_until_pongs(int fd, char *buf, size_t size, size_t *len, int pongs) {
    int64_t deadline = nats_Now() + 2000;
    for (;;) {
        int seen = 0;
        buf[*len] = '\0';
        for (const char *p = buf; (p = strstr(p, "PONG\r\n")) != NULL; p += 6) seen++;
        if (seen >= pongs) return true;
        if (nats_Now() > deadline || *len + 1 >= size) return false;
        ssize_t n = recv(fd, buf + *len, size - 1 - *len, 0);
        if (n <= 0) return false;
        *len += (size_t)n;
    }
}

/* A raw socket that did not negotiate headers receives an HPUB as a plain MSG (§1.4). */
static const char *check_headers_stripped(void) {
    char buf[4096];
    size_t len = 0;
    natsMsg *out = NULL;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) FAIL("raw connect");
    const char *hello = "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB hs.x 1\r\nPING\r\n";
    if (send(fd, hello, strlen(hello), 0) < 0) FAIL("raw send");
    if (!read_until_pongs(fd, buf, sizeof(buf), &len, 1)) FAIL("no PONG: '%.200s'", buf);

    NATS_OK_OR_FAIL(natsMsg_Create(&out, "hs.x", NULL, "hello", 5));
    NATS_OK_OR_FAIL(natsMsgHeader_Set(out, "A", "B"));
    NATS_OK_OR_FAIL(natsConnection_PublishMsg(main_nc, out));
    natsMsg_Destroy(out);
    NATS_OK_OR_FAIL(natsMsg_Create(&out, "hs.x", "hs.r", "world", 5));
    NATS_OK_OR_FAIL(natsMsgHeader_Set(out, "A", "B"));
    NATS_OK_OR_FAIL(natsConnection_PublishMsg(main_nc, out));
    natsMsg_Destroy(out);
    NATS_OK_OR_FAIL(natsConnection_Flush(main_nc));
    if (send(fd, "PING\r\n", 6, 0) < 0) FAIL("raw send");
    if (!read_until_pongs(fd, buf, sizeof(buf), &len, 2)) FAIL("no second PONG");
    close(fd);
    const char *after = strstr(buf, "PONG\r\n") + 6;
    const char *want = "MSG hs.x 1 5\r\nhello\r\nMSG hs.x 1 hs.r 5\r\nworld\r\nPONG\r\n";
    if (strcmp(after, want) != 0) FAIL("raw peer got '%.300s'", after);
    return NULL;
}

/* Prints the reason on one line: CR and LF from protocol text are shown escaped. */
static void print_reason(const char *s) {
    for (; *s; s++) {
        if (*s == '\r')
            fputs("\\r", stdout);
        else if (*s == '\n')
            fputs("\\n", stdout);
        else
            putchar(*s);
    }
    putchar('\n');
}

struct check {
    const char *name;
    const char *(*run)(void);
};

static const struct check CHECKS[] = {
    {"pubsub", check_pubsub},
    {"wildcards", check_wildcards},
    {"queue_group", check_queue_group},
    {"request_reply", check_request_reply},
    {"headers", check_headers},
    {"no_responders", check_no_responders},
    {"unsub_max", check_unsub_max},
    {"sub_drain", check_sub_drain},
    {"queue_drain", check_queue_drain},
    {"conn_drain", check_conn_drain},
    {"no_echo", check_no_echo},
    {"flush", check_flush},
    {"large_payload", check_large_payload},
    {"over_max_payload", check_over_max_payload},
    {"headers_stripped", check_headers_stripped},
};

int main(int argc, char **argv) {
    int failed = 0;
    if (argc != 3) {
        fprintf(stderr, "usage: %s <nats://127.0.0.1:port> <max_payload>\n", argv[0]);
        return 2;
    }
    url = argv[1];
    expected_max_payload = atoi(argv[2]);
    const char *colon = strrchr(url, ':');
    port = colon ? atoi(colon + 1) : 4222;

    main_nc = dial(false);
    if (main_nc == NULL) {
        printf("fail connect: %s\n", nats_GetLastError(NULL));
        return 1;
    }
    printf("ok connect\n");
    fflush(stdout);
    for (size_t i = 0; i < sizeof(CHECKS) / sizeof(CHECKS[0]); i++) {
        const char *err = CHECKS[i].run();
        if (err == NULL) {
            printf("ok %s\n", CHECKS[i].name);
        } else {
            printf("fail %s: ", CHECKS[i].name);
            print_reason(err);
            failed = 1;
        }
        fflush(stdout);
        /* A failed check can leave the shared connection broken; later checks still report. */
        if (natsConnection_IsClosed(main_nc)) {
            natsConnection_Destroy(main_nc);
            main_nc = dial(false);
            if (main_nc == NULL) {
                printf("fail reconnect: %s\n", nats_GetLastError(NULL));
                return 1;
            }
        }
    }
    hang_up(main_nc);
    nats_Close();
    return failed;
}
