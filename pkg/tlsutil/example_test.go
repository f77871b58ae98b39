package tlsutil_test

import (
	"fmt"
	"os"
	"path/filepath"

	"skiff/pkg/tlsutil"
	"skiff/server/config"
)

// A test builds a CA, a member certificate and a trusted-CA file, then the
// listener configuration of a member that requires client certificates.
func ExampleNewCA() {
	dir, _ := os.MkdirTemp("", "pki")
	defer os.RemoveAll(dir)

	ca, err := tlsutil.NewCA("test CA")
	if err != nil {
		panic(err)
	}
	caFile := filepath.Join(dir, "ca.crt")
	if err := ca.WriteCert(caFile); err != nil {
		panic(err)
	}
	cert, key, err := ca.WriteFiles(dir, "m1", "m1", []string{"127.0.0.1", "localhost"})
	if err != nil {
		panic(err)
	}
	cfg, err := tlsutil.ServerConfig(config.TLSInfo{CertFile: cert, KeyFile: key,
		ClientCertAuth: true, TrustedCAFile: caFile}, nil, "")
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.ClientAuth, cfg.MinVersion == tlsutil.MinVersion)
	// Output: RequireAndVerifyClientCert true
}
