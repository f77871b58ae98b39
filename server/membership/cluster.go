package membership

import (
	"fmt"
	"slices"
)

// Cluster is the set of members a new cluster bootstraps with, and the
// cluster ID derived from them (contract §8).
//
// Invariants:
//  1. Members are sorted by ID and no two share an ID.
//  2. ID == ClusterID(the members' IDs).
type Cluster struct {
	ID      ID
	Token   string // the token hashed into every member ID (§7.1: the discovery URL in discovery mode)
	Members []Member
}

// NewCluster builds the initial cluster from an URLsMap (the parsed
// --initial-cluster, or the one discovery returned) and the cluster token.
// Two names with the same peer URLs would get the same ID; that is an error.
func NewCluster(token string, initial URLsMap) (*Cluster, error) {
	c := &Cluster{Token: token}
	byID := map[ID]string{}
	for _, name := range initial.Names() {
		m := NewMember(name, initial[name], token, nil)
		if other, dup := byID[m.ID]; dup {
			return nil, fmt.Errorf("members %q and %q have the same peer URLs and so the same ID %s; give each member its own peer URLs", other, name, m.ID)
		}
		byID[m.ID] = name
		c.Members = append(c.Members, m)
	}
	c.sortAndIdentify()
	return c, nil
}

// sortAndIdentify restores the invariants after Members changed.
func (c *Cluster) sortAndIdentify() {
	slices.SortFunc(c.Members, func(a, b Member) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	c.ID = ClusterID(c.MemberIDs())
}

// MemberIDs returns the members' IDs, ascending.
func (c *Cluster) MemberIDs() []ID {
	ids := make([]ID, len(c.Members))
	for i, m := range c.Members {
		ids[i] = m.ID
	}
	return ids
}

// Member returns the member with the given ID.
func (c *Cluster) Member(id ID) (Member, bool) {
	for _, m := range c.Members {
		if m.ID == id {
			return m, true
		}
	}
	return Member{}, false
}

// MemberByName returns the member with the given name. Names are unique in
// an initial cluster because an URLsMap is keyed by name.
func (c *Cluster) MemberByName(name string) (Member, bool) {
	for _, m := range c.Members {
		if m.Name == name {
			return m, true
		}
	}
	return Member{}, false
}
