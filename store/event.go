package store

// The actions of contract §1.3.
const (
	ActionGet              = "get"
	ActionSet              = "set"
	ActionCreate           = "create"
	ActionUpdate           = "update"
	ActionCompareAndSwap   = "compareAndSwap"
	ActionDelete           = "delete"
	ActionCompareAndDelete = "compareAndDelete"
	ActionExpire           = "expire"
)

// Event is the result of an operation and what watchers receive. It marshals
// to the contract's JSON, {"action":...,"node":{...},"prevNode":{...}}, with
// prevNode left out when there is none (§1.4).
//
// Events handed out by the store, including those in the history and on
// watcher channels, are shared and must be treated as read-only.
type Event struct {
	Action   string      `json:"action"`
	Node     *NodeExtern `json:"node,omitempty"`
	PrevNode *NodeExtern `json:"prevNode,omitempty"`

	// EtcdIndex is the store index right after the operation (for a get, the
	// current index): the value of X-Etcd-Index for a successful request
	// (§1.5). For an event replayed from history to a watcher it is the event's
	// own index; the watch's header uses Watcher.StartIndex instead.
	EtcdIndex uint64 `json:"-"`

	// Refresh marks a refresh (§1.2): it is kept in the history but never sent
	// to watchers. etcd does not show it in responses.
	Refresh bool `json:"-"`

	ns Namespace // the namespace the event happened in
}

// Index is the store index the event was made at: the new node's
// modifiedIndex for a write, and the current index for a get.
func (e *Event) Index() uint64 {
	if e.Action == ActionGet {
		return e.EtcdIndex
	}
	return e.Node.ModifiedIndex
}

// IsCreated reports whether the event created a node, which decides between
// HTTP 201 and 200 (§1.3): a create, or a set where no node existed.
func (e *Event) IsCreated() bool {
	return e.Action == ActionCreate || (e.Action == ActionSet && e.PrevNode == nil)
}

// Namespace is the namespace the event happened in.
func (e *Event) Namespace() Namespace { return e.ns }

// Clone returns a deep copy, which the caller may change.
func (e *Event) Clone() *Event {
	c := *e
	c.Node = e.Node.clone()
	c.PrevNode = e.PrevNode.clone()
	return &c
}

// isDirRemoval reports whether e removed a directory and its subtree, which
// wakes the watchers below it (§1.8).
func (e *Event) isDirRemoval() bool {
	return (e.Action == ActionDelete || e.Action == ActionExpire) && e.Node.Dir
}
