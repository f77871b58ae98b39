package store

// One constructor per code of contract §2. Each takes the cause (shown as
// "cause" in JSON, left out when empty) and the store index to report.

// ErrKeyNotFound is 100 (404): the key, or the first missing component of its
// path (§1.6), does not exist.
func ErrKeyNotFound(cause string, index uint64) *Error {
	return NewError(EcodeKeyNotFound, cause, index)
}

// ErrTestFailed is 101 (412): a compare-and-swap or compare-and-delete
// condition failed. The cause is "[prevValue != value]", "[prevIndex !=
// modifiedIndex]" or both (§1.6).
func ErrTestFailed(cause string, index uint64) *Error {
	return NewError(EcodeTestFailed, cause, index)
}

// ErrNotFile is 102 (403): the operation needs a file and found a directory.
func ErrNotFile(cause string, index uint64) *Error { return NewError(EcodeNotFile, cause, index) }

// ErrNoMorePeer is 103 (400); etcd no longer sends it.
func ErrNoMorePeer(cause string, index uint64) *Error { return NewError(EcodeNoMorePeer, cause, index) }

// ErrNotDir is 104 (400): a path component is a file.
func ErrNotDir(cause string, index uint64) *Error { return NewError(EcodeNotDir, cause, index) }

// ErrNodeExist is 105 (412): create found the key already there.
func ErrNodeExist(cause string, index uint64) *Error { return NewError(EcodeNodeExist, cause, index) }

// ErrKeyIsPreserved is 106 (400); etcd no longer sends it.
func ErrKeyIsPreserved(cause string, index uint64) *Error {
	return NewError(EcodeKeyIsPreserved, cause, index)
}

// ErrRootROnly is 107 (400): a write to the root; the cause is always "/".
func ErrRootROnly(index uint64) *Error { return NewError(EcodeRootROnly, "/", index) }

// ErrDirNotEmpty is 108 (403): deleting a non-empty directory without
// recursive.
func ErrDirNotEmpty(cause string, index uint64) *Error {
	return NewError(EcodeDirNotEmpty, cause, index)
}

// ErrExistingPeerAddr is 109 (400).
func ErrExistingPeerAddr(cause string, index uint64) *Error {
	return NewError(EcodeExistingPeerAddr, cause, index)
}

// ErrUnauthorized is 110 (401): etcd sends cause "Insufficient credentials"
// and index 0 (§4).
func ErrUnauthorized(cause string, index uint64) *Error {
	return NewError(EcodeUnauthorized, cause, index)
}

// ErrValueRequired is 200 (400).
func ErrValueRequired(cause string, index uint64) *Error {
	return NewError(EcodeValueRequired, cause, index)
}

// ErrPrevValueRequired is 201 (400): prevValue was given but empty (§1.2).
func ErrPrevValueRequired(cause string, index uint64) *Error {
	return NewError(EcodePrevValueRequired, cause, index)
}

// ErrTTLNaN is 202 (400): ttl is not an unsigned integer, or so large that the
// expiration would overflow.
func ErrTTLNaN(cause string, index uint64) *Error { return NewError(EcodeTTLNaN, cause, index) }

// ErrIndexNaN is 203 (400): prevIndex or waitIndex is not a number.
func ErrIndexNaN(cause string, index uint64) *Error { return NewError(EcodeIndexNaN, cause, index) }

// ErrValueOrTTLRequired is 204 (400).
func ErrValueOrTTLRequired(cause string, index uint64) *Error {
	return NewError(EcodeValueOrTTLRequired, cause, index)
}

// ErrTimeoutNaN is 205 (400).
func ErrTimeoutNaN(cause string, index uint64) *Error {
	return NewError(EcodeTimeoutNaN, cause, index)
}

// ErrNameRequired is 206 (400).
func ErrNameRequired(cause string, index uint64) *Error {
	return NewError(EcodeNameRequired, cause, index)
}

// ErrIndexOrValueRequired is 207 (400).
func ErrIndexOrValueRequired(cause string, index uint64) *Error {
	return NewError(EcodeIndexOrValueRequired, cause, index)
}

// ErrIndexValueMutex is 208 (400).
func ErrIndexValueMutex(cause string, index uint64) *Error {
	return NewError(EcodeIndexValueMutex, cause, index)
}

// ErrInvalidField is 209 (400): a bad boolean, or wait on a non-GET (§1.2).
func ErrInvalidField(cause string, index uint64) *Error {
	return NewError(EcodeInvalidField, cause, index)
}

// ErrInvalidForm is 210 (400): the form could not be parsed.
func ErrInvalidForm(cause string, index uint64) *Error {
	return NewError(EcodeInvalidForm, cause, index)
}

// ErrRefreshValue is 211 (400): refresh with a non-empty value.
func ErrRefreshValue(cause string, index uint64) *Error {
	return NewError(EcodeRefreshValue, cause, index)
}

// ErrRefreshTTLRequired is 212 (400): refresh without a ttl.
func ErrRefreshTTLRequired(cause string, index uint64) *Error {
	return NewError(EcodeRefreshTTLRequired, cause, index)
}

// ErrRaftInternal is 300 (500): any server failure, such as a timeout.
func ErrRaftInternal(cause string, index uint64) *Error {
	return NewError(EcodeRaftInternal, cause, index)
}

// ErrLeaderElect is 301 (500).
func ErrLeaderElect(cause string, index uint64) *Error {
	return NewError(EcodeLeaderElect, cause, index)
}

// ErrWatcherCleared is 400 (400).
func ErrWatcherCleared(cause string, index uint64) *Error {
	return NewError(EcodeWatcherCleared, cause, index)
}

// ErrEventIndexCleared is 401, sent with HTTP 400 (§10.1): waitIndex is older
// than the history. The cause is "the requested history has been cleared
// [oldest/requested]" and the index the current store index (§1.8).
func ErrEventIndexCleared(cause string, index uint64) *Error {
	return NewError(EcodeEventIndexCleared, cause, index)
}

// ErrStandbyInternal is 402 (400).
func ErrStandbyInternal(cause string, index uint64) *Error {
	return NewError(EcodeStandbyInternal, cause, index)
}

// ErrInvalidActiveSize is 403 (400).
func ErrInvalidActiveSize(cause string, index uint64) *Error {
	return NewError(EcodeInvalidActiveSize, cause, index)
}

// ErrInvalidRemoveDelay is 404 (400).
func ErrInvalidRemoveDelay(cause string, index uint64) *Error {
	return NewError(EcodeInvalidRemoveDelay, cause, index)
}

// ErrClientInternal is 500 (400).
func ErrClientInternal(cause string, index uint64) *Error {
	return NewError(EcodeClientInternal, cause, index)
}
