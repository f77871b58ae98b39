package v2http

import (
	"context"
	"errors"
	"net/http"

	"skiff/server/membership"
	"skiff/store"
)

// Server is the member as the v2 client API sees it. The server package
// implements it; the handler never touches raft, the WAL or the transport
// directly, so this interface is the whole boundary between the HTTP layer
// and the member (STYLE.md lesson 2: request → server → raft → store).
//
// Every method must be safe for concurrent use: each HTTP request runs on its
// own goroutine.
type Server interface {
	// Do proposes a write (PUT, POST or DELETE of contract §1.2) through raft
	// and waits until this member has applied it, returning the store's event.
	// Do stamps r.Time with the proposing member's clock before proposing
	// (the store computes expirations from it, §1.10). A store failure comes
	// back as a *store.Error, which the handler writes as it is; any other error
	// is written as 300 "Raft Internal Error" with the error's text as the
	// cause (§1.11), except ErrNoLeader (301). Do must give up when ctx is done
	// (the handler's write timeout) and return ctx.Err() or ErrTimeout.
	Do(ctx context.Context, r *store.Request) (*store.Event, error)

	// LinearizableRead returns once this member has applied everything that
	// was committed when the call began (a raft ReadIndex), so that a read of
	// Store() after it sees every write acknowledged before it: quorum=true
	// (§1.2) and /health. It fails like Do.
	LinearizableRead(ctx context.Context) error

	// Store is the member's applied key space, for local reads, watches and
	// the /v2/stats/store counters. The handler only reads it.
	Store() *store.Store

	// ClusterID is the cluster's ID, sent as X-Etcd-Cluster-Id (§1.5).
	ClusterID() membership.ID

	// ID is this member's ID.
	ID() membership.ID

	// RaftIndexTerm returns the raft commit index and the current term, sent
	// as X-Raft-Index and X-Raft-Term on successful keys responses (§1.5).
	RaftIndexTerm() (index, term uint64)

	// Leader returns the current leader's ID; ok is false during an election
	// (GET /v2/members/leader then answers 503 "During election", §3).
	Leader() (id membership.ID, ok bool)

	// Members returns the current members (§3 GET /v2/members). The handler
	// sorts them by ID.
	Members() []membership.Member

	// AddMember adds a member with the given peer URLs, which the handler has
	// checked and put in canonical form with membership.ParseURL and sorted.
	// The server derives the new member's ID (membership.NewMember with an
	// empty token and the current time, §8), proposes the change and waits for
	// it to apply. Errors: ErrPeerURLExists or ErrIDExists (409),
	// ErrReconfigRefused (500), anything else 500.
	AddMember(ctx context.Context, peerURLs []string) (membership.Member, error)

	// RemoveMember removes a member. Errors: ErrMemberNotFound (404),
	// ErrMemberRemoved (410), ErrReconfigRefused (500), anything else 500.
	RemoveMember(ctx context.Context, id membership.ID) error

	// UpdateMember replaces a member's peer URLs (checked and sorted as for
	// AddMember). Errors: ErrMemberNotFound (404), ErrPeerURLExists (409),
	// anything else 500.
	UpdateMember(ctx context.Context, id membership.ID, peerURLs []string) error

	// SelfStats is this member's /v2/stats/self document (§3): any value that
	// encoding/json can marshal, in etcd's field order, or a []byte of JSON
	// already encoded.
	SelfStats() any

	// LeaderStats is the /v2/stats/leader document; ok is false when this
	// member is not the leader (the handler answers 403 "not current leader").
	LeaderStats() (stats any, ok bool)
}

// The errors a Server returns for the outcomes the API reports with a status
// of their own (contract §2, §3). Wrap them with %w to add detail; the handler
// matches them with errors.Is.
var (
	// ErrNoLeader: the cluster has no leader; keys requests get 301 (500).
	ErrNoLeader = errors.New("etcdserver: no leader")
	// ErrTimeout: a proposal or a read index timed out; keys requests get
	// 300 (500) with this text as the cause, as etcd words it (§1.11).
	ErrTimeout = errors.New("etcdserver: request timed out")
	// ErrMemberNotFound: no member has the ID (404 "No such member: <id>").
	ErrMemberNotFound = errors.New("membership: member not found")
	// ErrMemberRemoved: the member was removed before (410 "Member
	// permanently removed: <id>").
	ErrMemberRemoved = errors.New("membership: member removed")
	// ErrPeerURLExists: another member has one of the peer URLs (409, with
	// this text as the message, as etcd words it).
	ErrPeerURLExists = errors.New("membership: peerURL exists")
	// ErrIDExists: the new member's ID is taken (409).
	ErrIDExists = errors.New("membership: ID exists")
	// ErrReconfigRefused: --strict-reconfig-check refused the change because
	// it would leave the cluster without a healthy quorum (500 "Internal
	// Server Error", as etcd answers it).
	ErrReconfigRefused = errors.New("etcdserver: re-configuration failed due to not enough started members")
)

// Authorizer is the hook for v2 auth (contract §4). A nil Authorizer in
// Config means auth is off and every request is allowed. The security work
// implements it; the handler calls it before each keys, members and auth
// request, after the request has been parsed:
//
//   - keys: CanAccessKey with the key (as in the URL, without /v2/keys),
//     whether the request is recursive and whether it writes (PUT, POST,
//     DELETE). false → 401 with error 110 "Insufficient credentials", index 0.
//   - members: IsRoot for every method but GET and HEAD. false → 401
//     {"message":"Insufficient credentials"}.
//   - /v2/auth/...: Config.AuthHandler does its own checks with IsRoot, since
//     GET /v2/auth/enable is open (§4).
type Authorizer interface {
	// CanAccessKey reports whether the caller of r (its Basic credentials, or
	// the guest role when it has none) may read or write key.
	CanAccessKey(r *http.Request, key string, recursive, write bool) bool
	// IsRoot reports whether the caller of r has the root role, or auth is
	// disabled.
	IsRoot(r *http.Request) bool
}
