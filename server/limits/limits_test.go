package limits

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// serve runs h behind cfg's limits (Apply and Wrap) on a loopback port.
func serve(t *testing.T, cfg Config, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(cfg.Wrap(h))
	cfg.Apply(srv.Config)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// echoLen answers with the number of body bytes it could read, or 413 when
// the body went over the cap.
var echoLen = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if IsBodyTooLarge(err) {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	fmt.Fprint(w, len(b))
})

// TestBodyOverTheCapIsRefused: a declared length over the cap is 413 before
// anything is read; a chunked body that grows past it fails to read.
func TestBodyOverTheCapIsRefused(t *testing.T) {
	srv := serve(t, Config{MaxBodyBytes: 100}, echoLen)
	resp, err := http.Post(srv.URL+"/v2/keys/a", "text/plain", strings.NewReader(strings.Repeat("x", 100)))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "100", string(b), "a body at the cap passes")

	resp, err = http.Post(srv.URL+"/v2/keys/a", "text/plain", strings.NewReader(strings.Repeat("x", 101)))
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Contains(t, string(b), "over the limit of 100 bytes")

	chunked := io.MultiReader(strings.NewReader(strings.Repeat("x", 60)), strings.NewReader(strings.Repeat("y", 60)))
	resp, err = http.Post(srv.URL+"/v2/keys/a", "text/plain", chunked) // no length: chunked
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}

// TestHeadersOverTheCapAreRefused: http.Server answers 431.
func TestHeadersOverTheCapAreRefused(t *testing.T) {
	srv := serve(t, Config{MaxHeaderBytes: 1024}, echoLen)
	req, err := http.NewRequest("GET", srv.URL+"/v2/keys/a", nil)
	require.NoError(t, err)
	req.Header.Set("X-Big", strings.Repeat("h", 8<<10))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
}

// TestSlowClientsAreCutOff: a client that sends half its headers, or
// trickles its body, loses the connection after the timeouts.
func TestSlowClientsAreCutOff(t *testing.T) {
	srv := serve(t, Config{ReadHeaderTimeout: 200 * time.Millisecond, RequestTimeout: 200 * time.Millisecond}, echoLen)
	for name, partial := range map[string]string{
		"headers": "GET /v2/keys/a HTTP/1.1\r\nHost: x\r\n",
		"body":    "PUT /v2/keys/a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nv",
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, partial)
			require.NoError(t, err)
			start := time.Now()
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
			_, _ = io.ReadAll(conn) // returns when the server closes the connection
			require.Less(t, time.Since(start), 3*time.Second, "the server must hang up on a slow client")
		})
	}
}

// TestWatchesHaveNoDeadlineAndReuseCleanConnections: a watch may outlast
// the request timeout, even on a keep-alive connection that first served a
// request with a deadline; a non-watch reply written after its deadline
// fails.
func TestWatchesHaveNoDeadlineAndReuseCleanConnections(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("slow") != "" {
			time.Sleep(400 * time.Millisecond)
		}
		fmt.Fprint(w, "ok")
	})
	srv := serve(t, Config{RequestTimeout: 150 * time.Millisecond}, slow)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	get := func(path string) (string, error) {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	body, err := get("/v2/keys/a")
	require.NoError(t, err)
	require.Equal(t, "ok", body)
	body, err = get("/v2/keys/a?wait=true&slow=1") // same connection, longer than the timeout
	require.NoError(t, err)
	require.Equal(t, "ok", body)
	_, err = get("/v2/keys/a?slow=1")
	require.Error(t, err, "a non-watch reply after its deadline is cut off")
}

// TestWatchesPerConnectionAreCapped: over HTTP/2 one connection carries
// many requests at once; the third watch on it is refused with 429 while
// two are open, and admitted once one ends.
func TestWatchesPerConnectionAreCapped(t *testing.T) {
	release := make(chan struct{})
	var started sync.WaitGroup
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("block") != "" {
			started.Done()
			<-release
		}
		fmt.Fprint(w, "ok")
	})
	srv := httptest.NewUnstartedServer(Config{MaxWatchesPerConn: 2}.Wrap(h))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	client := srv.Client()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 2)
	started.Add(2)
	for range 2 {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v2/keys/a?wait=true&block=1", nil)
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	started.Wait()
	resp, err := client.Get(srv.URL + "/v2/keys/a?wait=true")
	require.NoError(t, err)
	require.Equal(t, 2, resp.ProtoMajor, "the test needs HTTP/2 to share one connection")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Contains(t, string(b), "too many watches on one connection (limit 2)")

	resp, err = client.Get(srv.URL + "/v2/keys/a") // not a watch: not counted
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	close(release)
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	resp, err = client.Get(srv.URL + "/v2/keys/a?wait=true")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "closed watches free their places")
}

// TestIsWatch pins which requests count as watches.
func TestIsWatch(t *testing.T) {
	for target, want := range map[string]bool{
		"GET /v2/keys/a?wait=true":          true,
		"GET /v2/keys/a?wait=1&stream=true": true,
		"GET /v2/keys/a":                    false,
		"GET /v2/keys/a?wait=false":         false,
		"GET /v2/keys/a?wait=maybe":         false,
		"PUT /v2/keys/a?wait=true":          false,
		"GET /v2/members?wait=true":         false,
		"GET /v2/keys/a?w%61it=true":        true,
		"GET /v2/keys/a?quorum=true":        false,
		"GET /v2/keys/a?%77ait=t":           true,
	} {
		method, url, _ := strings.Cut(target, " ")
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(method + " " + url + " HTTP/1.1\r\nHost: x\r\n\r\n")))
		require.NoError(t, err)
		require.Equal(t, want, IsWatch(r), target)
	}
}

// TestGoFormCapStillAppliesBehindTheBodyCap: net/http caps urlencoded forms
// at 10 MB unless the body is an http.MaxBytesReader; behind Wrap the cap
// must still apply, since etcd's error 210 "http: POST too large" comes from
// it (contract §1.11).
func TestGoFormCapStillAppliesBehindTheBodyCap(t *testing.T) {
	srv := serve(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, len(r.Form.Get("value")))
	}))
	body := "value=" + strings.Repeat("v", 11<<20)
	resp, err := http.Post(srv.URL+"/v2/keys/a", "application/x-www-form-urlencoded", strings.NewReader(body))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, string(b), "http: POST too large")
}
