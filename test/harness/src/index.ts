export { startRedis, type RedisInstance } from './redis.ts';
export { startCluster, fakeNodeName, type ClusterOptions, type TestCluster } from './cluster.ts';
export { startGitServer, type GitServer, type GitRepo, type ChangeSet, type CommitResult } from './git-server.ts';
export { startRegistry, type TestRegistry, type PushedImage, type RegistryOptions } from './registry.ts';
export { freePort } from './ports.ts';
export { waitFor } from './wait.ts';
export { toolPath, toolVersions, repoRoot, cacheDir } from './paths.ts';
export { dockerAvailable } from './docker.ts';
export { makeWorkDir } from './workdir.ts';
