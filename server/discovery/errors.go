package discovery

import "errors"

// The outcomes of etcd discovery that a caller may want to tell apart, with
// etcd's exact texts (contract §7.1). Errors returned by Join wrap one of
// them with the details and the way out, so test with errors.Is; the
// message always begins with the sentinel's text, so a log line such as
// "failed to join discovery cluster (discovery: cluster is full; ...)"
// reads as etcd's does.
var (
	// ErrSizeNotFound: <url>/_config/size does not exist; the operator has
	// not created the token (PUT <url>/_config/size value=N).
	ErrSizeNotFound = errors.New("discovery: size key not found")
	// ErrBadSizeKey: <url>/_config/size is not a whole number.
	ErrBadSizeKey = errors.New("discovery: size key is bad")
	// ErrBadDiscoveryEndpoint: the discovery URL answered with something
	// that is not the v2 keys API's JSON.
	ErrBadDiscoveryEndpoint = errors.New("discovery: bad discovery endpoint")
	// ErrFullCluster: size members registered before this one did.
	ErrFullCluster = errors.New("discovery: cluster is full")
	// ErrDuplicateID: a member with this member ID is already registered.
	ErrDuplicateID = errors.New("discovery: found duplicate id")
	// ErrDuplicateName: two of the first size members share a name.
	ErrDuplicateName = errors.New("discovery: found duplicate name")
	// ErrInvalidURL: a registered value is not "name=peerURL[,...]".
	ErrInvalidURL = errors.New("discovery: invalid URL")
)
