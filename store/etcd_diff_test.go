package store

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"skiff/internal/etcdtest"
)

// TestAgainstRealEtcd sends the same random requests to a real etcd 3.4
// (--enable-v2) and to the store, and compares status, X-Etcd-Index and the
// body byte for byte, except the expiration and ttl values, which depend on
// each side's clock (their presence is compared). TTLs are long enough that
// nothing expires during the run. It needs the etcd binary and runs only with
// SKIFF_ETCD=1 (it starts a server process); SKIFF_SEED replays a seed.
func TestAgainstRealEtcd(t *testing.T) {
	if os.Getenv("SKIFF_ETCD") != "1" {
		t.Skip("set SKIFF_ETCD=1 to compare with a real etcd (needs the etcd binary)")
	}
	base := etcdtest.Start(t).ClientURL
	seeds, _ := randomSeeds(t, 1)
	seed := seeds[0]
	t.Logf("replay: SKIFF_ETCD=1 SKIFF_SEED=%d go test ./store -run TestAgainstRealEtcd -v", seed)
	rng := rand.New(rand.NewSource(seed))

	// Align the store's index with etcd's, which makes a few internal writes
	// (member attributes, cluster version) just after it starts.
	start := etcdtest.WaitStableIndex(t, base, 1500*time.Millisecond)
	s := New()
	for i := uint64(0); i < start; i++ {
		s.Set(Cluster, fmt.Sprintf("/pad%d", i), false, "", TTL{}, t0)
	}
	for step := 0; step < 2000; step++ {
		if step%20 == 19 {
			compareWatch(t, base, s, rng)
		}
		line := randomRequestLine(rng, s.Index())
		wantStatus, wantIndex, wantBody := etcdDo(t, base, line)
		status, body := do(t, s, line)
		wantBody, body = clockFree(wantBody), clockFree(body)
		index := s.Index()
		if status != wantStatus || body != wantBody || index != wantIndex {
			t.Fatalf("step %d: %s\n etcd  %d [%d] %s\n store %d [%d] %s", step, line, wantStatus, wantIndex, wantBody, status, index, body)
		}
	}
	t.Logf("2000 requests agreed; the index went from %d to %d", start, s.Index())
}

// compareWatch starts the same plain watch from a recent past index on both
// and compares the answer: an event at once, or waiting. The one deliberate
// difference (etcd's history scan shows hidden keys to a recursive watch on
// an ancestor; docs/store.md) is skipped.
func compareWatch(t *testing.T, base string, s *Store, rng *rand.Rand) {
	t.Helper()
	key := fuzzPath(byte(rng.Intn(256)))
	recursive := rng.Intn(2) == 0
	since := s.Index() - uint64(rng.Intn(int(min(s.Index(), 30))))
	w, err := s.Watch(Keys, key, recursive, false, since)
	if err != nil {
		t.Fatalf("watch %s since %d: %v", key, since, err)
	}
	defer w.Remove()
	var want string
	select {
	case e := <-w.EventChan():
		want = mustJSON(t, e)
	default:
		want = "waiting"
	}
	timeout := 2 * time.Second
	if want == "waiting" {
		timeout = 100 * time.Millisecond
	}
	q := url.Values{"wait": {"true"}, "waitIndex": {strconv.FormatUint(since, 10)}, "recursive": {strconv.FormatBool(recursive)}}
	client := &http.Client{Timeout: timeout}
	got := "waiting"
	resp, err := client.Get(base + "/v2/keys" + key + "?" + q.Encode())
	if err == nil {
		// etcd sends the headers at once; a body cut off by the timeout
		// means the watch was still waiting.
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			got = strings.TrimSuffix(string(b), "\n")
		}
		if idx := resp.Header.Get("X-Etcd-Index"); idx != strconv.FormatUint(w.StartIndex(), 10) {
			t.Fatalf("watch %s since %d: etcd X-Etcd-Index %s, store %d", key, since, idx, w.StartIndex())
		}
	}
	if clockFree(got) != clockFree(want) {
		var e Event
		if json.Unmarshal([]byte(got), &e) == nil && e.Node != nil && recursive && isBelow(e.Node.Key, key) &&
			hasHiddenSegment(relative(e.Node.Key, key)) {
			return // etcd's history scan ignores the hidden rule
		}
		t.Fatalf("watch %s recursive=%v since %d:\n etcd  %s\n store %s", key, recursive, since, got, want)
	}
}

