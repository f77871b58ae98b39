package discovery

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"skiff/client"
	"skiff/server/membership"
)

// Join runs the discovery protocol of contract §7.1 for one new member and
// returns the initial cluster in --initial-cluster form ("name=url,...",
// the first size registrations in createdIndex order):
//
//  1. read <url>/_config/size (ErrSizeNotFound, ErrBadSizeKey,
//     ErrBadDiscoveryEndpoint);
//  2. list <url>, and fail fast with ErrFullCluster if size members are
//     already registered;
//  3. register: PUT <url>/<id hex>?prevExist=false value=name=peerURL,...
//     (ErrDuplicateID when the key exists), then wait until the entry is
//     visible;
//  4. list again (ErrFullCluster if others got in first) and watch <url>
//     recursively from X-Etcd-Index+1 until size members are registered;
//  5. join their values; two of them with one name is ErrDuplicateName.
//
// While the service cannot be reached, steps 1, 2 and 4 are retried after
// Options.Backoff. Step 3 is retried only when the connection could not be
// made: if a registration's answer were lost, a second PUT would find the
// key and report a duplicate id, so then the caller sees the failure and
// the operator decides. Join returns ctx.Err() when ctx ends first.
func (d *Discovery) Join(ctx context.Context, id membership.ID, name string, peerURLs []string) (string, error) {
	self, err := selfValue(name, peerURLs)
	if err != nil {
		return "", err
	}
	if _, err := d.checkCluster(ctx, id); err != nil {
		return "", err
	}
	if err := d.register(ctx, id, self); err != nil {
		return "", err
	}
	reg, err := d.checkCluster(ctx, id)
	if err != nil {
		return "", err
	}
	nodes, err := d.waitForMembers(ctx, id, reg)
	if err != nil {
		return "", err
	}
	return d.initialCluster(nodes)
}

// selfValue is the value a member registers: its own --initial-cluster
// items, "name=url[,name=url2]", URLs canonical and sorted.
func selfValue(name string, peerURLs []string) (string, error) {
	if name == "" {
		return "", errors.New("discovery: the member has no name; set --name")
	}
	if len(peerURLs) == 0 {
		return "", errors.New("discovery: the member has no peer URLs; set --initial-advertise-peer-urls")
	}
	items := make([]string, 0, len(peerURLs))
	for _, u := range peerURLs {
		items = append(items, name+"="+u)
	}
	m, err := membership.ParseURLsMap(strings.Join(items, ","))
	if err != nil {
		return "", fmt.Errorf("discovery: --initial-advertise-peer-urls: %w", err)
	}
	return m.String(), nil
}

// register creates <url>/<id> with the member's value (step 3) and waits
// until the service shows it, as etcd does, so the listing that follows
// includes it even behind a load balancer over several members.
func (d *Discovery) register(ctx context.Context, id membership.ID, value string) error {
	key := path.Join(d.dir, id.String())
	res, err := d.create(ctx, key, value)
	switch {
	case client.IsKeyExists(err):
		return fmt.Errorf("%w: member %s is already registered under %s; a token bootstraps one cluster, once: "+
			"to start over create a new token and empty the members' data dirs", ErrDuplicateID, id, d.url)
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil && badEndpoint(err):
		return fmt.Errorf("%w: PUT %s did not answer with the v2 keys API's JSON (%v)", ErrBadDiscoveryEndpoint, d.base+key, err)
	case err != nil:
		return fmt.Errorf("discovery: registering member %s at %s failed (%w); the token may now hold a half registration, so start over with a new token", id, d.url, err)
	}
	d.lg.Info("registered with the discovery service", "url", d.url, "member", id.String(), "value", value,
		"created-index", res.Node.CreatedIndex)
	rctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	w := d.c.Watcher(key, &client.WatchOptions{AfterIndex: res.Node.CreatedIndex - 1})
	defer w.Close()
	if _, err := w.Next(rctx); err != nil {
		return fmt.Errorf("discovery: waiting to see member %s's registration at %s: %w", id, d.url, err)
	}
	return nil
}

// create sends the registration's PUT. It is tried again only while the
// connection cannot be made: then the PUT never left this host, so another
// try cannot find a registration of our own and take it for a duplicate.
func (d *Discovery) create(ctx context.Context, key, value string) (*client.Response, error) {
	for {
		rctx, cancel := context.WithTimeout(ctx, d.timeout)
		res, err := d.c.Create(rctx, key, value, 0)
		cancel()
		if err == nil || !notSent(err) || ctx.Err() != nil {
			return res, err
		}
		if err := d.waitToRetry(ctx, "registering", err); err != nil {
			return nil, err
		}
	}
}

// initialCluster joins the values of the first size registrations (step
// 5) and checks that they name size distinct members.
func (d *Discovery) initialCluster(nodes []*client.Node) (string, error) {
	values := make([]string, len(nodes))
	for i, n := range nodes {
		values[i] = n.Value
	}
	s := strings.Join(values, ",")
	m, err := membership.ParseURLsMap(s)
	if err != nil {
		return s, fmt.Errorf("%w: the registrations under %s do not form an initial cluster (%v); start over with a new token", ErrInvalidURL, d.url, err)
	}
	if len(m) != len(nodes) {
		return s, fmt.Errorf("%w: the registrations under %s are %q; give every member its own --name and start over with a new token",
			ErrDuplicateName, d.url, s)
	}
	return s, nil
}
