package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skiff/internal/etcdtest"
	"skiff/pkg/tlsutil"
)

// TestMain removes the skiff binary etcdtest.BuildSkiff built.
func TestMain(m *testing.M) { etcdtest.Main(m) }

// securePKI is what a secured cluster and its clients need on disk: one CA
// that signs the member's certificate and a client's, and a second,
// foreign CA whose client certificate the member must refuse.
type securePKI struct {
	caFile                  string // the trusted CA: --trusted-ca-file, --ca-file
	serverCert, serverKey   string // the member's, for its client and peer URLs
	clientCert, clientKey   string // signed by the trusted CA
	foreignCert, foreignKey string // signed by a CA the member does not trust
}

// newSecurePKI writes the certificates to dir. The client certificates'
// common name, "client", is no user's name: with --client-cert-auth a
// certificate named after a user logs in as that user (docs/security.md),
// and these tests want the anonymous caller to be guest.
func newSecurePKI(t *testing.T, dir string) securePKI {
	t.Helper()
	ca, err := tlsutil.NewCA("skiff test CA")
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := tlsutil.NewCA("foreign CA")
	if err != nil {
		t.Fatal(err)
	}
	p := securePKI{caFile: filepath.Join(dir, "ca.crt")}
	if err := ca.WriteCert(p.caFile); err != nil {
		t.Fatal(err)
	}
	if p.serverCert, p.serverKey, err = ca.WriteFiles(dir, "server", "skiff member", []string{"127.0.0.1", "localhost"}); err != nil {
		t.Fatal(err)
	}
	if p.clientCert, p.clientKey, err = ca.WriteFiles(dir, "client", "client", nil); err != nil {
		t.Fatal(err)
	}
	if p.foreignCert, p.foreignKey, err = foreign.WriteFiles(dir, "foreign", "client", nil); err != nil {
		t.Fatal(err)
	}
	return p
}

// startSecureSkiff starts one skiff member whose client and peer URLs are
// https with mutual TLS, and returns its https client URL. etcdtest waits
// for /health over plain http, so the member also listens on the harness's
// http URL; it advertises only the https one, which is therefore the only
// URL that skiffctl's and etcdctl's member sync hands back.
func startSecureSkiff(t *testing.T, p securePKI) string {
	t.Helper()
	var secureURL string
	etcdtest.Start(t, etcdtest.Binary(etcdtest.BuildSkiff(t)), etcdtest.CommandLine(func(m *etcdtest.Member) []string {
		secureURL = "https://" + strings.TrimPrefix(etcdtest.FreeURL(t), "http://")
		m.PeerURL = "https://" + strings.TrimPrefix(m.PeerURL, "http://")
		return []string{"--enable-v2", "--data-dir", m.DataDir, "--name", m.Name,
			"--listen-client-urls", m.ClientURL + "," + secureURL, "--advertise-client-urls", secureURL,
			"--listen-peer-urls", m.PeerURL, "--initial-advertise-peer-urls", m.PeerURL,
			"--initial-cluster", m.Name + "=" + m.PeerURL,
			"--cert-file", p.serverCert, "--key-file", p.serverKey,
			"--trusted-ca-file", p.caFile, "--client-cert-auth",
			"--peer-cert-file", p.serverCert, "--peer-key-file", p.serverKey,
			"--peer-trusted-ca-file", p.caFile, "--peer-client-cert-auth"}
	}))
	return secureURL
}

// errInsufficientCredentials is etcdctl's line for the keys API's error 110
// (contract §4, §5.4); it exits 4.
const errInsufficientCredentials = "Error:  110: The request requires user authentication (Insufficient credentials) [0]\n"

// errUnreachable starts etcdctl's message when no endpoint answers
// (contract §5.4); the per-endpoint errors follow.
const errUnreachable = "Error:  client: etcd cluster is unavailable or misconfigured; error #0: "

// refusalMatches reports whether a tool's answer is etcdctl's when the
// member refuses its client certificate during the member sync.
//
// With TLS 1.3 the client ends its handshake before the member checks the
// certificate, so what the client sees races: usually the member's alert
// ("remote error: tls: <alert>"), sometimes a reset of the connection while
// it writes or reads the request. The exit code follows from that error:
// etcdctl's isConnectionError counts only a net.OpError whose Op is "dial"
// or "read" as an unreachable cluster (exit 2); anything else, such as an
// alert (Op "remote error") or a failed write, leaves the sync error
// ignored, and the request itself then fails with exit 4 (observed with
// 3.4.23).
func refusalMatches(alert, stdout, stderr string, code int) bool {
	if stdout != "" || !strings.HasPrefix(stderr, errUnreachable) {
		return false
	}
	cause := strings.SplitN(strings.TrimPrefix(stderr, errUnreachable), "\n", 2)[0]
	switch {
	case strings.HasPrefix(cause, "remote error: tls: "):
		return cause == "remote error: tls: "+alert && code == 4
	case strings.HasPrefix(cause, "read "):
		return code == 2
	default:
		return code == 4
	}
}