// randomRequestLine makes one request in parseRequest's syntax, never one
// the API layer would refuse while parsing.
func randomRequestLine(rng *rand.Rand, index uint64) string {
	p := fuzzPath(byte(rng.Intn(256)))
	var words []string
	add := func(w string) { words = append(words, w) }
	flag := func(name string) {
		if rng.Intn(3) == 0 {
			add(name + "=true")
		}
	}
	prev := func() {
		if rng.Intn(3) == 0 {
			add("prevValue=" + fuzzValues[1+rng.Intn(3)])
		}
		if rng.Intn(3) == 0 && index > 0 {
			add("prevIndex=" + strconv.FormatUint(index-uint64(rng.Intn(int(min(index, 4)))), 10))
		}
	}
	switch rng.Intn(6) {
	case 0, 1:
		add("PUT " + p)
		if ttl := randomTTL(rng); (ttl == "ttl=1000" || ttl == "ttl=2000") && rng.Intn(4) == 0 {
			add(ttl + " refresh=true") // a refresh carries a ttl and no value
		} else {
			add("value=" + fuzzValues[rng.Intn(4)])
			add(ttl)
		}
		flag("dir")
		switch rng.Intn(4) {
		case 0:
			add("prevExist=true")
		case 1:
			add("prevExist=false")
		}
		prev()
	case 2:
		add("POST " + p)
		add("value=" + fuzzValues[rng.Intn(4)])
		add(randomTTL(rng))
		flag("dir")
	case 3:
		add("DELETE " + p)
		flag("dir")
		flag("recursive")
		prev()
	default:
		add("GET " + p)
		flag("recursive")
		add("sorted=true")
	}
	return strings.Join(strings.Fields(strings.Join(words, " ")), " ")
}

// randomTTL is no ttl, an empty one (which clears a TTL) or one too long to
// expire during the test, so the leader's expiry never runs.
func randomTTL(rng *rand.Rand) string {
	return []string{"", "", "ttl=", "ttl=1000", "ttl=2000"}[rng.Intn(5)]
}

// clockFree hides the values that depend on each side's clock: the
// expiration time and the remaining ttl. Their presence still counts.
func clockFree(body string) string {
	body = expirationRE.ReplaceAllString(body, `"expiration":"T"`)
	return ttlRE.ReplaceAllString(body, `"ttl":N`)
}

var (
	expirationRE = regexp.MustCompile(`"expiration":"[^"]*"`)
	ttlRE        = regexp.MustCompile(`"ttl":-?[0-9]+`)
)

// etcdDo sends a request line to etcd and returns the status, X-Etcd-Index
// and body without its final newline.
func etcdDo(t *testing.T, base, line string) (int, uint64, string) {
	t.Helper()
	f := strings.Fields(line)
	form := url.Values{}
	for _, kv := range f[2:] {
		k, v, _ := strings.Cut(kv, "=")
		form.Set(k, v)
	}
	u := base + "/v2/keys" + f[1]
	var req *http.Request
	var err error
	if f[0] == "PUT" || f[0] == "POST" {
		req, err = http.NewRequest(f[0], u, strings.NewReader(form.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequest(f[0], u+"?"+form.Encode(), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	index, _ := strconv.ParseUint(resp.Header.Get("X-Etcd-Index"), 10, 64)
	return resp.StatusCode, index, strings.TrimSuffix(string(b), "\n")
}
