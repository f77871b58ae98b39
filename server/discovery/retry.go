package discovery

import (
	"context"
	"errors"
	"net"
	"time"

	"skiff/client"
)

// maxBackoffExponent caps etcd's exponential backoff at 2^8 s (about 4
// minutes): beyond that a member retries at a constant pace.
const maxBackoffExponent = 8

// errNoAnswer marks a request that timed out while the caller still waited;
// like a refused connection it is worth another try.
var errNoAnswer = errors.New("discovery: no answer from the discovery service")

// etcdBackoff is etcd's wait before retry n: 2^n seconds, n capped at 8
// (contract §7.1).
func etcdBackoff(n int) time.Duration {
	return time.Duration(1<<min(n, maxBackoffExponent)) * time.Second
}

// retryable reports whether err means the discovery service could not be
// reached (or answered 5xx, a member without a leader), as opposed to an
// answer that settles the matter.
func retryable(err error) bool {
	return errors.Is(err, client.ErrClusterUnavailable) || errors.Is(err, errNoAnswer)
}

// notSent reports whether err means no request reached the service: every
// attempt failed while connecting.
func notSent(err error) bool {
	var ce *client.ClusterError
	if !errors.As(err, &ce) || len(ce.Errors) == 0 {
		return false
	}
	for _, e := range ce.Errors {
		var op *net.OpError
		if !errors.As(e, &op) || op.Op != "dial" {
			return false
		}
	}
	return true
}

// waitToRetry logs the failure and sleeps the next backoff, or returns
// ctx.Err() when ctx ends first. The retry count is kept for the whole
// Join, as etcd keeps it, so a flapping service is not hammered.
func (d *Discovery) waitToRetry(ctx context.Context, step string, cause error) error {
	d.retries++
	wait := d.backoff(d.retries)
	d.lg.Info("retry connecting to discovery service", "url", d.url, "reason", step,
		"backoff", wait, "retry", d.retries, "error", cause)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
