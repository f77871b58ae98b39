// Package discovery finds the initial cluster of a new skiff cluster in the
// two ways etcd v2 does (contract §7), for a member started with
// --discovery or --discovery-srv instead of --initial-cluster, and the
// client endpoints for skiffctl --discovery-srv.
//
// # etcd discovery (contract §7.1)
//
// A discovery URL names a directory in any v2 key service (a running skiff
// or etcd cluster, or discovery.etcd.io), e.g.
// http://host:2379/v2/keys/_etcd/registry/<token>, whose _config/size key
// the operator set to the cluster size. Each new member registers itself
// under its member ID and waits until size members have; their values,
// joined, are the --initial-cluster (JoinCluster, Discovery.Join). The
// discovery URL is also the cluster token (contract §8), so every member
// derives the same member and cluster IDs.
//
// skiff has no proxy mode, so --discovery-fallback proxy acts like exit: a
// member that finds the cluster full fails with ErrFullCluster.
//
// # DNS SRV discovery (contract §7.2)
//
// SRV.InitialCluster reads _etcd-server-ssl._tcp.<domain> and
// _etcd-server._tcp.<domain> (both, merged: etcd 3.4's issue 11321 is not
// copied) and finds this member among them by resolved address.
// SRV.ClientEndpoints does the clients' side with _etcd-client-ssl._tcp and
// _etcd-client._tcp.
//
// # Files
//
//	bootstrap.go    Bootstrap: what the server calls, from a *config.Config
//	errors.go       the sentinels, with etcd's texts
//	discovery.go    Discovery, Options, JoinCluster, New; the client set-up
//	join.go         Join: the protocol's steps, registering, the result
//	registry.go     reading the token's directory: size, members, "full"
//	wait.go         watching for the other members
//	retry.go        what is retried, and the 2^n-second backoff
//	lookup.go       SRV, Resolver, the merged SRV lookup
//	srvcluster.go   SRV.InitialCluster: the servers' side
//	srvclient.go    SRV.ClientEndpoints: skiffctl's side
package discovery
