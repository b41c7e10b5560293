import path from 'node:path';
import { repoRoot } from '@eventix/local-infra';

/**
 * Starts Hive Gateway's own CLI (`hive-gateway supergraph …`, its defaults) as a service process:
 * the harness runs `node <script>` without arguments, so they are set here from the environment.
 * PORT, HIVE_SUPERGRAPH_PATH (routing URLs pointing at the bench's subgraphs), plus what
 * gateway-config.ts needs.
 */
const bin = path.join(repoRoot(), 'node_modules/@graphql-hive/gateway/dist/bin.js');
process.argv = [process.execPath, bin, 'supergraph', process.env.HIVE_SUPERGRAPH_PATH ?? '', '--host', '127.0.0.1', '--port', process.env.PORT ?? '', '-c', path.join(__dirname, 'gateway-config.js')];
void import(bin);
