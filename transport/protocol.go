package transport

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The wire protocol, shared by the sending and the receiving side.
const (
	// StreamPath receives a long-lived POST whose body is a sequence of
	// frames, each a uvarint length followed by one raftpb.Message encoding.
	StreamPath = "/raft/stream"
	// SnapshotPath receives one POST per MsgInstallSnapshot; the body is the
	// message's raftpb encoding.
	SnapshotPath = "/raft/snapshot"
	// MembersPath and VersionPath serve joining members, as in etcd.
	MembersPath = "/members"
	VersionPath = "/version"

	// Headers. The IDs are lowercase hex, as etcd prints them.
	headerClusterID = "X-Etcd-Cluster-ID"
	headerFrom      = "X-Server-From"
	headerTo        = "X-Raft-To"
	headerVersion   = "X-Server-Version"
)

// The receiver's answer to a stream is a body of single bytes: keepaliveByte
// while all is well, and removedByte, just before it closes the stream, if
// the sender has been removed from the cluster meanwhile.
const (
	keepaliveByte = 0
	removedByte   = 1
)

// Errors a sender sees when a peer refuses it. They are wrapped with the
// details and can be matched with errors.Is.
var (
	// ErrClusterIDMismatch: the peer belongs to another cluster.
	ErrClusterIDMismatch = errors.New("transport: cluster ID mismatch")
	// ErrMemberRemoved: the peer says this member was removed.
	ErrMemberRemoved = errors.New("transport: member removed from the cluster")
	// ErrRefused: the peer refused the request for another reason.
	ErrRefused = errors.New("transport: request refused by peer")
)

// refusedPermanently reports whether retrying soon cannot help.
func refusedPermanently(err error) bool {
	return errors.Is(err, ErrClusterIDMismatch) || errors.Is(err, ErrMemberRemoved)
}

func formatID(id uint64) string { return strconv.FormatUint(id, 16) }

func parseID(s string) (uint64, error) {
	if s == "" {
		return 0, errors.New("missing")
	}
	return strconv.ParseUint(s, 16, 64)
}

// setHeaders marks a request with who sends it, to whom, and in which cluster.
func (t *Transport) setHeaders(req *http.Request, to uint64) {
	req.Header.Set(headerClusterID, formatID(t.cfg.ClusterID))
	req.Header.Set(headerFrom, formatID(t.cfg.ID))
	req.Header.Set(headerTo, formatID(to))
	req.Header.Set(headerVersion, t.cfg.Version.Server)
}

// refusal turns a peer's non-success answer into an error naming the cause
// (the caller logs it), and tells the server if this member was removed.
func (t *Transport) refusal(resp *http.Response, peerID uint64, url string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	msg := strings.TrimSpace(string(body))
	switch resp.StatusCode {
	case http.StatusPreconditionFailed:
		if theirs := resp.Header.Get(headerClusterID); theirs != "" && theirs != formatID(t.cfg.ClusterID) {
			return fmt.Errorf("%w: peer %x at %s is in cluster %s, this member is in cluster %x",
				ErrClusterIDMismatch, peerID, url, theirs, t.cfg.ClusterID)
		}
	case http.StatusGone:
		return t.removedBy(peerID, fmt.Sprintf("at %s: %s", url, msg))
	}
	return fmt.Errorf("%w: peer %x at %s answered %s: %s", ErrRefused, peerID, url, resp.Status, msg)
}

// removedBy tells the server, once, that peerID says this member was
// removed from the cluster, and returns the error for the sender.
func (t *Transport) removedBy(peerID uint64, detail string) error {
	if t.cfg.LocalRemoved != nil {
		t.removedOnce.Do(func() { t.cfg.LocalRemoved(peerID) })
	}
	return fmt.Errorf("%w: peer %x %s", ErrMemberRemoved, peerID, detail)
}

func joinURL(base, path string) string { return strings.TrimSuffix(base, "/") + path }
