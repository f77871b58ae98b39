// Package transport carries raft messages between the members of a skiff
// cluster over HTTP, and serves the peer endpoints joining members read.
//
// # Streams
//
// Each member keeps one long-lived stream to each peer, for everything but
// snapshots: a POST to StreamPath whose body never ends. The body is a
// sequence of frames, each the uvarint length of one message followed by its
// raftpb encoding (the one codec for raft messages; nothing else is
// invented here). The receiver checks the headers, answers 200 at once and
// then reads frames for as long as the sender writes them (HTTP/1.1 full
// duplex). The sender counts the peer as active from that 200 until the
// stream fails; the end of the response body tells it that the receiver
// went away, and a write deadline on every write tells it that the receiver
// stopped reading. Both ends send keepalives when idle (an empty frame one
// way, a byte of response body the other), and each drops a stream that
// has been silent for Config.IdleTimeout, so a partition that loses
// packets without resetting connections is noticed too.
//
// etcd's rafthttp streams in the other direction: the receiver of messages
// opens a GET and the sender writes into the response. skiff streams in
// the direction the messages flow, so that one goroutine per peer owns the
// queue, the connection, the reconnection backoff and the reports to raft,
// and the receiving side is an ordinary handler that reads a request body.
// Both designs use one TCP connection per direction per pair of members.
//
// # Sending
//
// Send never blocks. Each peer has a bounded queue; when several messages
// wait, the writer encodes them all into one chunk of the body and writes
// it with one write, so a burst costs one write while a lone heartbeat goes
// out immediately. The sender dials and writes the stream's HTTP itself,
// straight to the connection, rather than through an http.Client request
// body (a pipe and another goroutine per write). A message that cannot
// be queued (the queue is full, or the last attempt to connect failed) is
// dropped and raft hears ReportUnreachable from another goroutine; raft
// retries. A broken stream drops what was queued, reports the peer
// unreachable and reconnects with exponential backoff and jitter, trying
// the peer's URLs in turn.
//
// MsgInstallSnapshot travels on a connection of its own, a POST to
// SnapshotPath carrying the message's encoding, so a large snapshot never
// holds up heartbeats. The sender calls ReportSnapshot with the outcome.
//
// # Checks
//
// Every raft request carries X-Etcd-Cluster-ID, X-Server-From and
// X-Raft-To (lowercase hex IDs) and X-Server-Version. A request from another
// cluster is refused with 412 and logged naming both cluster IDs; one from a
// member the server says was removed gets 410 Gone (and the refused member's
// transport calls Config.LocalRemoved); one meant for another member ID gets
// 412. A stream whose sender is removed while it is open is cut at its next
// batch, and a byte in the answer tells the sender it was removed. Messages inside a stream must come from the stream's sender and be
// addressed to this member.
//
// # Faults
//
// Config.Filter sees every received message and may drop or delay it;
// Block and Unblock drop all traffic with a member in one or both
// directions. Both exist for fault-injection tests and cost a nil check and
// an atomic load when unused.
//
// docs/transport.md has the API, the wire format and the measurements.
package transport
