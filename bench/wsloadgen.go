// WebSocket load generator for bench/run.ts. Debian's libnats (nats.c 3.4.1)
// has no WebSocket transport, so this one uses Debian's nats.go sources, built
// offline in GOPATH mode by bench/run.ts:
//
//	GOPATH=<tmp>:/usr/share/gocode GO111MODULE=off GOPROXY=off go build -o bench/build/wsloadgen bench/wsloadgen.go
//
//	wsloadgen --url ws://127.0.0.1:W [--count M] [--size B] [--subs S] [--flush F] [--timeout-ms T]
//
// Same "pubsub" workload and JSON line as loadgen.c: 1 publisher connection,
// S subscriber connections on one subject, each must receive all M messages;
// the publisher round-trips every F messages. Any nats:// or ws:// URL works.
// Exit 0 if every message arrived, 2 if not, 1 on a setup error.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

type subscriber struct {
	received int64
	lastNs   int64
	badSize  int64
}

type result struct {
	Mode          string  `json:"mode"`
	URL           string  `json:"url"`
	Count         int64   `json:"count"`
	Size          int     `json:"size"`
	Subs          int     `json:"subs"`
	FlushEvery    int64   `json:"flush_every"`
	Published     int64   `json:"published"`
	PubSecs       float64 `json:"pub_secs"`
	PubRate       float64 `json:"pub_rate"`
	Expected      int64   `json:"expected"`
	Delivered     int64   `json:"delivered"`
	PerSub        []int64 `json:"per_sub"`
	ElapsedSecs   float64 `json:"elapsed_secs"`
	DeliveredRate float64 `json:"delivered_rate"`
	BadSize       int64   `json:"bad_size"`
	AsyncErrors   int64   `json:"async_errors"`
	LastAsyncErr  string  `json:"last_async_error"`
	Disconnects   int64   `json:"disconnects"`
	PublishStatus string  `json:"publish_status"`
	Complete      bool    `json:"complete"`
}

var (
	asyncErrors  int64
	disconnects  int64
	lastAsyncErr atomic.Value
	start        = time.Now()
)

// monotonic nanoseconds since process start
func nowNs() int64 { return int64(time.Since(start)) }

func fail(what string, err error) {
	out, _ := json.Marshal(map[string]string{"error": fmt.Sprintf("%s: %v", what, err)})
	fmt.Println(string(out))
	os.Exit(1)
}

func connect(url string) *nats.Conn {
	nc, err := nats.Connect(url,
		nats.NoReconnect(),
		nats.Timeout(5*time.Second),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			atomic.AddInt64(&asyncErrors, 1)
			lastAsyncErr.Store(err.Error())
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, _ error) { atomic.AddInt64(&disconnects, 1) }),
	)
	if err != nil {
		fail("connect", err)
	}
	return nc
}

func main() {
	// Accept "pubsub" as an optional first word so the command line matches loadgen.c.
	args := os.Args[1:]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if args[0] != "pubsub" {
			fail("mode", fmt.Errorf("only pubsub is supported, got %q", args[0]))
		}
		args = args[1:]
	}
	fs := flag.NewFlagSet("wsloadgen", flag.ExitOnError)
	url := fs.String("url", "ws://127.0.0.1:8080", "server URL (ws:// or nats://)")
	count := fs.Int64("count", 100000, "messages to publish")
	size := fs.Int("size", 128, "payload bytes")
	nsubs := fs.Int("subs", 1, "subscriber connections")
	flushEvery := fs.Int64("flush", 1000, "round-trip every N messages (0: only at the end)")
	timeoutMs := fs.Int64("timeout-ms", 60000, "how long to wait for deliveries after publishing")
	_ = fs.Parse(args)

	const subject = "bench.pubsub"
	subs := make([]*subscriber, *nsubs)
	conns := make([]*nats.Conn, *nsubs)
	for i := range subs {
		me := &subscriber{}
		subs[i] = me
		conns[i] = connect(*url)
		sub, err := conns[i].Subscribe(subject, func(m *nats.Msg) {
			if len(m.Data) != *size {
				atomic.AddInt64(&me.badSize, 1)
			}
			atomic.StoreInt64(&me.lastNs, nowNs())
			atomic.AddInt64(&me.received, 1)
		})
		// The client must not drop messages itself: only the server is under test.
		if err == nil {
			err = sub.SetPendingLimits(-1, -1)
		}
		// The PONG proves the server has registered the SUB before anything is published.
		if err == nil {
			err = conns[i].Flush()
		}
		if err != nil {
			fail("subscribe", err)
		}
	}
	pub := connect(*url)
	payload := bytes.Repeat([]byte("x"), *size)

	expected := *count * int64(*nsubs)
	var perr error
	t0 := nowNs()
	var published int64
	for ; published < *count && perr == nil; published++ {
		perr = pub.Publish(subject, payload)
		if *flushEvery > 0 && (published+1)%*flushEvery == 0 && perr == nil {
			perr = pub.Flush()
		}
	}
	if perr == nil {
		perr = pub.Flush()
	}
	pubEnd := nowNs()

	total := func() int64 {
		var t int64
		for _, s := range subs {
			t += atomic.LoadInt64(&s.received)
		}
		return t
	}
	deadline := pubEnd + *timeoutMs*int64(time.Millisecond)
	for total() < expected && nowNs() < deadline && atomic.LoadInt64(&disconnects) == 0 {
		time.Sleep(time.Millisecond)
	}

	r := result{Mode: "pubsub", URL: *url, Count: *count, Size: *size, Subs: *nsubs, FlushEvery: *flushEvery,
		Published: published, Expected: expected, PublishStatus: "OK"}
	end := t0
	for _, s := range subs {
		n := atomic.LoadInt64(&s.received)
		r.PerSub = append(r.PerSub, n)
		r.Delivered += n
		r.BadSize += atomic.LoadInt64(&s.badSize)
		if last := atomic.LoadInt64(&s.lastNs); last > end {
			end = last
		}
	}
	if perr != nil {
		r.PublishStatus = perr.Error()
	}
	r.PubSecs = float64(pubEnd-t0) / 1e9
	if r.PubSecs > 0 {
		r.PubRate = float64(published) / r.PubSecs
	}
	r.ElapsedSecs = float64(end-t0) / 1e9
	if r.ElapsedSecs > 0 {
		r.DeliveredRate = float64(r.Delivered) / r.ElapsedSecs
	}
	r.AsyncErrors = atomic.LoadInt64(&asyncErrors)
	if v, ok := lastAsyncErr.Load().(string); ok {
		r.LastAsyncErr = v
	}
	r.Disconnects = atomic.LoadInt64(&disconnects)
	r.Complete = r.Delivered == expected && r.BadSize == 0 && perr == nil
	out, _ := json.Marshal(r)
	fmt.Println(string(out))

	pub.Close()
	for _, c := range conns {
		c.Close()
	}
	if !r.Complete {
		os.Exit(2)
	}
}
