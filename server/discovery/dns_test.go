package discovery

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// testDNS is a DNS server on 127.0.0.1:0 (UDP) serving the SRV and A records
// a test gives it; every other name is NXDOMAIN. Its Resolver sends every
// query there, whatever /etc/resolv.conf says.
type testDNS struct {
	mu      sync.Mutex
	records map[string][]dns.RR // by lower-case FQDN and type, see key
	broken  map[string]bool     // lower-case FQDNs answered with SERVFAIL
	addr    string
}

func rrKey(name string, typ uint16) string {
	return strings.ToLower(dns.Fqdn(name)) + "/" + dns.TypeToString[typ]
}

// startDNS starts the server; it stops when the test ends.
func startDNS(t *testing.T) *testDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen udp: %v", err)
	}
	d := &testDNS{records: map[string][]dns.RR{}, broken: map[string]bool{}, addr: pc.LocalAddr().String()}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(d.serve), NotifyStartedFunc: func() { close(started) }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ActivateAndServe()
	}()
	<-started
	t.Cleanup(func() {
		_ = srv.Shutdown()
		<-done
	})
	return d
}

// addSRV publishes "<name> SRV 0 0 port target".
func (d *testDNS) addSRV(name, target string, port uint16) {
	d.add(&dns.SRV{Hdr: dns.RR_Header{Name: dns.Fqdn(name), Rrtype: dns.TypeSRV, Class: dns.ClassINET, Ttl: 60},
		Port: port, Target: dns.Fqdn(target)})
}

// addA publishes "<name> A ip".
func (d *testDNS) addA(name, ip string) {
	d.add(&dns.A{Hdr: dns.RR_Header{Name: dns.Fqdn(name), Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
		A: net.ParseIP(ip)})
}

// breakName makes every query for name fail with SERVFAIL.
func (d *testDNS) breakName(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.broken[strings.ToLower(dns.Fqdn(name))] = true
}

func (d *testDNS) add(rr dns.RR) {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := rrKey(rr.Header().Name, rr.Header().Rrtype)
	d.records[k] = append(d.records[k], rr)
}

// serve answers one query: the records of that name and type, NOERROR with
// no answer when the name has records of other types only, else NXDOMAIN.
func (d *testDNS) serve(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	d.mu.Lock()
	for _, q := range r.Question {
		if d.broken[strings.ToLower(dns.Fqdn(q.Name))] {
			m.Rcode = dns.RcodeServerFailure
			continue
		}
		m.Answer = append(m.Answer, d.records[rrKey(q.Name, q.Qtype)]...)
		if len(m.Answer) == 0 && !d.hasName(q.Name) {
			m.Rcode = dns.RcodeNameError
		}
	}
	d.mu.Unlock()
	_ = w.WriteMsg(m)
}

// hasName reports whether any record has this name; d.mu is held.
func (d *testDNS) hasName(name string) bool {
	prefix := strings.ToLower(dns.Fqdn(name)) + "/"
	for k := range d.records {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// resolver is a pure-Go resolver that asks only this server.
func (d *testDNS) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dialer net.Dialer
		return dialer.DialContext(ctx, "udp", d.addr)
	}}
}
