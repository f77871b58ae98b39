package v2auth

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// defaultPasswordCacheSize bounds the checked-password cache: enough for
// every active user of a cluster many times over, small enough (32 bytes an
// entry) to be negligible memory.
const defaultPasswordCacheSize = 4096

// bcryptSlotCount is how many bcrypt checks may run at once (CheckPassword).
func bcryptSlotCount() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// hashPassword returns the bcrypt hash of user's password at the
// configured cost. It runs before the change is proposed: only the hash
// goes through raft. bcrypt reads at most 72 bytes; etcd's old bcrypt
// silently ignored the rest, skiff refuses such a password (400) instead.
func (a *Auth) hashPassword(user, password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), a.cfg.BcryptCost)
	if errors.Is(err, bcrypt.ErrPasswordTooLong) {
		return "", authErr(http.StatusBadRequest, "Password for user %s is longer than 72 bytes, the most bcrypt can hash; choose a shorter one", user)
	}
	if err != nil {
		return "", fmt.Errorf("v2auth: hashing a password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password is the user's. bcrypt is slow on
// purpose (tens of milliseconds at the default cost), and Basic auth sends
// the password with every request, so a successful check is remembered,
// keyed by the stored hash and the password together: once the password
// changes, the stored hash changes and the old entry can never match again.
//
// At most half the CPUs (at least one) run bcrypt at a time: a flood of
// wrong passwords, each costing tens of milliseconds, then queues instead
// of starving the raft loop of CPU and costing the cluster its leader.
func (a *Auth) CheckPassword(u User, password string) bool {
	key := a.checked.key(u.Password, password)
	if a.checked.has(key) {
		return true
	}
	a.bcryptSlots <- struct{}{}
	err := bcrypt.CompareHashAndPassword([]byte(u.Password), []byte(password))
	<-a.bcryptSlots
	if err != nil {
		return false
	}
	a.checked.add(key)
	return true
}

// passwordCache is a bounded set of (hash, password) digests already
// checked. When full it starts over, which costs one bcrypt check per user.
// The digests are keyed by a secret drawn at start and never stored, so the
// cache is no shortcut for guessing passwords from a memory dump.
type passwordCache struct {
	secret  [32]byte
	mu      sync.Mutex
	max     int
	entries map[[sha256.Size]byte]struct{}
}

func newPasswordCache(max int) *passwordCache {
	c := &passwordCache{max: max, entries: make(map[[sha256.Size]byte]struct{})}
	_, _ = rand.Read(c.secret[:]) // crypto/rand.Read never fails (Go 1.24+)
	return c
}

// key is the digest of a stored hash and a password.
func (c *passwordCache) key(hash, password string) [sha256.Size]byte {
	// A secret prefix is enough here: the digests never leave the process,
	// so HMAC's protection against length extension buys nothing.
	h := sha256.New()
	h.Write(c.secret[:])
	h.Write([]byte(hash))
	h.Write([]byte{0})
	h.Write([]byte(password))
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

func (c *passwordCache) has(k [sha256.Size]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.entries[k]
	return ok
}

func (c *passwordCache) add(k [sha256.Size]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[k] = struct{}{}
}
