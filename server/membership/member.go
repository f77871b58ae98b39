package membership

import (
	"slices"
	"time"
)

// Member is one member of the cluster as bootstrap, the peer endpoint
// GET /members and the client endpoint /v2/members describe it.
//
// Invariants:
//  1. PeerURLs are canonical (ParseURL) and sorted.
//  2. Name and ClientURLs are empty until the member has published its
//     attributes through raft; until then etcdctl shows it as [unstarted]
//     (contract §8, step 4).
type Member struct {
	ID         ID
	Name       string
	PeerURLs   []string
	ClientURLs []string
}

// NewMember builds a member and derives its ID with MemberID: token and a nil
// addedAt for a member of the initial cluster, an empty token and the time
// of the request for a member added at runtime (contract §8).
func NewMember(name string, peerURLs []string, token string, addedAt *time.Time) Member {
	urls := slices.Clone(peerURLs)
	slices.Sort(urls)
	return Member{ID: MemberID(urls, token, addedAt), Name: name, PeerURLs: urls}
}

// IsStarted reports whether the member has published its name and client
// URLs.
func (m Member) IsStarted() bool { return m.Name != "" }

// PeerView is a Member as the peer endpoint GET /members writes it: a JSON
// array of these, with the ID as a decimal number (contract §10.16). The
// field order is etcd's: id, peerURLs, name, clientURLs.
type PeerView struct {
	ID         uint64   `json:"id"`
	PeerURLs   []string `json:"peerURLs"`
	Name       string   `json:"name"`
	ClientURLs []string `json:"clientURLs"`
}

// ClientView is a Member as the client endpoint /v2/members writes it: the ID
// as a hex string (contract §10.16). The field order is etcd's: id, name,
// peerURLs, clientURLs.
type ClientView struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	PeerURLs   []string `json:"peerURLs"`
	ClientURLs []string `json:"clientURLs"`
}

// ClientList is the body of GET /v2/members: {"members":[...]}.
type ClientList struct {
	Members []ClientView `json:"members"`
}

// PeerView returns m in the peer endpoint's shape. Empty URL lists are
// written as [] rather than null, as etcd writes them.
func (m Member) PeerView() PeerView {
	return PeerView{ID: uint64(m.ID), PeerURLs: nonNil(m.PeerURLs), Name: m.Name, ClientURLs: nonNil(m.ClientURLs)}
}

// ClientView returns m in the client endpoint's shape.
func (m Member) ClientView() ClientView {
	return ClientView{ID: m.ID.String(), Name: m.Name, PeerURLs: nonNil(m.PeerURLs), ClientURLs: nonNil(m.ClientURLs)}
}

// Member converts a peer view (read from another member's GET /members)
// back into a Member.
func (v PeerView) Member() Member {
	urls := slices.Clone(v.PeerURLs)
	slices.Sort(urls)
	return Member{ID: ID(v.ID), Name: v.Name, PeerURLs: urls, ClientURLs: slices.Clone(v.ClientURLs)}
}

// Member converts a client view back into a Member; it fails only if the ID
// is not hex.
func (v ClientView) Member() (Member, error) {
	id, err := ParseID(v.ID)
	if err != nil {
		return Member{}, err
	}
	urls := slices.Clone(v.PeerURLs)
	slices.Sort(urls)
	return Member{ID: id, Name: v.Name, PeerURLs: urls, ClientURLs: slices.Clone(v.ClientURLs)}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
