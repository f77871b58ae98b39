package v2auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"skiff/internal/etcdtest"
)

// TestEtcdctlUserRoleAuthCommandsMatchRealEtcd: etcdctl (API v2) prints the
// same and exits the same against skiff's auth API as against real etcd,
// for every user, role and auth command of contract §5.5, their common
// errors, and a command under auth with and without root's credentials.
func TestEtcdctlUserRoleAuthCommandsMatchRealEtcd(t *testing.T) {
	etcdtest.Require(t)
	etcdtest.RequireEtcdctl(t)
	etcd := etcdtest.Start(t).ClientURL
	m := newFakeMember()
	skiff := apiServer(t, m, testAuth(t, m)).URL

	script := []string{
		"user add root:rootpw",
		"user list",
		"role add app",
		"role add app",
		"role grant --path /app/* --read app",
		"role grant --path /app/w* --readwrite app",
		"role grant --path /app/* --read app",
		"role revoke --path /nope --write app",
		"role get app",
		"role list",
		"user add alice:pa",
		"user add alice:pa2",
		"user grant --roles app alice",
		"user grant --roles app alice",
		"user get alice",
		"user revoke --roles app alice",
		"user get nobody",
		"user list",
		"role get nope",
		"role remove root",
		"auth enable",
		"auth enable",
		"--username root:rootpw role get guest",
		"--username root:rootpw role revoke --path /* --rw guest",
		"user list",
		"--username root:wrong user list",
		"--username root:rootpw user remove alice",
		"--username root:rootpw user remove root",
		"--username root:rootpw role remove app",
		"--username root:rootpw auth disable",
		"auth disable",
		"user remove root",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i, line := range script {
		// --no-sync: the fake member publishes no client URLs to sync with.
		args := append([]string{"--no-sync"}, strings.Fields(line)...)
		wantOut, wantErr, wantExit := etcdtest.Etcdctl(ctx, etcd, args...)
		gotOut, gotErr, gotExit := etcdtest.Etcdctl(ctx, skiff, args...)
		// Error lines name the endpoint, which differs.
		wantErr = strings.ReplaceAll(wantErr, etcd, "<endpoint>")
		gotErr = strings.ReplaceAll(gotErr, skiff, "<endpoint>")
		require.Equal(t, []any{wantOut, wantErr, wantExit}, []any{gotOut, gotErr, gotExit}, "step %d: etcdctl %s", i, line)
	}
}
