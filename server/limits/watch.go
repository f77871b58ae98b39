package limits

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// IsWatch reports whether r is a v2 watch: a GET of /v2/keys with wait set
// (contract §1.8). Watches may last forever, so they get no deadline, and
// they count against the per-connection cap. Only the query is looked at:
// a GET's parameters come from it.
func IsWatch(r *http.Request) bool {
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/v2/keys") {
		return false
	}
	// Without "wait" in the raw query, or an escape that could spell it,
	// there is no wait parameter: skip parsing the query into a map.
	q := r.URL.RawQuery
	if !strings.Contains(q, "wait") && strings.IndexByte(q, '%') < 0 {
		return false
	}
	wait, err := strconv.ParseBool(r.URL.Query().Get("wait"))
	return err == nil && wait
}

// watchCounter counts the watches open on each connection. A connection is
// named by its remote address (ip:port), which no two open TCP connections
// share; over HTTP/2 every stream of a connection has the same one.
type watchCounter struct {
	mu   sync.Mutex
	open map[string]int
}

func newWatchCounter() *watchCounter { return &watchCounter{open: make(map[string]int)} }

// acquire counts one more watch on conn unless it already has limit.
func (c *watchCounter) acquire(conn string, limit int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[conn] >= limit {
		return false
	}
	c.open[conn]++
	return true
}

func (c *watchCounter) release(conn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[conn]--; c.open[conn] <= 0 {
		delete(c.open, conn)
	}
}
