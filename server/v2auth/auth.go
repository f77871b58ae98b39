package v2auth

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"skiff/server/membership"
	"skiff/store"
)

// Member is what v2auth needs from the member it runs on. The server's
// v2http.Server implementation already has these methods.
type Member interface {
	// Do proposes a write through raft and waits until this member has
	// applied it. v2auth only sends requests with Namespace store.Auth.
	Do(ctx context.Context, r *store.Request) (*store.Event, error)
	// Store is the member's applied store; v2auth reads the Auth namespace.
	Store() *store.Store
	// ClusterID is sent as X-Etcd-Cluster-Id on /v2/auth replies.
	ClusterID() membership.ID
}

// DefaultRequestTimeout bounds each write an auth request proposes: the
// same 7 s as a keys write (contract §1.11), so an auth change is as patient
// as any other write.
const DefaultRequestTimeout = 7 * time.Second

// Config is what New needs.
type Config struct {
	// Member is the member whose store holds the auth data (required).
	Member Member
	// BcryptCost is the cost of new password hashes; 0 means
	// bcrypt.DefaultCost (10), etcd's. Tests use bcrypt.MinCost.
	BcryptCost int
	// ClientCertAuth is the client side's --client-cert-auth: a request
	// without an Authorization header is then made by the user named by its
	// verified client certificate's common name, if that user exists, as in
	// etcd.
	ClientCertAuth bool
	// RequestTimeout bounds each proposal; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Now is the clock for local reads; nil means time.Now.
	Now func() time.Time
	// Logger receives refused credentials at Debug and internal failures at
	// Warn; nil discards.
	Logger *slog.Logger
}

// Auth is v2 auth on one member: the store of users and roles, the
// Authorizer (CanAccessKey, IsRoot) and the /v2/auth handler (Handler).
// It is safe for concurrent use.
type Auth struct {
	cfg     Config
	checked *passwordCache
	users   *decodeCache[User]
	roles   *decodeCache[Role]
	// bcryptSlots bounds the bcrypt checks running at once (password.go).
	bcryptSlots chan struct{}
	// enabled caches Enabled: the store generation of the auth namespace
	// it was read at, shifted left, with the flag in the low bit; 0 is none.
	enabled atomic.Uint64
}

// New checks cfg and returns the member's Auth.
func New(cfg Config) (*Auth, error) {
	if cfg.Member == nil {
		return nil, errors.New("v2auth: Config.Member is required")
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.DefaultCost
	}
	if cfg.BcryptCost < bcrypt.MinCost || cfg.BcryptCost > bcrypt.MaxCost {
		return nil, errors.New("v2auth: Config.BcryptCost must be between 4 and 31")
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Auth{cfg: cfg, checked: newPasswordCache(defaultPasswordCacheSize),
		users: newDecodeCache[User](), roles: newDecodeCache[Role](),
		bcryptSlots: make(chan struct{}, bcryptSlotCount())}, nil
}
