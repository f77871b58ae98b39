// Package membership describes the members of a skiff cluster and derives
// their IDs exactly as etcd does, so a skiff member and an etcd member given
// the same peer URLs and cluster token agree on every ID (contract §8).
//
// It is shared by the server's bootstrap, the peer endpoint GET /members,
// the client endpoint /v2/members and discovery. It does no I/O.
//
// The pieces, one per file:
//
//	id.go      ID, MemberID (SHA-1 of peer URLs + token) and ClusterID
//	urls.go    ParseURL and ParseURLs: the one check every member URL passes
//	urlsmap.go URLsMap: the name=url,... form of --initial-cluster
//	member.go  Member and its two JSON views (peer: numeric ID, client: hex)
//	cluster.go Cluster: the members bootstrapped from an URLsMap
package membership
