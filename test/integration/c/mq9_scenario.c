/*
 * mq9 seed scenario 5 through nats.c (libnats): an edge device comes back online and reads
 * its mailbox. Run by mq9-scenarios.test.ts, which sent the mail while this program was not
 * running. Usage: mq9_scenario <nats://127.0.0.1:port> <mail_id> <token> <expected>
 *
 * Steps, one output line each (the test checks them):
 *   query1 <QUERY peek reply JSON>      what is waiting, before subscribing
 *   msg <Mq9-Msg-Id> <Mq9-Priority> <payload>   per replayed message, in arrival order
 *   extra <payload>                     a message beyond <expected> (must not happen)
 *   query2 <QUERY peek reply JSON>      after the replay
 *   done
 * Errors print "error <what>" and exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

static int fail(const char *what, natsStatus s) {
    printf("error %s: %s\n", what, natsStatus_GetText(s));
    return 1;
}

/* A QUERY with peek (mq9.md §7); prints the reply on one line after `label`. */
static natsStatus query(natsConnection *nc, const char *mail_id, const char *token,
                        const char *label) {
    char subject[256], body[512];
    natsMsg *reply = NULL;
    snprintf(subject, sizeof(subject), "$mq9.AI.MAILBOX.QUERY.%s", mail_id);
    snprintf(body, sizeof(body), "{\"token\":\"%s\",\"peek\":true}", token);
    natsStatus s = natsConnection_RequestString(&reply, nc, subject, body, 3000);
    if (s != NATS_OK) return s;
    printf("%s %.*s\n", label, natsMsg_GetDataLength(reply), natsMsg_GetData(reply));
    natsMsg_Destroy(reply);
    return NATS_OK;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s <url> <mail_id> <token> <expected>\n", argv[0]);
        return 2;
    }
    const char *url = argv[1], *mail_id = argv[2], *token = argv[3];
    int expected = atoi(argv[4]);
    natsOptions *opts = NULL;
    natsConnection *nc = NULL;
    natsSubscription *sub = NULL;
    natsStatus s;

    /* Line by line, so the test sees how far it got if something hangs. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if ((s = natsOptions_Create(&opts)) != NATS_OK) return fail("options", s);
    natsOptions_SetURL(opts, url);
    natsOptions_SetAllowReconnect(opts, false);
    natsOptions_SetTimeout(opts, 3000);
    if ((s = natsConnection_Connect(&nc, opts)) != NATS_OK) return fail("connect", s);

    if ((s = query(nc, mail_id, token, "query1")) != NATS_OK) return fail("query1", s);

    char subject[256];
    snprintf(subject, sizeof(subject), "$mq9.AI.INBOX.%s.*", mail_id);
    if ((s = natsConnection_SubscribeSync(&sub, nc, subject)) != NATS_OK)
        return fail("subscribe", s);
    for (int i = 0; i < expected; i++) {
        natsMsg *m = NULL;
        const char *id = "-", *prio = "-";
        if ((s = natsSubscription_NextMsg(&m, sub, 3000)) != NATS_OK) return fail("next", s);
        natsMsgHeader_Get(m, "Mq9-Msg-Id", &id);
        natsMsgHeader_Get(m, "Mq9-Priority", &prio);
        printf("msg %s %s %.*s\n", id, prio, natsMsg_GetDataLength(m), natsMsg_GetData(m));
        natsMsg_Destroy(m);
    }
    /* Nothing beyond what was sent: replay hands each message over once. */
    natsMsg *m = NULL;
    if (natsSubscription_NextMsg(&m, sub, 300) == NATS_OK) {
        printf("extra %.*s\n", natsMsg_GetDataLength(m), natsMsg_GetData(m));
        natsMsg_Destroy(m);
    }

    if ((s = query(nc, mail_id, token, "query2")) != NATS_OK) return fail("query2", s);
    printf("done\n");

    natsSubscription_Destroy(sub);
    natsConnection_Close(nc);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(opts);
    nats_Close();
    return 0;
}
