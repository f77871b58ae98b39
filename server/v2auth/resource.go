package v2auth

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"skiff/store"
)

// The record paths in the Auth namespace (package doc).
const (
	usersDir    = "/users"
	rolesDir    = "/roles"
	enabledPath = "/enabled"
)

// maxUpdateAttempts bounds the read-merge-write loop of an update. An
// update is a compare-and-swap on the record's modifiedIndex, so a
// concurrent change (on any member) makes it fail and start again from the
// new record instead of silently losing the other change.
const maxUpdateAttempts = 10

// validName reports whether name can be a user or role record: not empty,
// no "/", not "." or "..", so that a name never reaches another record.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.Contains(name, "/")
}

// readRecord returns the JSON of the record at p and its modifiedIndex.
// A missing record is a store error with code 100.
func (a *Auth) readRecord(p string) (string, uint64, error) {
	ev, err := a.cfg.Member.Store().Get(store.Auth, p, false, false, a.cfg.Now())
	if err != nil {
		return "", 0, err
	}
	if ev.Node == nil || ev.Node.Value == nil {
		return "", 0, fmt.Errorf("v2auth: %s is not a record", p)
	}
	return *ev.Node.Value, ev.Node.ModifiedIndex, nil
}

// listNames returns the names under dir, sorted; none when it is missing.
func (a *Auth) listNames(dir string) ([]string, error) {
	ev, err := a.cfg.Member.Store().Get(store.Auth, dir, false, true, a.cfg.Now())
	if store.Code(err) == store.EcodeKeyNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range ev.Node.Nodes {
		names = append(names, path.Base(n.Key))
	}
	return names, nil
}

// propose sends one write of the Auth namespace through raft.
func (a *Auth) propose(ctx context.Context, r store.Request) error {
	r.Namespace = store.Auth
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	_, err := a.cfg.Member.Do(ctx, &r)
	return err
}

// createRecord writes v at p, failing with code 105 if p exists.
func (a *Auth) createRecord(ctx context.Context, p string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("v2auth: encoding %s: %w", p, err)
	}
	no := false
	return a.propose(ctx, store.Request{Method: store.MethodPut, Key: p, Value: string(b), PrevExist: &no})
}

// swapRecord replaces the record at p with v if it is still the version
// read at prevIndex; otherwise it fails with code 101 (compare failed).
func (a *Auth) swapRecord(ctx context.Context, p string, v any, prevIndex uint64) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("v2auth: encoding %s: %w", p, err)
	}
	return a.propose(ctx, store.Request{Method: store.MethodPut, Key: p, Value: string(b), PrevIndex: prevIndex})
}

// deleteRecord removes the record at p (code 100 if missing).
func (a *Auth) deleteRecord(ctx context.Context, p string) error {
	return a.propose(ctx, store.Request{Method: store.MethodDelete, Key: p})
}
