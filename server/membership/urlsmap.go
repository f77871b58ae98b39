package membership

import (
	"fmt"
	"slices"
	"strings"
)

// URLsMap maps each member name to its peer URLs, in the form of
// --initial-cluster: "name=url[,name=url...]" (contract §6.1). A name may
// repeat to give a member several URLs. The URLs of each name are kept in
// canonical form (ParseURL), sorted, without duplicates.
type URLsMap map[string][]string

// ParseURLsMap reads the --initial-cluster form. Empty items (a trailing
// comma) are skipped, as etcd skips them. It fails on an item without "=",
// an empty name, a bad URL, and a URL listed under two different names
// (two members cannot share a peer address).
func ParseURLsMap(s string) (URLsMap, error) {
	m := URLsMap{}
	owner := map[string]string{} // URL -> the name it was first listed under
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, raw, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("item %q is not name=URL; write it as <name>=http://host:port", item)
		}
		if name == "" {
			return nil, fmt.Errorf("item %q has an empty member name; put the member's --name before the '='", item)
		}
		u, err := ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", name, err)
		}
		us := u.String()
		if prev, dup := owner[us]; dup && prev != name {
			return nil, fmt.Errorf("peer URL %s is listed for both %q and %q; each member needs its own peer URL", us, prev, name)
		}
		owner[us] = name
		if !slices.Contains(m[name], us) {
			m[name] = append(m[name], us)
		}
	}
	for name := range m {
		slices.Sort(m[name])
	}
	return m, nil
}

// Names returns the member names, sorted.
func (m URLsMap) Names() []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// String writes the map back in the --initial-cluster form, names sorted and
// each name's URLs sorted, so equal maps give equal strings.
func (m URLsMap) String() string {
	var items []string
	for _, name := range m.Names() {
		for _, u := range m[name] {
			items = append(items, name+"="+u)
		}
	}
	return strings.Join(items, ",")
}
