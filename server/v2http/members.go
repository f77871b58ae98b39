package v2http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"skiff/server/limits"
	"skiff/server/membership"
)

// membersPrefix is where the membership API is mounted (§3).
const membersPrefix = "/v2/members"

// serveMembers is /v2/members and /v2/members/<id> (contract §3).
func (a *api) serveMembers(w http.ResponseWriter, r *http.Request) {
	if !limits.AllowMethod(w, r.Method, "GET", "POST", "DELETE", "PUT") {
		return
	}
	if r.Method != http.MethodGet && a.cfg.Authorizer != nil && !a.cfg.Authorizer.IsRoot(r) {
		// §4: changing membership needs root; this reply names no cluster.
		limits.WriteMessage(w, http.StatusUnauthorized, "Insufficient credentials")
		return
	}
	w.Header().Set("X-Etcd-Cluster-Id", a.cfg.Server.ClusterID().String())
	ctx, cancel := context.WithTimeout(r.Context(), a.cfg.RequestTimeout)
	defer cancel()
	switch r.Method {
	case http.MethodGet:
		a.getMembers(w, r)
	case http.MethodPost:
		a.addMember(ctx, w, r)
	case http.MethodDelete:
		a.removeMember(ctx, w, r)
	case http.MethodPut:
		a.updateMember(ctx, w, r)
	}
}

// getMembers is GET /v2/members (every member, sorted by ID) and GET
// /v2/members/leader (503 "During election" without a leader).
func (a *api) getMembers(w http.ResponseWriter, r *http.Request) {
	switch memberPath(r) {
	case "":
		members := slices.Clone(a.cfg.Server.Members())
		slices.SortFunc(members, func(x, y membership.Member) int { return cmpID(x.ID, y.ID) })
		list := membership.ClientList{Members: make([]membership.ClientView, 0, len(members))}
		for _, m := range members {
			list.Members = append(list.Members, m.ClientView())
		}
		writeJSON(w, http.StatusOK, list)
	case "leader":
		id, ok := a.cfg.Server.Leader()
		m, found := a.member(id)
		if !ok || !found {
			limits.WriteMessage(w, http.StatusServiceUnavailable, "During election")
			return
		}
		writeJSON(w, http.StatusOK, m.ClientView())
	default:
		limits.WriteMessage(w, http.StatusNotFound, "Not found")
	}
}

func (a *api) member(id membership.ID) (membership.Member, bool) {
	for _, m := range a.cfg.Server.Members() {
		if m.ID == id {
			return m, true
		}
	}
	return membership.Member{}, false
}

func cmpID(x, y membership.ID) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// addMember is POST /v2/members with {"peerURLs":[...]}: 201 and the new
// member (no name, no client URLs yet), or 409 when a peer URL is taken.
func (a *api) addMember(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	urls, ok := readPeerURLs(w, r)
	if !ok {
		return
	}
	m, err := a.cfg.Server.AddMember(ctx, urls)
	if err != nil {
		a.writeMemberError(w, r, err, "")
		return
	}
	writeJSON(w, http.StatusCreated, m.ClientView())
}

// removeMember is DELETE /v2/members/<id>: 204, 404 for an unknown (or
// non-hex) ID, 410 for one removed before.
func (a *api) removeMember(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	id, ok := memberID(w, r)
	if !ok {
		return
	}
	if err := a.cfg.Server.RemoveMember(ctx, id); err != nil {
		a.writeMemberError(w, r, err, id.String())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// updateMember is PUT /v2/members/<id> with {"peerURLs":[...]}: 204, 404 for
// an unknown ID, 409 when a peer URL is taken.
func (a *api) updateMember(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	id, ok := memberID(w, r)
	if !ok {
		return
	}
	urls, ok := readPeerURLs(w, r)
	if !ok {
		return
	}
	if err := a.cfg.Server.UpdateMember(ctx, id, urls); err != nil {
		a.writeMemberError(w, r, err, id.String())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeMemberError maps the Server's membership errors to etcd's statuses
// and messages (§3); anything unexpected is 500 "Internal Server Error".
func (a *api) writeMemberError(w http.ResponseWriter, r *http.Request, err error, id string) {
	switch {
	case errors.Is(err, ErrPeerURLExists):
		limits.WriteMessage(w, http.StatusConflict, ErrPeerURLExists.Error())
	case errors.Is(err, ErrIDExists):
		limits.WriteMessage(w, http.StatusConflict, ErrIDExists.Error())
	case errors.Is(err, ErrMemberNotFound):
		limits.WriteMessage(w, http.StatusNotFound, "No such member: "+id)
	case errors.Is(err, ErrMemberRemoved):
		limits.WriteMessage(w, http.StatusGone, "Member permanently removed: "+id)
	default:
		a.cfg.Logger.Warn("v2http: members request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		limits.WriteMessage(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

// memberPath is the part of the path after /v2/members/.
func memberPath(r *http.Request) string {
	return strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, membersPrefix), "/")
}

// memberID reads the <id> of /v2/members/<id>. No ID at all is 405 without
// an Allow header, and an ID that is not hex is 404 "No such member", both as
// etcd answers them (§3).
func memberID(w http.ResponseWriter, r *http.Request) (membership.ID, bool) {
	s := memberPath(r)
	if s == "" {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return 0, false
	}
	id, err := membership.ParseID(s)
	if err != nil {
		limits.WriteMessage(w, http.StatusNotFound, "No such member: "+s)
		return 0, false
	}
	return id, true
}

// readPeerURLs reads a {"peerURLs":[...]} body, which must be sent as
// application/json (else 415), and checks each URL with membership.ParseURL
// (else 400 with the reason). The URLs come back canonical and sorted.
func readPeerURLs(w http.ResponseWriter, r *http.Request) ([]string, bool) {
	ctype := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ctype, ';'); i >= 0 {
		ctype = strings.ToLower(strings.TrimSpace(ctype[:i]))
	}
	if ctype != "application/json" {
		limits.WriteMessage(w, http.StatusUnsupportedMediaType,
			fmt.Sprintf("Bad Content-Type %s, accept application/json", ctype))
		return nil, false
	}
	var body struct {
		PeerURLs []string `json:"peerURLs"`
	}
	// A member body is a few hundred bytes; 1 MB is generous and still stops
	// a client from making the server buffer an endless stream.
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(b, &body)
	}
	if err != nil {
		limits.WriteMessage(w, http.StatusBadRequest, err.Error())
		return nil, false
	}
	urls, err := canonicalURLs(body.PeerURLs)
	if err != nil {
		limits.WriteMessage(w, http.StatusBadRequest, err.Error())
		return nil, false
	}
	return urls, true
}

func canonicalURLs(raw []string) ([]string, error) {
	if len(raw) == 0 {
		return nil, errors.New("no valid URLs given")
	}
	urls := make([]string, 0, len(raw))
	for _, s := range raw {
		u, err := membership.ParseURL(s)
		if err != nil {
			return nil, err
		}
		urls = append(urls, u.String())
	}
	slices.Sort(urls)
	return urls, nil
}
