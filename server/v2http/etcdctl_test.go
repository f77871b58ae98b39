package v2http

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"skiff/internal/etcdtest"
	"skiff/server/membership"
)

// TestEtcdctlSeesSkiffAsEtcd runs etcdctl (API v2) commands against a real
// etcd and against skiff's handler, and compares their output and exit
// codes after normalising indexes, IDs, URLs and TTLs. etcdctl first syncs
// the member list and then talks to the members' client URLs, so this
// also proves /v2/members and /version are good enough for the real client.
func TestEtcdctlSeesSkiffAsEtcd(t *testing.T) {
	etcdtest.RequireEtcdctl(t)
	etcd := startEtcd(t)
	ts, fs := newTestAPI(t)
	fs.members[0].ClientURLs = []string{ts.URL}
	commands := [][]string{
		{"set", "/ctl/a", "1"},
		{"get", "/ctl/a"},
		{"-o", "extended", "get", "/ctl/a"},
		{"-o", "json", "get", "/ctl/a"},
		{"mk", "/ctl/a", "2"},
		{"update", "/ctl/a", "3"},
		{"update", "/ctl/nope", "3"},
		{"set", "--swap-with-value", "zz", "/ctl/a", "4"},
		{"mkdir", "/ctl/d"},
		{"mkdir", "/ctl/d"},
		{"setdir", "/ctl/d"},
		{"set", "/ctl/d/x", "y"},
		{"ls", "--recursive", "--sort", "/ctl"},
		{"-o", "extended", "ls", "--sort", "-p", "/ctl"},
		{"rmdir", "/ctl/d"},
		{"rm", "/ctl/nope"},
		{"rm", "--with-value", "zz", "/ctl/a"},
		{"rm", "/ctl/a"},
		{"watch", "--after-index", "{1}", "/ctl/a"},
		{"-o", "extended", "watch", "--recursive", "--after-index", "{2}", "/ctl"},
		{"mk", "--in-order", "/ctl/q", "job"},
		{"set", "--ttl", "1000", "/ctl/t", "v"},
		{"-o", "extended", "get", "/ctl/t"},
		{"member", "list"},
		{"cluster-health"},
		{"rm", "--recursive", "/ctl"},
		{"get", "/ctl"},
	}
	e := &ctlTarget{url: etcd}
	s := &ctlTarget{url: ts.URL}
	for _, c := range []*ctlTarget{e, s} {
		c.base = currentIndex(t, c.url)
		var list membership.ClientList
		if err := jsonBody(call(t, "GET", c.url+"/v2/members", "").body, &list); err != nil || len(list.Members) != 1 {
			t.Fatalf("%s members: %v", c.url, err)
		}
		c.memberID, c.peerURL = list.Members[0].ID, list.Members[0].PeerURLs[0]
	}
	for _, args := range commands {
		want, got := e.run(t, args), s.run(t, args)
		if want != got {
			t.Errorf("etcdctl %s:\netcd:  %s\nskiff: %s", strings.Join(args, " "), want, got)
		}
	}
}

// ctlTarget is one server etcdctl is pointed at.
type ctlTarget struct {
	url, memberID, peerURL string
	base                   uint64
}

var (
	ctlIndex   = regexp.MustCompile(`(Index: |\[|"(?:modifiedIndex|createdIndex)":)(\d+)`)
	ctlInOrder = regexp.MustCompile(`/\d{20}\b`)
	ctlTTL     = regexp.MustCompile(`TTL: \d+`)
	ctlExpiry  = regexp.MustCompile(`"expiration":"[^"]*","ttl":\d+`)
)

// run executes etcdctl and renders its exit code, stdout and stderr with
// this server's indexes made relative and its identity blanked.
func (c *ctlTarget) run(t *testing.T, args []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var argv []string
	for _, a := range args {
		argv = append(argv, (&target{base: c.base}).expand(a))
	}
	stdout, stderr, code := etcdtest.Etcdctl(ctx, c.url, argv...)
	return "exit " + strconv.Itoa(code) + " stdout " + strconv.Quote(c.normalise(stdout)) +
		" stderr " + strconv.Quote(c.normalise(stderr))
}

func (c *ctlTarget) normalise(out string) string {
	out = ctlIndex.ReplaceAllStringFunc(out, func(m string) string {
		sub := ctlIndex.FindStringSubmatch(m)
		n, _ := strconv.ParseUint(sub[2], 10, 64)
		return sub[1] + "#" + strconv.FormatInt(int64(n)-int64(c.base), 10)
	})
	out = ctlInOrder.ReplaceAllString(out, "/<in-order>")
	out = ctlTTL.ReplaceAllString(out, "TTL: <ttl>")
	out = ctlExpiry.ReplaceAllString(out, `"expiration":"<time>","ttl":<ttl>`)
	out = strings.NewReplacer(c.memberID, "<id>", c.peerURL, "<peer>", c.url, "<client>").Replace(out)
	return out
}
