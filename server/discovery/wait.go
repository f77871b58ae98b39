package discovery

import (
	"context"
	"path"
	"slices"

	"skiff/client"
	"skiff/server/membership"
)

// waitForMembers watches the token's directory until size members are
// registered (step 4) and returns the first size of them in createdIndex
// order. When the service goes away, or the watch falls out of its event
// history, it reads the directory again and watches from there.
func (d *Discovery) waitForMembers(ctx context.Context, id membership.ID, reg *registry) ([]*client.Node, error) {
	for {
		nodes, err := d.watchUntilFull(ctx, id, reg)
		switch {
		case err == nil:
			return nodes, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case retryable(err):
			if err := d.waitToRetry(ctx, "waiting for other nodes", err); err != nil {
				return nil, err
			}
		case client.IsEventIndexCleared(err):
			d.lg.Info("the discovery watch fell behind the service's event history; reading the directory again",
				"url", d.url, "error", err)
		default:
			return nil, err
		}
		if reg, err = d.checkCluster(ctx, id); err != nil {
			return nil, err
		}
	}
}

// watchUntilFull starts from reg's members and adds each new registration
// the watch reports until there are size of them.
func (d *Discovery) watchUntilFull(ctx context.Context, id membership.ID, reg *registry) ([]*client.Node, error) {
	all := slices.Clone(reg.members[:min(len(reg.members), reg.size)])
	seen := make(map[string]bool)
	for _, n := range all {
		seen[n.Key] = true
		d.logFound(id, n)
	}
	w := d.c.Watcher(d.dir, &client.WatchOptions{AfterIndex: reg.index, Recursive: true})
	defer w.Close()
	for len(all) < reg.size {
		d.lg.Info("found peers from discovery server; waiting for more", "url", d.url,
			"found-peers", len(all), "needed-peers", reg.size-len(all))
		ev, err := w.Next(ctx)
		if err != nil {
			return nil, err
		}
		if !isRegistration(ev, reg.dirKey) || seen[ev.Node.Key] {
			continue
		}
		seen[ev.Node.Key] = true
		d.logFound(id, ev.Node)
		all = append(all, ev.Node)
	}
	d.lg.Info("found all needed peers from discovery server", "url", d.url, "found-peers", len(all))
	return all, nil
}

// isRegistration reports whether a watch event is a member registering: a
// file created directly under the token's directory. Other changes (a
// deleted entry, a key deeper down) are not registrations.
func isRegistration(ev *client.Response, dirKey string) bool {
	if ev.Action != "create" && ev.Action != "set" {
		return false
	}
	return !ev.Node.Dir && path.Dir(ev.Node.Key) == dirKey && path.Base(ev.Node.Key) != configDir
}

// logFound logs one registration as etcd does: self or peer.
func (d *Discovery) logFound(id membership.ID, n *client.Node) {
	if path.Base(n.Key) == id.String() {
		d.lg.Info("found self from discovery server", "url", d.url, "self", id.String())
		return
	}
	d.lg.Info("found peer from discovery server", "url", d.url, "peer", path.Base(n.Key), "value", n.Value)
}