// TestSkiffctlAndEtcdctlAgreeOnASecuredMember runs etcdctl's v2 commands
// with --ca-file, --cert-file, --key-file and --username against a skiff
// member with mutual TLS and auth on (issue 10), with skiffctl and, when it
// is installed, with the real etcdctl: both must print the same stdout and
// exit with the same code.
func TestSkiffctlAndEtcdctlAgreeOnASecuredMember(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and starts skiff's server")
	}
	p := newSecurePKI(t, t.TempDir())
	endpoint := startSecureSkiff(t, p)
	withCert := []string{"--endpoints", endpoint, "--ca-file", p.caFile, "--cert-file", p.clientCert, "--key-file", p.clientKey}
	ctlArgs := func(global []string, args ...string) []string {
		return append(append([]string{}, global...), args...)
	}

	// Setting up auth changes the member, so only skiffctl does it; its
	// output is etcdctl's (contract §5.5).
	setup := func(want string, args ...string) {
		t.Helper()
		stdout, stderr, code := run(t, ctlArgs(withCert, args...)...)
		if stdout != want || code != 0 {
			t.Fatalf("skiffctl %s: got stdout %q, stderr %q, exit %d; want %q, exit 0", strings.Join(args, " "), stdout, stderr, code, want)
		}
	}

	// step is one command that gives the same answer every time it runs,
	// so skiffctl and then etcdctl run it against the same state.
	type step struct {
		name           string
		global         []string // the global flags: endpoint, TLS files, --username
		args           []string
		stdout, stderr string
		exit           int
		// refusedWith, when set, is the TLS alert that refuses the
		// client's certificate, and stdout, stderr and exit are not used:
		// see refusalMatches.
		refusedWith string
	}
	matches := func(s step, stdout, stderr string, code int) bool {
		if s.refusedWith != "" {
			return refusalMatches(s.refusedWith, stdout, stderr, code)
		}
		return stdout == s.stdout && stderr == s.stderr && code == s.exit
	}
	check := func(t *testing.T, tool string, s step, stdout, stderr string, code int) {
		t.Helper()
		if matches(s, stdout, stderr, code) {
			return
		}
		cmd := strings.Join(ctlArgs(s.global, s.args...), " ")
		if s.refusedWith != "" {
			t.Errorf("%s %s:\ngot  stdout %q, stderr %q, exit %d\nwant etcdctl's refusal with the alert %q (see refusalMatches)", tool, cmd, stdout, stderr, code, s.refusedWith)
		} else {
			t.Errorf("%s %s:\ngot  stdout %q, stderr %q, exit %d\nwant stdout %q, stderr %q, exit %d", tool, cmd, stdout, stderr, code, s.stdout, s.stderr, s.exit)
		}
	}
	runSteps := func(t *testing.T, steps []step) {
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				t.Run("skiffctl", func(t *testing.T) {
					stdout, stderr, code := run(t, ctlArgs(s.global, s.args...)...)
					check(t, "skiffctl", s, stdout, stderr, code)
				})
				t.Run("etcdctl", func(t *testing.T) {
					etcdtest.RequireEtcdctl(t)
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					stdout, stderr, code := etcdtest.Etcdctl(ctx, "", ctlArgs(s.global, s.args...)...)
					check(t, "etcdctl", s, stdout, stderr, code)
				})
			})
		}
	}
	asRoot := ctlArgs(withCert, "--username", "root:pw")

	// Auth on: enabling it creates guest with read and write on /*, so an
	// anonymous caller (no --username, and a certificate named after no
	// user) may still write (contract §4).
	setup("User root created\n", "user", "add", "root:pw")
	setup("Authentication Enabled\n", "auth", "enable")
	runSteps(t, []step{
		{name: "RootSets", global: asRoot, args: []string{"set", "/k", "v"}, stdout: "v\n"},
		{name: "RootGets", global: asRoot, args: []string{"get", "/k"}, stdout: "v\n"},
		{name: "GuestSetsWhileGuestMayWrite", global: withCert, args: []string{"set", "/k", "guest"}, stdout: "guest\n"},
	})

	// Guest loses write: an anonymous write is refused with error 110, a
	// read still works, and a wrong password never falls back to guest.
	setup("Role guest updated\n", "--username", "root:pw", "role", "revoke", "guest", "--path", "/*", "--write")
	noCert := []string{"--endpoints", endpoint, "--ca-file", p.caFile}
	foreignCert := []string{"--endpoints", endpoint, "--ca-file", p.caFile, "--cert-file", p.foreignCert, "--key-file", p.foreignKey}
	runSteps(t, []step{
		{name: "GuestSetIsRefused", global: withCert, args: []string{"set", "/k", "anon"}, stderr: errInsufficientCredentials, exit: 4},
		{name: "GuestStillReads", global: withCert, args: []string{"get", "/k"}, stdout: "guest\n"},
		{name: "WrongPasswordIsRefused", global: ctlArgs(withCert, "--username", "root:wrong"), args: []string{"get", "/k"}, stderr: errInsufficientCredentials, exit: 4},
		{name: "RootStillSets", global: asRoot, args: []string{"set", "/k", "v2"}, stdout: "v2\n"},

		// --client-cert-auth: no certificate, or one from another CA,
		// fails the TLS handshake of the member sync.
		{name: "NoClientCertificateIsRefused", global: ctlArgs(noCert, "--username", "root:pw"), args: []string{"get", "/k"}, refusedWith: "certificate required"},
		{name: "ForeignClientCertificateIsRefused", global: ctlArgs(foreignCert, "--username", "root:pw"), args: []string{"get", "/k"}, refusedWith: "unknown certificate authority"},
	})
}
