package discovery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"skiff/client"
	"skiff/server/membership"
)

// configDir is the token's hidden settings directory; its size key says how
// many members the cluster starts with (contract §7.1).
const configDir = "_config"

// registry is one reading of the token's directory (protocol steps 1 and 2).
type registry struct {
	size int // the value of <url>/_config/size, at least 1
	// members are the registered entries, sorted by createdIndex, so the
	// first size of them are the cluster (later ones were too late).
	members []*client.Node
	// dirKey is the directory's key in the service's store, e.g.
	// "/_etcd/registry/tok1"; watch events carry keys in this form.
	dirKey string
	// index is X-Etcd-Index of the listing: a watch from index+1 misses no
	// registration made after it.
	index uint64
}

// checkCluster reads the directory (steps 1 and 2), trying again with
// backoff while the service cannot be reached, and fails fast with
// ErrFullCluster when size members registered before id.
func (d *Discovery) checkCluster(ctx context.Context, id membership.ID) (*registry, error) {
	for {
		reg, err := d.readRegistry(ctx)
		if err == nil {
			return reg, d.checkRoom(reg, id)
		}
		if !retryable(err) || ctx.Err() != nil {
			return nil, err
		}
		if err := d.waitToRetry(ctx, "cluster status check", err); err != nil {
			return nil, err
		}
	}
}

// readRegistry sends GET <url>/_config/size and GET <url>.
func (d *Discovery) readRegistry(ctx context.Context) (*registry, error) {
	sizeKey := path.Join(d.dir, configDir, "size")
	res, err := d.get(ctx, sizeKey)
	if client.IsKeyNotFound(err) {
		return nil, fmt.Errorf("%w: %s has no %s/size; create the token first, e.g. curl -X PUT %s/%s/size -d value=3",
			ErrSizeNotFound, d.url, configDir, strings.TrimSuffix(d.url, "/"), configDir)
	}
	if err != nil {
		return nil, d.readError(sizeKey, err)
	}
	size, perr := strconv.ParseUint(res.Node.Value, 10, 31)
	if perr != nil || size < 1 || res.Node.Dir {
		return nil, fmt.Errorf("%w: %s/%s/size is %q; it must be the cluster size, a whole number such as 3",
			ErrBadSizeKey, strings.TrimSuffix(d.url, "/"), configDir, res.Node.Value)
	}
	res, err = d.get(ctx, d.dir)
	if err != nil {
		return nil, d.readError(d.dir, err)
	}
	reg := &registry{size: int(size), dirKey: res.Node.Key, index: res.Index}
	for _, n := range res.Node.Nodes {
		if path.Base(n.Key) != configDir && !n.Dir {
			reg.members = append(reg.members, n)
		}
	}
	slices.SortStableFunc(reg.members, func(a, b *client.Node) int {
		return compareUint(a.CreatedIndex, b.CreatedIndex)
	})
	return reg, nil
}

// checkRoom fails with ErrFullCluster when size members come before id in
// createdIndex order (id not registered counts as last).
func (d *Discovery) checkRoom(reg *registry, id membership.ID) error {
	pos := slices.IndexFunc(reg.members, func(n *client.Node) bool { return path.Base(n.Key) == id.String() })
	if pos < 0 {
		pos = len(reg.members)
	}
	if pos < reg.size {
		return nil
	}
	var names []string
	for _, n := range reg.members[:reg.size] {
		names = append(names, n.Value)
	}
	return fmt.Errorf("%w; the token %s already has its %d members (%s) and a token bootstraps one cluster only: "+
		"for a new cluster create a new token; to grow the running one use skiffctl member add and start this member with --initial-cluster-state existing",
		ErrFullCluster, d.url, reg.size, strings.Join(names, ","))
}

// get reads key within the request timeout. A timeout of its own (the
// caller's ctx still alive) counts as "no answer", which is retried.
func (d *Discovery) get(ctx context.Context, key string) (*client.Response, error) {
	rctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	res, err := d.c.Get(rctx, key, nil)
	if err != nil && rctx.Err() != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("%w: %s sent no answer within %v", errNoAnswer, d.url, d.timeout)
	}
	return res, err
}

// readError explains a failed read of key.
func (d *Discovery) readError(key string, err error) error {
	if badEndpoint(err) {
		return fmt.Errorf("%w: GET %s did not answer with the v2 keys API's JSON (%v); the discovery URL must name a token directory of a v2 key service, e.g. http://host:2379/v2/keys/_etcd/registry/<token>",
			ErrBadDiscoveryEndpoint, d.base+key, err)
	}
	if retryable(err) {
		return err
	}
	return fmt.Errorf("discovery: GET %s: %w", d.base+key, err)
}

// badEndpoint reports whether err means the service is not a v2 key
// service: a 2xx answer that is not JSON, or an error answer without a v2
// error code (a plain "404 page not found").
func badEndpoint(err error) bool {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var apiErr *client.Error
	if errors.As(err, &syntax) || errors.As(err, &typ) {
		return true
	}
	return errors.As(err, &apiErr) && apiErr.Code == 0
}

func compareUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
