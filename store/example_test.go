package store_test

import (
	"encoding/json"
	"fmt"
	"time"

	"skiff/store"
)

// The server applies each committed request with the leader's clock, then
// marshals the event (or the error) as the HTTP body.
func ExampleStore_Apply() {
	s := store.New()
	now := time.Date(2026, 11, 24, 4, 0, 0, 0, time.UTC)
	e, _ := s.Apply(&store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: "/demo/a",
		Value: "1", TTL: store.TTL{Set: true, Seconds: 100}, Time: now})
	body, _ := json.Marshal(e)
	fmt.Println(string(body), e.IsCreated(), e.EtcdIndex)

	exists := false
	_, err := s.Apply(&store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: "/demo/a",
		Value: "2", PrevExist: &exists, Time: now})
	body, _ = json.Marshal(err)
	fmt.Println(string(body), err.(*store.Error).StatusCode())
	// Output:
	// {"action":"set","node":{"key":"/demo/a","value":"1","expiration":"2026-11-24T04:01:40Z","ttl":100,"modifiedIndex":1,"createdIndex":1}} true 1
	// {"errorCode":105,"message":"Key already exists","cause":"/demo/a","index":1} 412
}

// A watch from a past index is answered from the history; X-Etcd-Index is
// the index when the watch started.
func ExampleStore_Watch() {
	s := store.New()
	now := time.Date(2026, 11, 24, 4, 0, 0, 0, time.UTC)
	s.Set(store.Keys, "/k", false, "a", store.TTL{}, now)
	s.Set(store.Keys, "/k", false, "b", store.TTL{}, now)
	w, _ := s.Watch(store.Keys, "/k", false, false, 2)
	e := <-w.EventChan()
	fmt.Println(w.StartIndex(), e.Action, *e.Node.Value, *e.PrevNode.Value)
	// Output:
	// 2 set b a
}
