package v2auth

import (
	"encoding/json"
	"fmt"
	"sync"
)

// decodeCacheSize bounds each decoded-record cache: far more users or roles
// than a v2 cluster has; when full the cache starts over.
const decodeCacheSize = 1024

// decodeCache remembers the decoded form of records, keyed by path and
// checked against the record's current JSON: an entry is used only when the
// store still holds exactly the bytes it was decoded from, so it can never
// be stale, on this member or any other. It saves the JSON decoding that
// otherwise dominates the cost auth adds to each request
// (BenchmarkCanAccessKey).
//
// The decoded values are shared between callers, who must not modify their
// slices in place (mergeUser, mergeRole and withRootRole build new ones).
type decodeCache[T any] struct {
	mu      sync.Mutex
	entries map[string]decoded[T]
}

type decoded[T any] struct {
	raw string
	v   T
}

func newDecodeCache[T any]() *decodeCache[T] {
	return &decodeCache[T]{entries: make(map[string]decoded[T])}
}

// decode returns raw (the record at p) decoded, from the cache when it
// holds the same raw bytes for p.
func (c *decodeCache[T]) decode(p, raw string) (T, error) {
	c.mu.Lock()
	e, ok := c.entries[p]
	c.mu.Unlock()
	if ok && e.raw == raw {
		return e.v, nil
	}
	var v T
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, fmt.Errorf("v2auth: decoding %s: %w", p, err)
	}
	c.mu.Lock()
	if len(c.entries) >= decodeCacheSize {
		clear(c.entries)
	}
	c.entries[p] = decoded[T]{raw: raw, v: v}
	c.mu.Unlock()
	return v, nil
}
