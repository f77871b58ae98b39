package config

import "path/filepath"

// Dirs says where a member keeps its files (contract §6.4):
//
//	<data-dir>/member/wal   WAL segments, unless --wal-dir moves them
//	<data-dir>/member/snap  snapshot files
type Dirs struct {
	Data   string // --data-dir
	Member string // <data-dir>/member
	WAL    string // --wal-dir if given, else <data-dir>/member/wal
	Snap   string // <data-dir>/member/snap
}

// Dirs returns the data-dir layout for c. With --wal-dir the WAL files go
// directly into that directory, as in etcd.
func (c *Config) Dirs() Dirs {
	member := filepath.Join(c.DataDir, "member")
	wal := filepath.Join(member, "wal")
	if c.WALDir != "" {
		wal = c.WALDir
	}
	return Dirs{Data: c.DataDir, Member: member, WAL: wal, Snap: filepath.Join(member, "snap")}
}
