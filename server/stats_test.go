package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"skiff/internal/etcdtest"
)

var rateFields = []string{"recvPkgRate", "recvBandwidthRate", "sendPkgRate", "sendBandwidthRate"}

// selfStatsAt reads /v2/stats/self at a client URL as generic JSON.
func selfStatsAt(t *testing.T, clientURL string) map[string]any {
	t.Helper()
	resp, err := http.Get(clientURL + "/v2/stats/self")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("/v2/stats/self at %s: %v", clientURL, err)
	}
	return doc
}

// writeLoad PUTs keys at clientURL until the returned func is called.
func writeLoad(clientURL string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				resp, err := http.PostForm(fmt.Sprintf("%s/v2/keys/load%d-%d", clientURL, w, i%50), url.Values{"value": {"v"}})
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		})
	}
	return func() { close(done); wg.Wait() }
}

// waitRates polls clientURL's /v2/stats/self until the rate fields named
// by prefix ("send" or "recv") are present, and returns that document.
func waitRates(t *testing.T, clientURL, prefix string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		doc := selfStatsAt(t, clientURL)
		if _, ok := doc[prefix+"PkgRate"]; ok {
			return doc
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %sPkgRate at %s under load: %v", prefix, clientURL, doc)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSelfStatsRates: under writes the leader reports send rates and the
// followers receive rates, as plausible positive numbers; an idle member
// reports none of the four fields (etcd omits them when zero).
func TestSelfStatsRates(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	f := (lead + 1) % 3
	leadURL, followerURL := "http://"+c.members[lead].clientAddr, "http://"+c.members[f].clientAddr

	stop := writeLoad(leadURL)
	sent := waitRates(t, leadURL, "send")
	recv := waitRates(t, followerURL, "recv")
	stop()
	for _, check := range []struct {
		doc    map[string]any
		prefix string
	}{{sent, "send"}, {recv, "recv"}} {
		pkgs, _ := check.doc[check.prefix+"PkgRate"].(float64)
		bw, _ := check.doc[check.prefix+"BandwidthRate"].(float64)
		// An append carries at least one ~100-byte entry and its headers.
		if pkgs <= 0 || bw < 20*pkgs {
			t.Errorf("%s rates %v requests/s, %v bytes/s: want positive, and tens of bytes a request", check.prefix, pkgs, bw)
		}
	}

	// Idle: the rates cover only the last second of requests, so they go
	// once the writes (and the members' own start-up proposals) stop.
	for _, u := range []string{leadURL, followerURL} {
		deadline := time.Now().Add(10 * time.Second)
		for doc := selfStatsAt(t, u); hasAny(doc, rateFields); doc = selfStatsAt(t, u) {
			if time.Now().After(deadline) {
				t.Fatalf("idle member at %s still reports rates: %v", u, doc)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func hasAny(doc map[string]any, fields []string) bool {
	for _, f := range fields {
		if _, ok := doc[f]; ok {
			return true
		}
	}
	return false
}

// TestSelfStatsFieldsMatchEtcd: under writes, the leader's and a
// follower's /v2/stats/self have the same fields with the same JSON types
// in skiff as in the real etcd.
func TestSelfStatsFieldsMatchEtcd(t *testing.T) {
	etcdtest.Require(t)
	etcd := etcdtest.StartCluster(t, 3)
	var etcdLead, etcdFollower string
	for _, m := range etcd {
		if selfStatsAt(t, m.ClientURL)["state"] == "StateLeader" {
			etcdLead = m.ClientURL
		} else {
			etcdFollower = m.ClientURL
		}
	}
	if etcdLead == "" {
		t.Fatal("no etcd member says it leads")
	}
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	leadURL, followerURL := "http://"+c.members[lead].clientAddr, "http://"+c.members[(lead+1)%3].clientAddr

	stopEtcd, stopSkiff := writeLoad(etcdLead), writeLoad(leadURL)
	defer stopEtcd()
	defer stopSkiff()
	for _, pair := range []struct {
		role, prefix, etcd, skiff string
	}{{"leader", "send", etcdLead, leadURL}, {"follower", "recv", etcdFollower, followerURL}} {
		want, got := shape(waitRates(t, pair.etcd, pair.prefix)), shape(waitRates(t, pair.skiff, pair.prefix))
		if got != want {
			t.Errorf("%s's /v2/stats/self:\n skiff %s\n etcd  %s", pair.role, got, want)
		}
	}
}

// shape lists a JSON object's fields with the JSON type of each value,
// recursing into objects.
func shape(doc map[string]any) string {
	var fields []string
	for k, v := range doc {
		switch v := v.(type) {
		case map[string]any:
			fields = append(fields, k+":"+shape(v))
		default:
			fields = append(fields, fmt.Sprintf("%s:%T", k, v))
		}
	}
	sort.Strings(fields)
	return "{" + strings.Join(fields, ",") + "}"
}
