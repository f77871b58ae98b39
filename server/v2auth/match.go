package v2auth

import "strings"

// HasKeyAccess reports whether the role may read (or, with write, write)
// key itself (contract §4). The root role may do anything.
func (r Role) HasKeyAccess(key string, write bool) bool {
	if r.Role == RootRole {
		return true
	}
	for _, pattern := range r.Permissions.KV.patterns(write) {
		if simpleMatch(pattern, key) {
			return true
		}
	}
	return false
}

// HasRecursiveAccess reports whether the role may read (or write) key and
// everything below it: only a pattern ending in "*" whose prefix the key
// starts with grants that; an exact pattern never does (§4).
func (r Role) HasRecursiveAccess(key string, write bool) bool {
	if r.Role == RootRole {
		return true
	}
	for _, pattern := range r.Permissions.KV.patterns(write) {
		if prefixMatch(pattern, key) {
			return true
		}
	}
	return false
}

func (rw RWPermission) patterns(write bool) []string {
	if write {
		return rw.Write
	}
	return rw.Read
}

// simpleMatch: a pattern ending in "*" matches every key starting with the
// rest of it ("/app/*" matches "/app/x" but not "/app"); any other pattern
// matches only itself. An empty pattern matches nothing.
func simpleMatch(pattern, key string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(key, prefix)
	}
	return pattern != "" && key == pattern
}

// prefixMatch is simpleMatch for patterns ending in "*" only.
func prefixMatch(pattern, key string) bool {
	prefix, ok := strings.CutSuffix(pattern, "*")
	return ok && strings.HasPrefix(key, prefix)
}
