package v2auth

import (
	"context"
	"net/http"

	"skiff/store"
)

// Enabled reports whether auth is on, as this member's store says.
//
// Every keys request asks, so the answer is cached until the auth
// namespace's store generation moves (any auth write, an expiry, or a
// snapshot restored into the store): the generation is read before the
// flag, so a write that lands in between leaves a cache that no longer
// matches, never a stale one that does.
func (a *Auth) Enabled() bool {
	st := a.cfg.Member.Store()
	gen := st.Generation(store.Auth)
	if c := a.enabled.Load(); c>>1 == gen {
		return c&1 == 1
	}
	ev, err := st.Get(store.Auth, enabledPath, false, false, a.cfg.Now())
	on := err == nil && ev.Node != nil && ev.Node.Value != nil && *ev.Node.Value == "true"
	c := gen << 1
	if on {
		c |= 1
	}
	a.enabled.Store(c)
	return on
}

// EnableAuth turns auth on (contract §4). It needs a root user (else 409
// ErrNoRootUser) and creates the guest role, with read and write on every
// key, if there is none, so that anonymous clients keep working until an
// administrator narrows it.
func (a *Auth) EnableAuth(ctx context.Context) error {
	if a.Enabled() {
		return ErrAlreadyEnabled
	}
	if _, err := a.GetUser(RootUser); err != nil {
		return ErrNoRootUser
	}
	if _, err := a.GetRole(GuestRole); err != nil {
		if err := a.CreateRole(ctx, guestRole); err != nil && statusOf(err) != http.StatusConflict {
			return err
		}
	}
	return a.setEnabled(ctx, true)
}

// DisableAuth turns auth off; when it is already off it is 409.
func (a *Auth) DisableAuth(ctx context.Context) error {
	if !a.Enabled() {
		return ErrAlreadyDisabled
	}
	return a.setEnabled(ctx, false)
}

func (a *Auth) setEnabled(ctx context.Context, on bool) error {
	v := "false"
	if on {
		v = "true"
	}
	return a.propose(ctx, store.Request{Method: store.MethodPut, Key: enabledPath, Value: v})
}
