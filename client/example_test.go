package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"skiff/client"
)

// Example writes a key and reads it back.
func Example() {
	srv := newExampleServer()
	defer srv.Close()

	c, err := client.New(client.Config{
		Endpoints:     []string{srv.URL},
		HeaderTimeout: 2 * time.Second, // etcdctl --timeout
		TotalTimeout:  5 * time.Second, // etcdctl --total-timeout
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	set, err := c.Set(ctx, "/config/color", "blue", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set.Action, set.Node.Key, "=", set.Node.Value, "at index", set.Index)

	get, err := c.Get(ctx, "/config/color", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(get.Action, get.Node.Value)
	// Output:
	// set /config/color = blue at index 1
	// get blue
}

// ExampleError tells the cluster's refusals (an *Error with a v2 code)
// from an unreachable cluster (a *ClusterError), as etcdctl does.
func ExampleError() {
	srv := newExampleServer()
	defer srv.Close()
	c, _ := client.New(client.Config{Endpoints: []string{srv.URL}})
	defer c.Close()

	_, err := c.Get(context.Background(), "/missing", nil)
	var v2 *client.Error
	switch {
	case client.IsKeyNotFound(err):
		fmt.Println("no such key; the cluster said:", err)
	case errors.As(err, &v2):
		fmt.Println("the cluster refused with code", v2.Code)
	case errors.Is(err, client.ErrClusterUnavailable):
		fmt.Println("no endpoint answered")
	}
	// Output:
	// no such key; the cluster said: 100: Key not found (/missing) [0]
}

// ExampleClient_CompareAndSwap updates a key only if nobody changed it since
// it was read.
func ExampleClient_CompareAndSwap() {
	srv := newExampleServer()
	defer srv.Close()
	c, _ := client.New(client.Config{Endpoints: []string{srv.URL}})
	defer c.Close()
	ctx := context.Background()

	r, _ := c.Set(ctx, "/counter", "1", nil)
	_, err := c.CompareAndSwap(ctx, "/counter", "2", "", r.Node.ModifiedIndex)
	fmt.Println("first swap:", err)
	_, err = c.CompareAndSwap(ctx, "/counter", "3", "", r.Node.ModifiedIndex)
	fmt.Println("second swap is a compare failure:", client.IsCompareFailed(err))
	// Output:
	// first swap: <nil>
	// second swap is a compare failure: true
}

// ExampleWatcher reads the changes to a key after a known index; a Watcher
// picks up where it left off after a dropped connection.
func ExampleWatcher() {
	srv := newExampleServer()
	defer srv.Close()
	c, _ := client.New(client.Config{Endpoints: []string{srv.URL}})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	first, _ := c.Set(ctx, "/job", "queued", nil)
	c.Set(ctx, "/job", "running", nil)
	c.Set(ctx, "/job", "done", nil)

	w := c.Watcher("/job", &client.WatchOptions{AfterIndex: first.Index})
	for range 2 {
		ev, err := w.Next(ctx)
		if client.IsEventIndexCleared(err) {
			fmt.Println("too far behind: read /job again and watch from its Index")
			return
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ev.Action, ev.Node.Value, "was", ev.PrevNode.Value)
	}
	// Output:
	// set running was queued
	// set done was running
}

// ExampleRequestTrace_Curl prints each request as etcdctl --debug does.
func ExampleRequestTrace_Curl() {
	srv := newExampleServer()
	defer srv.Close()
	c, _ := client.New(client.Config{
		Endpoints: []string{srv.URL},
		OnRequest: func(tr client.RequestTrace) {
			fmt.Println("cURL Command:", strings.ReplaceAll(tr.Curl(), srv.URL, "http://127.0.0.1:2379"))
		},
	})
	defer c.Close()
	c.Create(context.Background(), "/greeting", "hello world", 0)
	// Output:
	// cURL Command: curl -X PUT http://127.0.0.1:2379/v2/keys/greeting?prevExist=false -d "value=hello+world"
}

// newExampleServer is a toy v2 keys server for the examples: flat keys,
// set/CAS/create/get, and watches answered from history. It is nowhere
// near the real semantics; it only speaks the wire format.
func newExampleServer() *httptest.Server {
	s := &exampleStore{values: map[string]*client.Node{}}
	return httptest.NewServer(http.HandlerFunc(s.serve))
}

type exampleStore struct {
	mu      sync.Mutex
	index   uint64
	values  map[string]*client.Node
	history []client.Response
}

func (s *exampleStore) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.TrimPrefix(r.URL.Path, "/v2/keys")
	r.ParseForm()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPut:
		s.put(w, key, r.Form)
	case r.Form.Get("wait") == "true":
		from, _ := strconv.ParseUint(r.Form.Get("waitIndex"), 10, 64)
		for _, ev := range s.history {
			if ev.Node.Key == key && ev.Node.ModifiedIndex >= from {
				s.reply(w, http.StatusOK, ev)
				return
			}
		}
	case s.values[key] == nil:
		s.fail(w, http.StatusNotFound, 100, "Key not found", key)
	default:
		s.reply(w, http.StatusOK, client.Response{Action: "get", Node: s.values[key]})
	}
}

func (s *exampleStore) put(w http.ResponseWriter, key string, form map[string][]string) {
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	prev := s.values[key]
	action := "set"
	switch {
	case get("prevExist") == "false" && prev != nil:
		s.fail(w, http.StatusPreconditionFailed, 105, "Key already exists", key)
		return
	case get("prevExist") == "false":
		action = "create"
	case get("prevIndex") != "":
		if prev == nil || strconv.FormatUint(prev.ModifiedIndex, 10) != get("prevIndex") {
			s.fail(w, http.StatusPreconditionFailed, 101, "Compare failed", "[prevIndex != modifiedIndex]")
			return
		}
		action = "compareAndSwap"
	}
	s.index++
	n := &client.Node{Key: key, Value: get("value"), CreatedIndex: s.index, ModifiedIndex: s.index}
	s.values[key] = n
	ev := client.Response{Action: action, Node: n, PrevNode: prev}
	s.history = append(s.history, ev)
	s.reply(w, http.StatusOK, ev)
}

func (s *exampleStore) reply(w http.ResponseWriter, status int, r client.Response) {
	w.Header().Set("X-Etcd-Index", strconv.FormatUint(s.index, 10))
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(r)
}

func (s *exampleStore) fail(w http.ResponseWriter, status, code int, msg, cause string) {
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errorCode":%d,"message":%q,"cause":%q,"index":%d}`+"\n", code, msg, cause, s.index)
}
