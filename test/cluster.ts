// The product's cluster (lib/cluster) as the cluster tests use it: the same, plus a way for the
// test clients to confirm a new customer's email on every server it starts (sign-in needs a
// verified address; a test marks the row verified in the cluster's database, what following the
// mailed link does). Tests import the cluster from here, never the harness from lib/ directly.
import { startCluster as startProductCluster, type Cluster, type ClusterOptions } from '../lib/cluster';
import { verifyEmailsWith, verifyInDatabase } from './api-client';

export * from '../lib/cluster';

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const cluster = await startProductCluster(options);
  const verify = verifyInDatabase(cluster.postgres.url);
  for (const instance of cluster.instances) verifyEmailsWith(instance.url, verify);
  if (cluster.lb) verifyEmailsWith(cluster.lb.url, verify);
  return cluster;
}
