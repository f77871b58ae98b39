package server

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"skiff/server/membership"
	"skiff/store"
)

// The membership records live in the store's Cluster namespace (etcd's /0),
// in etcd's layout (contract §1.11), so they are replicated, snapshotted and
// restored with everything else:
//
//	/members/<id>/raftAttributes  {"peerURLs":[...]}
//	/members/<id>/attributes      {"name":"...","clientURLs":[...]}
//
// <id> is the member ID in hex, as etcd writes it.
const membersDir = "/members"

func raftAttributesKey(id uint64) string {
	return membersDir + "/" + hexID(id) + "/raftAttributes"
}

func attributesKey(id uint64) string {
	return membersDir + "/" + hexID(id) + "/attributes"
}

// hexID writes a member or cluster ID as etcd shows it: lowercase hex
// without leading zeros (contract §8).
func hexID(id uint64) string { return strconv.FormatUint(id, 16) }

type raftAttributes struct {
	PeerURLs []string `json:"peerURLs"`
}

type memberAttributes struct {
	Name       string   `json:"name,omitempty"`
	ClientURLs []string `json:"clientURLs,omitempty"`
}

// bootstrapMembers writes the initial members' peer URLs into a fresh store.
// Every member of a new cluster does this before it applies any entry, and
// again when it restarts without a snapshot, so all stores agree: these are
// the first store indexes, as etcd's bootstrap configuration changes are.
func bootstrapMembers(st *store.Store, initial []initialMember) error {
	for _, m := range initial {
		value, err := json.Marshal(raftAttributes{PeerURLs: m.PeerURLs})
		if err != nil {
			return err
		}
		if _, err := st.Set(store.Cluster, raftAttributesKey(m.ID), false, string(value), store.TTL{}, time.Time{}); err != nil {
			return fmt.Errorf("server: writing the initial member %s: %w", hexID(m.ID), err)
		}
	}
	return nil
}

// applyPublish records a member's published attributes.
func applyPublish(st *store.Store, a Attributes, now time.Time) (*store.Event, error) {
	value, err := json.Marshal(memberAttributes{Name: a.Name, ClientURLs: a.ClientURLs})
	if err != nil {
		return nil, err
	}
	return st.Set(store.Cluster, attributesKey(a.MemberID), false, string(value), store.TTL{}, now)
}

// Members returns the cluster's members from the store, sorted by ID.
// A member that has not published yet has no name and no client URLs.
func (s *Server) Members() []membership.Member {
	return readMembers(s.store)
}

func readMembers(st *store.Store) []membership.Member {
	ev, err := st.Get(store.Cluster, membersDir, true, true, time.Time{})
	if err != nil || ev.Node == nil {
		return nil
	}
	var members []membership.Member
	for _, dir := range ev.Node.Nodes {
		id, err := membership.ParseID(dir.Key[len(membersDir)+1:])
		if err != nil {
			continue
		}
		m := membership.Member{ID: id}
		for _, n := range dir.Nodes {
			if n.Value == nil {
				continue
			}
			switch n.Key {
			case dir.Key + "/raftAttributes":
				var ra raftAttributes
				if json.Unmarshal([]byte(*n.Value), &ra) == nil {
					m.PeerURLs = ra.PeerURLs
				}
			case dir.Key + "/attributes":
				var ma memberAttributes
				if json.Unmarshal([]byte(*n.Value), &ma) == nil {
					m.Name, m.ClientURLs = ma.Name, ma.ClientURLs
				}
			}
		}
		if len(m.PeerURLs) > 0 {
			slices.Sort(m.PeerURLs)
			members = append(members, m)
		}
	}
	slices.SortFunc(members, func(a, b membership.Member) int { return cmp.Compare(a.ID, b.ID) })
	return members
}

// Member returns the member with the given ID.
func (s *Server) Member(id uint64) (membership.Member, bool) {
	for _, m := range s.Members() {
		if uint64(m.ID) == id {
			return m, true
		}
	}
	return membership.Member{}, false
}

// syncPeers makes the transport's peers match the members in the store:
// after a snapshot is installed, or a membership change applied. Called from
// the raft loop only (and from New before it runs).
func (s *Server) syncPeers() {
	want := map[uint64][]string{}
	for _, m := range s.Members() {
		if uint64(m.ID) != s.id {
			want[uint64(m.ID)] = m.PeerURLs
		}
	}
	if len(want) == 0 {
		for _, m := range s.joinMembers { // joining, before the first snapshot
			if m.ID != s.id {
				want[m.ID] = m.PeerURLs
			}
		}
	}
	for id := range s.peers {
		if _, ok := want[id]; !ok {
			s.transport.RemovePeer(id)
		}
	}
	for id, urls := range want {
		if old, ok := s.peers[id]; !ok || !slices.Equal(old, urls) {
			s.transport.AddPeer(id, urls)
		}
	}
	s.peers = want
}
