package ctl

import (
	"encoding/json"
	"fmt"

	"skiff/client"
)

// The output formats of -o (contract §5.3).
const (
	formatSimple   = "simple"
	formatExtended = "extended"
	formatJSON     = "json"
)

// printResponse prints a keys response in one of etcdctl's formats
// (contract §5.3), byte for byte:
//
//   - simple: the node's value; for a delete, "PrevNode.Value: <old>".
//   - extended: Key, Created-Index, Modified-Index, PrevNode.Value (only
//     with a prevNode), TTL, Index (X-Etcd-Index), then a blank line and
//     the value, except for a delete.
//   - json: the response as etcdctl's client library encodes it.
//
// Any other format prints "Unsupported output format: <f>" to stderr and
// still succeeds, as etcdctl does.
func (r *runner) printResponse(resp *client.Response, format string) {
	node := resp.Node
	if node == nil {
		node = &client.Node{}
	}
	switch format {
	case formatSimple:
		if resp.Action != "delete" {
			fmt.Fprintln(r.Stdout, node.Value)
		} else {
			fmt.Fprintln(r.Stdout, "PrevNode.Value:", prevValue(resp))
		}
	case formatExtended:
		fmt.Fprintln(r.Stdout, "Key:", node.Key)
		fmt.Fprintln(r.Stdout, "Created-Index:", node.CreatedIndex)
		fmt.Fprintln(r.Stdout, "Modified-Index:", node.ModifiedIndex)
		if resp.PrevNode != nil {
			fmt.Fprintln(r.Stdout, "PrevNode.Value:", resp.PrevNode.Value)
		}
		fmt.Fprintln(r.Stdout, "TTL:", node.TTL)
		fmt.Fprintln(r.Stdout, "Index:", resp.Index)
		if resp.Action != "delete" {
			fmt.Fprintln(r.Stdout, "")
			fmt.Fprintln(r.Stdout, node.Value)
		}
	case formatJSON:
		b, err := json.Marshal(resp)
		if err != nil {
			// A Response is plain strings, numbers and times; it always encodes.
			panic("ctl.printResponse: " + err.Error())
		}
		fmt.Fprintln(r.Stdout, string(b))
	default:
		fmt.Fprintln(r.Stderr, "Unsupported output format:", format)
	}
}

// prevValue is the previous node's value, "" when there was none.
func prevValue(resp *client.Response) string {
	if resp.PrevNode == nil {
		return ""
	}
	return resp.PrevNode.Value
}
