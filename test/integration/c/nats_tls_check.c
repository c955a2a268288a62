/*
 * nats.c (libnats) over TLS, run by tls.test.ts against our broker and against nats-server.
 * Usage: nats_tls_check <tls://127.0.0.1:port> <ca.pem> [<cert.pem> <key.pem>]
 * Connects with natsOptions_SetSecure and the given CA (and client certificate, for
 * `verify: true`), then checks that a message comes back through a subscription.
 * Prints "ok" or "fail: <status text>" and exits 0 either way; a crash is the only failure.
 */
#include <stdio.h>
#include <string.h>

#include <nats/nats.h>

static natsStatus roundTrip(natsConnection *nc) {
    natsSubscription *sub = NULL;
    natsMsg *msg = NULL;
    natsStatus s = natsConnection_SubscribeSync(&sub, nc, "tls.c");
    if (s == NATS_OK) s = natsConnection_PublishString(nc, "tls.c", "over tls");
    if (s == NATS_OK) s = natsSubscription_NextMsg(&msg, sub, 3000);
    if (s == NATS_OK && strcmp(natsMsg_GetData(msg), "over tls") != 0) s = NATS_ERR;
    natsMsg_Destroy(msg);
    natsSubscription_Destroy(sub);
    return s;
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 5) {
        fprintf(stderr, "usage: %s <url> <ca.pem> [<cert.pem> <key.pem>]\n", argv[0]);
        return 2;
    }
    natsOptions *opts = NULL;
    natsConnection *nc = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK) s = natsOptions_SetURL(opts, argv[1]);
    if (s == NATS_OK) s = natsOptions_SetSecure(opts, true);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(opts, argv[2]);
    if (s == NATS_OK && argc == 5) s = natsOptions_LoadCertificatesChain(opts, argv[3], argv[4]);
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 3000);
    if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts, false);
    if (s == NATS_OK) s = natsConnection_Connect(&nc, opts);
    if (s == NATS_OK) s = roundTrip(nc);
    if (s == NATS_OK) printf("ok\n");
    else printf("fail: %s\n", natsStatus_GetText(s));
    natsConnection_Destroy(nc);
    natsOptions_Destroy(opts);
    nats_Close();
    return 0;
}
